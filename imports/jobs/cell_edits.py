"""Fixing a dry run's failing rows cell by cell: each edit is kept on the upload, the row is judged again at once,
and the jobs started from the upload afterwards read their rows with the edits (imports.engine.cell_edits).

An edited row is judged by the dry run's own planner (its mapping, mode, value fixes), against the records stored
now, with every rule a batch applies. Repeats within the file are the dry run's: a repeat of a field the edit
changed no longer holds and is left out; whether the new value repeats another row of the file is judged when the
import reads the whole file again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.outcomes import Outcome, RowPlan, SourceRow
from imports.engine.references import verdict_field
from imports.jobs.import_kind import job_planner
from imports.models import CellEdit, ImportDuplicate, ImportExportJob, ImportExportLog, ImportUpload
from imports.sheet_rows import SHEET_ROW, row_label

# People type edits one by one; more than this on one upload is a file to fix in a spreadsheet.
MAX_EDITS_PER_UPLOAD = 100_000
_JUDGED_AT_ONCE = 1000  # rows judged again in one batch, as an import's batch


@dataclass
class FailingRow:
    """A failing row of a dry run as it reads now: its cells with the upload's edits, and what became of it."""

    number: int
    sheet_row: int | None
    cells: dict[str, str]  # file column -> text, edits in place
    edited: set[str]  # the columns an edit changed
    plan: RowPlan | None = None  # the verdict with the edits; None while the row is as the dry run saw it
    original_errors: list | None = None  # the dry run's problems (its log entry's details)
    edited_now: bool = False  # whether the edit just asked for changed a cell (an unchanged cell is no edit)

    @property
    def label(self) -> str:
        return row_label(self.number, self.sheet_row)

    @property
    def fixed(self) -> bool:
        return self.plan is not None and not self.plan.failed


def failing_rows(upload: ImportUpload, job: ImportExportJob, numbers: list[int] | None = None,
                 *, logs: list[ImportExportLog] | None = None) -> list[FailingRow]:
    """The dry run's failing rows (those of `logs`, or the rows `numbers`), with the upload's edits in place and
    each edited row judged again."""
    if logs is None:
        logs = list(failing_logs(job).filter(record_number__in=numbers or []))
    current = _current_edits(upload, [log.record_number for log in logs])
    rows = []
    for log in logs:
        cells = {column: str(log.record_data.get(column, "")) for column in job.source_columns}
        edits = current.get(log.record_number, {})
        cells.update(edits)
        rows.append(FailingRow(
            number=log.record_number, sheet_row=log.record_data.get(SHEET_ROW), cells=cells,
            edited={column for column, text in edits.items() if text != log.record_data.get(column, "")},
            original_errors=log.details,
        ))
    _rejudge(job, [row for row in rows if row.edited])
    return rows


def cells_edit(*, upload: ImportUpload, job: ImportExportJob, user, row_number: int,
               changes: dict[str, str]) -> FailingRow:
    """Keep the `changes` (file column -> new text) of failing row `row_number` of the dry run `job` that differ
    from the row's current text as edits of the upload, each with its before and after, and judge the row again.
    Raises ImportFileError, nothing kept, for a row the dry run did not fail, a column it does not map, a text too
    long, or an upload with too many edits."""
    log = failing_logs(job).filter(record_number=row_number).first()
    if log is None:
        raise ImportFileError(f"Row {row_number} is not among the rows this validation found failing.")
    mapped = {column for column, name in job.field_mapping.items() if name}
    for column, text in changes.items():
        if column not in mapped:
            raise ImportFileError(f"The column '{column[:100]}' is not imported, so there is nothing to fix in it.")
        if len(text) > settings.IMPORT_MAX_CELL_CHARS:
            raise ImportFileError(f"A cell holds at most {settings.IMPORT_MAX_CELL_CHARS:,} characters.")
    with transaction.atomic():
        ImportUpload.objects.select_for_update().filter(pk=upload.pk).first()  # one writer of an upload's edits
        before = {**{column: str(log.record_data.get(column, "")) for column in changes},
                  **_current_edits(upload, [row_number]).get(row_number, {})}
        made = [
            CellEdit(upload=upload, row_number=row_number, sheet_row=log.record_data.get(SHEET_ROW), column=column,
                     before=before.get(column, ""), after=text, edited_by=user, edited_at=timezone.now())
            for column, text in changes.items() if text != before.get(column, "")
        ]
        if made and _drafts(upload).count() + len(made) > MAX_EDITS_PER_UPLOAD:
            raise ImportFileError(
                f"This file already has {MAX_EDITS_PER_UPLOAD:,} cells fixed here: fix the rest in the error "
                "report and upload it again."
            )
        CellEdit.objects.bulk_create(made)
    row = failing_rows(upload, job, logs=[log])[0]
    row.edited_now = bool(made)
    return row


