"""Excel (.xlsx): one sheet streamed into the workbook's archive as the rows come (so memory stays flat), with a
bold, frozen header row, an autofilter, column widths fitted to the fields, and typed cells.

Every cell is typed on purpose, and read back by the product's own reader (imports.engine.readers.xlsx_stream) as
the text the field's import takes:
- dates are date cells (yyyy-mm-dd), which the reader gives back as ISO dates;
- moments are date-and-time cells in UTC (Excel has no time zones, and an import reads a moment without one as
  UTC); the reader gives them back to the millisecond, so a moment with finer digits is written as its text;
- a date or moment before 1900-03-01 is text: Excel's calendar starts in 1900 and gets its first two months wrong;
- numbers and amounts are number cells when a double holds them exactly (15 significant digits, what the reader
  gives back), else text;
- yes/no values are boolean cells, which the reader gives back as true/false;
- everything else (ZIP codes, phones, account numbers, a name that starts with `=`) is a text cell: no leading
  zero lost, never a formula, and so no apostrophe either, except before a value's own leading `'`.

The workbook is the one XlsxWriter writes in constant-memory mode, written here by hand: XlsxWriter's Python work
on each cell held a 28-column export to some 5,000 rows a second, where this writer builds a block's XML a column
at a time (xlsx_cells) and deflates it into the archive as it goes (xlsx_package), eight times as fast. A property
test holds the two workbooks equal, cell by cell and in their header, pane, filter and widths.
"""

import datetime as dt
from collections.abc import Sequence
from itertools import chain
from typing import Any, BinaryIO

from openpyxl.utils import get_column_letter

from imports.engine.exports.columns import ExportColumn
from imports.engine.exports.writers.base import ExportTooLarge, ExportWriter, ReportInfo
from imports.engine.exports.writers.xlsx_cells import column_cells, header_cell
from imports.engine.exports.writers.xlsx_package import WorkbookPackage

SHEET_NAME = "Export"
# Column widths in Excel's units (about one character each), by kind; text columns follow their maximum length.
_WIDTHS = {
    "date": 12, "datetime": 20, "email": 28, "phone": 16, "postal_code": 11, "us_state": 7, "boolean": 8,
    "number": 14, "money": 14, "url": 30, "choice": 14,
}
_TEXT_WIDTH_LIMITS = (10, 40)
_FILTER_BUTTON = 3  # room for the autofilter's drop-down arrow beside the header

# Excel's sheets end at row 1,048,576; a workbook with more rows does not open.
MAX_DATA_ROWS = 1_048_575
# Rows are converted and written this many at a time, so a block of any size costs the memory of this many.
_ROWS_AT_A_TIME = 2000


def to_millisecond(value: Any) -> Any:
    """A moment cut to the millisecond, which a date-time cell holds (anything else as it is)."""
    if isinstance(value, dt.datetime) and value.microsecond % 1000:
        return value.replace(microsecond=value.microsecond - value.microsecond % 1000)
    return value


def column_width(column: ExportColumn) -> int:
    """A width that shows a typical value and the whole header."""
    width = _WIDTHS.get(column.kind)
    if width is None:
        low, high = _TEXT_WIDTH_LIMITS
        width = max(low, min(high, column.field.max_length or high))
    return max(width, len(column.name) + _FILTER_BUTTON)


class ExcelWriter(ExportWriter):
    """One sheet, "Export", whose first row holds the field names (an import maps its columns by them)."""

    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def __init__(self, stream: BinaryIO, columns: Sequence[ExportColumn], report: ReportInfo):
        super().__init__(stream, columns, report)
        letters = [get_column_letter(index) for index in range(1, len(self.columns) + 1)]
        self._package = WorkbookPackage(
            stream, sheet_name=SHEET_NAME, widths=[column_width(column) for column in self.columns],
            created=report.generated_at,
        )
        if self.columns:
            names = (column.name for column in self.columns)
            header = "".join(header_cell(letter, name) for letter, name in zip(letters, names, strict=True))
            self._package.write(f'<row r="1">{header}</row>')
        self._cells = [column_cells(column, letter) for column, letter in zip(self.columns, letters, strict=True)]
        # A moment no import reads back (when a record was created, its address checked) is for people: a
        # date-time cell to the millisecond, where an importable one with finer digits stays exact as text.
        self._moments_for_people = [
            index for index, column in enumerate(self.columns) if column.kind == "datetime" and not column.importable
        ]

    def write_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if self.rows_written + len(rows) > MAX_DATA_ROWS:
            raise ExportTooLarge(
                f"An Excel sheet holds at most {MAX_DATA_ROWS:,} rows and this export has more: narrow it with "
                "filters, or choose CSV or JSON, which hold any number."
            )
        for start in range(0, len(rows), _ROWS_AT_A_TIME):
            self._write_block(rows[start : start + _ROWS_AT_A_TIME])

    def _write_block(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if not rows:
            return
        width = len(self._cells)
        values_by_column = list(zip(*rows, strict=True))
        if len(values_by_column) != width:
            raise ValueError(f"a row has {len(values_by_column)} values for {width} columns")
        for index in self._moments_for_people:
            values_by_column[index] = tuple(map(to_millisecond, values_by_column[index]))
        first = self.rows_written + 2  # the header is row 1
        numbers = list(map(str, range(first, first + len(rows))))
        cells_by_column = [cells(values, numbers) for cells, values in zip(self._cells, values_by_column, strict=True)]
        starts = [f'<row r="{number}">' for number in numbers]
        ends = ["</row>"] * len(rows)
        # A row of empty cells is left out, as Excel leaves it out; a column without an empty cell means none is.
        if all(None in values for values in values_by_column):
            for index, row in enumerate(rows):
                if row.count(None) == width:
                    starts[index] = ends[index] = ""
        self._package.write("".join(chain.from_iterable(zip(starts, *cells_by_column, ends, strict=True))))
        self.rows_written += len(rows)

    def close(self) -> None:
        self._package.close(self.rows_written + 1)
