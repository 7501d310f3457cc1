"""The command line's undo of an import (`undo_import`): the undo is created through the same service as the
page's button and the API, runs in this process, and what it did is printed, every record it kept listed.

Exit statuses: 0 when everything was taken back, 1 when it was done with records kept (changed since the import,
or depended on by others), 2 when the undo was refused or could not run, 130 when the operator stopped it.
"""

import json
import uuid

from imports.cli import EXIT_NOTHING_RAN, EXIT_OK, EXIT_ROWS_FAILED, CommandFailure, ProgressBar
from imports.jobs.inprocess import job_run
from imports.jobs.stopping import job_cancel
from imports.jobs.undo_kind import undo_summary
from imports.jobs.undo_services import UndoRefused, undo_create, undo_running
from imports.models import ImportExportJob, ImportExportLog


def import_find(job_id: str) -> ImportExportJob:
    """The import `job_id` names; CommandFailure when there is none."""
    try:
        return ImportExportJob.objects.select_related("company", "undone_by").get(
            pk=uuid.UUID(job_id), job_type=ImportExportJob.JobType.IMPORT,
        )
    except (ValueError, ImportExportJob.DoesNotExist):
        raise CommandFailure(f"No import job {job_id}.") from None


def undo_run(job: ImportExportJob, *, dry_run: bool, force: bool) -> ImportExportJob:
    """Create the undo (CommandFailure with the refusal) and run it here."""
    try:
        undo = undo_create(job, via=ImportExportJob.Via.CLI, dry_run=dry_run, force=force, enqueue=False)
    except UndoRefused as error:
        raise CommandFailure(str(error)) from None
    progress = ProgressBar("Dry run of the undo" if dry_run else "Undo", unit="changes")
    try:
        return job_run(job=undo, on_progress=progress)
    finally:
        progress.close()


def undo_interrupted(job_id: str) -> str:
    """Ctrl-C during an undo: it ends cancelled, the batches undone stay undone, and the next undo goes on from
    there; returns the line to print."""
    running = undo_running(import_find(job_id))
    message = "Stopped: what was undone until then stays undone; run the same command again to go on."
    if running is not None:
        job_cancel(running, message)
    return message


def kept_records(undo: ImportExportJob):
    """The records the undo kept, in the order of the import's rows."""
    return undo.logs.filter(log_level=ImportExportLog.Level.WARNING, record_number__isnull=False).order_by(
        "record_number"
    )


def undo_lines(undo: ImportExportJob) -> list[str]:
    if undo.job_status == ImportExportJob.Status.COMPLETED:
        lines = [undo_summary(undo)]
    else:
        lines = [undo.error_message or f"The undo ended {undo.get_job_status_display().lower()}."]
    for log in kept_records(undo).iterator():
        lines.append(f"  row {log.record_number}: {log.message}")
    return lines


def undo_json(undo: ImportExportJob | None, *, error: str | None = None) -> str:
    if undo is None:
        return json.dumps({"error": error})
    return json.dumps({
        "undo_job_id": str(undo.pk),
        "import_job_id": str(undo.parent_id),
        "dry_run": undo.dry_run,
        "status": undo.job_status,
        "changes": undo.total_records,
        "deleted": undo.created_records,
        "restored": undo.updated_records,
        "kept": [
            {"row": log.record_number, "record_id": log.record_data.get("record_id"), "message": log.message}
            for log in kept_records(undo).iterator()
        ],
        "error": error or undo.error_message or None,
    })


def undo_exit_status(undo: ImportExportJob) -> int:
    if undo.job_status != ImportExportJob.Status.COMPLETED:
        return EXIT_NOTHING_RAN
    return EXIT_ROWS_FAILED if undo.skipped_records else EXIT_OK
