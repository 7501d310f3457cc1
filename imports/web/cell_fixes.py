"""The review page's grid of failing rows, fixed cell by cell (imports.jobs.cell_edits).

A page of failing rows at a time, each imported column an input; a row's problems sit beside its row number, so
they are never scrolled off to the right. Without JavaScript the page is one form: saving it keeps every cell that
changed and shows the page again with each edited row judged anew. With JavaScript a changed cell sends its row at
once and the row is drawn again from the server's answer (the same template), so the two never disagree.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.shortcuts import redirect, render
from django.urls import reverse

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.jobs.cell_edits import FailingRow, cells_edit, failing_logs, failing_rows, job_cell_edits
from imports.models import CellEdit, ImportExportJob, ImportUpload
from imports.web.masking import mask

ROWS_PER_PAGE = 25
FRAGMENT = "fragment"  # what the page's script asks for: the one row drawn again, not the whole page


@dataclass
class GridColumn:
    index: int  # among the file's columns (the inputs are named by it: a header may hold any character)
    name: str  # as the file's header writes it
    label: str  # the field it feeds


@dataclass
class GridRow:
    row: FailingRow
    cells: list[tuple[GridColumn, str, str]]  # column, text, its problem ("" when none)
    problems: list[str]  # every problem of the row, each after the label of its field


@dataclass
class FixGrid:
    columns: list[GridColumn]
    rows: list[GridRow]
    page: Page


def cell_edits_shown(job: ImportExportJob) -> tuple[int, list[CellEdit]]:
    """The job page's record of the cells its rows were read with: how many, and the first ones, the texts of a
    column feeding health data (a patient's name, date of birth) masked, as the records pages mask them."""
    count, edits = job_cell_edits(job)
    sensitive = get_target(job.target_model).sensitive_fields
    for edit in edits:
        if job.field_mapping.get(edit.column) in sensitive:
            edit.before, edit.after = mask(edit.before), mask(edit.after)
    return count, edits


def grid_columns(job: ImportExportJob) -> list[GridColumn]:
    """The file's imported columns, in its order."""
    fields = get_target(job.target_model).fields_by_name
    return [
        GridColumn(index, column, fields[name].label if name in fields else name)
        for index, column in enumerate(job.source_columns)
        if (name := job.field_mapping.get(column))
    ]


def fix_grid(upload: ImportUpload, job: ImportExportJob, page_number) -> FixGrid:
    """Page `page_number` of the dry run's failing rows, with the upload's edits in place."""
    page = Paginator(failing_logs(job).order_by("record_number"), ROWS_PER_PAGE).get_page(page_number)
    columns = grid_columns(job)
    rows = failing_rows(upload, job, logs=list(page.object_list))
    return FixGrid(columns=columns, rows=[grid_row(row, columns) for row in rows], page=page)


def grid_row(row: FailingRow, columns: list[GridColumn]) -> GridRow:
    """A row's cells and problems: with its edits judged again when it has any, else as the dry run found it."""
    if row.plan is not None:
        problems = [(error.column, error.message) for error in row.plan.errors or ()]
    else:
        problems = [(detail.get("column"), detail["message"]) for detail in row.original_errors or ()
                    if detail.get("message")]
    labels = {column.name: column.label for column in columns}
    by_column: dict[str, list[str]] = {}
    for column, message in problems:
        by_column.setdefault(column or "", []).append(message)
    return GridRow(
        row=row,
        cells=[(column, row.cells.get(column.name, ""), " ".join(by_column.get(column.name, ())))
               for column in columns],
        problems=[f"{labels[column]}: {message}" if column in labels else message
                  for column, message in problems],
    )


def cells_fix(request, upload: ImportUpload):
    """Keep the cells the grid's form changed, row by row; then the review page again at the same grid page
    (or, for the page's script, the one row drawn again)."""
    job = upload.validation_job
    page_number = request.POST.get("page", "1")
    back = reverse("imports:wizard_review", args=[upload.pk]) + f"?page={page_number}#fix-rows"
    refusal = _refusal(job, request.POST.get("dry_run", ""))
    if refusal:
        if request.POST.get(FRAGMENT):
            return render(request, "imports/wizard/_fix_refused.html", {"refusals": [refusal]}, status=409)
        messages.error(request, refusal)
        return redirect(back)
    columns = grid_columns(job)
    changed, refused = [], []
    for number, cells in sorted(_posted_cells(request.POST, job).items()):
        try:
            row = cells_edit(upload=upload, job=job, user=request.user, row_number=number, changes=cells)
        except ImportFileError as error:
            refused.append(str(error))
            continue
        if row.edited_now:
            changed.append(row)
    if request.POST.get(FRAGMENT):
        if refused:
            return render(request, "imports/wizard/_fix_refused.html", {"refusals": refused}, status=400)
        rows = changed or failing_rows(upload, job, list(_posted_cells(request.POST, job)))
        return render(request, "imports/wizard/_fix_rows.html", {
            "grid_rows": [grid_row(row, columns) for row in rows], "columns": columns,
        })
    for message in refused:
        messages.error(request, message)
    if changed:
        messages.success(request, _saved_message(len(changed), sum(1 for row in changed if row.fixed)))
    return redirect(back)


def _refusal(job: ImportExportJob | None, shown_dry_run: str) -> str | None:
    if job is None or not job.is_finished:
        return "Cells can be fixed once the validation has finished."
    if shown_dry_run != str(job.pk):
        return ("The file was validated again after this page was shown, so nothing was saved: fix the rows "
                "this latest validation shows.")
    return None


def _saved_message(saved: int, fixed: int) -> str:
    rows = "row" if saved == 1 else "rows"
    if fixed == saved:
        return f"Saved your changes to {saved:,} {rows}: {'it passes' if saved == 1 else 'they all pass'} now."
    failing = saved - fixed
    return (f"Saved your changes to {saved:,} {rows}: {fixed:,} {'passes' if fixed == 1 else 'pass'} now, "
            f"{failing:,} still {'fails' if failing == 1 else 'fail'}.")


def _posted_cells(posted, job: ImportExportJob) -> dict[int, dict[str, str]]:
    """The posted cells (`cell-<row>-<column index>`), by row and column name. The form posts every cell of its
    page; the ones equal to the row's current text are no edit (imports.jobs.cell_edits.cells_edit)."""
    columns = job.source_columns
    cells: dict[int, dict[str, str]] = {}
    for key, text in posted.items():
        kind, _, place = key.partition("-")
        row, _, index = place.partition("-")
        if kind == "cell" and row.isdigit() and index.isdigit() and int(index) < len(columns):
            cells.setdefault(int(row), {})[columns[int(index)]] = text
    return cells
