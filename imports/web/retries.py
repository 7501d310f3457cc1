"""Retrying an import's failed rows from its page: as they are (once their cause is fixed elsewhere), or from the
corrected error report the user uploads. Either way a new import of the same options and mapping starts on the
workers, and the browser goes to its page, which names the job it retries."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from imports.declare.errors import ImportFileError
from imports.engine.readers.limits import max_file_bytes
from imports.jobs import selectors
from imports.jobs.retrying import (
    RetryRefused,
    RetryUnderWay,
    failed_rows_retry,
    is_retry,
    job_retries,
    retry_refusal,
    retry_under_way,
)
from imports.models import ImportExportJob
from imports.web.forms import UploadForm


def retry_panel(job: ImportExportJob) -> dict:
    """What the job's page shows about retries: the import it retries, the imports that retried it, and whether
    its failed rows may be retried now (as they are, or from a corrected file)."""
    return {
        "retry_of": job.parent if is_retry(job) else None,
        "retries": list(job_retries(job)),
        "under_way": retry_under_way(job),
        "as_they_are": retry_refusal(job, as_they_are=True) is None,
        # A job without failed rows has no error report to correct (the API still takes a file for it).
        "with_file": bool(job.failed_records) and retry_refusal(job, as_they_are=False) is None,
        "max_bytes": max_file_bytes(),
    }


@login_required
@require_POST
def job_retry(request, job_id):
    """Retry the job's failed rows as they are."""
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    return _started(request, job, upload=None)


@login_required
@require_POST
def job_retry_upload(request, job_id):
    """Retry the job's failed rows from the corrected error report (or any file of the same columns)."""
    job = selectors.job_get(company=request.user.company, job_id=job_id)
    form = UploadForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "; ".join(error for errors in form.errors.values() for error in errors))
        return redirect("imports:job_detail", job.pk)
    return _started(request, job, upload=form.cleaned_data["file"])


def _started(request, job: ImportExportJob, *, upload):
    try:
        retry = failed_rows_retry(job, via=ImportExportJob.Via.WEB, user=request.user, upload=upload)
    except RetryUnderWay as under_way:  # a second click: show the retry the first one started
        messages.info(request, str(under_way))
        return redirect("imports:job_detail", under_way.retry.pk)
    except (RetryRefused, ImportFileError) as refusal:
        messages.error(request, str(refusal))
        return redirect("imports:job_detail", job.pk)
    messages.success(request, "The retry has started; its progress shows below.")
    return redirect("imports:job_detail", retry.pk)
