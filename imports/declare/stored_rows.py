"""Looking a batch's values up among a company's stored records, one query per batch, fast at any table size.

On PostgreSQL the look-up probes the unique index once per value (`unnest` joined LATERAL with LIMIT 1), with
sequential scans ruled out for that one statement. The planner's statistics are stale throughout a big import
into a growing table: they still say "empty" (so a scan looks cheapest) or still show the company small (so
reading all its rows looks cheapest), and each batch would then cost more than the one before. Other databases
get the ORM's `IN` query.
"""

from collections.abc import Iterable
from typing import Any

import psycopg
from django.db import connection, models, transaction


def _array_literal(values: list) -> str:
    """A PostgreSQL array literal, which the server parses in C (psycopg would build it value by value)."""
    quoted = (str(value).replace("\\", "\\\\").replace('"', '\\"') for value in values)
    return "{" + ",".join(f'"{text}"' for text in quoted) + "}"


def stored_rows(
    model: type[models.Model],
    *,
    company_id: int,
    field: str,
    values: Iterable[Any],
    columns: list[str],
    where: dict[str, Any] | None = None,
) -> list[tuple]:
    """`columns` of the company's records whose `field` is one of `values` (and which match `where`).

    `field`, with the company and `where`, must identify at most one record (a unique constraint or a partial
    unique index), as a key does.
    """
    values = list(values)
    if not values:
        return []
    where = where or {}
    if connection.vendor != "postgresql":
        rows = model.objects.filter(company_id=company_id, **{f"{field}__in": values}, **where).order_by()
        return list(rows.values_list(*columns))
    meta, quote = model._meta, connection.ops.quote_name
    selected = [meta.pk if name == "pk" else meta.get_field(name) for name in columns]
    conditions = [f"t.{quote(meta.get_field('company').column)} = %s"]
    conditions += [f"t.{quote(meta.get_field(name).column)} = %s" for name in where]
    conditions.append(f"t.{quote(meta.get_field(field).column)} = k.value")
    db_type = meta.get_field(field).cast_db_type(connection)
    sql = (
        f"SELECT {', '.join(f'r.{quote(f.column)}' for f in selected)} "
        f"FROM unnest(%s::{db_type}[]) AS k(value) "
        f"CROSS JOIN LATERAL (SELECT * FROM {quote(meta.db_table)} AS t "
        f"WHERE {' AND '.join(conditions)} LIMIT 1) AS r"
    )
    # psycopg's server-side binding sends the array as one parameter; Django's client-side cursor would quote the
    # whole literal into the query text, character by character.
    with transaction.atomic(), connection.wrap_database_errors, psycopg.Cursor(connection.connection) as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(sql, [_array_literal(values), company_id, *where.values()])
        rows = cursor.fetchall()
    converters = [(position, f) for position, f in enumerate(selected) if hasattr(f, "from_db_value")]
    if not converters:
        return rows
    converted = []
    for row in rows:
        row = list(row)
        for position, model_field in converters:
            row[position] = model_field.from_db_value(row[position], None, connection)
        converted.append(tuple(row))
    return converted
