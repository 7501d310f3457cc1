"""Excel workbooks: .xlsx through openpyxl's streaming read-only mode, legacy .xls through xlrd."""

from collections.abc import Iterator
from pathlib import Path
from zipfile import BadZipFile

import openpyxl
import xlrd

from imports.errors import ImportFileError

from .cells import cell_to_text


def _choose_sheet(names: list[str], wanted: str | None) -> str:
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


class XlsxSource:
    """Rows of one sheet of an .xlsx workbook, streamed (openpyxl read-only mode keeps memory flat)."""

    def __init__(self, path: Path, sheet: str | None = None):
        self.path = path
        # openpyxl parses the XML with defusedxml when it is installed (it is a dependency), so entity-expansion
        # bombs in an uploaded workbook are refused.
        # A handle, not the path: openpyxl refuses paths without an Excel extension, and the content (already
        # sniffed) is what counts. Read-only mode reads from the handle lazily, so it stays open until close().
        self._handle = open(path, "rb")  # noqa: SIM115
        try:
            self._workbook = openpyxl.load_workbook(self._handle, read_only=True, data_only=True)
        except (BadZipFile, KeyError, OSError, ValueError) as error:
            self._handle.close()
            raise ImportFileError(f"The Excel workbook cannot be opened: {error}.") from None
        self.sheet_names = list(self._workbook.sheetnames)
        self.sheet = _choose_sheet(self.sheet_names, sheet)

    def rows(self) -> Iterator[list[str]]:
        worksheet = self._workbook[self.sheet]
        # Some writers store a wrong sheet size; resetting makes openpyxl read every row that is really there.
        worksheet.reset_dimensions()
        for values in worksheet.iter_rows(values_only=True):
            yield [cell_to_text(value) for value in values]

    def close(self) -> None:
        self._workbook.close()
        self._handle.close()


class XlsSource:
    """Rows of one sheet of a legacy .xls workbook. xlrd loads a sheet at once; .xls caps sheets at 65,536 rows."""

    def __init__(self, path: Path, sheet: str | None = None):
        self.path = path
        try:
            self._book = xlrd.open_workbook(path, on_demand=True)
        except xlrd.XLRDError as error:
            raise ImportFileError(f"The Excel workbook cannot be opened: {error}.") from None
        self.sheet_names = list(self._book.sheet_names())
        self.sheet = _choose_sheet(self.sheet_names, sheet)

    def rows(self) -> Iterator[list[str]]:
        worksheet = self._book.sheet_by_name(self.sheet)
        for index in range(worksheet.nrows):
            yield [self._cell_text(cell) for cell in worksheet.row(index)]

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
