"""The Excel export as XlsxWriter writes it, in constant-memory mode: the reference the product's own sheet writer
(imports.engine.exports.writers.xlsx_writer) is held equal to. It is the product's former Excel writer, typing each
cell by the same rules, and XlsxWriter's per-cell work made it too slow for a million rows; it writes rows past
Excel's last one without a word, so callers keep below it.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO

import xlsxwriter
from xlsxwriter.worksheet import Worksheet

from imports.declare.fields import ImportField
from imports.declare.formulas import escape_apostrophes
from imports.engine.exports.columns import ExportColumn
from imports.engine.exports.writers.base import ExportWriter, ReportInfo
from imports.engine.exports.writers.xlsx_writer import SHEET_NAME, column_width

# A double holds every decimal of 15 significant digits exactly, and the reader writes numbers back in 15.
_EXACT_DIGITS = 15
_EXACT_INTEGER = 2**53
_NUMBER_FORMATS = {"date": "yyyy-mm-dd", "datetime": "yyyy-mm-dd hh:mm:ss", "money": "#,##0.00"}

CellWriter = Callable[[int, Any], None]


def _is_exact_number(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite() and len(value.as_tuple().digits) <= _EXACT_DIGITS
    return isinstance(value, int) and not isinstance(value, bool) and -_EXACT_INTEGER < value < _EXACT_INTEGER


def _as_utc_naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo is not None else value


# Excel counts 1900 as a leap year: its serial numbers, and so its date cells, are only right from March 1900 on.
_FIRST_EXCEL_DATE = dt.date(1900, 3, 1)
_FIRST_EXCEL_MOMENT = dt.datetime(1900, 3, 1)


def _is_excel_date(value: Any) -> bool:
    return value.__class__ is dt.date and value >= _FIRST_EXCEL_DATE


def _excel_moment(value: Any) -> dt.datetime | None:
    """The UTC moment without a zone that a cell holds exactly (to the millisecond, from March 1900), or None."""
    if not isinstance(value, dt.datetime) or value.microsecond % 1000:
        return None
    moment = _as_utc_naive(value)
    return moment if moment >= _FIRST_EXCEL_MOMENT else None


class ReferenceExcelWriter(ExportWriter):
    """One sheet, "Export", whose first row holds the field names."""

    extension = "xlsx"

    def __init__(self, stream: BinaryIO, columns: Sequence[ExportColumn], report: ReportInfo):
        super().__init__(stream, columns, report)
        # XlsxWriter zips its parts into any writable binary stream; constant_memory keeps the rows in a temporary
        # file instead of memory. No string is ever turned into a formula, a number or a link.
        self._workbook = xlsxwriter.Workbook(
            stream,
            {
                "constant_memory": True,
                "strings_to_formulas": False,
                "strings_to_numbers": False,
                "strings_to_urls": False,
            },
        )
        sheet = self._workbook.add_worksheet(SHEET_NAME)
        self._sheet = sheet
        formats = {kind: self._workbook.add_format({"num_format": code}) for kind, code in _NUMBER_FORMATS.items()}
        # Widths and formats before any row: constant_memory writes each row once, as soon as the next one starts.
        for index, column in enumerate(self.columns):
            sheet.set_column(index, index, column_width(column))
        sheet.freeze_panes(1, 0)
        bold = self._workbook.add_format({"bold": True})
        for index, column in enumerate(self.columns):
            sheet.write_string(0, index, column.name, bold)
        self._cells = [_cell_writer(sheet, index, column, formats) for index, column in enumerate(self.columns)]

    def write_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        cells = self._cells
        number = self.rows_written
        for row in rows:
            number += 1
            for cell, value in zip(cells, row, strict=True):
                if value is not None:
                    cell(number, value)
        self.rows_written = number

    def close(self) -> None:
        if self.columns:
            self._sheet.autofilter(0, 0, self.rows_written, len(self.columns) - 1)
        self._workbook.close()


def _cell_writer(sheet: Worksheet, index: int, column: ExportColumn, formats: dict) -> CellWriter:
    """How one column's values are written: a typed cell where the value's type is the column's, else its text."""
    to_text = column.field.to_text
    plain_text = type(column.field).to_text is ImportField.to_text

    def text(row: int, value: Any) -> None:
        if not plain_text or value.__class__ is not str or value.startswith("'"):
            value = escape_apostrophes(to_text(value))  # stored text is its own to_text: most values skip this
        sheet.write_string(row, index, value)

    kind = column.kind
    if kind == "date":
        date_format = formats["date"]

        def date(row: int, value: Any) -> None:
            if _is_excel_date(value):
                sheet.write_datetime(row, index, value, date_format)
            else:
                text(row, value)

        return date
    if kind == "datetime":
        moment_format = formats["datetime"]

        def moment(row: int, value: Any) -> None:
            if not column.importable and isinstance(value, dt.datetime):  # for people: to the millisecond
                value = value.replace(microsecond=value.microsecond - value.microsecond % 1000)
            excel_moment = _excel_moment(value)
            if excel_moment is not None:
                sheet.write_datetime(row, index, excel_moment, moment_format)
            else:
                text(row, value)

        return moment
    if kind in ("number", "money"):
        number_format = formats.get(kind)

        def number(row: int, value: Any) -> None:
            if _is_exact_number(value):
                sheet.write_number(row, index, float(value), number_format)
            else:
                text(row, value)

        return number
    if kind == "boolean":

        def yes_no(row: int, value: Any) -> None:
            if isinstance(value, bool):
                sheet.write_boolean(row, index, value)
            else:
                text(row, value)

        return yes_no
    return text
