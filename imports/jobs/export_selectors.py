"""Reads for the export faces, always scoped to one company: its export templates, its export jobs, and the imports
an export can be narrowed to ("created or updated by import job X")."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from companies.models import Company
from imports.models import DataTemplate, ImportExportJob

JobType = ImportExportJob.JobType
Status = ImportExportJob.Status
FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)


def export_template_list(*, company: Company) -> QuerySet[DataTemplate]:
    return DataTemplate.objects.filter(company=company, template_type=DataTemplate.TemplateType.EXPORT).order_by(
        "target_model", "template_name"
    )


def export_template_by_id(*, company: Company, template_id) -> DataTemplate:
    """The company's export template `template_id`; another company's (or an import template) is a 404."""
    return get_object_or_404(export_template_list(company=company), pk=template_id)


def export_job_by_id(*, company: Company, job_id) -> ImportExportJob:
    """The company's export job `job_id`; another company's job, or a job of another kind, is a 404."""
    jobs = ImportExportJob.objects.filter(company=company, job_type=JobType.EXPORT).select_related(
        "created_by", "template"
    )
    return get_object_or_404(jobs, pk=job_id)


def import_jobs_to_filter_by(*, company: Company, target_name: str, limit: int = 100) -> QuerySet[ImportExportJob]:
    """The company's finished imports of `target_name` that wrote records (no dry runs), newest first: the ones an
    export can keep to the records they created or updated. A cancelled or failed import counts too: the rows it
    wrote before it stopped stay."""
    return ImportExportJob.objects.filter(
        company=company, job_type=JobType.IMPORT, dry_run=False, target_model__iexact=target_name,
        job_status__in=FINISHED,
    ).order_by("-created_at")[:limit]
