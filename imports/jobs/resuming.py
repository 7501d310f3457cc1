"""Continuing a cancelled or failed import from its checkpoints, on the same job, with the same file, options and
mapping (the faces: the job's page, POST /api/imports/{id}/resume, import_data --resume).

Each chunk runs on from its own checkpoint, so rows already written are not written again; the generated keys
stay as the chunks reserved them, and the job's counters go on from the batches already committed, so the
continued job ends with what one clean run of the file leaves. A job stopped before its chunks were merged wrote
nothing and is laid out afresh. An all-or-nothing import continues the pass it was in: checking every row (and
writing none), or writing them once all passed.
"""

from django.db import transaction

from imports.engine.gate import validates_first
from imports.jobs import status
from imports.jobs.import_kind import job_merged
from imports.jobs.services import job_enqueue
from imports.jobs.undo_services import undo_running
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status


class ResumeRefused(Exception):
    """The job cannot be continued; `str(error)` is one sentence for the user."""


def resume_refusal(job: ImportExportJob) -> str | None:
    """Why `job` cannot be continued, in one sentence; None when it can."""
    if job.job_type != ImportExportJob.JobType.IMPORT:
        return f"Only an import can be continued; this is a job of type {job.get_job_type_display().lower()}."
    if job.dry_run:
        return "A dry run writes nothing, so there is nothing to continue: start the import itself instead."
    if job.job_status == Status.COMPLETED:
        return "The import has completed: there is nothing left to continue."
    if job.undone_at is not None or undo_running(job) is not None:
        return "The import was undone (or is being undone), so it cannot be continued: import the file again."
    if not job.is_finished:
        state = job.get_job_status_display().lower()
        return f"The import is still {state}: only a cancelled or failed import can be continued."
    if not job.file or not job.file.storage.exists(job.file.name):
        return (
            "The uploaded file was deleted at the end of the retention period, so the import cannot be continued: "
            "upload the file again."
        )
    if _failed_on_checked_rows(job):
        return (
            "Every row was checked and some failed, so nothing was imported (the import was set to import nothing "
            "if any row fails): fix the rows in the error report and import the file again."
        )
    return None


def _failed_on_checked_rows(job: ImportExportJob) -> bool:
    """An all-or-nothing import that checked every row and stopped because some failed: continuing it would only
    find the same rows failing."""
    if job.job_status != Status.FAILED or not validates_first(job) or job.writing:
        return False
    chunks = job.chunks.all()
    return chunks.exists() and not chunks.exclude(status=ImportChunk.Status.DONE).exists()


def resume_row(job: ImportExportJob) -> int | None:
    """The first row a continued job would take up (the lowest checkpoint of its unfinished chunks); None when it
    would start from the beginning (its chunks were not merged yet)."""
    if not job_merged(job):
        return None
    checkpoints = job.chunks.exclude(status=ImportChunk.Status.DONE).values_list("checkpoint_row", flat=True)
    return min(checkpoints, default=job.total_records) + 1


def job_resume(job: ImportExportJob, *, user=None, enqueue: bool = True) -> ImportExportJob:
    """Continue a cancelled or failed import from its checkpoints: it goes back to pending, and in its company's
    turn (or at once in this process, when `enqueue` is false and the caller runs it, as the command line does)
    its unfinished chunks run on. Raises ResumeRefused with the reason when it cannot be continued."""
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        refusal = resume_refusal(current)
        if refusal is not None:
            raise ResumeRefused(refusal)
        row = resume_row(current)
        who = getattr(user, "username", "") or "an operator"
        where = f"from row {row:,}" if row is not None else "from the start (no row had been written)"
        status.job_resumed(current, message=f"Continued by {who} {where}; rows already imported stay as they are.")
        if enqueue:
            job_enqueue(current)
    job.refresh_from_db()
    return job
