"""Export jobs for the faces (the builder, the API, the command line, the schedule): preview one, start one, cancel
it, download its file (recorded in the audit trail), and keep export templates.

An export is asked for as data (imports.engine.exports.spec): the same request means the same file whichever face
sends it. A request that cannot run (an unknown column, a filter that cannot match, a PDF over its row cap) is
refused with one sentence before any job exists.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone

from companies.models import Company
from imports.engine.exports.spec import ExportSpec, ExportSpecError
from imports.engine.exports.writers import WRITERS
from imports.jobs import status
from imports.jobs.audit import audit_record
from imports.jobs.export_kind import export_file_name, pdf_refusal
from imports.jobs.services import job_enqueue
from imports.jobs.stopping import job_cancel
from imports.models import AuditEvent, DataTemplate, ImportExportJob

Status = ImportExportJob.Status
Action = AuditEvent.Action
PREVIEW_ROWS = 10
SCHEDULE = "schedule"  # the `via` of the runs the schedule starts, and of their retries


class ExportRefused(Exception):
    """A request about an export that cannot be done: `status` is the HTTP status that says why (400 a bad request,
    404 no such template, 409 not now, 410 its file deleted); `part` the part of the request at fault, if one is."""

    def __init__(self, message: str, status: int = 400, part: str = ""):
        super().__init__(message)
        self.status = status
        self.part = part


def export_spec_read(data: dict, *, company: Company) -> ExportSpec:
    """The export asked for by `data`; ExportRefused (400) naming the first problem."""
    try:
        return ExportSpec.from_data(data, company=company)
    except ExportSpecError as error:
        raise ExportRefused(str(error), 400, error.part) from None


@dataclass(frozen=True)
class ExportPreview:
    spec: ExportSpec
    total_rows: int
    rows: list[list[str]]  # the first rows, as the CSV would show them
    refusal: str | None  # why this export cannot run (a PDF over its cap), shown before anyone presses Export


def export_preview(data: dict, *, company: Company, limit: int = PREVIEW_ROWS) -> ExportPreview:
    """The first rows of the export and how many it holds, before running it."""
    spec = export_spec_read(data, company=company)
    total = spec.rows_count(company)
    rows = []
    for values in spec.queryset(company)[:limit].values_list(*(column.name for column in spec.columns)):
        rows.append([column.field.to_text(value) for column, value in zip(spec.columns, values, strict=True)])
    refusal = pdf_refusal(total) if spec.file_format == "pdf" else None
    return ExportPreview(spec, total, rows, refusal)


def export_job_create(
    data: dict, *, company: Company, via: str, user=None, template: DataTemplate | None = None,
    parent: ImportExportJob | None = None, enqueue: bool = True,
) -> ImportExportJob:
    """Check the export asked for and create a pending export job, queued in its company's turn (unless `enqueue`
    is false: the caller runs it itself, as the command line does)."""
    spec = export_spec_read(data, company=company)
    if spec.file_format == "pdf" and (refusal := pdf_refusal(spec.rows_count(company))):
        raise ExportRefused(refusal, 400, "format")
    options = {"export": spec.to_data(), "via": via, "filters": spec.filters_described()}
    if via == SCHEDULE and parent is not None:
        options["retry"] = True
    job = ImportExportJob(
        company=company, created_by=user if user is not None and user.is_authenticated else None,
        job_type=ImportExportJob.JobType.EXPORT, via=via, target_model=spec.target.name, file_format=spec.file_format,
        options=options, template=template, parent=parent,
    )
    with transaction.atomic():
        job.save()
        job.file_name = export_file_name(job, spec)
        ImportExportJob.objects.filter(pk=job.pk).update(file_name=job.file_name)
        what = f"{spec.target.verbose_name_plural} as {job.get_file_format_display()}"
        if via == SCHEDULE:
            status.job_log(job, f"{scheduled_run_title(template, parent)}: export of {what}.")
        else:
            status.job_log(job, f"Export of {what} asked for.")
        if enqueue:
            job_enqueue(job)
    return job


def scheduled_run_title(template: DataTemplate | None, parent: ImportExportJob | None = None) -> str:
    """How a run of the schedule (imports.jobs.export_schedules) introduces itself in its job's log: "Scheduled run
    of template Daily customers", or, for the retry of a failed one, "Retry of the failed scheduled run of
    2026-05-06 07:00 (template Daily customers)"."""
    name = f"template {template.template_name}" if template is not None else "a deleted template"
    if parent is None:
        return f"Scheduled run of {name}"
    return f"Retry of the failed scheduled run of {timezone.localtime(parent.created_at):%Y-%m-%d %H:%M} ({name})"


