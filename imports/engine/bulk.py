"""Writing planned rows into a target's table at bulk speed, without losing a batch to one refused row.

PostgreSQL gets new rows through COPY, and changes through COPY into a temporary table followed by one UPDATE;
other databases get executemany. When the database refuses a write (a unique or foreign-key conflict with what a
concurrent import saved meanwhile), the rows are split in halves, each half in its own savepoint, until the
refused rows stand alone: they fail with their own message and every other row lands.
"""

import re
from collections.abc import Callable
from typing import Any

from django.db import IntegrityError, connection, models, transaction
from django.utils import timezone

from companies.models import Company
from imports.declare.bulk_insert import adapted_rows, copy_text, rows_insert
from imports.declare.outcomes import Outcome, RowPlan
from imports.declare.targets import ImportTarget
from imports.engine.gate import Write, WriteGate

_UNIQUE_COLUMNS = re.compile(r"UNIQUE constraint failed: ([\w., ]+)")


class TableWriter:
    """Inserts and updates of one target's rows for one company."""

    def __init__(self, target: ImportTarget, company: Company, now=None):
        self.target = target
        self.company = company
        self.model = target.model
        self.now = now or timezone.now()  # one stamp for the batch: what its changeset notes as written_at
        meta = self.model._meta
        self.table = meta.db_table
        self.fields = [f for f in meta.concrete_fields if not f.primary_key]
        self.pk_column = meta.pk.column
        self.postgres = connection.vendor == "postgresql"
        # For each column: the value's name in a plan and what a new record gets when the plan has none. Worked
        # out once; rows are then built by one comprehension.
        self._company_position = next(i for i, f in enumerate(self.fields) if f.name == "company")
        self._stamped = [
            i for i, f in enumerate(self.fields) if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
        ]
        self._callable_defaults = [i for i, f in enumerate(self.fields) if f.has_default() and callable(f.default)]
        self._slots = [
            (f.name, None if i in self._stamped or i in self._callable_defaults else f.get_default())
            for i, f in enumerate(self.fields)
        ]

    # --- values ------------------------------------------------------------------------------------------------

    def _insert_row(self, values: dict[str, Any], now, company) -> list[Any]:
        row = [values.get(name, default) for name, default in self._slots]
        row[self._company_position] = company
        for position in self._stamped:
            row[position] = now
        for position in self._callable_defaults:
            if self.fields[position].name not in values:
                row[position] = self.fields[position].get_default()
        return row

    # --- writes ------------------------------------------------------------------------------------------------

    def insert(self, plans: list[RowPlan]) -> None:
        """New records, under the primary keys given to their plans (changesets_reserve) when they have one."""
        now, company = self.now, self.company.pk
        if self.postgres:  # the same for every row: written as COPY text once, not once a row
            now, company = now.isoformat(), str(company)
        rows = [self._insert_row(plan.values, now, company) for plan in plans]
        if plans and plans[0].record_id is not None:
            for row, plan in zip(rows, plans, strict=True):
                row.append(str(plan.record_id) if self.postgres else plan.record_id)
            rows_insert(self.model, [*self.fields, self.model._meta.pk], rows)
        else:
            rows_insert(self.model, self.fields, rows)

    def update(self, plans: list[RowPlan]) -> None:
        """Write each plan's changed fields (and updated_at); a plan's other fields keep their stored values."""
        names = sorted({name for plan in plans for name in plan.changed})
        touch = [f for f in self.fields if getattr(f, "auto_now", False)]
        fields = [self.model._meta.get_field(name) for name in names] + touch
        now = self.now
        rows = adapted_rows(
            [[plan.final_value(name) for name in names] + [now] * len(touch) + [plan.existing["pk"]] for plan in plans],
            [*fields, self.model._meta.pk],
        )
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if self.postgres:
                staging = quote(f"staging_{self.table}")
                columns = [f.column for f in fields] + [self.pk_column]
                cursor.execute(
                    f"CREATE TEMPORARY TABLE {staging} ON COMMIT DROP AS "
                    f"SELECT {', '.join(quote(c) for c in columns)} FROM {quote(self.table)} WITH NO DATA"
                )
                copy_sql = f"COPY {staging} ({', '.join(quote(c) for c in columns)}) FROM STDIN"
                with connection.wrap_database_errors, cursor.cursor.copy(copy_sql) as copy:
                    copy.write(copy_text(rows))
                assignments = ", ".join(f"{quote(f.column)} = s.{quote(f.column)}" for f in fields)
                cursor.execute(
                    f"UPDATE {quote(self.table)} AS t SET {assignments} FROM {staging} AS s "
                    f"WHERE t.{quote(self.pk_column)} = s.{quote(self.pk_column)}"
                )
                cursor.execute(f"DROP TABLE {staging}")
            else:
                assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
                cursor.executemany(
                    f"UPDATE {quote(self.table)} SET {assignments} WHERE {quote(self.pk_column)} = %s", rows
                )


def write_isolating_refusals(
    write: Callable[[list[RowPlan]], None], plans: list[RowPlan], refused: Callable[[RowPlan, IntegrityError], None]
) -> None:
    """Write `plans` in a savepoint; if the database refuses, halve and retry until the refused rows stand alone."""
    if not plans:
        return
    try:
        with transaction.atomic():
            write(plans)
    except IntegrityError as error:
        if len(plans) == 1:
            refused(plans[0], error)
            return
        middle = len(plans) // 2
        write_isolating_refusals(write, plans[:middle], refused)
        write_isolating_refusals(write, plans[middle:], refused)


def refused_fields(model: type[models.Model], error: IntegrityError) -> tuple[str, ...] | None:
    """The fields of the unique constraint `error` names, when it names one of `model`'s."""
    cause = error.__cause__
    constraint = getattr(getattr(cause, "diag", None), "constraint_name", None)
    constraints = [c for c in model._meta.constraints if isinstance(c, models.UniqueConstraint)]
    if constraint:
        for unique in constraints:
            if unique.name == constraint:
                return tuple(unique.fields)
        return None
    match = _UNIQUE_COLUMNS.search(str(error))
    if match is None:
        return None
    columns = {part.strip().rsplit(".", 1)[-1] for part in match.group(1).split(",")}
    for unique in constraints:
        if {model._meta.get_field(name).column for name in unique.fields} == columns:
            return tuple(unique.fields)
    return None


def plans_write(
    *, gate: WriteGate, target: ImportTarget, company: Company, plans: list[RowPlan], now=None
) -> None:
    """Write the batch's new and changed records, stamped `now`; rows the database refuses become failed rows."""
    gate.check(Write.ROWS)
    writer = TableWriter(target, company, now)

    def refused(plan: RowPlan, error: IntegrityError) -> None:
        fields = refused_fields(target.model, error)
        field_name = next((name for name in fields or () if name != "company"), None)
        plan.fail(field_name, target.integrity_message(plan, fields))
        plan.outcome = Outcome.FAILED

    write_isolating_refusals(writer.insert, [p for p in plans if p.outcome is Outcome.CREATED], refused)
    write_isolating_refusals(writer.update, [p for p in plans if p.outcome is Outcome.UPDATED], refused)
