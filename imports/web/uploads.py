"""The wizard's uploads: a file checked and read just far enough to map it, a preview of its first rows as they
would be stored, and the dry-run and import jobs started from it.

The header and the first rows are read here, once, when the file arrives (a workbook's sheet is streamed and left
after them); the preview works from those rows, so the mapping step answers at once whatever the file's size. A
CSV or JSON file is also counted through by the import's own reader under the read limits (a fast pass), so a
file the import would refuse is refused here with the same sentence. The rows are validated by the jobs, on the
workers.
"""

from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path

from django.core.files import File
from django.db import transaction
from django.utils import timezone

from companies.models import Company
from imports.declare.errors import CellError, ImportFileError
from imports.declare.outcomes import Outcome
from imports.declare.targets import ImportTarget, get_target
from imports.engine.gate import WRITES_NOTHING
from imports.engine.mapping import ColumnMapping, map_columns, mapping_validate, normalise_header
from imports.engine.options import ImportOptions
from imports.engine.planning import BatchPlanner, ImportContext
from imports.engine.readers import SourceRow, sniffing
from imports.engine.readers.limits import ReadLimits, check_file_size
from imports.engine.readers.table import Table
from imports.engine.readers.workbooks import XlsSource
from imports.engine.readers.xlsx_stream import XlsxStream
from imports.engine.scanning import repeats_within
from imports.engine.stored_files import stored_file_local
from imports.jobs.cell_edits import edits_copy_to_job
from imports.jobs.services import job_create, job_enqueue
from imports.models import DataTemplate, ImportExportJob, ImportUpload
from imports.sheet_rows import row_label
from imports.web.dry_runs import upload_choices_fingerprint
from imports.web.validation_rules import upload_rules
from imports.web.value_fixes import value_fixes_effective

PREVIEW_ROWS = 10


def upload_create(*, company: Company, user, target_name: str, file: File, sheet: str | None = None,
                  previous: ImportUpload | None = None) -> ImportUpload:
    """Store an uploaded file and read its header; raises ImportFileError (and keeps nothing) for a file that
    cannot be imported. `previous` is the upload this one replaces: its mapping and options are kept."""
    target = get_target(target_name)
    check_file_size(file.size)
    if not file.size:
        raise ImportFileError("The file is empty.")
    upload = ImportUpload(
        company=company, created_by=user, target_model=target.name, file_name=Path(file.name).name,
        file_size=file.size,
    )
    if previous is not None:
        upload.import_mode, upload.duplicate_handling = previous.import_mode, previous.duplicate_handling
        upload.all_or_nothing, upload.template_name = previous.all_or_nothing, previous.template_name
        upload.value_fixes = dict(previous.value_fixes)
    upload.file.save(upload.file_name, file, save=False)
    try:
        with stored_file_local(upload.file) as path:
            upload.sheet_names = workbook_sheet_names(path)
            if len(upload.sheet_names) > 1 and not sheet:
                upload.mapping = dict(previous.mapping) if previous is not None else {}  # applied once it is chosen
            else:
                _read_header(upload, path, sheet=sheet, explicit=previous.mapping if previous is not None else None)
        upload.save()
    except BaseException:
        # Whatever stopped it (a refused file, a bug, memory, the worker being stopped), no row refers to the file.
        upload.file.delete(save=False)
        raise
    return upload


def workbook_sheet_names(path: Path) -> list[str]:
    """The sheets of an Excel workbook (the user picks one before its header is read); [] for other files."""
    source_format = sniffing.detect_format(path)
    if source_format not in (sniffing.XLSX, sniffing.XLS):
        return []
    source = XlsxStream(path) if source_format == sniffing.XLSX else XlsSource(path)
    try:
        return list(source.sheet_names)
    finally:
        source.close()


def upload_read_header(upload: ImportUpload, *, sheet: str | None, explicit: dict | None = None) -> None:
    """Find the sheet's header and match its columns (explicit mapping first, then by name and synonym)."""
    with stored_file_local(upload.file) as path:
        _read_header(upload, path, sheet=sheet, explicit=explicit)


