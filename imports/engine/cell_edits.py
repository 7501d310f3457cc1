"""Cells changed in the browser, read in place of the file's own text wherever a job reads its rows.

A job keeps the edits it runs with (imports.models.CellEdit, copied from its upload when the job was asked for);
its scan and its batches read each row's cells through `CellEdits.applied`, so a dry run, the import and the
repeats found within the file all see the same values. Edits are few beside the rows (people type them), so a
chunk's are held in memory, looked up by row.
"""

from collections.abc import Iterable

from imports.models import CellEdit


class CellEdits:
    """The cells to read differently, by data row: {row: {column index: text}}; the latest edit of a cell counts."""

    def __init__(self, by_row: dict[int, dict[int, str]] | None = None):
        self.by_row = by_row or {}

    def __bool__(self) -> bool:
        return bool(self.by_row)

    @classmethod
    def of_job(cls, job_id, columns: list[str], first_row: int = 1, last_row: int | None = None) -> "CellEdits":
        """The job's edits of rows first_row..last_row, by the index of their column among `columns` (the file's
        columns as laid out); an edit of a column the file no longer has is left out."""
        edits = CellEdit.objects.filter(job_id=job_id, row_number__gte=first_row)
        if last_row is not None:
            edits = edits.filter(row_number__lte=last_row)
        return cls.from_entries(edits.order_by("id").values_list("row_number", "column", "after"), columns)

    @classmethod
    def from_entries(cls, entries: Iterable[tuple[int, str, str]], columns: list[str]) -> "CellEdits":
        """Edits given as (row, column name, text) in the order they were made."""
        index_of = {name: index for index, name in enumerate(columns)}
        by_row: dict[int, dict[int, str]] = {}
        for row, column, text in entries:
            if column in index_of:
                by_row.setdefault(row, {})[index_of[column]] = text
        return cls(by_row)

    def applied(self, number: int, cells: list[str]) -> list[str]:
        """Row `number`'s cells with its edits in place (the same list when it has none)."""
        edits = self.by_row.get(number)
        if not edits:
            return cells
        edited = list(cells)
        width = max(edits) + 1
        if len(edited) < width:
            edited += [""] * (width - len(edited))
        for index, text in edits.items():
            edited[index] = text
        return edited
