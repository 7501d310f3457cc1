"""The import wizard: choose what to import and upload, pick the sheet, map columns, set options, validate with a
dry run, import. Every step works for every registered target, and without JavaScript.

Each page looks its upload up through the user's company, so another company's upload is a 404.
"""

import uuid
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from imports.declare.errors import ImportFileError
from imports.declare.targets import all_targets, get_target
from imports.engine.mapping import CONFIDENCE, NAME, SYNONYM, mapping_validate
from imports.engine.readers.limits import max_file_bytes
from imports.jobs import selectors
from imports.jobs.cell_edits import edits_summary
from imports.jobs.progress import job_progress_data
from imports.models import DataTemplate, ImportExportJob, ImportUpload
from imports.web.blank_templates import template_csv, template_xlsx
from imports.web.cell_fixes import cells_fix, fix_grid
from imports.web.dry_runs import import_refusal, refused_import_message
from imports.web.forms import MappingForm, OptionsForm, SheetForm, TemplateNameForm, UploadForm
from imports.web.remembered_mappings import mapped_as_notice, upload_map_as_before
from imports.web.sheet_previews import sheet_previews
from imports.web.targets import target_or_404
from imports.web.uploads import (
    missing_required,
    template_save,
    templates_for,
    upload_apply_template,
    upload_create,
    upload_preview,
    upload_read_header,
    upload_set_mapping,
    upload_start,
)
from imports.web.validation_rules import job_rules_listed
from imports.web.value_fixes import value_fixes_form, value_fixes_posted, value_fixes_save

# The mapping page shows this many columns at a time, so a file of a thousand columns is still a small, quick page.
COLUMNS_PER_PAGE = 50
WIZARD_STEPS = ((1, "Choose and upload"), (2, "Map columns"), (3, "Options"), (4, "Validate"), (5, "Import"))


def _page(request, template: str, context: dict):
    return render(request, template, {
        "wizard_steps": WIZARD_STEPS, "max_mb": settings.IMPORT_MAX_FILE_MB, "max_bytes": max_file_bytes(),
        **context,
    })


def _uuid_or_none(text: str | None) -> uuid.UUID | None:
    """An id from a form field; anything else (a tampered or empty field) looks nothing up."""
    try:
        return uuid.UUID(text or "")
    except ValueError:
        return None


def _upload_or_404(request, upload_id) -> ImportUpload:
    return get_object_or_404(ImportUpload.objects.select_related("company"), pk=upload_id,
                             company=request.user.company)


@login_required
def choose(request):
    """Step 1: one card per target, with its required fields and blank templates, and the upload form."""
    cards = [
        {"target": target, "required": [f for f in target.fields if f.required], "form": UploadForm()}
        for target in all_targets()
    ]
    previous = request.GET.get("previous", "")
    return _page(request, "imports/wizard/choose.html", {"cards": cards, "step": 1, "previous": previous})


@login_required
def blank_template(request, target_name: str, file_format: str):
    target = target_or_404(target_name)
    if file_format not in ("csv", "xlsx"):
        raise Http404("Templates come as csv or xlsx.")
    if file_format == "csv":
        content, content_type = template_csv(target), "text/csv; charset=utf-8"
    else:
        content = template_xlsx(target)
        content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{target.verbose_name_plural}_template.{file_format}"'
    return response


@login_required
@require_POST
def upload(request, target_name: str):
    """Store the file and read its header; a bad file is one message on the first step, nothing kept."""
    target = target_or_404(target_name)
    previous = None
    previous_id = _uuid_or_none(request.POST.get("previous"))
    if previous_id is not None:
        previous = ImportUpload.objects.filter(
            company=request.user.company, target_model=target.name, pk=previous_id
        ).first()
    form = UploadForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            created = upload_create(company=request.user.company, user=request.user, target_name=target.name,
                                    file=form.cleaned_data["file"], previous=previous)
        except ImportFileError as error:
            form.add_error("file", str(error))
        else:
            if len(created.sheet_names) > 1:
                return redirect("imports:wizard_sheet", created.pk)
            return _to_mapping(created, mapped_as=upload_map_as_before(created) if previous is None else "")
    message = "; ".join(error for errors in form.errors.values() for error in errors)
    if request.headers.get("X-Requested-With") == "fetch":
        return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")
    messages.error(request, f"{target.verbose_name_plural.capitalize()}: {message}")
    return redirect("imports:wizard")


