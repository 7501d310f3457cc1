"""Telling users that a job of theirs finished, wherever they are in the product.

Each page (base.html) shows the user's jobs that ended since the last notice, with a link to each, and listens
for more while one of their jobs is still going: static/js/app.js asks `job_notices` every NOTICE_POLL_SECONDS
and adds what it answers to the page. Nothing beyond the database and the session: the session keeps the moment
up to which the user has been told (their sign-in, at first), so each job is announced once, on one page.
"""

from datetime import datetime

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from imports.jobs.notice_selectors import jobs_finished_since, user_has_jobs_going
from imports.models import ImportExportJob

SESSION_KEY = "jobs_noticed_until"
NOTICE_POLL_SECONDS = 15
Status = ImportExportJob.Status
JobType = ImportExportJob.JobType


def notice_sentence(job: ImportExportJob) -> str:
    """One sentence, such as "Your import of customers.csv finished: 10 created, 1 failed.": counts only, never a
    row's content, so a claim look-up's notice holds no health data."""
    what = f"Your {job.get_job_type_display().lower()} of {job.file_name or job.target_model}"
    if job.job_status == Status.CANCELLED:
        return f"{what} was cancelled."
    if job.job_status == Status.FAILED and job.job_type != JobType.IMPORT:
        return f"{what} failed."
    counts = []
    if job.job_type == JobType.IMPORT:
        counts = [(job.created_records, "created"), (job.updated_records, "updated"),
                  (job.unchanged_records, "unchanged"), (job.skipped_not_unchanged, "skipped"),
                  (job.failed_records, "failed")]
    elif job.job_type in (JobType.EXPORT, JobType.LOOKUP):
        counts = [(job.processed_records, "rows")]
    listed = ", ".join(f"{count:,} {word}" for count, word in counts if count)
    ended = "failed" if job.job_status == Status.FAILED else "finished"
    return f"{what} {ended}{': ' + listed if listed else ''}."


def _noticed_until(request) -> datetime:
    stored = request.session.get(SESSION_KEY)
    moment = parse_datetime(stored) if stored else None
    return moment or request.user.last_login or timezone.now()


def notices_take(request) -> list[dict]:
    """The notices for this page: the user's jobs that ended since they were last told, each told once. The job
    whose own page this is gets no notice (that page shows it ended)."""
    if not request.user.is_authenticated or request.user.company_id is None:
        return []
    jobs = jobs_finished_since(user=request.user, since=_noticed_until(request))
    if not jobs:
        return []
    request.session[SESSION_KEY] = jobs[-1].completed_at.isoformat()
    return [
        {"id": str(job.pk), "text": notice_sentence(job), "status": job.job_status,
         "url": reverse("imports:job_detail", args=[job.pk])}
        for job in jobs if str(job.pk) not in request.path
    ]


def job_notices_context(request) -> dict:
    """For base.html: the notices (taken only if the page shows them, so a fragment rendered for a script does not
    swallow them) and the address to listen at while a job of the user's is going."""
    if not request.user.is_authenticated or request.user.company_id is None:
        return {}
    return {
        "job_notices": lambda: notices_take(request),
        "job_notices_url": lambda: reverse("imports:job_notices") if user_has_jobs_going(user=request.user) else "",
        "job_notices_poll_seconds": NOTICE_POLL_SECONDS,
    }


@login_required
def job_notices(request):
    """What a page listening for the user's jobs adds: notices of the jobs that ended since, and whether to go on
    listening (a job of theirs is still going)."""
    notices = notices_take(request)
    return JsonResponse({"notices": notices, "listen": user_has_jobs_going(user=request.user)})
