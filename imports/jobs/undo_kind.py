"""The undo kind of job: take an import back, from its changeset, latest change first.

    prepare (one run)             undo (one chunk)                                      finish (one run)
    count the import's      ->    batch by batch: delete what it created, restore   ->  complete the undo and
    changes                       what it updated, keep what changed since; the         mark the import undone
                                  batch, its kept records and the checkpoint commit
                                  in one transaction

Latest record first (the highest primary key: the import gave its new records theirs in the order of its rows), so
a child record the import created after its parent (a child account, say) is deleted before the parent is looked
at. Like an import, a real undo is crash-safe: each batch moves the chunk's checkpoint (the lowest record id done,
in `checkpoint_offset`) in its own transaction, under the chunk's lease; a run that takes the chunk over goes on
after it. A dry run rehearses the undo: every batch runs for real inside one transaction
that is rolled back, so its counts are exactly what the undo would do; what it kept is logged after.

Counters: `created_records` counts the records deleted, `updated_records` those restored, `skipped_records` those
kept; `total_records` the changes, `processed_records` the changes done.
"""

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from imports.declare.targets import get_target
from imports.engine.change_runs import one_by_one, records_total
from imports.engine.commit import LeaseLost
from imports.engine.undoing import KeptRecord, undo_batch
from imports.jobs import status
from imports.jobs.file_writing import job_complete_when_done, one_chunk_laid_out
from imports.jobs.kinds import JobKind, Phase, kind_register
from imports.jobs.leases import (
    chunk_claim,
    chunk_done,
    chunk_guarded,
    chunk_still_held,
    job_claim,
    job_guarded,
    rehearsal,
)
from imports.models import ImportChange, ImportChunk, ImportExportJob, ImportExportLog

Status = ImportExportJob.Status
Chunk = ImportChunk.Status
BATCH_CHANGES = 1000
_DRY_RUN_KEPT_LISTED = 10_000  # a dry run holds what it kept in memory until its rehearsal is rolled back


def undo_options(job: ImportExportJob) -> tuple[ImportExportJob, bool]:
    """The import an undo takes back, and whether it is forced (records changed since are taken back too)."""
    return job.parent, bool(job.options.get("force"))


# --- Preparing -------------------------------------------------------------------------------------------------