@login_required
def sheet(request, upload_id):
    """For a workbook with several sheets: which one to import."""
    current = _upload_or_404(request, upload_id)
    form = SheetForm(request.POST or None, sheet_names=current.sheet_names, initial={"sheet": current.sheet})
    if request.method == "POST" and form.is_valid():
        kept = current.mapping or None  # the mapping of the upload this one replaces
        try:
            upload_read_header(current, sheet=form.cleaned_data["sheet"], explicit=kept)
        except ImportFileError as error:
            form.add_error("sheet", str(error))
        else:
            current.save()
            return _to_mapping(current, mapped_as=upload_map_as_before(current) if kept is None else "")
    return _page(request, "imports/wizard/sheet.html", {
        "upload": current, "form": form, "step": 2, "previews": sheet_previews(current),
        "chosen": form["sheet"].value() or current.sheet or next(iter(current.sheet_names), ""),
    })


def _to_mapping(current: ImportUpload, *, mapped_as: str):
    """The mapping step; `mapped_as` (where a remembered mapping came from) rides in the address, so the notice
    survives the upload script following the redirect before the browser goes there."""
    url = reverse("imports:wizard_mapping", args=[current.pk])
    return redirect(f"{url}?{urlencode({'mapped_as': mapped_as})}" if mapped_as else url)


def _column_page(request, current: ImportUpload):
    """The page of columns a mapping request is about (`page` in the form or the address; the first by default)."""
    columns = Paginator(list(enumerate(current.columns)), COLUMNS_PER_PAGE)
    return columns.get_page(request.POST.get("page") or request.GET.get("page"))


def _mapping_url(current: ImportUpload, page: int) -> str:
    url = reverse("imports:wizard_mapping", args=[current.pk])
    return url if page == 1 else f"{url}?page={page}"


def _mapped_elsewhere(current: ImportUpload, page) -> list[dict]:
    """Columns of the other pages that feed a field (at most one per field), with the page each is on."""
    shown = {index for index, _column in page.object_list}
    return [
        {"column": column, "field": current.mapping[column], "page": index // COLUMNS_PER_PAGE + 1}
        for index, column in enumerate(current.columns)
        if index not in shown and current.mapping.get(column)
    ]


@login_required
def mapping(request, upload_id):
    """Step 2: every column against a field, how sure each automatic match is, required fields no column feeds,
    and the first rows as they would be stored. A file with many columns is shown COLUMNS_PER_PAGE at a time; the
    choices made on a page are saved when the user moves to another."""
    current = _upload_or_404(request, upload_id)
    if not current.columns:
        return redirect("imports:wizard_sheet", current.pk)
    target = get_target(current.target_model)
    if request.method == "GET" and (notice := mapped_as_notice(current, request.GET.get("mapped_as"))):
        messages.info(request, notice)
    page = _column_page(request, current)
    form = MappingForm(request.POST or None, upload=current, target=target, shown=page.object_list)
    if request.method == "POST" and form.is_valid():
        try:
            upload_set_mapping(current, form.chosen())
        except ImportFileError as error:
            form.add_error(None, str(error))
        else:
            value_fixes_save(current, request.POST)
            going_to = request.POST.get("page_to")
            if going_to:
                return redirect(_mapping_url(current, page.paginator.get_page(going_to).number))
            if request.POST.get("action") == "preview":
                return redirect(_mapping_url(current, page.number))
            if not missing_required(current):
                return redirect("imports:wizard_options", current.pk)
            messages.error(request, "Map a column to each required field before going on.")
            return redirect(_mapping_url(current, page.number))
    return _mapping_page(request, current, form, page)


def _mapping_page(request, current: ImportUpload, form: MappingForm, page, template_form=None):
    """The mapping step as `form` holds it: what was stored, or what was posted and refused (with its errors)."""
    rows = [
        {"field": form[name], "column": column, "confidence": current.match_confidence.get(column, 0.0)}
        for name, column in form.columns
    ]
    return _page(request, "imports/wizard/mapping.html", {
        "upload": current, "target": get_target(current.target_model), "form": form, "rows": rows,
        "missing": missing_required(current), "preview": upload_preview(current), "templates": templates_for(current),
        "template_form": template_form or TemplateNameForm(), "sure": CONFIDENCE[NAME], "unsure": CONFIDENCE[SYNONYM],
        "step": 2, "columns_page": page,
        "page_numbers": list(page.paginator.get_elided_page_range(page.number, on_each_side=2, on_ends=1)),
        "mapped_elsewhere": _mapped_elsewhere(current, page), "value_fixes_form": value_fixes_form(current),
    })


@login_required
def preview(request, upload_id):
    """The preview table alone, for the mapping page to refresh as selects change (nothing is saved)."""
    current = _upload_or_404(request, upload_id)
    target = get_target(current.target_model)
    form = MappingForm(request.GET, upload=current, target=target, shown=_column_page(request, current).object_list)
    error = ""
    if form.is_valid():
        try:
            current.mapping = mapping_validate(target, form.chosen())
        except ImportFileError as problem:
            error = str(problem)
        else:
            fixes = value_fixes_posted(current, request.GET)
            if fixes is not None:
                current.value_fixes = fixes.as_dict()  # shown, not saved
    return render(request, "imports/wizard/_preview.html", {
        "preview": None if error else upload_preview(current), "preview_error": error,
        "missing": missing_required(current),
    })


@login_required
@require_POST
def template_load(request, upload_id):
    current = _upload_or_404(request, upload_id)
    template = get_object_or_404(DataTemplate, pk=_uuid_or_none(request.POST.get("template")),
                                 company=request.user.company, target_model=current.target_model)
    upload_apply_template(current, template)
    messages.success(request, f"Mapping loaded from template '{template.template_name}'.")
    return redirect("imports:wizard_mapping", current.pk)


@login_required
@require_POST
def template_store(request, upload_id):
    """Save the mapping on the screen as a template: the page's selects are posted with the name (the button
    belongs to the mapping form), kept as the upload's mapping too, so the page comes back as the user left it."""
    current = _upload_or_404(request, upload_id)
    page = _column_page(request, current)
    mapping_form = MappingForm(request.POST, upload=current, target=get_target(current.target_model),
                               shown=page.object_list)
    form = TemplateNameForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Give the template a name.")
    elif not mapping_form.is_valid():
        messages.error(request, "Choose a field, or none, for each column before saving the template.")
    else:
        try:
            if any(name in request.POST for name, _column in mapping_form.columns):
                upload_set_mapping(current, mapping_form.chosen())
            template_save(upload=current, name=form.cleaned_data["template_name"])
        except ImportFileError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"Mapping saved as template '{current.template_name}'.")
            return redirect(_mapping_url(current, page.number))
    # Refused: the page comes back with the selects and the name as the user left them, not as last stored.
    return _mapping_page(request, current, mapping_form, page, template_form=form)


