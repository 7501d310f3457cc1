"""A job's status in the API's words: the customer import guide calls a running job "processing"; the other
statuses keep their names. Answers and the job list's status filter both use these words."""

from imports.models import ImportExportJob

Status = ImportExportJob.Status

API_STATUSES = {
    Status.PENDING: "pending",
    Status.RUNNING: "processing",
    Status.COMPLETED: "completed",
    Status.FAILED: "failed",
    Status.CANCELLED: "cancelled",
}
JOB_STATUSES = {word: status for status, word in API_STATUSES.items()}
API_STATUS_WORDS = list(API_STATUSES.values())


def api_status(job: ImportExportJob) -> str:
    return API_STATUSES[job.job_status]
