"""Look-up pages, one per registered look-up service (claim look-ups): upload a file of queries, follow the job,
see its first results (sensitive values masked unless asked for), download the results, cancel, retry.

Every job is looked up through the user's company: another company's job is a 404. The services record each
upload, results download, retry and cancel in the audit trail, with the client's address.
"""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from companies.addresses import client_address
from imports.declare.lookups import LookupService, get_lookup
from imports.jobs import lookup_selectors, selectors
from imports.jobs.audit import audit_record
from imports.jobs.lookup_services import (
    LookupRefused,
    lookup_cancel,
    lookup_job_create,
    lookup_results,
    lookup_retry,
    max_file_bytes,
    results_file_name,
)
from imports.jobs.progress import job_progress_data
from imports.models import AuditEvent, ImportExportJob
from imports.web.blank_templates import template_csv
from imports.web.masking import mask

Status = ImportExportJob.Status
WEB = AuditEvent.Via.WEB
RECENT_JOBS = 10
RESULTS_PER_PAGE = 50
LOG_ENTRIES = 200
# Result columns the core fills itself, shown in their own way.
ROW, SUCCESS, ERROR, RETRYABLE = "row", "success", "error", "retryable"
SHOW_DETAILS = "details"


class LookupUploadForm(forms.Form):
    file = forms.FileField(label="File (CSV)", allow_empty_file=True)  # the service says "The file is empty."


def service_or_404(name: str) -> LookupService:
    try:
        return get_lookup(name)
    except KeyError:
        raise Http404(f"No look-up is called {name}.") from None


def lookup_url(service: LookupService) -> str:
    return reverse("imports:lookup", args=[service.name.lower()])


def _audit(request) -> dict:
    """Who asks, by which way in, from where: what every service call records in the audit trail."""
    return {"via": WEB, "user": request.user, "address": client_address(request) or None}


def _columns(service: LookupService) -> list[dict]:
    return [
        {
            "name": field.name, "required": field.required, "format": getattr(field, "format_hint", ""),
            "help": field.help_text, "example": field.example,
        }
        for field in service.fields
    ]


@login_required
def lookup_page(request, service_name: str):
    """The service's page: the columns a file needs, a template, the upload, and the company's recent jobs of it.
    A refused upload (empty, too large, not a CSV, columns missing) is one sentence on this page."""
    service = service_or_404(service_name)
    form = LookupUploadForm(request.POST or None, request.FILES or None)
    error, status = "", 200
    if request.method == "POST":
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                job = lookup_job_create(
                    company=request.user.company, service_name=service.name, file=upload, file_name=upload.name,
                    **_audit(request),
                )
            except LookupRefused as refused:
                error, status = str(refused), refused.status
            else:
                return redirect("imports:lookup_job", job.pk)
        else:
            error, status = "Choose a CSV file to upload.", 400
        if request.headers.get("X-Requested-With") == "fetch":
            return HttpResponse(error, status=status, content_type="text/plain; charset=utf-8")
    recent = lookup_selectors.lookup_job_list(company=request.user.company, service_name=service.name)[:RECENT_JOBS]
    return render(request, "imports/lookups/lookup.html", {
        "service": service, "form": form, "error": error, "columns": _columns(service), "recent": recent,
        "max_mb": service.max_file_mb(), "max_bytes": max_file_bytes(service),
        "template_url": reverse("imports:lookup_template", args=[service.name.lower()]),
    }, status=status)


@login_required
def lookup_template(request, service_name: str):
    """A CSV with the service's columns and example rows, to fill in."""
    service = service_or_404(service_name)
    # Its example rows stay: a look-up's sample queries only read the claims store, they create nothing.
    response = HttpResponse(template_csv(service, examples=True), content_type="text/csv; charset=utf-8")
    stem = service.verbose_name.replace(" ", "_").replace("-", "")
    response["Content-Disposition"] = f'attachment; filename="{stem}_template.csv"'
    return response


def _job(request, job_id) -> tuple[ImportExportJob, LookupService]:
    job = lookup_selectors.lookup_job_get(company=request.user.company, job_id=job_id)
    return job, service_or_404(job.target_model)