def _read_header(upload: ImportUpload, path: Path, *, sheet: str | None, explicit: dict | None) -> None:
    target = get_target(upload.target_model)
    with Table(path, sheet=sheet or None, header_score=target.header_score, streamed=True) as table:
        sample = [[row.number, row.cells, row.sheet_row] for row in islice(table.rows(), PREVIEW_ROWS)]
        if not sample:
            raise ImportFileError("The file has a header row but no data rows.")
        if table.format in (sniffing.CSV, sniffing.JSON):
            # Read through once, by the import's reader under its limits (a JSON file already was, for its
            # header), so a file the import would refuse is refused here, with the same sentence.
            ReadLimits.from_settings().check_rows(table.count_rows())
        upload.sheet, upload.sheet_names, upload.columns = table.sheet or "", table.sheet_names, table.columns
        upload.sample_rows = sample  # kept, so the preview never reads the file again
    upload_apply_mapping(upload, map_columns(target, upload.columns, _known_fields(target, explicit or {}), guess=True))


def _known_fields(target: ImportTarget, mapping: dict) -> dict[str, str | None]:
    """A saved mapping's entries that still apply: columns ignored on purpose, and fields the target has."""
    return {column: name for column, name in mapping.items() if name is None or name in target.fields_by_name}


def upload_apply_mapping(upload: ImportUpload, mapping: ColumnMapping) -> None:
    upload.mapping = {match.column: match.field for match in mapping.matches}
    upload.match_confidence = {match.column: match.confidence for match in mapping.matches}


def upload_set_mapping(upload: ImportUpload, chosen: dict[str, str | None]) -> None:
    """Take the user's choice of field for each column (None: ignore it); raises ImportFileError when two columns
    feed one field or a field does not exist."""
    target = get_target(upload.target_model)
    cleaned = mapping_validate(target, {column: chosen.get(column) or None for column in upload.columns})
    for column in upload.columns:
        if cleaned[column] != upload.mapping.get(column):
            upload.match_confidence[column] = 1.0 if cleaned[column] else 0.0  # the user chose it
    upload.mapping = cleaned
    upload.save(update_fields=["mapping", "match_confidence"])


def missing_required(upload: ImportUpload) -> list[str]:
    """Required fields (for the upload's mode) that no column feeds, by their labels ("Meter number")."""
    target = get_target(upload.target_model)
    mapped = {name for name in upload.mapping.values() if name}
    return [target.label_of(name) for name in target.required_columns(upload.import_mode) if name not in mapped]


# --- Preview ---------------------------------------------------------------------------------------------------


@dataclass
class PreviewCell:
    text: str
    error: str = ""


@dataclass
class PreviewRow:
    number: int
    outcome: str
    cells: list[PreviewCell]
    reasons: list[str] = field(default_factory=list)  # every error, "column: message", shown beside the outcome
    warnings: list[str] = field(default_factory=list)
    label: str = ""  # "row 5, sheet row 10"


@dataclass
class Preview:
    fields: list[str]
    rows: list[PreviewRow]
    labels: list[str] = field(default_factory=list)  # the fields' labels, for the column headers people read


def upload_preview(upload: ImportUpload) -> Preview:
    """The first rows as they would be stored with the current mapping and options: values normalised, defaults
    filled in, and each problem on the cell it belongs to. Nothing is written."""
    target = get_target(upload.target_model)
    mapping = ColumnMapping.applied(upload.columns, upload.mapping)
    context = ImportContext(company=upload.company, today=timezone.localdate(), gate=WRITES_NOTHING)
    options = ImportOptions(mode=upload.import_mode, duplicates=upload.duplicate_handling, dry_run=True,
                            fixes=value_fixes_effective(upload), rules=upload_rules(upload))
    planner = BatchPlanner(target=target, mapping=mapping, width=len(upload.columns), options=options,
                           context=context)
    # Uploads read before sheet rows were kept hold [number, cells].
    rows = [SourceRow(sample[0], list(sample[1]), sheet_row=sample[2] if len(sample) > 2 else None)
            for sample in upload.sample_rows]
    context.duplicates_set(
        repeats_within([row.cells for row in rows], [row.number for row in rows], mapping=mapping, target=target,
                       fixes=options.fixes, rules=options.rules),
        sheet_rows={row.number: row.sheet_row for row in rows if row.sheet_row is not None},
    )
    plans = planner.plan(rows) if rows else []
    mapped = {name for name in upload.mapping.values() if name}
    if target.generates_keys:
        mapped.add(target.key)  # shown as "(generated)" where the file leaves it blank
    shown = [f.name for f in target.fields if f.name in mapped or any(f.name in plan.values for plan in plans)]
    preview_rows = []
    for plan in plans:
        errors = {}
        for error in plan.errors:
            if error.field in shown:
                errors[error.field] = "; ".join(filter(None, (errors.get(error.field), error.message)))
        cells = []
        for name in shown:
            value = plan.values.get(name)
            if value is None and name in errors and name in planner.columns_by_field:
                value_text = plan.source.cells[planner.columns_by_field[name][1]]  # the cell as the file has it
            else:
                value_text = target.fields_by_name[name].to_text(value)
            if name == target.key and value is None and target.generates_keys and not plan.failed:
                value_text = "(generated)"
            cells.append(PreviewCell(value_text, errors.get(name, "")))
        outcome = plan.outcome.value if plan.outcome else Outcome.FAILED.value
        preview_rows.append(PreviewRow(
            plan.number, outcome, cells, [_reason(error) for error in plan.errors], list(plan.warnings),
            label=row_label(plan.number, plan.source.sheet_row),
        ))
    labels = [target.fields_by_name[name].label if name in target.fields_by_name else name for name in shown]
    return Preview(fields=shown, rows=preview_rows, labels=labels)


