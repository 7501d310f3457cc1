"""A file as a table: a header and numbered data rows, whatever the format underneath."""

from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import TypeVar

from imports.declare.errors import ImportFileError
from imports.declare.outcomes import SourceRow
from imports.engine.readers import sniffing
from imports.engine.readers.delimited import DelimitedSource
from imports.engine.readers.jsonfile import JsonSource
from imports.engine.readers.workbooks import XlsSource
from imports.engine.readers.xlsx_stream import XlsxStream

HEADER_SEARCH_ROWS = 10
# An error report starts with these columns (reports written before sheet rows were kept, with the first two);
# importing the corrected report must ignore them.
REPORT_COLUMNS = ("row_number", "error_message", "sheet_row")

Position = TypeVar("Position")


def is_blank(cells: list[str]) -> bool:
    return not "".join(cells).strip()


def choose_header(candidates: list[list[str]], header_score: Callable[[list[str]], int] | None) -> int:
    """Which of the first non-blank rows is the header: the earliest that `header_score` rates highest, or, when
    no row scores, the earliest with the most filled cells (title rows above a header have few)."""
    if header_score is not None:
        scores = [header_score(cells) for cells in candidates]
        if max(scores) > 0:
            return scores.index(max(scores))
    filled = [sum(1 for cell in cells if cell.strip()) for cells in candidates]
    return filled.index(max(filled))


def find_header(
    rows: Iterable[tuple[list[str], Position]],
    header_score: Callable[[list[str]], int] | None,
    *,
    first: bool = False,
) -> tuple[list[str], Position]:
    """The header row of a file, with its position (whatever `rows` pairs each row's cells with: an index, an
    offset): among the first ten non-blank rows, the one `choose_header` picks, or the first one when `first` (a
    JSON file's header is the keys of its first record). The wizard's table and the job's layout both ask here, so
    they agree on the header of one file."""
    candidates = []
    for cells, position in rows:
        if is_blank(cells):
            continue
        candidates.append((cells, position))
        if len(candidates) == HEADER_SEARCH_ROWS:
            break
    if not candidates:
        raise ImportFileError("The file has no rows: it is empty or every row is blank.")
    if first:
        return candidates[0]
    return candidates[choose_header([cells for cells, _position in candidates], header_score)]


def report_columns_to_skip(header: list[str]) -> int:
    """How many leading columns are an error report's own (`row_number`, `error_message`, then `sheet_row` in the
    reports that have it), to be ignored."""
    leading = tuple(cell.strip().casefold() for cell in header[: len(REPORT_COLUMNS)])
    if leading[:2] != REPORT_COLUMNS[:2]:
        return 0
    return len(REPORT_COLUMNS) if leading == REPORT_COLUMNS else 2


def unique_columns(header: list[str]) -> list[str]:
    """Header names made unique and non-empty: a repeated 'Notes' becomes 'Notes (2)', a blank one 'column_7'."""
    columns, seen = [], set()
    for position, name in enumerate(header, start=1):
        name = name.strip() or f"column_{position}"
        candidate, copy = name, 1
        while candidate.casefold() in seen:
            copy += 1
            candidate = f"{name} ({copy})"
        seen.add(candidate.casefold())
        columns.append(candidate)
    return columns


class Table:
    """Header and data rows of a CSV, XLSX, XLS or JSON file.

    The header is the row, among the first ten non-blank ones, that `header_score` rates highest (a target rates a
    row by how many of its cells name the target's fields); when no row scores, the first row with the most filled
    cells. That finds a header under a few title rows, as Excel exports often have. Blank rows are skipped
    everywhere. `rows()` re-reads the file each call and holds one row at a time, so memory does not grow with it.
    """

    def __init__(self, path: Path, *, sheet: str | None = None, header_score: Callable[[list[str]], int] | None = None,
                 streamed: bool = False):
        self.path = Path(path)
        self.format = sniffing.detect_format(self.path)
        self._source = self._open_source(sheet, streamed)
        self.sheet_names: list[str] = getattr(self._source, "sheet_names", [])
        self.sheet: str | None = getattr(self._source, "sheet", None)
        self.encoding: str | None = getattr(self._source, "encoding", None)
        self.delimiter: str | None = getattr(self._source, "delimiter", None)
        try:
            self._header_index, header = self._find_header(header_score)
        except BaseException:
            self.close()
            raise
        self._skip = report_columns_to_skip(header)
        self.columns = unique_columns(header[self._skip :])
        if not self.columns:
            self.close()
            raise ImportFileError("The header row has no columns besides the error report's own (row_number, "
                                  "error_message, sheet_row).")

    def _open_source(self, sheet: str | None, streamed: bool):
        if self.format == sniffing.XLSX:
            return XlsxStream(self.path, sheet)
        if self.format == sniffing.XLS:
            return XlsSource(self.path, sheet)
        if self.format == sniffing.JSON:
            return JsonSource(self.path)
        return DelimitedSource(self.path)

    def _find_header(self, header_score) -> tuple[int, list[str]]:
        raw_rows = ((cells, index) for index, cells in enumerate(self._source.rows()))
        header, index = find_header(raw_rows, header_score, first=self.format == sniffing.JSON)
        return index, header

    def _non_blank_raw_rows(self) -> Iterator[tuple[int, list[str]]]:
        for index, cells in enumerate(self._source.rows()):
            if not is_blank(cells):
                yield index, cells

    def rows(self, start_after: int = 0) -> Iterator[SourceRow]:
        """Data rows in file order, numbered from 1, each with its sheet row (a JSON file has none);
        `start_after` skips rows already processed."""
        width, skip, number = len(self.columns), self._skip, 0
        on_sheet = self.format != sniffing.JSON
        for index, cells in self._non_blank_raw_rows():
            if index <= self._header_index:
                continue
            number += 1
            if number <= start_after:
                continue
            cells = cells[skip:] if skip else cells
            if len(cells) < width:
                cells = cells + [""] * (width - len(cells))
            yield SourceRow(number, cells, sheet_row=index + 1 if on_sheet else None)

    def count_rows(self) -> int:
        return sum(1 for index, _cells in self._non_blank_raw_rows() if index > self._header_index)

    def close(self) -> None:
        self._source.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
