"""Continuing a cancelled or failed import from the job's page (imports.jobs.resuming)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from imports.jobs import selectors
from imports.jobs.resuming import ResumeRefused, job_resume, resume_refusal, resume_row
from imports.models import ImportExportJob


def resume_offer(job: ImportExportJob) -> dict | None:
    """What the job's page says beside its Continue button; None when the job cannot be continued."""
    if resume_refusal(job) is not None:
        return None
    row = resume_row(job)
    if row is None:
        return {"sentence": "Continue from the start: no row had been imported yet."}
    return {"sentence": f"Continue from row {row:,}: rows already imported are not imported again."}


@login_required
@require_POST
def job_resume_view(request, job_id):
    """Continue the job on the workers; its page then shows its progress."""
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    try:
        job_resume(job, user=request.user)
    except ResumeRefused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, "The import continues from where it stopped.")
    return redirect("imports:job_detail", job.pk)