def _reason(error: CellError) -> str:
    """An error as the preview's result column gives it: the file's column it is about, then the message."""
    where = error.column or error.field
    return f"{where}: {error.message}" if where else error.message


# --- Templates -------------------------------------------------------------------------------------------------


def templates_for(upload: ImportUpload) -> list[tuple[DataTemplate, bool]]:
    """The company's import templates for the upload's target, each with whether its columns match the file;
    matching ones first."""
    columns = {normalise_header(column) for column in upload.columns}
    templates = DataTemplate.objects.filter(
        company=upload.company, target_model=upload.target_model, template_type=DataTemplate.TemplateType.IMPORT,
        is_active=True,
    )
    ranked = []
    for template in templates:
        named = {normalise_header(column) for column, name in template.field_mapping.items() if name}
        ranked.append((template, bool(named) and named <= columns))
    ranked.sort(key=lambda pair: (not pair[1], pair[0].template_name.casefold()))
    return ranked


def upload_apply_template(upload: ImportUpload, template: DataTemplate) -> None:
    target = get_target(upload.target_model)
    upload_apply_mapping(
        upload, map_columns(target, upload.columns, _known_fields(target, template.field_mapping), guess=True)
    )
    upload.template_name = template.template_name
    upload.value_fixes = dict(template.value_fixes)
    upload.save(update_fields=["mapping", "match_confidence", "template_name", "value_fixes"])


def template_save(*, upload: ImportUpload, name: str) -> DataTemplate:
    """Save the upload's mapping as the company's template `name` (replacing a template of that name)."""
    name = name.strip()
    if not name:
        raise ImportFileError("Give the template a name.")
    if len(name) > 200:
        raise ImportFileError("A template name has at most 200 characters.")
    template, _created = DataTemplate.objects.update_or_create(
        company=upload.company, target_model=upload.target_model, template_type=DataTemplate.TemplateType.IMPORT,
        template_name=name, defaults={
            "field_mapping": dict(upload.mapping), "value_fixes": value_fixes_effective(upload).as_dict(),
            "is_active": True,
        },
    )
    upload.template_name = name
    upload.save(update_fields=["template_name"])
    return template


# --- Jobs ------------------------------------------------------------------------------------------------------


def upload_start(*, upload: ImportUpload, user, dry_run: bool) -> ImportExportJob:
    """Create the dry-run or import job for the upload and queue it once this transaction commits."""
    missing = missing_required(upload)
    if missing:
        raise ImportFileError(f"Map a column to each required field first: {', '.join(missing)}.")
    target: ImportTarget = get_target(upload.target_model)
    # The template's rules, as the dry run's fingerprint holds them (imports.web.dry_runs).
    options = ImportOptions(mode=upload.import_mode, duplicates=upload.duplicate_handling, dry_run=dry_run,
                            fixes=value_fixes_effective(upload), rules=upload_rules(upload))
    with transaction.atomic():
        with upload.file.open("rb") as handle:
            job = job_create(
                company=upload.company, target_name=target.name, file=File(handle, name=upload.file_name),
                file_name=upload.file_name, options=options, user=user, mapping=upload.mapping,
                sheet=upload.sheet or None, all_or_nothing=upload.all_or_nothing, via=ImportExportJob.Via.WEB,
            )
        if upload.template_name:
            job.options["template"] = upload.template_name
        if dry_run:  # what the review page's Import button is held to (imports.web.dry_runs)
            job.options["choices"] = upload_choices_fingerprint(upload)
        job.save(update_fields=["options"])
        edits_copy_to_job(upload, job)  # the cells fixed on the review page: the job reads its rows with them
        job_enqueue(job)
        if dry_run:
            upload.validation_job = job
        else:
            upload.import_job = job
        upload.save(update_fields=["validation_job" if dry_run else "import_job"])
    return job
