"""Stopping a job for good (failed or cancelled): its unfinished chunks are cancelled, rows already committed stay,
and what its kind leaves to settle is settled (an import's references and error report)."""

from django.db import transaction
from django.db.models import Q

from imports.declare.targets import get_target
from imports.engine import stored_files
from imports.engine.gate import Write, WriteGate
from imports.engine.links import links_finish
from imports.engine.report import error_report_build, report_needed
from imports.jobs import status
from imports.jobs.kinds import kind_of
from imports.models import ImportChunk, ImportExportJob

Status = ImportExportJob.Status


def job_fail(job: ImportExportJob, message: str) -> None:
    """Stop the job for good: its unfinished chunks are cancelled, rows already committed stay."""
    _job_stop(job, status.job_failed, message)


def job_cancel(job: ImportExportJob, message: str) -> None:
    """Stop the job at the end of the batches now being written: committed batches stay, the job ends cancelled.

    Every run of the job finds its chunk cancelled when it next locks it, and stops without writing.
    """
    _job_stop(job, status.job_cancelled, message)


class CancelRefused(Exception):
    """The job cannot be cancelled: it has ended already (the sentence says how)."""


def job_cancel_asked(job: ImportExportJob, *, by: str) -> ImportExportJob:
    """Cancel a pending or running job for `by` (who asked, for its log) and return it as it is now; CancelRefused
    once it has ended, also when it ended while being asked."""
    if not job.is_finished:
        job_cancel(job, f"Cancelled by {by}; rows written before stay.")
        job.refresh_from_db()
        if job.job_status == Status.CANCELLED:
            return job
    raise CancelRefused(
        f"The job has already ended ({job.get_job_status_display().lower()}): there is nothing to cancel."
    )


def _job_stop(job: ImportExportJob, event, message: str) -> None:
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if current.is_finished:
            return
        current.chunks.filter(~Q(status=ImportChunk.Status.DONE)).update(
            status=ImportChunk.Status.CANCELLED, lease=None
        )
        settle = kind_of(current).on_stop
        if settle is not None:
            settle(current)
        event(current, message=message)
    job.refresh_from_db()
    if job.file:
        stored_files.working_files_delete(job)


def import_settle(job: ImportExportJob) -> None:
    """What an import stopped for good leaves: the references its written batches made are settled, and so is the
    report of their failed rows."""
    links_settle(job)
    if report_needed(job):
        error_report_build(job)


def links_settle(job: ImportExportJob) -> None:
    """Settle the references to other records that the job's rows wrote (imports.engine.links); before the error
    report is built, since it may warn on rows."""
    target, gate = get_target(job.target_model), WriteGate.of(job)
    if target.references_in_file and gate.allows(Write.LINKS):
        links_finish(gate=gate, job=job, target=target)
