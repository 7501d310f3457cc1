"""The export builder and the pages of export jobs and templates: build an export (columns, filters, format), preview
it, run it as a job, follow it, download its file (recorded in the audit trail), run it again, and keep it as a
template that runs now or on a schedule.

The pages are thin faces over imports.jobs.export_services, the same services the API and the command line call.
Every object is looked up through the user's company: another company's job or template is a 404. A refused request
shows the service's sentence next to the part of the form it is about, with everything entered kept.
"""

import uuid

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from companies.addresses import client_address
from imports.declare.targets import ImportTarget, all_targets, get_target
from imports.engine.exports.columns import columns_available
from imports.engine.exports.spec import FORMAT_LABELS
from imports.jobs import export_selectors, selectors
from imports.jobs.export_schedules import export_schedule_set, schedule_describe
from imports.jobs.export_services import (
    ExportRefused,
    export_cancel,
    export_file_open,
    export_job_create,
    export_preview,
    export_template_data,
    export_template_run,
    export_template_save,
)
from imports.jobs.progress import job_progress_data
from imports.models import AuditEvent, ImportExportJob
from imports.web.export_builder import ExportBuilder
from imports.web.masking import mask
from imports.web.template_library import ScheduleInput, template_library

WEB = AuditEvent.Via.WEB
Status = ImportExportJob.Status
LOG_ENTRIES = 200


