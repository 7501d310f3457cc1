"""`import_data --retry-failed JOB_ID [FILE]`: the import that retries a job's failed rows, created for this process
to run (no worker is sent for it). Without FILE the failed rows are retried as they are; with it, the corrected
error report (or any file of the same columns) is imported. The first job's options and mapping apply."""

import uuid
from pathlib import Path

from django.core.files import File

from imports.cli import CommandFailure, company_resolve
from imports.jobs.retrying import RetryRefused, failed_rows_retry
from imports.models import ImportExportJob


def retry_create(arguments: list[str], *, company_slug: str | None) -> ImportExportJob:
    """The pending retry of the job `arguments[0]` (of the company `company_slug`, when given), from the file
    `arguments[1]` when given; CommandFailure says why none could be created, ImportFileError what is wrong with
    the file."""
    if len(arguments) > 2:
        raise CommandFailure("--retry-failed takes a job id and, optionally, the corrected file: nothing more.")
    job_id, path = arguments[0], Path(arguments[1]) if len(arguments) == 2 else None
    job = _import_job(job_id, company_slug)
    if path is not None and not path.is_file():
        raise CommandFailure(f"File not found: {path}")
    try:
        if path is None:
            return failed_rows_retry(job, via=ImportExportJob.Via.CLI, enqueue=False)
        with open(path, "rb") as handle:
            return failed_rows_retry(job, via=ImportExportJob.Via.CLI, upload=File(handle, name=path.name),
                                     enqueue=False)
    except RetryRefused as refusal:
        raise CommandFailure(str(refusal)) from None


def _import_job(job_id: str, company_slug: str | None) -> ImportExportJob:
    jobs = ImportExportJob.objects.filter(job_type=ImportExportJob.JobType.IMPORT)
    if company_slug:
        jobs = jobs.filter(company=company_resolve(company_slug))
    try:
        job = jobs.filter(pk=uuid.UUID(job_id)).first()
    except ValueError:
        job = None
    if job is None:
        where = f" of company '{company_slug}'" if company_slug else ""
        raise CommandFailure(f"No import job {job_id}{where}.")
    return job
