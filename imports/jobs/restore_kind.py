"""The restore kind of job: import every file of a backup archive, in the targets' dependency order.

    prepare (one run)              restore (one chunk)                                     finish (one run)
    check the stored archive  ->   for each file in order: its import (a child job), ->     complete the job
    again, lay out one chunk       run here to its end; or, for a dry run, all of them       with the counts
                                   rehearsed inside one transaction that is rolled back

A restore's files depend on each other (contacts name accounts, readings customers), so a dry run of each file
alone would fail rows that the files before it create. A dry run therefore rehearses the real restore: every
import runs for real inside one database transaction, their counts and first failures are noted in memory, and
the transaction is rolled back (imports.jobs.leases.rehearsal keeps heartbeats out of its way). What it predicts is
exactly what a restore of the same archive into the same data does. What the rolled-back imports wrote to files
(their uploads, working files, error reports) is deleted after.

A real restore is safe to take over: its children are its progress. A run that takes it over goes on with the
first file whose import has not completed (imports.jobs.restore_children).
"""

import time
from contextlib import contextmanager

from celery.exceptions import SoftTimeLimitExceeded
from django.db import transaction
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.engine import stored_files
from imports.engine.backups.archive import BackupArchive
from imports.engine.backups.manifest import BackupManifest
from imports.engine.commit import LeaseLost
from imports.engine.readers.limits import ReadLimits, max_file_bytes
from imports.jobs import status
from imports.jobs.inprocess import job_run
from imports.jobs.kinds import JobKind, Phase, kind_register
from imports.jobs.leases import (
    chunk_claim,
    chunk_done,
    chunk_guarded,
    chunk_release,
    chunk_still_held,
    job_claim,
    job_guarded,
    rehearsal,
)
from imports.jobs.restore_children import (
    COUNTS,
    child_create,
    child_of,
    child_run_to_end,
    outcome_of,
    stopped_message,
)
from imports.jobs.stopping import job_cancel
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status
Chunk = ImportChunk.Status
_STILL_OURS_SECONDS = 2.0


def restore_manifest(job: ImportExportJob) -> BackupManifest:
    """The manifest of the job's archive, as it was checked when the job was created."""
    return BackupManifest.from_data(job.options["manifest"])


@contextmanager
def archive_opened(path):
    """The archive at `path`, its directory and manifest checked under the limits in force."""
    archive = BackupArchive(path, limits=ReadLimits.from_settings(), max_member_bytes=max_file_bytes())
    try:
        yield archive
    finally:
        archive.close()


# --- Preparing -------------------------------------------------------------------------------------------------


def job_prepare(*, job: ImportExportJob, lease, takes_turn: bool = True) -> bool:
    """Take the job, check its stored archive again and lay out the one chunk that restores it."""
    if not job_claim(job, lease, takes_turn=takes_turn):
        return False
    return job_guarded(job, lease, lambda: _prepare(job, lease), "prepared")


def _prepare(job: ImportExportJob, lease) -> None:
    with archive_opened(stored_files.job_file_path(job)) as archive:
        rows = archive.manifest.total_rows
    with transaction.atomic():
        prepared = ImportExportJob.objects.filter(pk=job.pk, lease=lease, job_status=Status.RUNNING).update(
            lease=None, heartbeat_at=timezone.now(), total_records=rows,
        )
        if not prepared:
            raise LeaseLost(f"restore {job.pk} was taken over while it was being prepared")
        if not job.chunks.exists():
            ImportChunk.objects.create(
                job=job, index=0, first_row=1, last_row=rows, start_offset=0, checkpoint_row=0,
                checkpoint_offset=0, status=Chunk.PENDING,
            )
    job.refresh_from_db()


# --- Restoring -------------------------------------------------------------------------------------------------


def _with_rows(job: ImportExportJob):
    """The archive's files that hold rows, in the order they are restored (a file of a target that had no records
    has nothing to import, and an import refuses a file without rows)."""
    return [entry for entry in restore_manifest(job).entries if entry.rows]


