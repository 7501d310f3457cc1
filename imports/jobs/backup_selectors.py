"""Reads of a company's backups and restores, always scoped to one company: another company's job, a job of
another kind or an id that is no job are all None (a 404 to the faces)."""

import uuid

from django.db.models import QuerySet

from companies.models import Company
from imports.jobs import selectors
from imports.models import ImportExportJob

JobType = ImportExportJob.JobType


def backup_job_list(*, company: Company) -> QuerySet[ImportExportJob]:
    """The company's backups, newest first."""
    return selectors.job_list(company=company).filter(job_type=JobType.BACKUP)


def restore_job_list(*, company: Company) -> QuerySet[ImportExportJob]:
    """The company's restores and their dry runs, newest first."""
    return selectors.job_list(company=company).filter(job_type=JobType.RESTORE)


def backup_job_get(*, company: Company, job_id) -> ImportExportJob | None:
    return _one(backup_job_list(company=company), job_id)


def restore_job_get(*, company: Company, job_id) -> ImportExportJob | None:
    return _one(restore_job_list(company=company), job_id)


def _one(jobs: QuerySet[ImportExportJob], job_id) -> ImportExportJob | None:
    try:
        pk = uuid.UUID(str(job_id))
    except ValueError:
        return None
    return jobs.filter(pk=pk).first()
