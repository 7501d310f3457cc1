"""A look-up job's status in the words of the claims guide: upper case, a running job PROCESSING; and the Celery
task state the guide's progress answer reports beside it (`celery_status`), which clients of the guide's original
service read. The job list's status filter takes the same words."""

from imports.models import ImportExportJob

Status = ImportExportJob.Status

LOOKUP_STATUSES = {
    Status.PENDING: "PENDING",
    Status.RUNNING: "PROCESSING",
    Status.COMPLETED: "COMPLETED",
    Status.FAILED: "FAILED",
    Status.CANCELLED: "CANCELLED",
}
STATUS_WORDS = {word: status for status, word in LOOKUP_STATUSES.items()}
LOOKUP_STATUS_WORDS = list(LOOKUP_STATUSES.values())

# Celery's own state names (celery.states), for what the job's work is doing.
CELERY_STATES = {
    Status.PENDING: "PENDING",
    Status.RUNNING: "PROGRESS",
    Status.COMPLETED: "SUCCESS",
    Status.FAILED: "FAILURE",
    Status.CANCELLED: "REVOKED",
}


def lookup_status(job: ImportExportJob) -> str:
    return LOOKUP_STATUSES[job.job_status]


def celery_state(job: ImportExportJob) -> str:
    return CELERY_STATES[job.job_status]


def status_from_word(word: str) -> str | None:
    """The job status a filter word names (any case), None for a word that names none."""
    return STATUS_WORDS.get(word.strip().upper())