def job_prepare(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Take the undo, count its import's changes and lay out the one chunk that takes them back."""
    if not job_claim(job, lease, takes_turn=takes_turn):
        return False
    return job_guarded(job, lease, lambda: _prepare(job, lease), "prepared")


def _prepare(job: ImportExportJob, lease) -> None:
    changes = ImportChange.objects.filter(job_id=job.parent_id)
    below = job.options.get("below") or 0
    one_chunk_laid_out(job, lease, rows=records_total(changes.filter(record_id__lt=below) if below else changes))
    if below:  # an earlier undo stopped part way took the changes above back: go on after it
        ImportChunk.objects.filter(job=job).update(checkpoint_offset=below)


# --- Undoing ---------------------------------------------------------------------------------------------------


def chunk_undo(*, chunk_id: int, lease, on_progress=None) -> ImportChunk | None:
    """Undo the import from the chunk's checkpoint on, or rehearse it all for a dry run; None when the chunk is not
    this run's."""
    chunk = chunk_claim(chunk_id, lease, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)
    if chunk is None:
        return None
    step = _rehearse if chunk.job.dry_run else _undo
    return chunk_guarded(chunk, lease, lambda: step(chunk, lease, on_progress), back_to=Chunk.PENDING)


def _batches(job: ImportExportJob, below: int):
    """The import's changes of records below id `below` (0: all), latest record first, about BATCH_CHANGES records
    at a time (whole lines: a run of new records is never cut), as (changes a record each, lowest first key)."""
    changes = ImportChange.objects.filter(job_id=job.parent_id).order_by("-record_id")
    while True:
        # The lines' spans first, then the lines the batch takes: a run's rows are read only when it is taken.
        taken, records = [], 0
        spans = (changes.filter(record_id__lt=below) if below else changes).values_list("pk", "record_id",
                                                                                          "last_record_id")
        for pk, first, last in spans[:BATCH_CHANGES]:
            taken.append(pk)
            records += last - first + 1
            if records >= BATCH_CHANGES:
                break
        if not taken:
            return
        lines = list(changes.filter(pk__in=taken))
        below = lines[-1].record_id
        yield one_by_one(lines), below


def _undo(chunk: ImportChunk, lease, on_progress) -> None:
    job = chunk.job
    imported, force = undo_options(job)
    target = get_target(imported.target_model)
    for batch, lowest in _batches(job, chunk.checkpoint_offset):
        with transaction.atomic():
            _fence(chunk, lease)
            done = undo_batch(target=target, company_id=job.company_id, changes=batch, force=force)
            _kept_log(job, done.kept)
            _progress(job, chunk, rows=len(batch), lowest=lowest, deleted=done.deleted,
                      restored=done.restored, kept=len(done.kept))
        if on_progress is not None:
            job.refresh_from_db()
            on_progress(job)
    chunk_done(chunk, lease)


def _fence(chunk: ImportChunk, lease) -> None:
    """LeaseLost unless this run still holds the chunk, the undo still runs and nobody moved the checkpoint: the
    chunk's row stays locked to the batch's commit."""
    held = ImportChunk.objects.filter(
        pk=chunk.pk, lease=lease, status=Chunk.RUNNING, checkpoint_offset=chunk.checkpoint_offset,
    ).update(heartbeat_at=timezone.now())
    if not held or not ImportExportJob.objects.filter(pk=chunk.job_id, job_status=Status.RUNNING).exists():
        raise LeaseLost(f"undo {chunk.job_id} was stopped or taken over")


def _progress(job, chunk, *, rows: int, lowest: int, deleted: int, restored: int, kept: int) -> None:
    """The batch's checkpoint and counts, in its transaction."""
    chunk.checkpoint_row += rows
    chunk.checkpoint_offset = lowest
    ImportChunk.objects.filter(pk=chunk.pk).update(
        checkpoint_row=chunk.checkpoint_row, checkpoint_offset=lowest,
    )
    ImportExportJob.objects.filter(pk=job.pk).update(
        processed_records=F("processed_records") + rows, created_records=F("created_records") + deleted,
        updated_records=F("updated_records") + restored, skipped_records=F("skipped_records") + kept,
    )


def _kept_log(job: ImportExportJob, kept: list[KeptRecord]) -> None:
    """A log entry for each record kept: the undo's report and the command's output list them."""
    ImportExportLog.objects.bulk_create([
        ImportExportLog(
            job=job, record_number=record.row_number, log_level=ImportExportLog.Level.WARNING,
            message=f"{record.label or f'Record {record.record_id}'} kept: {record.reason}.",
            record_data={"record_id": record.record_id, "key": record.label},
        )
        for record in kept
    ])



# --- Rehearsing (a dry run) ------------------------------------------------------------------------------------


class _Rehearsed(Exception):
    """Raised at the end of a rehearsal, so that its transaction is rolled back."""


def _rehearse(chunk: ImportChunk, lease, on_progress) -> None:
    """The whole undo inside one transaction, rolled back: exact counts (a child deleted before its parent is
    seen counts as it would), nothing changed. On SQLite it holds the write lock for its length."""
    job = chunk.job
    imported, force = undo_options(job)
    target = get_target(imported.target_model)
    counts = {"processed_records": 0, "created_records": 0, "updated_records": 0, "skipped_records": 0}
    kept: list[KeptRecord] = []
    try:
        with rehearsal(), transaction.atomic():
            for batch, _lowest in _batches(job, job.options.get("below") or 0):
                chunk_still_held(chunk, lease)
                done = undo_batch(target=target, company_id=job.company_id, changes=batch, force=force)
                counts["processed_records"] += len(batch)
                counts["created_records"] += done.deleted
                counts["updated_records"] += done.restored
                counts["skipped_records"] += len(done.kept)
                kept.extend(done.kept[: max(0, _DRY_RUN_KEPT_LISTED - len(kept))])
            raise _Rehearsed
    except _Rehearsed:
        pass
    with transaction.atomic():
        _kept_log(job, kept)
        if counts["skipped_records"] > len(kept):
            status.job_log(job, f"{counts['skipped_records'] - len(kept):,} more records would be kept; the first "
                                f"{len(kept):,} are listed.", level=ImportExportLog.Level.WARNING)
        chunk_done(chunk, lease, **counts)



# --- Finishing -------------------------------------------------------------------------------------------------


def job_finish(*, job: ImportExportJob, lease=None, takes_turn: bool = True) -> bool:
    """Complete the undo once its chunk is done; a real one marks its import undone in the same transaction."""
    return job_complete_when_done(job, undo_summary, also=_import_undone)


def _import_undone(undo: ImportExportJob) -> None:
    if not undo.dry_run:
        ImportExportJob.objects.filter(pk=undo.parent_id).update(
            undone_at=timezone.now(), undone_by_id=undo.created_by_id,
        )


def undo_summary(job: ImportExportJob) -> str:
    """"Undid the import: 40 records deleted, 50 restored, 2 kept (listed below)." or, for a dry run, what would."""
    would = job.dry_run
    kept = job.skipped_records
    parts = [
        f"{job.created_records:,} {'would be ' if would else ''}deleted",
        f"{job.updated_records:,} {'would be ' if would else ''}restored",
        f"{kept:,} {'would be ' if would else ''}kept" + (" (listed below)" if kept else ""),
    ]
    head = "Dry run of the undo" if would else "Undid the import"
    return f"{head} of {job.total_records:,} changes: {', '.join(parts)}."


UNDO = kind_register(JobKind(
    job_type=ImportExportJob.JobType.UNDO,
    phases=(
        Phase("prepare", job_prepare, runs_from=Status.PENDING),
        Phase("undo", chunk_undo, runs_from=Chunk.PENDING, per_chunk=True, works_as=Chunk.RUNNING),
        Phase("finish", job_finish, runs_from=Chunk.DONE),
    ),
))
