"""Reads of jobs and logs, always scoped to one company."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from companies.models import Company

from .models import ImportExportJob, ImportExportLog


def job_list(*, company: Company) -> QuerySet[ImportExportJob]:
    return ImportExportJob.objects.filter(company=company).select_related("created_by").order_by("-created_at")


def job_get(*, company: Company, job_id) -> ImportExportJob:
    """The company's job `job_id`; another company's job is a 404, exactly like a job that does not exist."""
    return get_object_or_404(job_list(company=company), pk=job_id)


def job_logs(*, job: ImportExportJob, level: str | None = None) -> QuerySet[ImportExportLog]:
    logs = job.logs.order_by("record_number", "created_at")
    return logs.filter(log_level=level) if level else logs


def job_errors_first(*, job: ImportExportJob, limit: int = 100) -> list[ImportExportLog]:
    """The first `limit` failed rows in row order."""
    return list(
        job.logs.filter(log_level=ImportExportLog.Level.ERROR, record_number__isnull=False).order_by("record_number")[
            :limit
        ]
    )
