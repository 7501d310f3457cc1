"""Reads for the notice that a user's job finished: their jobs that ended since a moment, and whether any still
runs. Scoped to the user's company and to jobs the user asked for; dry runs are left out (the wizard's review
page follows them as they run)."""

from datetime import datetime

from django.db.models import QuerySet

from imports.models import ImportExportJob

Status = ImportExportJob.Status
FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)


def _users_jobs(user) -> QuerySet[ImportExportJob]:
    return ImportExportJob.objects.filter(company_id=user.company_id, created_by=user, dry_run=False)


def jobs_finished_since(*, user, since: datetime, limit: int = 5) -> list[ImportExportJob]:
    """The user's jobs that ended after `since`, the earliest first (at most `limit`; the rest come next time)."""
    finished = _users_jobs(user).filter(job_status__in=FINISHED, completed_at__gt=since)
    return list(finished.order_by("completed_at")[:limit])


def user_has_jobs_going(*, user) -> bool:
    """Whether a job the user asked for has not ended yet: a page then listens for its end."""
    return _users_jobs(user).exclude(job_status__in=FINISHED).exists()
