"""The jobs an API request may see: its company's imports, of one target when the route is bound to one; its
company's look-ups of one service; its company's exports."""

import uuid

from django.db.models import QuerySet

from companies.models import Company
from imports.declare.lookups import LookupService
from imports.declare.targets import ImportTarget
from imports.jobs import selectors
from imports.models import ImportExportJob


def import_job_list(
    *, company: Company, target: ImportTarget | None = None, status: str | None = None
) -> QuerySet[ImportExportJob]:
    """The company's import jobs, newest first; of `target` and in the job status `status` when given."""
    jobs = selectors.job_list(company=company).filter(job_type=ImportExportJob.JobType.IMPORT)
    jobs = jobs.select_related("parent")  # `retry_of` in every answer
    if target is not None:
        jobs = jobs.filter(target_model=target.name)
    if status is not None:
        jobs = jobs.filter(job_status=status)
    return jobs


def import_job_get(*, company: Company, job_id: str, target: ImportTarget | None = None) -> ImportExportJob | None:
    """The company's import job `job_id` (of `target`, when given); None for an id that is no UUID, an unknown
    job, another company's job, an export, or a job of another target alike."""
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        return None
    return import_job_list(company=company, target=target).filter(pk=pk).first()


def import_job_by_key(*, company: Company, key: str) -> ImportExportJob | None:
    """The company's import job created with the Idempotency-Key `key`, if any."""
    return import_job_list(company=company).filter(idempotency_key=key).first()


def lookup_job_list(
    *, company: Company, service: LookupService, status: str | None = None
) -> QuerySet[ImportExportJob]:
    """The company's look-up jobs of `service`, newest first; in the job status `status` when given."""
    jobs = selectors.job_list(company=company).filter(
        job_type=ImportExportJob.JobType.LOOKUP, target_model=service.name
    )
    return jobs.filter(job_status=status) if status is not None else jobs


def lookup_job_get(*, company: Company, job_id: str, service: LookupService) -> ImportExportJob | None:
    """The company's look-up job `job_id` of `service`; None for an id that is no UUID, an unknown job, another
    company's job, an import or a look-up of another service alike."""
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        return None
    return lookup_job_list(company=company, service=service).filter(pk=pk).first()


def export_job_list(
    *, company: Company, target: ImportTarget | None = None, status: str | None = None
) -> QuerySet[ImportExportJob]:
    """The company's export jobs (from the builder, the API, the command line or a schedule), newest first; of
    `target` and in the job status `status` when given."""
    jobs = selectors.job_list(company=company).filter(job_type=ImportExportJob.JobType.EXPORT).select_related(
        "template"
    )
    if target is not None:
        jobs = jobs.filter(target_model=target.name)
    if status is not None:
        jobs = jobs.filter(job_status=status)
    return jobs


def export_job_get(*, company: Company, job_id: str) -> ImportExportJob | None:
    """The company's export job `job_id`; None for an id that is no UUID, an unknown job, another company's job or
    a job of another kind alike."""
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        return None
    return export_job_list(company=company).filter(pk=pk).first()