def _table_columns(service: LookupService) -> list[str]:
    """The results file's columns that the table shows as they are (row, verdict and error have their own), with
    the query's sensitive values that the file leaves out (a patient's date of birth and subscriber id) after the
    last sensitive column of the file, so a person can tell which patient a row was about once details are shown."""
    columns = [column for column in service.result_columns if column not in (ROW, SUCCESS, ERROR, RETRYABLE)]
    asked = [f.name for f in service.fields if f.name in service.sensitive_fields and f.name not in columns]
    shown_sensitive = [position for position, column in enumerate(columns) if column in service.sensitive_fields]
    at = shown_sensitive[-1] + 1 if shown_sensitive else len(columns)
    return [*columns[:at], *asked, *columns[at:]]


def _result_rows(service: LookupService, results, *, show: bool) -> list[dict]:
    """Each result as the table's cells, in the results file's order; sensitive values masked unless `show`."""
    columns = _table_columns(service)
    rows = []
    for result in results:
        cells = []
        for column in columns:
            value = result.values.get(column, "")
            masked = not show and column in service.sensitive_fields and bool(value)
            cells.append({"value": mask(value) if masked else value, "masked": masked})
        rows.append({"result": result, "cells": cells})
    return rows


@login_required
@never_cache  # health data: no copy of the page or the file is kept by the browser or a proxy
def lookup_job(request, job_id):
    """The look-up job: status, live progress, counts, cancel or retry, the results download, its log, and its
    first results (RESULTS_PER_PAGE a page), sensitive values masked unless the user asks to show them."""
    job, service = _job(request, job_id)
    show = request.GET.get("show") == SHOW_DETAILS
    results = Paginator(lookup_selectors.lookup_result_list(job=job), RESULTS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    if show and results.object_list:
        # Unmasked health data on a page is as much an access to it as the results download.
        audit_record(job=job, action=AuditEvent.Action.DETAILS_SHOWN, **_audit(request))
    columns = _table_columns(service)
    return render(request, "imports/lookups/job.html", {
        "job": job, "service": service, "progress": job_progress_data(job),
        "found": job.processed_records - job.failed_records, "columns": columns,
        "sensitive_columns": [column for column in columns if column in service.sensitive_fields],
        "results": results, "rows": _result_rows(service, results, show=show),
        "show": show, "query": f"show={SHOW_DETAILS}" if show else "",
        "logs": selectors.job_logs(job=job)[:LOG_ENTRIES],
        "retryable": lookup_selectors.lookup_retryable_count(job=job) if job.job_status == Status.COMPLETED else 0,
        "retention_days": service.retention_days() or settings.IMPORT_RETENTION_DAYS,
        "lookup_url": lookup_url(service),
    })


@login_required
def lookup_job_progress(request, job_id):
    """JSON for the job page's progress bar and counts, polled about once a second."""
    job, _service = _job(request, job_id)
    return JsonResponse({**job_progress_data(job), "found": job.processed_records - job.failed_records})


@login_required
@require_POST
def lookup_job_cancel(request, job_id):
    """Stop the job; the results recorded so far stay and can be downloaded."""
    job, _service = _job(request, job_id)
    try:
        lookup_cancel(job, **_audit(request))
    except LookupRefused as refused:
        messages.info(request, str(refused))
    else:
        messages.success(request, "The look-up was cancelled; the results recorded so far can be downloaded.")
    return redirect("imports:lookup_job", job.pk)


@login_required
@require_POST
def lookup_job_retry(request, job_id):
    """Continue a failed or cancelled job; ask again the retryable failures of a completed one."""
    job, _service = _job(request, job_id)
    try:
        lookup_retry(job, **_audit(request))
    except LookupRefused as refused:
        messages.error(request, str(refused))
    else:
        messages.success(request, "The look-up was retried: it starts again in its turn.")
    return redirect("imports:lookup_job", job.pk)


@login_required
@never_cache
def lookup_job_results(request, job_id):
    """The results file (CSV), streamed as an attachment; refused (with the reason on the job's page) while the job
    runs and once its data is deleted."""
    job, _service = _job(request, job_id)
    try:
        content = lookup_results(job, **_audit(request))
    except LookupRefused as refused:
        messages.error(request, str(refused))
        return redirect("imports:lookup_job", job.pk)
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = content_disposition_header(True, results_file_name(job))
    return response
