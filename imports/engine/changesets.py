"""What an import did, record by record: the changeset an undo takes back and a record's history shows.

Kept set-based in the batch's own transaction, with three statements a batch whatever its size: the primary keys
of its new records are reserved before they are written (so the changeset knows them without reading them back),
the stored values of the fields its updates change are read before they are written, and the changes go in with
the constant insert every import write uses (COPY on PostgreSQL). A batch's new records, whose keys follow each
other, take one line (a run); each update takes one.
"""

import datetime as dt
import json
import uuid
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection, models

from imports.declare.bulk_insert import copy_escaped, copy_insert, rows_insert
from imports.declare.outcomes import Outcome, RowPlan
from imports.declare.targets import ImportTarget
from imports.models import ImportChange, ImportExportJob

CHANGE_FIELDS = [
    ImportChange._meta.get_field(name)
    for name in ("job", "row_number", "record_id", "last_record_id", "row_numbers", "action", "written_at", "before",
                 "after")
]
STAMP = "updated_at"  # every target that keeps changes has it (ImportTarget.keeps_changes)


def keeps_changes(target: ImportTarget) -> bool:
    """Whether an import of `target` keeps a changeset now: it can (can_keep_changes) and IMPORT_KEEP_CHANGES is
    on. An import run without one cannot be undone."""
    return settings.IMPORT_KEEP_CHANGES and can_keep_changes(target)


def can_keep_changes(target: ImportTarget) -> bool:
    """Whether imports of `target` can keep a changeset: its records need a stamp that tells a change made since
    (`updated_at`, set on every save) and an integer primary key the import can reserve."""
    meta = target.model._meta
    stamp = next((f for f in meta.concrete_fields if f.name == STAMP), None)
    return (
        stamp is not None and getattr(stamp, "auto_now", False)
        and isinstance(meta.pk, (models.AutoField, models.BigAutoField))
    )


def record_ids_reserve(model: type[models.Model], count: int) -> list[int]:
    """`count` primary keys no record has or will be given, in one statement. Called inside the batch's
    transaction after its first write: on SQLite the transaction then holds the one write lock, so the highest key
    cannot move meanwhile; PostgreSQL hands out its sequence's values to one caller each."""
    if not count:
        return []
    meta, quote = model._meta, connection.ops.quote_name
    table = meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is looked up once (a subquery), not once a key; the keys come back as their span when
            # they follow each other (nearly always: one statement takes them), one by one only when another
            # writer took some in between.
            cursor.execute(
                "WITH reserved AS MATERIALIZED ("
                "  SELECT nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass)) AS id FROM generate_series(1, %s)"
                "), span AS (SELECT MIN(id) AS low, MAX(id) AS high FROM reserved) "
                "SELECT low, high, CASE WHEN high - low + 1 = %s THEN NULL "
                "  ELSE (SELECT array_agg(id ORDER BY id) FROM reserved) END FROM span",
                [quote(table), meta.pk.column, count, count],
            )
            low, high, scattered = cursor.fetchone()
            return scattered if scattered is not None else list(range(low, high + 1))
        # AUTOINCREMENT keeps the highest key ever given in sqlite_sequence: a key of a deleted record (an undone
        # import's) is never handed out again.
        cursor.execute(
            f"SELECT MAX(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
            f"COALESCE((SELECT MAX({quote(meta.pk.column)}) FROM {quote(table)}), 0))",
            [table],
        )
        highest = cursor.fetchone()[0]
    return list(range(highest + 1, highest + 1 + count))


def created_ids_give(target: ImportTarget, plans: list[RowPlan]) -> None:
    """Each plan that creates a record gets the record's primary key before the batch is written."""
    created = [plan for plan in plans if plan.outcome is Outcome.CREATED]
    for plan, record_id in zip(created, record_ids_reserve(target.model, len(created)), strict=True):
        plan.record_id = record_id


def derived_attnames(target: ImportTarget) -> list[str]:
    """The columns worked out from a record's others (a customer's address check, a reading's consumption): an
    update that changes what they derive from changes them later, so an undo gives their values back too."""
    meta = target.model._meta
    return [meta.get_field(field.name).attname for field in target.read_only_fields]


