"""Committing a planned batch: records, log entries, the chunk's checkpoint and the job's counters, together.

The transaction first locks the chunk and checks that this run still holds it and that nobody moved its
checkpoint; a second delivery of the same work, or a worker that was presumed dead, finds that and stops. So a
batch is written exactly once, and a job's counters always match its rows.
"""

import functools
from collections import Counter

from django.db import connection, transaction
from django.utils import timezone

from imports.declare.bulk_insert import rows_insert
from imports.declare.outcomes import Outcome, RowPlan
from imports.declare.targets import ImportTarget
from imports.engine.bulk import plans_write
from imports.engine.changesets import changes_record, created_ids_give, keeps_changes, updates_before
from imports.engine.gate import Write
from imports.engine.keys import keys_assign
from imports.engine.links import links_prepare, links_write
from imports.engine.planning import ImportContext
from imports.models import ImportChunk, ImportExportJob, ImportExportLog
from imports.sheet_rows import SHEET_ROW

LOG_FIELDS = ImportExportLog._meta.concrete_fields


class LeaseLost(Exception):
    """Another run took this chunk over (or the job stopped); this run must stop without writing."""


def batch_write(
    *,
    job: ImportExportJob,
    chunk: ImportChunk,
    lease,
    target: ImportTarget,
    plans: list[RowPlan],
    context: ImportContext,
    columns: list[str],
    checkpoint_offset: int,
    checkpoint_keys: int,
    last: bool,
) -> Counter:
    """Write one batch of `chunk` and move its checkpoint past it; return the batch's outcome counts.

    Where the job's gate (context.gate) allows no rows to be written, only the outcomes, the log entries and the
    checkpoint are: the records, their keys and their references are left as they are.
    """
    writes = context.gate.allows(Write.ROWS)
    if writes and target.generates_keys:  # others may create records without a key (no email)
        keys_assign(gate=context.gate, target=target, company=context.company, chunk=chunk, plans=plans)
    checkpoint_row = plans[-1].number
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_sql()["fence"], _prepared(
            (_CHUNK, "heartbeat_at", timezone.now()), (_CHUNK, "id", chunk.pk), (_CHUNK, "lease", lease),
            (_CHUNK, "status", ImportChunk.Status.RUNNING), (_CHUNK, "checkpoint_row", chunk.checkpoint_row),
        ))
        if cursor.rowcount != 1:
            raise LeaseLost(f"chunk {chunk.pk} is no longer this run's")
        if writes:
            _records_write(job=job, target=target, plans=plans, context=context)
        counts = Counter(plan.outcome for plan in plans)
        log_entries = [_log_entry(job, plan, columns) for plan in plans if plan.failed or plan.warnings]
        rows_insert(ImportExportLog, LOG_FIELDS, [[getattr(log, f.attname) for f in LOG_FIELDS] for log in log_entries])
        status = ImportChunk.Status.DONE if last else ImportChunk.Status.RUNNING
        cursor.execute(_sql()["checkpoint"], _prepared(
            (_CHUNK, "checkpoint_row", checkpoint_row), (_CHUNK, "checkpoint_offset", checkpoint_offset),
            (_CHUNK, "checkpoint_keys", checkpoint_keys), (_CHUNK, "status", status), (_CHUNK, "id", chunk.pk),
        ))
        # Last, so concurrent chunks hold the job row's lock only for the moment before commit.
        cursor.execute(_sql()["counters"], [
            len(plans), counts[Outcome.CREATED], counts[Outcome.UPDATED], counts[Outcome.UNCHANGED],
            counts[Outcome.SKIPPED] + counts[Outcome.UNCHANGED], counts[Outcome.FAILED],
            *_prepared((_JOB, "id", job.pk)),
        ])
    chunk.checkpoint_row, chunk.checkpoint_offset, chunk.checkpoint_keys = (
        checkpoint_row, checkpoint_offset, checkpoint_keys
    )
    return counts


def _records_write(*, job: ImportExportJob, target: ImportTarget, plans: list[RowPlan], context: ImportContext) -> None:
    """The batch's records, their references and the target's own writes around them (in the batch's transaction)."""
    context.gate.check(Write.ROWS)  # before the target's hooks, which write without asking
    now = context.written_at = timezone.now()
    target.before_write(plans, context)
    links = links_prepare(target=target, context=context, plans=plans) if target.references_in_file else None
    kept = keeps_changes(target)
    if kept:
        created_ids_give(target, plans)
        before = updates_before(target, plans)
    plans_write(gate=context.gate, target=target, company=context.company, plans=plans, now=now)
    if kept:
        changes_record(job=job, target=target, plans=plans, before=before, now=now)
    if links is not None:
        links_write(job=job, target=target, context=context, plans=plans, links=links)
    target.after_write(plans, context)


_CHUNK, _JOB = ImportChunk._meta, ImportExportJob._meta
_COUNTERS = (
    "processed_records", "created_records", "updated_records", "unchanged_records", "skipped_records",
    "failed_records",
)


def _prepared(*values) -> list:
    """Parameters converted by their model fields, as the ORM would send them (UUIDs and datetimes differ by
    database)."""
    return [meta.get_field(name).get_db_prep_value(value, connection) for meta, name, value in values]


@functools.cache
def _sql_for(vendor: str) -> dict[str, str]:
    quote = connection.ops.quote_name

    def column(meta, name):
        return quote(meta.get_field(name).column)

    chunk_table, job_table = quote(_CHUNK.db_table), quote(_JOB.db_table)
    counters = ", ".join(f"{column(_JOB, name)} = {column(_JOB, name)} + %s" for name in _COUNTERS)
    return {
        # Three small statements a batch, kept as constant SQL: the ORM's update() costs more than the database.
        "fence": f"UPDATE {chunk_table} SET {column(_CHUNK, 'heartbeat_at')} = %s WHERE {column(_CHUNK, 'id')} = %s "
        f"AND {column(_CHUNK, 'lease')} = %s AND {column(_CHUNK, 'status')} = %s "
        f"AND {column(_CHUNK, 'checkpoint_row')} = %s",
        "checkpoint": f"UPDATE {chunk_table} SET {column(_CHUNK, 'checkpoint_row')} = %s, "
        f"{column(_CHUNK, 'checkpoint_offset')} = %s, {column(_CHUNK, 'checkpoint_keys')} = %s, "
        f"{column(_CHUNK, 'status')} = %s WHERE {column(_CHUNK, 'id')} = %s",
        "counters": f"UPDATE {job_table} SET {counters} WHERE {column(_JOB, 'id')} = %s",
    }


def _sql() -> dict[str, str]:
    return _sql_for(connection.vendor)


def _log_entry(job: ImportExportJob, plan: RowPlan, columns: list[str]) -> ImportExportLog:
    cells = plan.source.cells
    record_data = dict(zip(columns, cells, strict=False))
    if len(cells) > len(columns):
        record_data["_extra"] = cells[len(columns) :]
    if plan.source.sheet_row is not None:
        record_data[SHEET_ROW] = plan.source.sheet_row
    if plan.failed:
        level = ImportExportLog.Level.ERROR
        message = "; ".join(error.message for error in plan.errors)
    else:
        level = ImportExportLog.Level.WARNING
        message = "; ".join(plan.warnings)
    return ImportExportLog(
        created_at=timezone.now(),
        job=job,
        record_number=plan.number,
        log_level=level,
        message=message,
        record_data=record_data,
        details=[error.as_dict() for error in plan.errors] + [{"warning": text} for text in plan.warnings],
    )
