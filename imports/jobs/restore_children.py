"""A restore's imports: one import job for each file of the archive (a child of the restore job), made from the
file extracted under the archive's limits, run in this process to its end, and what came of it.

A child is an ordinary import (upsert), with its own page, counts and error report. It is created marked as sent
(`queued_at`), so the workers' admission never sends it: the restore that made it runs it. Should that restore's
worker die, the run that takes the restore over goes on with it (`child_run_to_end`): a child still pending is
started, a child whose chunks a dead run held is taken over, and one that another live run holds (a worker that
the sweeper sent it to, once its mark grew old) is waited for.
"""

import time
from collections.abc import Callable

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from imports.declare.targets import ImportTarget
from imports.engine import stored_files
from imports.engine.backups.archive import BackupArchive
from imports.engine.backups.manifest import ManifestEntry
from imports.engine.commit import LeaseLost
from imports.engine.options import ImportOptions
from imports.jobs.inprocess import job_continue, job_run
from imports.jobs.selectors import job_errors_first
from imports.jobs.services import job_create
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status
NOT_STARTED = "not_started"
EMPTY = "empty"  # a file of a target that had no records: nothing to import
FIRST_ERRORS = 5
COUNTS = ("created", "updated", "unchanged", "skipped", "failed")


def child_of(job: ImportExportJob, target: ImportTarget) -> ImportExportJob | None:
    """The restore's import of `target`'s file, if it made one."""
    return job.children.filter(job_type=ImportExportJob.JobType.IMPORT, target_model=target.name).first()


def child_create(
    *, job: ImportExportJob, chunk: ImportChunk, lease, archive: BackupArchive, entry: ManifestEntry, lock: bool
) -> ImportExportJob:
    """The import of `entry`'s file, made while the restore's run still holds its chunk (`lock`: holding the chunk's
    row meanwhile, so a run that took the restore over cannot make the same import at once; a rehearsal, whose
    imports nobody else sees, locks nothing that others wait for)."""
    scratch = stored_files.export_scratch_path(job)
    try:
        archive.extract(entry, scratch)
        with transaction.atomic():
            chunks = ImportChunk.objects.select_for_update() if lock else ImportChunk.objects
            held = chunks.filter(pk=chunk.pk, lease=lease, status=ImportChunk.Status.RUNNING).exists()
            if not held or not ImportExportJob.objects.filter(pk=job.pk, job_status=Status.RUNNING).exists():
                raise LeaseLost(f"restore {job.pk} was stopped or taken over")
            with open(scratch, "rb") as handle:
                child = job_create(
                    company=job.company, target_name=entry.target.name, file=File(handle, name=entry.file),
                    file_name=entry.file, options=ImportOptions(mode=ImportExportJob.Mode.UPSERT),
                    user=job.created_by, parent=job,
                )
            ImportExportJob.objects.filter(pk=child.pk).update(queued_at=timezone.now())
    finally:
        scratch.unlink(missing_ok=True)
    child.refresh_from_db()
    return child


def child_run_to_end(
    child: ImportExportJob, *, on_progress: Callable[[ImportExportJob], None] | None,
    still_ours: Callable[[], None],
) -> ImportExportJob:
    """Run the import in this process until it ends. `still_ours()` raises LeaseLost once the restore is stopped
    or taken over; it is asked whenever the import waits for another run."""
    while True:
        child.refresh_from_db()
        if child.is_finished:
            return child
        if child.job_status == Status.PENDING:
            child = job_run(job=child, on_progress=on_progress)
            continue
        if not job_continue(job=child, on_progress=on_progress):
            still_ours()
            time.sleep(settings.IMPORT_HEARTBEAT_SECONDS)


def outcome_of(entry: ManifestEntry, child: ImportExportJob | None) -> dict:
    """What came of one file of the archive: its import's status and counts, the first rows that failed, and why
    the import stopped, if it did; `not_started` before its import exists, `empty` for a file without rows."""
    outcome = {
        "target": entry.target.name, "label": entry.target.verbose_name_plural, "file": entry.file,
        "rows": entry.rows, "status": NOT_STARTED if entry.rows else EMPTY, "job_id": None, "total": 0, "processed": 0,
        **dict.fromkeys(COUNTS, 0), "error": "", "errors": [], "error_report": False,
    }
    if child is None:
        return outcome
    outcome.update(
        status=child.job_status, job_id=str(child.pk), total=child.total_records, processed=child.processed_records,
        created=child.created_records, updated=child.updated_records, unchanged=child.unchanged_records,
        skipped=child.skipped_not_unchanged, failed=child.failed_records, error=child.error_message,
        error_report=bool(child.error_report),
        errors=[{"row": log.record_number, "message": log.message}
                for log in job_errors_first(job=child, limit=FIRST_ERRORS)],
    )
    return outcome


def stopped_message(outcome: dict, *, would: bool) -> str:
    """Why a restore stopped (or would stop) at a file whose import did not complete."""
    verb = "would stop" if would else "stopped"
    status = outcome["status"]
    why = outcome["error"] or ("its import was cancelled" if status == Status.CANCELLED else "its import did not end")
    after = "would not be" if would else "were not"
    return (f"The restore {verb} at the file of {outcome['label']} ({outcome['file']}): {why.rstrip('.')}. "
            f"Files after it {after} restored.")