def updates_before(target: ImportTarget, plans: list[RowPlan]) -> dict[int, dict[str, Any]]:
    """The stored values of the fields each update changes, the derived ones and the stamp, by primary key: read
    in one query, before the batch writes them."""
    updated = [plan for plan in plans if plan.outcome is Outcome.UPDATED]
    if not updated:
        return {}
    meta = target.model._meta
    names = sorted(
        {meta.get_field(name).attname for plan in updated for name in plan.changed}
        | {STAMP, *derived_attnames(target)}
    )
    rows = target.model.objects.filter(pk__in=[plan.existing["pk"] for plan in updated]).values_list("pk", *names)
    return {pk: dict(zip(names, values, strict=True)) for pk, *values in rows}


def changes_record(
    *, job: ImportExportJob, target: ImportTarget, plans: list[RowPlan], before: dict[int, dict[str, Any]], now
) -> None:
    """The batch's changeset: a line for each run of new records and one for each update (refused rows have
    failed by now)."""
    meta = target.model._meta
    derived = derived_attnames(target)
    postgres = connection.vendor == "postgresql"
    # What every line shares is put as the database takes it once: a line a row is then a few string joins.
    job_id = str(job.pk) if postgres else _prepared("job", job.pk)
    stamp = now.isoformat() if postgres else _prepared("written_at", now)
    created = [plan for plan in plans if plan.outcome is Outcome.CREATED]
    rows = [
        (run[0].number, run[0].record_id, run[-1].record_id, _json([plan.number for plan in run]),
         ImportChange.Action.CREATED, None, None)
        for run in created_runs(created)
    ]
    for plan in plans:
        if plan.outcome is Outcome.UPDATED:
            record_id = plan.existing["pk"]
            stored = before[record_id]
            after = {meta.get_field(name).attname: plain(plan.final_value(name)) for name in plan.changed}
            # A field written with the value it had (a derived status set again) is no change to show.
            after = {attname: value for attname, value in after.items() if plain(stored[attname]) != value}
            kept = {*after, *derived, STAMP}
            was = {attname: plain(stored[attname]) for attname in sorted(kept)}
            rows.append((plan.number, record_id, record_id, None, ImportChange.Action.UPDATED, _json(was),
                         _json(after)))
    if postgres:
        copy_insert(ImportChange, CHANGE_FIELDS, "".join(
            f"{job_id}\t{number}\t{first}\t{last}\t{_copied(numbers)}\t{action}\t{stamp}\t{_copied(was)}\t"
            f"{_copied(after)}\n"
            for number, first, last, numbers, action, was, after in rows
        ))
    else:
        rows_insert(ImportChange, CHANGE_FIELDS, [[job_id, *row[:5], stamp, *row[5:]] for row in rows],
                    adapted=True)


def created_runs(created: list[RowPlan]) -> list[list[RowPlan]]:
    """The plans of new records (given their keys in order: created_ids_give), cut where a key does not follow
    the one before (a refused row's key, or one another writer took)."""
    runs: list[list[RowPlan]] = []
    for plan in created:
        if runs and plan.record_id == runs[-1][-1].record_id + 1:
            runs[-1].append(plan)
        else:
            runs.append([plan])
    return runs


def _copied(text: str | None) -> str:
    return "\\N" if text is None else copy_escaped(text)


def _json(values: dict[str, Any]) -> str:
    return json.dumps(values, ensure_ascii=False)


def _prepared(name: str, value: Any) -> Any:
    return ImportChange._meta.get_field(name).get_db_prep_save(value, connection)


def plain(value: Any) -> Any:
    """A stored value as JSON holds it; the field's to_python reads it back (restored_value)."""
    if isinstance(value, (dt.date, dt.datetime, dt.time)):
        return value.isoformat()
    if isinstance(value, (Decimal, uuid.UUID)):
        return str(value)
    return value


def restored_value(field: models.Field, value: Any) -> Any:
    """A value kept by `plain`, as the field holds it."""
    if value is None:
        return None
    if isinstance(field, models.ForeignKey):
        return field.target_field.to_python(value)
    return field.to_python(value)
