"""Excel workbooks: choosing a sheet, and reading legacy .xls through xlrd (.xlsx is streamed by
imports.engine.readers.xlsx_stream). openpyxl remains the project's workbook *writer*."""

from collections.abc import Iterator
from pathlib import Path

import xlrd

from imports.declare.errors import ImportFileError
from imports.engine.readers.cells import cell_to_text
from imports.engine.readers.limits import ReadLimits

# Rows a header and the title rows above it may take on top of the data rows the row limit allows.
ROWS_ABOVE_DATA = 10


def choose_sheet(names: list[str], wanted: str | None) -> str:
    if not names:
        raise ImportFileError("The workbook has no sheets.")
    if wanted is None or wanted == "":
        return names[0]
    if wanted in names:
        return wanted
    lowered = {name.casefold(): name for name in names}
    if wanted.casefold() in lowered:
        return lowered[wanted.casefold()]
    raise ImportFileError(f"Sheet '{wanted}' not found; the workbook has: {', '.join(names)}.")


class XlsSource:
    """Rows of one sheet of a legacy .xls workbook. xlrd loads a sheet at once (.xls caps sheets at 65,536 rows and
    256 columns, and the file size bounds it); the read limits are applied as its rows are given."""

    def __init__(self, path: Path, sheet: str | None = None, *, limits: ReadLimits | None = None):
        self.path = path
        self.limits = limits or ReadLimits.from_settings()
        try:
            self._book = xlrd.open_workbook(path, on_demand=True)
        except xlrd.XLRDError as error:
            raise ImportFileError(f"The Excel workbook cannot be opened: {error}.") from None
        self.sheet_names = list(self._book.sheet_names())
        self.sheet = choose_sheet(self.sheet_names, sheet)

    def rows(self) -> Iterator[list[str]]:
        limits = self.limits
        worksheet = self._book.sheet_by_name(self.sheet)
        for index in range(worksheet.nrows):
            if index >= limits.max_rows + ROWS_ABOVE_DATA:
                limits.check_rows(index + 1 - ROWS_ABOVE_DATA)
            width = worksheet.row_len(index)
            if width > limits.max_columns:
                limits.check_columns(width, index + 1)
            cells = [self._cell_text(cell) for cell in worksheet.row(index)]
            for text in cells:
                if len(text) > limits.max_cell_chars:
                    limits.check_cell(len(text), index + 1)
            yield cells

    def _cell_text(self, cell) -> str:
        if cell.ctype == xlrd.XL_CELL_DATE:
            return cell_to_text(xlrd.xldate.xldate_as_datetime(cell.value, self._book.datemode))
        if cell.ctype == xlrd.XL_CELL_BOOLEAN:
            return cell_to_text(bool(cell.value))
        if cell.ctype == xlrd.XL_CELL_ERROR:
            return xlrd.error_text_from_code.get(cell.value, "#ERROR")
        if cell.ctype in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
            return ""
        return cell_to_text(cell.value)

    def close(self) -> None:
        self._book.release_resources()
