"""Celery tasks: thin wrappers that take ids, refetch, and call one service."""

from celery import shared_task

from .models import ImportExportJob
from .services import job_files_purge, job_run


@shared_task
def run_import_job(job_id: str) -> str:
    """Run the import job `job_id`. Delivered twice, the second delivery finds the job taken and does nothing."""
    job = ImportExportJob.objects.filter(pk=job_id).select_related("company").first()
    if job is None:
        return "missing"
    return job_run(job=job).job_status


@shared_task
def purge_expired_job_files() -> int:
    return job_files_purge()
