"""Excel workbooks: .xlsx through calamine (a Rust reader, 30 times faster than openpyxl), legacy .xls through
xlrd. openpyxl remains the project's workbook *writer*."""

from collections.abc import Iterator
from pathlib import Path

import python_calamine
import xlrd

from imports.errors import ImportFileError

from .cells import cell_to_text


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


class XlsxSource:
    """Rows of one sheet of an .xlsx workbook.

    Calamine loads one sheet at a time; workbooks are bounded by IMPORT_MAX_FILE_MB, and the big files of bulk
    imports are CSV, which is streamed.
    """

    def __init__(self, path: Path, sheet: str | None = None):
        self.path = path
        self._handle = open(path, "rb")  # noqa: SIM115 - closed in close(); calamine reads from it lazily
        try:
            # From the handle, not the path: calamine picks a reader by file extension, the content decides here.
            self._workbook = python_calamine.CalamineWorkbook.from_filelike(self._handle)
        except python_calamine.CalamineError as error:
            self._handle.close()
            raise ImportFileError(f"The Excel workbook cannot be opened: {error}.") from None
        self.sheet_names = list(self._workbook.sheet_names)
        self.sheet = choose_sheet(self.sheet_names, sheet)

    def rows(self) -> Iterator[list[str]]:
        try:
            worksheet = self._workbook.get_sheet_by_name(self.sheet)
            for values in worksheet.iter_rows():
                # Most cells are text already; only the others pay for a conversion call.
                yield [value if type(value) is str else cell_to_text(value) for value in values]
        except python_calamine.CalamineError as error:
            raise ImportFileError(f"The Excel workbook cannot be read: {error}.") from None

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
        self.sheet = choose_sheet(self.sheet_names, sheet)

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