def export_cancel(job: ImportExportJob, *, user=None) -> ImportExportJob:
    """Stop an export that has not finished; its partial file is never kept. ExportRefused (409) once it ended."""
    if job.is_finished:
        raise ExportRefused(f"The export has already ended: {job.get_job_status_display().lower()}.", 409)
    who = f" by {user.get_username()}" if user is not None and user.is_authenticated else ""
    job_cancel(job, f"Cancelled{who}.")
    job.refresh_from_db()
    return job


def export_file_open(job: ImportExportJob, *, via: str, user=None, address: str | None = None):
    """The export's file, opened for download, with its name and content type; every download is recorded in the
    audit trail. ExportRefused: 409 while it runs (or when it failed), 410 once the file was deleted."""
    if job.job_status != Status.COMPLETED:
        raise ExportRefused(
            f"The export has no file to download: it is {job.get_job_status_display().lower()}.", 409
        )
    if not job.file:
        raise ExportRefused("The export's file was deleted after its retention period: run the export again.", 410)
    handle = job.file.open("rb")
    audit_record(job=job, action=Action.DOWNLOAD, via=via, user=user, address=address)
    return handle, job.file_name, WRITERS[job.file_format].content_type


# --- Export templates ------------------------------------------------------------------------------------------


def export_template_save(
    data: dict, *, company: Company, name: str, user=None, template: DataTemplate | None = None
) -> DataTemplate:
    """Save the export asked for by `data` as a template called `name` (a new one, or `template` changed). The
    schedule is kept as it was; ExportRefused when the export is not valid or the name is taken."""
    spec = export_spec_read(data, company=company)
    name = name.strip()
    if not name:
        raise ExportRefused("Give the template a name.", 400, "name")
    if template is None:
        template = DataTemplate(company=company, template_type=DataTemplate.TemplateType.EXPORT,
                                created_by=user if user is not None and user.is_authenticated else None)
    stored = spec.to_data()
    template.template_name, template.target_model = name, spec.target.name
    template.columns, template.filters, template.file_format = stored["columns"], stored["filters"], stored["format"]
    try:
        with transaction.atomic():
            template.save()
    except IntegrityError:
        raise ExportRefused(
            f"An export template for {spec.target.verbose_name_plural} is already called '{name}'.", 400, "name"
        ) from None
    return template


def export_template_data(template: DataTemplate) -> dict:
    """The export a template asks for, as data for `export_job_create` or the builder."""
    return {"target": template.target_model, "columns": template.columns, "filters": template.filters,
            "format": template.file_format}


def export_template_get(*, company: Company, name: str, target: str | None = None) -> DataTemplate:
    """The company's active export template called `name` (of the target named `target`, else of any target);
    ExportRefused (404) when there is none, or (400) when the name is used by several targets' templates."""
    templates = DataTemplate.objects.filter(
        company=company, template_type=DataTemplate.TemplateType.EXPORT, template_name=name, is_active=True,
    )
    if target:
        templates = templates.filter(target_model__iexact=target)
    templates = list(templates)
    if not templates:
        of = f" for {target}" if target else ""
        raise ExportRefused(f"No export template named '{name}'{of}.", 404)
    if len(templates) > 1:
        targets = ", ".join(sorted(template.target_model for template in templates))
        raise ExportRefused(f"Several export templates are named '{name}' ({targets}): name the target too.", 400)
    return templates[0]


def export_request_resolve(data: dict, *, company: Company) -> tuple[dict, DataTemplate | None]:
    """The export a request asks for, and the template it names: `data` itself when it names no `template`; else
    the template's export, with each of `columns`, `filters`, `format` and `import_compatible` that `data` gives
    taking the template's place (`target` then only picks the template among same-named ones of several targets).
    ExportRefused (400, part `template`) when the company has no such template."""
    name = data.get("template")
    if not name:
        return data, None
    try:
        template = export_template_get(company=company, name=str(name), target=data.get("target") or None)
    except ExportRefused as refused:
        raise ExportRefused(str(refused), 400, "template") from None
    resolved = export_template_data(template)
    resolved.update({
        key: data[key] for key in ("columns", "filters", "format", "import_compatible") if data.get(key) is not None
    })
    return resolved, template


def export_template_run(template: DataTemplate, *, via: str, user=None, enqueue: bool = True) -> ImportExportJob:
    """Run an export template now, as a job of its own."""
    return export_job_create(
        export_template_data(template), company=template.company, via=via, user=user, template=template,
        enqueue=enqueue,
    )