def _uuid_or_404(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise Http404("No such export.") from None


def builder_url(target: ImportTarget | str) -> str:
    """The builder for a new export of `target` (the records pages' "Export these")."""
    name = target if isinstance(target, str) else target.name
    return f"{reverse('imports:export_builder')}?{urlencode({'target': name})}"


# --- The builder -----------------------------------------------------------------------------------------------


@login_required
def builder(request):
    """GET: the builder, new for `?target=`, or filled from `?template=` (to change a template) or `?job=` (to
    change an earlier export). POST: preview, export, save as a template, or move a column."""
    company = request.user.company
    source = request.POST if request.method == "POST" else request.GET
    template = None
    if source.get("template"):
        template = export_selectors.export_template_by_id(company=company, template_id=_uuid_or_404(source["template"]))
    target_name = source.get("target") or (template.target_model if template else "")
    job = None
    if request.method == "GET" and source.get("job"):
        job = export_selectors.export_job_by_id(company=company, job_id=_uuid_or_404(source["job"]))
        target_name = job.target_model
    if not target_name:
        return _choose(request)
    try:
        target = get_target(target_name)
    except KeyError as error:
        return _choose(request, error=error.args[0], status=400)

    if request.method == "GET":
        if template is not None:
            form = ExportBuilder.from_data(export_template_data(template), target=target,
                                           template_name=template.template_name)
        elif job is not None:
            form = ExportBuilder.from_data(job.options.get("export") or {}, target=target)
        else:
            form = ExportBuilder.fresh(target)
        return _builder_page(request, form, template=template)

    form = ExportBuilder.from_post(request.POST, target=target)
    action = request.POST.get("action", "")
    if request.POST.get("move") or request.POST.get("pick") or action not in ("preview", "export", "save"):
        return _builder_page(request, form, template=template)
    try:
        data = form.data()
        if action == "preview":
            preview = export_preview(data, company=company)
            return _builder_page(request, form, template=template, preview=preview)
        if action == "export":
            job = export_job_create(data, company=company, via=WEB, user=request.user)
            return redirect("imports:job_detail", job.pk)
        saved = export_template_save(data, company=company, name=form.template_name, user=request.user,
                                     template=template)
    except ExportRefused as refused:
        form.refused(refused, company=company)
        return _builder_page(request, form, template=template, status=refused.status)
    messages.success(request, f"Export template '{saved.template_name}' saved: run it or schedule it here.")
    return redirect(f"{reverse('imports:template_list')}#template-{saved.pk}")


def _choose(request, *, error: str = "", status: int = 200):
    """The first step: which records to export."""
    return render(request, "imports/exports/choose.html", {
        "targets": all_targets(), "error": error, "chosen": request.GET.get("target", ""),
    }, status=status)


def _builder_page(request, form: ExportBuilder, *, template=None, preview=None, status: int = 200):
    import_jobs = export_selectors.import_jobs_to_filter_by(company=request.user.company,
                                                            target_name=form.target.name)
    return render(request, "imports/exports/builder.html", {
        "form": form, "target": form.target, "targets": all_targets(), "template": template,
        "import_jobs": import_jobs, "preview": _preview_table(form.target, preview) if preview else None,
        "pdf_max_rows": f"{settings.EXPORT_PDF_MAX_ROWS:,}",
    }, status=status)


def _preview_table(target: ImportTarget, preview) -> dict:
    """The preview's rows under the columns' labels; health data (a patient's name, date of birth) masked, as on
    the records page: the file holds it, the page does not show it."""
    sensitive = [column.name in target.sensitive_fields for column in preview.spec.columns]
    rows = [[mask(text) if hidden and text else text for hidden, text in zip(sensitive, row, strict=True)]
            for row in preview.rows]
    return {
        "headers": [column.label for column in preview.spec.columns], "rows": rows, "total": preview.total_rows,
        "refusal": preview.refusal, "masked": any(sensitive) and bool(rows),
        "filters": preview.spec.filters_described(), "format": FORMAT_LABELS[preview.spec.file_format],
    }


# --- Export jobs -----------------------------------------------------------------------------------------------


def export_job_page(request, job: ImportExportJob):
    """An export job's page (the job page of the dashboard for exports): live progress, cancel, the download, the
    columns and filters it was asked for, run again."""
    export = job.options.get("export") or {}
    try:
        target = get_target(job.target_model)
    except KeyError:
        target = None
    labels = {column.name: column.label for column in columns_available(target)} if target else {}
    return render(request, "imports/exports/job.html", {
        "job": job, "progress": job_progress_data(job),
        "target_label": target.verbose_name_plural if target else job.target_model,
        "columns": [labels.get(name, name) for name in export.get("columns") or ()],
        "filters": job.options.get("filters") or [],
        "format_label": FORMAT_LABELS.get(job.file_format, job.get_file_format_display()),
        "via": job.options.get("via", ""),
        "downloadable": job.job_status == Status.COMPLETED and bool(job.file),
        "deleted": job.job_status == Status.COMPLETED and not job.file,
        "retention_days": settings.EXPORT_RETENTION_DAYS,
        "logs": selectors.job_logs(job=job)[:LOG_ENTRIES],
    })


def export_job_cancel(request, job: ImportExportJob):
    """Stop the export; its partial file is never kept."""
    try:
        export_cancel(job, user=request.user)
    except ExportRefused as refused:
        messages.info(request, str(refused))
    else:
        messages.success(request, "The export was cancelled; no file is kept.")
    return redirect("imports:job_detail", job.pk)


@login_required
@never_cache  # an export may hold personal or health data: no copy kept by the browser or a proxy
def export_job_download(request, job_id):
    """The export's file as an attachment, recorded in the audit trail with who and from where; refused (with the
    reason on the job's page) while it runs and once the file is deleted."""
    job = export_selectors.export_job_by_id(company=request.user.company, job_id=job_id)
    try:
        handle, name, content_type = export_file_open(
            job, via=WEB, user=request.user, address=client_address(request) or None
        )
    except ExportRefused as refused:
        messages.error(request, str(refused))
        return redirect("imports:job_detail", job.pk)
    return FileResponse(handle, as_attachment=True, filename=name, content_type=content_type)


@login_required
@require_POST
def export_job_run_again(request, job_id):
    """A new export job asking for exactly what this one asked for (the rows as they are now)."""
    job = export_selectors.export_job_by_id(company=request.user.company, job_id=job_id)
    try:
        again = export_job_create(job.options.get("export") or {}, company=request.user.company, via=WEB,
                                  user=request.user, template=job.template)
    except ExportRefused as refused:
        messages.error(request, str(refused))
        return redirect("imports:job_detail", job.pk)
    return redirect("imports:job_detail", again.pk)


# --- Export templates ------------------------------------------------------------------------------------------


@login_required
@require_POST
def export_template_run_now(request, template_id):
    template = export_selectors.export_template_by_id(company=request.user.company, template_id=template_id)
    try:
        job = export_template_run(template, via=WEB, user=request.user)
    except ExportRefused as refused:
        return template_library(request, refusals={template.pk: {"run": str(refused)}}, status=refused.status)
    return redirect("imports:job_detail", job.pk)


@login_required
@require_POST
def export_template_schedule(request, template_id):
    """Set or clear when the template runs by itself; a refused schedule is shown beside its form, as entered."""
    template = export_selectors.export_template_by_id(company=request.user.company, template_id=template_id)
    entered = ScheduleInput.from_post(request.POST)
    try:
        frequency, at, weekday, day = entered.parsed()
        template = export_schedule_set(template, frequency=frequency, at=at, weekday=weekday, day=day)
    except ExportRefused as refused:
        return template_library(request, refusals={template.pk: {"schedule": str(refused)}},
                                entered={template.pk: entered}, status=refused.status)
    described = schedule_describe(template)
    if described:
        messages.success(request, f"Export template '{template.template_name}' runs {described[:1].lower()}"
                                  f"{described[1:]}.")
    else:
        messages.success(request, f"Export template '{template.template_name}' no longer runs on a schedule.")
    return redirect(f"{reverse('imports:template_list')}#template-{template.pk}")
