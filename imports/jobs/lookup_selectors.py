"""Reads of look-up jobs, their results and the audit trail, always scoped to one company."""

from django.db.models import F, QuerySet
from django.shortcuts import get_object_or_404

from companies.models import Company
from imports.jobs.selectors import job_list
from imports.models import AuditEvent, ImportExportJob, LookupResult


def lookup_job_list(*, company: Company, service_name: str) -> QuerySet[ImportExportJob]:
    """The company's look-up jobs of one service, newest first, each with `found_records` (rows answered)."""
    jobs = job_list(company=company).filter(job_type=ImportExportJob.JobType.LOOKUP, target_model=service_name)
    return jobs.annotate(found_records=F("processed_records") - F("failed_records"))


def lookup_job_get(*, company: Company, job_id) -> ImportExportJob:
    """The company's look-up job `job_id`; another company's job, or a job of another kind, is a 404."""
    jobs = job_list(company=company).filter(job_type=ImportExportJob.JobType.LOOKUP)
    return get_object_or_404(jobs, pk=job_id)


def lookup_result_list(*, job: ImportExportJob) -> QuerySet[LookupResult]:
    """The job's results in row order."""
    return job.lookup_results.order_by("row_number")


def lookup_retryable_count(*, job: ImportExportJob) -> int:
    return job.lookup_results.filter(retryable=True).count()


def audit_event_list(*, company: Company, action: str | None = None) -> QuerySet[AuditEvent]:
    """The company's audit trail, newest first, optionally of one action."""
    events = AuditEvent.objects.filter(company=company).select_related("user", "job").order_by("-created_at", "-pk")
    return events.filter(action=action) if action else events