@dataclass
class EditsSummary:
    """What the upload's edits did to the dry run's failing rows: how many were edited, how many now pass, and
    how many of those would be written (created or updated)."""

    edited: int = 0
    fixed: int = 0
    fixed_writes: int = 0


def edits_summary(upload: ImportUpload, job: ImportExportJob) -> EditsSummary:
    """The failing rows of dry run `job` the upload has edits of, each judged again (a batch at a time)."""
    summary = EditsSummary()
    numbers = edited_rows(upload)
    for start in range(0, len(numbers), _JUDGED_AT_ONCE):
        for row in failing_rows(upload, job, numbers[start:start + _JUDGED_AT_ONCE]):
            if not row.edited:
                continue
            summary.edited += 1
            if row.fixed:
                summary.fixed += 1
                summary.fixed_writes += row.plan.outcome in (Outcome.CREATED, Outcome.UPDATED)
    return summary


def edits_copy_to_job(upload: ImportUpload, job: ImportExportJob) -> int:
    """Give `job` (just asked for from `upload`) its own copy of the upload's edits, which it reads its rows with
    whatever is edited later; the number of edits copied."""
    copies = [
        CellEdit(upload=upload, job=job, row_number=edit.row_number, sheet_row=edit.sheet_row, column=edit.column,
                 before=edit.before, after=edit.after, edited_by_id=edit.edited_by_id, edited_at=edit.edited_at)
        for edit in _drafts(upload).order_by("id").iterator(chunk_size=2000)
    ]
    CellEdit.objects.bulk_create(copies, batch_size=2000)
    return len(copies)


def job_cell_edits(job: ImportExportJob, limit: int = 100) -> tuple[int, list[CellEdit]]:
    """How many cells the job read as edited, and the first `limit` edits (who, which cell, before, after)."""
    edits = job.cell_edits.select_related("edited_by").order_by("row_number", "id")
    return edits.count(), list(edits[:limit])


def edited_rows(upload: ImportUpload) -> list[int]:
    """The rows the upload has edits of, in order."""
    return sorted(set(_drafts(upload).values_list("row_number", flat=True)))


def _drafts(upload: ImportUpload):
    return CellEdit.objects.filter(upload=upload, job__isnull=True)


def failing_logs(job: ImportExportJob):
    """The log entries of the rows the dry run `job` failed."""
    return job.logs.filter(log_level=ImportExportLog.Level.ERROR, record_number__isnull=False)


def _current_edits(upload: ImportUpload, numbers: list[int]) -> dict[int, dict[str, str]]:
    """Rows `numbers`' edited cells: row -> {column: latest text}."""
    current: dict[int, dict[str, str]] = {}
    edits = _drafts(upload).filter(row_number__in=numbers).order_by("id")
    for row, column, text in edits.values_list("row_number", "column", "after"):
        current.setdefault(row, {})[column] = text
    return current


def _rejudge(job: ImportExportJob, rows: list[FailingRow]) -> None:
    """Judge the edited rows again, as one batch of the dry run's planner would, as of today."""
    if not rows:
        return
    planner = job_planner(job, today=timezone.localdate())
    target, columns = planner.target, job.source_columns
    changed_fields = {row.number: _fields_fed(job, row.edited) for row in rows}
    if target.key_parts:  # a composite key changes with any of its parts
        for fields in changed_fields.values():
            if fields & set(target.key_parts):
                fields.add(target.key)
    repeats = ImportDuplicate.objects.filter(job=job, row_number__in=list(changed_fields))
    planner.context.duplicates_set(
        (row, name, first) for row, name, first in repeats.values_list("row_number", "field", "first_row")
        if verdict_field(name) not in changed_fields[row]
    )
    sources = [
        SourceRow(row.number, [row.cells.get(column, "") for column in columns], sheet_row=row.sheet_row)
        for row in rows
    ]
    for row, plan in zip(rows, planner.plan(sources), strict=True):
        row.plan = plan


def _fields_fed(job: ImportExportJob, columns: set[str]) -> set[str]:
    return {job.field_mapping[column] for column in columns if job.field_mapping.get(column)}