def chunk_restore(*, chunk_id: int, lease, on_progress=None) -> ImportChunk | None:
    """Restore the archive, or rehearse it for a dry run; None when the chunk is not this run's."""
    chunk = chunk_claim(chunk_id, lease, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)
    if chunk is None:
        return None
    step = _rehearse if chunk.job.dry_run else _restore
    return chunk_guarded(chunk, lease, lambda: _within_time(step, chunk, lease, on_progress), back_to=Chunk.PENDING)


def _within_time(step, chunk: ImportChunk, lease, on_progress) -> None:
    """A restore may outlast a worker's task time limit: it then hands its chunk back, as work that goes on (no
    death counted), and the run that takes it next continues with the first file not yet imported."""
    try:
        step(chunk, lease, on_progress)
    except SoftTimeLimitExceeded:
        if chunk.job.dry_run:
            raise  # a rehearsal starts again from the start: a run that never ends counts as one that died
        chunk_release(chunk, lease, back_to=Chunk.PENDING)
        raise LeaseLost(f"restore {chunk.job_id} handed back at its task's time limit") from None



def _restore(chunk: ImportChunk, lease, on_progress) -> None:
    job = chunk.job
    done = 0

    def progress(child: ImportExportJob) -> None:
        _progress(job, chunk, lease, done + child.processed_records)
        if on_progress is not None:
            job.refresh_from_db()
            on_progress(job)

    with archive_opened(stored_files.job_file_path(job)) as archive:
        for entry in _with_rows(job):
            child = child_of(job, entry.target)
            if child is None:
                child = child_create(job=job, chunk=chunk, lease=lease, archive=archive, entry=entry, lock=True)
                status.job_log(job, f"Restoring {entry.target.verbose_name_plural} from {entry.file}.")
            child = child_run_to_end(child, on_progress=progress, still_ours=lambda: chunk_still_held(chunk, lease))
            if child.job_status != Status.COMPLETED:
                chunk_still_held(chunk, lease)
                raise ImportFileError(stopped_message(outcome_of(entry, child), would=False))
            done += child.processed_records
            _progress(job, chunk, lease, done)
    chunk_done(chunk, lease)


def _progress(job: ImportExportJob, chunk: ImportChunk, lease, rows: int) -> None:
    """The restore's rows done so far and its chunk's heartbeat, while this run holds it (a restore stopped or
    taken over meanwhile is noticed before its next file)."""
    with transaction.atomic():
        held = ImportChunk.objects.filter(pk=chunk.pk, lease=lease, status=Chunk.RUNNING).update(
            heartbeat_at=timezone.now(), checkpoint_row=rows,
        )
        if held:
            ImportExportJob.objects.filter(pk=job.pk, job_status=Status.RUNNING).update(processed_records=rows)



# --- Rehearsing (a dry run) ------------------------------------------------------------------------------------


class _Rehearsed(Exception):
    """Raised at the end of a rehearsal, so that its transaction is rolled back."""


def _rehearse(chunk: ImportChunk, lease, on_progress) -> None:
    job = chunk.job
    outcomes: list[dict] = []
    children: list[ImportExportJob] = []
    asked = [time.monotonic()]

    def stopped_meanwhile(child: ImportExportJob) -> None:
        """A dry run cancelled (or taken over) stops within a batch or two, not at the end of a file: its import's
        run ends quietly on LeaseLost, and so does the rehearsal."""
        if time.monotonic() - asked[0] >= _STILL_OURS_SECONDS:
            asked[0] = time.monotonic()
            chunk_still_held(chunk, lease)

    try:
        with rehearsal(), transaction.atomic():
            with archive_opened(stored_files.job_file_path(job)) as archive:
                for entry in _with_rows(job):
                    chunk_still_held(chunk, lease)
                    child = child_create(job=job, chunk=chunk, lease=lease, archive=archive, entry=entry,
                                         lock=False)
                    children.append(child)
                    child = job_run(job=child, on_progress=stopped_meanwhile)  # nobody else sees it: it runs here
                    children[-1] = child
                    outcomes.append(outcome_of(entry, child))
                    if child.job_status != Status.COMPLETED:
                        chunk_still_held(chunk, lease)  # an import stopped by a cancel is no prediction
                        break
            raise _Rehearsed
    except _Rehearsed:
        pass
    finally:
        for child in children:
            stored_files.job_files_delete(child)
    _predicted(job, chunk, lease, outcomes + [outcome_of(entry, None) for entry in restore_manifest(job).entries
                                              if not entry.rows])
    stopped = next((outcome for outcome in outcomes if outcome["status"] != Status.COMPLETED), None)
    if stopped is not None:
        raise ImportFileError(stopped_message(stopped, would=True))


