"""Excel (.xlsx): XlsxWriter in constant-memory mode (rows go to a temporary file as they are written), with a bold,
frozen header row, an autofilter, column widths fitted to the fields, and typed cells. XlsxWriter makes the
workbook; the rows' XML is made a block at a time by xlsx_rows, byte for byte what XlsxWriter writes cell by cell,
at several times its speed.

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
"""

import functools
import threading
import zipfile
from collections.abc import Sequence
from typing import Any, BinaryIO

import xlsxwriter
import xlsxwriter.workbook
from xlsxwriter.worksheet import Worksheet

from imports.engine.exports.columns import ExportColumn
from imports.engine.exports.writers.base import ExportTooLarge, ExportWriter, ReportInfo
from imports.engine.exports.writers.xlsx_rows import SheetRows

# Column widths in Excel's units (about one character each), by kind; text columns follow their maximum length.
_WIDTHS = {
    "date": 12, "datetime": 20, "email": 28, "phone": 16, "postal_code": 11, "us_state": 7, "boolean": 8,
    "number": 14, "money": 14, "url": 30, "choice": 14,
}
_TEXT_WIDTH_LIMITS = (10, 40)
_FILTER_BUTTON = 3  # room for the autofilter's drop-down arrow beside the header
_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "money": "#,##0.00"}
# Rows are made into XML this many at a time, so a block of any size costs the memory of this many.
_ROWS_AT_A_TIME = 2000

# Excel's sheets end at row 1,048,576, and XlsxWriter leaves out, without a word, any row written past it.
MAX_DATA_ROWS = 1_048_575


def column_width(column: ExportColumn) -> int:
    """A width that shows a typical value and the whole header."""
    width = _WIDTHS.get(column.kind)
    if width is None:
        low, high = _TEXT_WIDTH_LIMITS
        width = max(low, min(high, column.field.max_length or high))
    return max(width, len(column.name) + _FILTER_BUTTON)


class QuickZipWorkbook(xlsxwriter.Workbook):
    """XlsxWriter's workbook, zipped at zlib's fastest level instead of its default (6).

    Deflating a million-row sheet (a gigabyte of XML) at the default level takes about half of an Excel export's
    time; the fastest level takes a third of that, for a file about a quarter larger (135 MB instead of 106 MB for a
    million customers). XlsxWriter has no setting for it: it opens its zip file by the name `ZipFile` of its
    workbook module, which is pointed, while this workbook is stored, at zipfile.ZipFile with the level given. The
    lock keeps two workbooks stored at once in threads from restoring each other's name.
    """

    ZIP_LEVEL = 1
    _storing = threading.Lock()

    def _store_workbook(self) -> None:
        with self._storing:
            xlsxwriter.workbook.ZipFile = functools.partial(zipfile.ZipFile, compresslevel=self.ZIP_LEVEL)
            try:
                super()._store_workbook()
            finally:
                xlsxwriter.workbook.ZipFile = zipfile.ZipFile


class BlockSheet(Worksheet):
    """XlsxWriter's worksheet (constant-memory mode), also taking whole blocks of rows already made into its XML
    (xlsx_rows), after the row it still holds itself (the header). A subclass, as XlsxWriter's documentation shows
    for extending a worksheet (`add_worksheet(name, worksheet_class)`)."""

    def rows_xml_write(self, xml: str, first_row: int, next_row: int, last_row: int | None) -> None:
        """Write rows `first_row` to `next_row - 1` (counted from 0, as XlsxWriter does) given as their XML;
        `last_row` is the last of them holding a cell (None when none does)."""
        if first_row > self.previous_row:
            self._write_single_row(first_row)  # the row XlsxWriter holds until the next one starts
        self.fh.write(xml)
        if last_row is not None:
            self._check_dimensions(last_row, 0)  # the header spans every column already: rows are what grows
        self.previous_row = next_row


class ExcelWriter(ExportWriter):
    """One sheet, "Export", whose first row holds the field names (an import maps its columns by them)."""

    extension = "xlsx"
    content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

    def __init__(self, stream: BinaryIO, columns: Sequence[ExportColumn], report: ReportInfo):
        super().__init__(stream, columns, report)
        # XlsxWriter zips its parts into any writable binary stream; constant_memory keeps the rows in a temporary
        # file instead of memory. No string is ever turned into a formula, a number or a link.
        self._workbook = QuickZipWorkbook(
            stream,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        sheet = self._workbook.add_worksheet("Export", worksheet_class=BlockSheet)
        self._sheet = sheet
        bold = self._workbook.add_format({"bold": True})
        formats = {kind: self._workbook.add_format({"num_format": code}) for kind, code in _NUMBER_FORMATS.items()}
        # Each format's number in the workbook's styles, fixed now in this order rather than by first use.
        for cell_format in (bold, *formats.values()):
            cell_format._get_xf_index()
        # Widths and formats before any row: constant_memory writes each row once, as soon as the next one starts.
        for index, column in enumerate(self.columns):
            sheet.set_column(index, index, column_width(column))
        sheet.freeze_panes(1, 0)
        for index, column in enumerate(self.columns):
            sheet.write_string(0, index, column.name, bold)
        self._formats = formats
        self._rows = SheetRows(sheet, self.columns, formats)

    def write_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        if self.rows_written + len(rows) > MAX_DATA_ROWS:
            raise ExportTooLarge(
                f"An Excel sheet holds at most {MAX_DATA_ROWS:,} rows and this export has more: narrow it with "
                "filters, or choose CSV or JSON, which hold any number."
            )
        for start in range(0, len(rows), _ROWS_AT_A_TIME):
            block = rows[start : start + _ROWS_AT_A_TIME]
            first_row = self.rows_written + 1  # counted from 0, after the header
            xml, last_number = self._rows.xml(block, first_row + 1)
            last_row = None if last_number is None else last_number - 1
            self._sheet.rows_xml_write(xml, first_row, first_row + len(block), last_row)
            self.rows_written += len(block)

    def close(self) -> None:
        if self.columns:
            self._sheet.autofilter(0, 0, self.rows_written, len(self.columns) - 1)
        self._workbook.close()
