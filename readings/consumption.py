"""Consumption between a meter's readings, and the readings a batch must be judged against.

A reading's consumption is its value minus the meter's previous reading (the latest one dated before it). A batch
of new readings needs, for each of its meters, the stored readings around the days it brings: the one just before
its first day, those between its first and last day, and the one just after its last day. They come in one query
a batch, through the (company, meter, day) index, whatever the size of the table.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection

from .models import MeterReading

_THOUSANDTHS = Decimal("0.001")


@dataclass
class Reading:
    """A reading on a meter's timeline: one stored (with its id) or one a batch is about to write."""

    day: date
    value: Decimal
    id: int | None = None
    consumption: Decimal | None = None


def neighbours_fetch(company_id: int, days_by_meter: dict[str, list[date]]) -> dict[str, list[Reading]]:
    """The stored readings around each meter's days (see the module's docstring), per meter, in day order."""
    if not days_by_meter:
        return {}
    spans = [(meter, min(days), max(days)) for meter, days in days_by_meter.items()]
    quote = connection.ops.quote_name
    table = quote(MeterReading._meta.db_table)
    columns = "r.id, r.meter_number, r.reading_date, r.reading_value, r.consumption"
    same_meter = "r.company_id = %s AND r.meter_number = k.meter"
    edge = (
        "r.reading_date = (SELECT {fn}(e.reading_date) FROM {table} AS e WHERE e.company_id = %s "
        "AND e.meter_number = k.meter AND e.reading_date {op} k.{bound})"
    )
    selects = [
        f"SELECT {columns} FROM k JOIN {table} AS r ON {same_meter} AND r.reading_date BETWEEN k.first_day AND "
        "k.last_day",
        f"SELECT {columns} FROM k JOIN {table} AS r ON {same_meter} AND "
        + edge.format(fn="MAX", table=table, op="<", bound="first_day"),
        f"SELECT {columns} FROM k JOIN {table} AS r ON {same_meter} AND "
        + edge.format(fn="MIN", table=table, op=">", bound="last_day"),
    ]
    values = ", ".join(["(%s, %s, %s)"] * len(spans))
    sql = f"WITH k(meter, first_day, last_day) AS (VALUES {values}) " + " UNION ALL ".join(selects)
    parameters = [part for span in spans for part in span] + [company_id] * 5
    found: dict[str, dict[int, Reading]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        for pk, meter, day, value, consumption in cursor.fetchall():
            found[meter][pk] = Reading(_day(day), _decimal(value), pk, _decimal(consumption))
    return {meter: sorted(readings.values(), key=lambda reading: reading.day) for meter, readings in found.items()}


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def _decimal(value) -> Decimal | None:
    """A stored number as a Decimal of thousandths (SQLite hands raw SQL floats back)."""
    if value is None:
        return None
    return Decimal(str(value)).quantize(_THOUSANDTHS)


def consumption_between(value: Decimal, previous: Reading | None) -> Decimal | None:
    return None if previous is None else (value - previous.value).quantize(_THOUSANDTHS)


def consumption_recompute_meters(company_id: int, meters: set[str]) -> int:
    """Work out again, in one statement, the consumption of every reading of `meters`: after an undo deleted or
    restored some of their readings, the ones that follow them consumed from another previous reading."""
    if not meters:
        return 0
    marks = ", ".join(["%s"] * len(meters))
    return _recompute(f"meter_number IN ({marks})", [company_id, *sorted(meters)])


def consumption_recompute(company_id: int, *, changed_since) -> int:
    """Work out again, in one statement, the consumption of every reading of the meters that got a reading written
    since `changed_since`; return how many changed. A job's chunks run at once on several workers, and a chunk
    cannot see readings another one has not committed yet: once the whole job is in, this puts each reading
    against its real previous one."""
    table = connection.ops.quote_name(MeterReading._meta.db_table)
    since = MeterReading._meta.get_field("updated_at").get_db_prep_value(changed_since, connection)
    return _recompute(
        f"meter_number IN (SELECT meter_number FROM {table} WHERE company_id = %s AND updated_at >= %s)",
        [company_id, company_id, since],
    )


def _recompute(meters_sql: str, parameters: list) -> int:
    """Each reading's consumption against its previous one, for the company's meters `meters_sql` selects."""
    table = connection.ops.quote_name(MeterReading._meta.db_table)
    differs = "IS DISTINCT FROM" if connection.vendor == "postgresql" else "IS NOT"
    sql = (
        f"UPDATE {table} SET consumption = w.delta FROM ("
        f"SELECT id, reading_value - LAG(reading_value) OVER (PARTITION BY meter_number ORDER BY reading_date) "
        f"AS delta FROM {table} WHERE company_id = %s AND {meters_sql}"
        f") AS w WHERE {table}.id = w.id AND {table}.consumption {differs} w.delta"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, parameters)
        return cursor.rowcount