def _predicted(job: ImportExportJob, chunk: ImportChunk, lease, outcomes: list[dict]) -> None:
    """Keep what the rehearsal found on the job, once its transaction is rolled back."""
    for outcome in outcomes:  # its import was rolled back with everything else, its error report deleted
        outcome["job_id"], outcome["error_report"] = None, False
    totals = {name: sum(outcome[name] for outcome in outcomes) for name in COUNTS}
    chunk_done(
        chunk, lease, options={**job.options, "prediction": outcomes},
        processed_records=sum(outcome["processed"] for outcome in outcomes),
        created_records=totals["created"], updated_records=totals["updated"],
        unchanged_records=totals["unchanged"], skipped_records=totals["skipped"] + totals["unchanged"],
        failed_records=totals["failed"],
    )


# --- Finishing -------------------------------------------------------------------------------------------------


def job_finish(*, job: ImportExportJob, lease=None, takes_turn: bool = True) -> bool:
    """Complete the job once its files are restored (or rehearsed), with the counts of all of them."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if current.job_status != Status.RUNNING or current.lease is not None:
            return False
        if not current.chunks.exists() or current.chunks.exclude(status=Chunk.DONE).exists():
            return False
        if not current.dry_run:
            _counts_from_children(current)
        status.job_completed(current, summary=restore_summary(current))
        transaction.on_commit(lambda: stored_files.working_files_delete(current), robust=True)
    job.refresh_from_db()
    return True


def _counts_from_children(job: ImportExportJob) -> None:
    children = job.children.filter(job_type=ImportExportJob.JobType.IMPORT)
    fields = ("processed_records", "created_records", "updated_records", "unchanged_records", "skipped_records",
              "failed_records")
    totals = {name: sum(getattr(child, name) for child in children) for name in fields}
    ImportExportJob.objects.filter(pk=job.pk).update(**totals)
    for name, value in totals.items():
        setattr(job, name, value)


def restore_summary(job: ImportExportJob) -> str:
    files = len(restore_manifest(job).entries)
    skipped = job.skipped_not_unchanged
    if job.dry_run:
        return (f"Dry run finished (nothing written): restoring the {files} files would create "
                f"{job.created_records:,}, update {job.updated_records:,}, leave {job.unchanged_records:,} "
                f"unchanged, skip {skipped:,} and fail {job.failed_records:,} rows.")
    return (f"Restore finished: {files} files, {job.processed_records:,} rows: {job.created_records:,} created, "
            f"{job.updated_records:,} updated, {job.unchanged_records:,} unchanged, {skipped:,} skipped, "
            f"{job.failed_records:,} failed.")


def restore_settle(job: ImportExportJob) -> None:
    """A restore stopped for good stops the import it was running too; imports already completed stay."""
    for child in job.children.filter(job_type=ImportExportJob.JobType.IMPORT).exclude(
        job_status__in=(Status.COMPLETED, Status.FAILED, Status.CANCELLED)
    ):
        job_cancel(child, "Stopped with its restore; rows written before stay.")


RESTORE = kind_register(JobKind(
    job_type=ImportExportJob.JobType.RESTORE,
    on_stop=restore_settle,
    sensitive=True,
    phases=(
        Phase("prepare", job_prepare, runs_from=Status.PENDING),
        Phase("restore", chunk_restore, runs_from=Chunk.PENDING, per_chunk=True, works_as=Chunk.RUNNING),
        Phase("finish", job_finish, runs_from=Chunk.DONE),
    ),
))
