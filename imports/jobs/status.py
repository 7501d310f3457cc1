"""A job's status changes here and nowhere else, each change an event logged on the job and to the Python logger.

    pending --started--> running --completed / failed / cancelled--> finished
       ^  |                 |  ^                                        |
       |  waiting           |  restarted (the same task delivered again after its worker died)
       +----requeued--------+  (the worker preparing the file stopped reporting)
       +---------------------------------retried------------------------+  (a look-up continued or asked again)
       +---------------------------------resumed------------------------+  (an import continued from its checkpoints)

The job's log keeps the sentence its users read; the Python logger gets the event's name and parameters, for
operators. Other modules call the function of the event they mean; none writes `job_status` itself.
"""

import logging
from enum import StrEnum

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from imports.models import ImportExportJob, ImportExportLog

logger = logging.getLogger(__name__)

Status = ImportExportJob.Status
FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)


class JobEvent(StrEnum):
    STARTED = "started"
    RESTARTED = "restarted"
    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    REQUEUED = "requeued"
    RETRIED = "retried"
    RESUMED = "resumed"


def job_log(job: ImportExportJob, message: str, *, level: str = ImportExportLog.Level.INFO) -> None:
    ImportExportLog.objects.create(job=job, log_level=level, message=message)


def _event(job: ImportExportJob, event: JobEvent, message: str, **params) -> None:
    level = ImportExportLog.Level.ERROR if event == JobEvent.FAILED else ImportExportLog.Level.INFO
    if message:
        job_log(job, message, level=level)
    logger.info("Job %s %s %s", job.pk, event, params, extra={"job_id": str(job.pk), "event": str(event), **params})


def job_transition(job: ImportExportJob, status: str, *, message: str = "") -> None:
    """Move `job` to `status`, stamp the time, and log the change (the events below go through here)."""
    now = timezone.now()
    changes = {"job_status": status}
    if status == Status.RUNNING:
        changes["started_at"] = now
    if status in FINISHED:
        changes["completed_at"] = now
    if status == Status.FAILED:
        changes["error_message"] = message
    ImportExportJob.objects.filter(pk=job.pk).update(**changes)
    for name, value in changes.items():
        setattr(job, name, value)
    event = JobEvent(status) if status in FINISHED else JobEvent.STARTED
    _event(job, event, message or f"Job {status}.", status=status)
    if status in FINISHED:
        from imports.jobs.kinds import worker_job_types
        from imports.jobs.queueing import jobs_admit

        if job.job_type in worker_job_types():
            # A place among the company's running jobs is free: the next waiting job of the company starts.
            transaction.on_commit(lambda: jobs_admit(company_id=job.company_id))


def job_started(job: ImportExportJob, *, lease, deaths: int = 0) -> None:
    """The claim took the pending job (or, with `deaths`, took back the one its own task was preparing when its
    worker died). Called inside the claim's transaction, with the job locked."""
    now = timezone.now()
    started_at = job.started_at or now
    ImportExportJob.objects.filter(pk=job.pk).update(
        job_status=Status.RUNNING, lease=lease, heartbeat_at=now, deaths=deaths, started_at=started_at
    )
    job.job_status, job.lease, job.heartbeat_at, job.deaths, job.started_at = (
        Status.RUNNING, lease, now, deaths, started_at
    )
    if deaths == 0:
        _event(job, JobEvent.STARTED, "Job started.", lease=str(lease))
    else:
        _event(job, JobEvent.RESTARTED, "Job started again after its worker stopped.", lease=str(lease),
               deaths=deaths)


def job_waiting(job: ImportExportJob, *, reason: str) -> None:
    """The claim left the job pending, unsent, for its company's turn."""
    ImportExportJob.objects.filter(pk=job.pk).update(queued_at=None)
    _event(job, JobEvent.WAITING, reason, reason=reason)


def job_requeued(job: ImportExportJob, *, stale) -> bool:
    """The run preparing the job stopped reporting: the job waits, unsent, to start again in its company's turn.
    False when the job changed meanwhile (its run reported, or another sweep got there first)."""
    requeued = ImportExportJob.objects.filter(
        pk=job.pk, job_status=Status.RUNNING, lease=job.lease, heartbeat_at__lt=stale
    ).update(job_status=Status.PENDING, lease=None, deaths=F("deaths") + 1, heartbeat_at=timezone.now(),
             queued_at=None)
    if requeued:
        _event(job, JobEvent.REQUEUED,
               "The worker preparing the file stopped reporting; the job waits to start again.",
               deaths=job.deaths + 1)
    return bool(requeued)


def job_retried(job: ImportExportJob, *, message: str) -> None:
    """A finished job goes back to pending, to run again in its company's turn (a look-up continued after it
    failed or was cancelled, or asked again for its retryable failures). Its time starts again."""
    ImportExportJob.objects.filter(pk=job.pk).update(
        job_status=Status.PENDING, lease=None, queued_at=None, started_at=None, completed_at=None, error_message="",
        deaths=0,
    )
    job.job_status, job.lease, job.queued_at, job.started_at, job.completed_at, job.error_message = (
        Status.PENDING, None, None, None, None, ""
    )
    _event(job, JobEvent.RETRIED, message)


def job_resumed(job: ImportExportJob, *, message: str) -> None:
    """A cancelled or failed import goes back to pending, to continue from its chunks' checkpoints in its
    company's turn (imports.jobs.resuming). Its counters, which count the batches committed, stay, and so does the
    time it first started."""
    ImportExportJob.objects.filter(pk=job.pk).update(
        job_status=Status.PENDING, lease=None, queued_at=None, completed_at=None, error_message="", deaths=0,
    )
    job.job_status, job.lease, job.queued_at, job.completed_at, job.error_message, job.deaths = (
        Status.PENDING, None, None, None, "", 0
    )
    _event(job, JobEvent.RESUMED, message, processed=job.processed_records)


def job_completed(job: ImportExportJob, *, summary: str) -> None:
    job_transition(job, Status.COMPLETED, message=summary)


def job_failed(job: ImportExportJob, *, message: str) -> None:
    job_transition(job, Status.FAILED, message=message)


def job_cancelled(job: ImportExportJob, *, message: str) -> None:
    job_transition(job, Status.CANCELLED, message=message)
