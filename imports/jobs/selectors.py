"""Reads of jobs and logs, always scoped to one company."""

from datetime import date, timedelta

from django.db.models import F, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404
from django.utils import timezone

from companies.models import Company
from imports.models import DataTemplate, ImportExportJob, ImportExportLog


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


def job_errors_by_column(*, job: ImportExportJob) -> list[tuple[str, int]]:
    """How many errors each field (or the row as a whole) has, most first: the review page's bar chart."""
    counts: dict[str, int] = {}
    details = job.logs.filter(log_level=ImportExportLog.Level.ERROR, record_number__isnull=False)
    for entries in details.values_list("details", flat=True).iterator(chunk_size=2000):
        for entry in entries or ():
            if "message" in entry:
                name = entry.get("field") or "whole row"
                counts[name] = counts.get(name, 0) + 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


def job_rows_per_day(*, company: Company, days: int = 30) -> list[tuple[date, int]]:
    """Rows imported (created or updated) per day over the last `days` days, oldest first, zero days included."""
    today = timezone.localdate()
    first = today - timedelta(days=days - 1)
    totals = (
        ImportExportJob.objects.filter(
            company=company, job_type=ImportExportJob.JobType.IMPORT, dry_run=False, created_at__date__gte=first
        )
        .annotate(day=TruncDate("created_at"))
        .values("day")
        .annotate(rows=Sum(F("created_records") + F("updated_records")))
    )
    by_day = {row["day"]: row["rows"] or 0 for row in totals}
    return [(first + timedelta(days=n), by_day.get(first + timedelta(days=n), 0)) for n in range(days)]


def import_template_list(*, company: Company) -> QuerySet[DataTemplate]:
    """The company's import templates (a file's column mapping), by target and name."""
    return DataTemplate.objects.filter(company=company, template_type=DataTemplate.TemplateType.IMPORT).order_by(
        "target_model", "template_name"
    )
