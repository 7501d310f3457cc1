"""Inserting rows at bulk speed: COPY on PostgreSQL, one constant executemany statement elsewhere.

The core writes every import's new records, log entries and references this way (imports.engine.bulk); a domain
that writes records of its own beside an import's (the primary contact an account row names) uses it too.
"""

import datetime as dt
import json
from typing import Any

from django.db import connection, models

_PLAIN = (str, int, float, bool, type(None))


def adapted_rows(rows: list[list[Any]], fields: list[models.Field]) -> list[list[Any]]:
    """Values as the database driver wants them. JSON columns get their text (which COPY and INSERT both accept).
    psycopg takes dates, datetimes and UUIDs as they are; SQLite's driver takes plain values only, so anything
    else goes through its field's own conversion."""
    json_positions = [position for position, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    if connection.vendor == "postgresql":
        for row in rows:
            for position in json_positions:
                row[position] = json.dumps(row[position], ensure_ascii=False)
        return rows
    for row in rows:
        for position, value in enumerate(row):
            if position in json_positions:
                row[position] = json.dumps(value, ensure_ascii=False)
            elif not isinstance(value, _PLAIN):
                row[position] = fields[position].get_db_prep_save(value, connection)
    return rows


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def _copy_value(value: Any) -> str:
    if value is None:
        return "\\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value).translate(_COPY_ESCAPES)


def copy_text(rows: list[list[Any]]) -> str:
    """Rows in COPY's text format. Built here rather than by psycopg's write_row, which looks up an adapter for
    every value and costs three times as much; a line with no tab, newline, CR or backslash inside a value (nearly
    all of them) needs no escaping at all."""
    lines = []
    for row in rows:
        cells = ["\\N" if value is None else value if isinstance(value, str) else _copy_value(value) for value in row]
        line = "\t".join(cells)
        # Every backslash must be a NULL's own, and every tab a separator; otherwise escape value by value.
        if line.count("\t") != len(cells) - 1 or line.count("\\") != row.count(None) or "\n" in line or "\r" in line:
            line = "\t".join(map(_copy_value, row))
        lines.append(line)
    lines.append("")
    return "\n".join(lines)


def copy_escaped(text: str) -> str:
    """A text value as COPY's text format holds it."""
    return text.translate(_COPY_ESCAPES)


def rows_insert(
    model: type[models.Model], fields: list[models.Field], rows: list[list[Any]], *, adapted: bool = False
) -> None:
    """Insert rows (lists in the order of `fields`) with one constant statement: COPY on PostgreSQL, executemany
    elsewhere. (Django's multi-row INSERT changes its text with the row count, and psycopg then re-parses every %s
    parameter mark of it each time: milliseconds a batch.) `adapted`: the values are as the driver takes them
    already (SQLite's plain values)."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        copy_insert(model, fields, copy_text(adapted_rows(rows, fields)))
        return
    rows = rows if adapted else adapted_rows(rows, fields)
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


def copy_insert(model: type[models.Model], fields: list[models.Field], text: str) -> None:
    """PostgreSQL: insert rows given in COPY's text format, a line each, with `fields`' columns in order."""
    if not text:
        return
    quote = connection.ops.quote_name
    table, columns = quote(model._meta.db_table), ", ".join(quote(f.column) for f in fields)
    # psycopg's COPY bypasses Django's cursor: translate its errors (IntegrityError, ...) the same way.
    with (
        connection.cursor() as cursor, connection.wrap_database_errors,
        cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy,
    ):
        copy.write(text)