@login_required
def options(request, upload_id):
    """Step 3: mode, duplicate handling, all or nothing; then validate."""
    current = _upload_or_404(request, upload_id)
    if missing_required(current):
        messages.error(request, "Map a column to each required field before going on.")
        return redirect("imports:wizard_mapping", current.pk)
    form = OptionsForm(request.POST or None, instance=current)
    if request.method == "POST" and form.is_valid():
        form.save()
        return _start(request, current, dry_run=True)
    return _page(request, "imports/wizard/options.html", {"upload": current, "form": form, "step": 3})


def _start(request, current: ImportUpload, *, dry_run: bool):
    try:
        job = upload_start(upload=current, user=request.user, dry_run=dry_run)
    except ImportFileError as error:
        messages.error(request, str(error))
        return redirect("imports:wizard_mapping", current.pk)
    if dry_run:
        return redirect("imports:wizard_review", current.pk)
    return redirect(reverse("imports:job_detail", args=[job.pk]))


def _labelled(upload: ImportUpload, counts: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Errors per field, each field by its label ("Postal code", not postal_code)."""
    fields = get_target(upload.target_model).fields_by_name
    return [(fields[name].label if name in fields else name, count) for name, count in counts]


@login_required
def review(request, upload_id):
    """Step 4: the dry run's live progress, then what the import would do, errors per column, the first errors."""
    current = _upload_or_404(request, upload_id)
    job = current.validation_job
    if job is None:
        return redirect("imports:wizard_options", current.pk)
    context = {"upload": current, "job": job, "step": 4, "progress": job_progress_data(job),
               "validation_rules": job_rules_listed(job)}
    if job.is_finished:
        fixes = edits_summary(current, job)
        context.update(
            columns=_labelled(current, selectors.job_errors_by_column(job=job)),
            upload_form=UploadForm(),
            import_refusal=import_refusal(current, fixes=fixes),
            fixes=fixes,
            still_failing=job.failed_records - fixes.fixed,
            # what the Import button would write: the dry run's, and the failing rows fixed since
            writes=job.created_records + job.updated_records + fixes.fixed_writes,
        )
        if job.failed_records:
            context["grid"] = fix_grid(current, job, request.GET.get("page"))
    return _page(request, "imports/wizard/review.html", context)


@login_required
@require_POST
def fix_cells(request, upload_id):
    """Step 4: keep the cells fixed in the review page's grid of failing rows."""
    return cells_fix(request, _upload_or_404(request, upload_id))


@login_required
@require_POST
def start_import(request, upload_id):
    """Step 5: start the import with the validated file, mapping and options."""
    current = _upload_or_404(request, upload_id)
    started = current.import_job
    if started is not None and started.job_status not in (ImportExportJob.Status.FAILED,
                                                          ImportExportJob.Status.CANCELLED):
        # A second click, or the back button: the file is imported once; show the import already started.
        messages.info(request, "This file's import was already started.")
        return redirect("imports:job_detail", started.pk)
    refusal = import_refusal(current, shown_dry_run=request.POST.get("dry_run", ""))
    if refusal:
        messages.error(request, refused_import_message(current, refusal))
        return redirect("imports:wizard_review", current.pk)
    return _start(request, current, dry_run=False)
