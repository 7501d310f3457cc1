"""An .xlsx sheet read as a stream of rows, for when only its first rows are wanted.

Calamine (imports.readers.workbooks) reads whole sheets fastest, and reads every file a job imports; but it loads
the sheet whole before the first row, which for a 10 MB workbook takes seconds. The wizard needs only the header
and ten rows to map and preview a file, so it reads them here: the sheet's XML is parsed as it is unzipped, and
parsing stops with the last row wanted. Cells become the same values calamine gives (dates from date-formatted
numbers, booleans, numbers, text), so the preview shows what the import will read.
"""

import re
import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import ParseError, iterparse, parse
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from imports.errors import ImportFileError

from .cells import cell_to_text
from .workbooks import choose_sheet

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_RELATIONSHIP = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PACKAGE_RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
_COLUMN = re.compile(r"[A-Z]+")


def _column_index(reference: str) -> int:
    letters = _COLUMN.match(reference).group(0)
    index = 0
    for letter in letters:
        index = index * 26 + ord(letter) - 64
    return index - 1


class XlsxStream:
    """Rows of one sheet of an .xlsx workbook, parsed as they are read; `rows()` may be abandoned at any point."""

    def __init__(self, path: Path, sheet: str | None = None):
        self.path = path
        try:
            self._zip = zipfile.ZipFile(path)
            self._sheet_paths = self._sheets()
        except (zipfile.BadZipFile, KeyError, ParseError, DefusedXmlException) as error:
            raise ImportFileError(f"The Excel workbook cannot be opened: {error}.") from None
        self.sheet_names = list(self._sheet_paths)
        self.sheet = choose_sheet(self.sheet_names, sheet)
        self._date_styles: set[int] | None = None
        self._shared: list[str] = []
        self._shared_reader: Iterator[str] | None = None

    def _sheets(self) -> dict[str, str]:
        workbook = parse(self._zip.open("xl/workbook.xml")).getroot()
        properties = workbook.find(f"{_MAIN}workbookPr")
        self._epoch = (
            CALENDAR_MAC_1904
            if properties is not None and properties.get("date1904") in ("1", "true")
            else CALENDAR_WINDOWS_1900
        )
        relationships = parse(self._zip.open("xl/_rels/workbook.xml.rels")).getroot()
        targets = {rel.get("Id"): rel.get("Target") for rel in relationships.iter(f"{_PACKAGE_RELS}Relationship")}
        paths = {}
        for sheet in workbook.iter(f"{_MAIN}sheet"):
            target = targets[sheet.get(_RELATIONSHIP)]
            # Targets are relative to xl/, or absolute within the package.
            paths[sheet.get("name")] = target[1:] if target.startswith("/") else str(PurePosixPath("xl", target))
        return paths

    def rows(self) -> Iterator[list[str]]:
        """Every row from the sheet's first, each a list of cell texts from the sheet's first used column on (the
        rows calamine gives, without its padding of empty cells on the right)."""
        try:
            yield from self._rows()
        except (zipfile.BadZipFile, KeyError, ValueError, ParseError, DefusedXmlException) as error:
            raise ImportFileError(f"The Excel workbook cannot be read: {error}.") from None

    def _rows(self) -> Iterator[list[str]]:
        start_column, expected_row = None, 1
        with self._zip.open(self._sheet_paths[self.sheet]) as stream:
            for _event, element in iterparse(stream, events=("end",)):
                if element.tag == f"{_MAIN}dimension":
                    start_column = _column_index(element.get("ref", "A1").split(":")[0].lstrip("$"))
                elif element.tag == f"{_MAIN}row":
                    number = int(element.get("r")) if element.get("r") else expected_row
                    for _blank in range(expected_row, number):
                        yield []  # rows the sheet leaves out are empty rows
                    expected_row = number + 1
                    cells = self._row(element)
                    element.clear()
                    if start_column is None and cells:  # no <dimension>: the first row with cells decides
                        start_column = min(index for index, _value in cells)
                    yield self._laid_out(cells, start_column or 0)

    def _row(self, row) -> list[tuple[int, str]]:
        cells, position = [], 0
        for cell in row.iter(f"{_MAIN}c"):
            reference = cell.get("r")
            position = _column_index(reference) if reference else position
            cells.append((position, self._value(cell)))
            position += 1
        return cells

    @staticmethod
    def _laid_out(cells: list[tuple[int, str]], start_column: int) -> list[str]:
        row: list[str] = []
        for index, text in cells:
            index -= start_column
            if index < 0:
                continue
            row.extend([""] * (index - len(row)))
            row.append(text)
        return row

    def _value(self, cell) -> str:
        kind = cell.get("t", "n")
        if kind == "inlineStr":
            return "".join(t.text or "" for t in cell.iter(f"{_MAIN}t"))
        value = cell.findtext(f"{_MAIN}v")
        if not value:
            return ""
        if kind == "s":
            return self._shared_string(int(value))
        if kind == "b":
            return cell_to_text(value == "1")
        if kind in ("str", "e", "d"):
            return value
        number = float(value)
        if int(cell.get("s", "0")) in self._dates():
            return cell_to_text(from_excel(number, self._epoch))
        return cell_to_text(number)

    def _dates(self) -> set[int]:
        """The style indexes whose number format shows a date or time."""
        if self._date_styles is None:
            self._date_styles = set()
            if "xl/styles.xml" in self._zip.namelist():
                styles = parse(self._zip.open("xl/styles.xml")).getroot()
                custom = {int(f.get("numFmtId")): f.get("formatCode", "") for f in styles.iter(f"{_MAIN}numFmt")}
                formats = styles.find(f"{_MAIN}cellXfs")
                for index, xf in enumerate(formats if formats is not None else ()):
                    format_id = int(xf.get("numFmtId", "0"))
                    code = custom.get(format_id, BUILTIN_FORMATS.get(format_id, "General"))
                    if is_date_format(code):
                        self._date_styles.add(index)
        return self._date_styles

    def _shared_string(self, index: int) -> str:
        """Shared strings are read only as far as the rows read so far need them."""
        if self._shared_reader is None:
            self._shared_reader = self._shared_strings()
        while len(self._shared) <= index:
            text = next(self._shared_reader, None)
            if text is None:
                raise ImportFileError("The Excel workbook is damaged: a cell names a text it does not hold.")
            self._shared.append(text)
        return self._shared[index]

    def _shared_strings(self) -> Iterator[str]:
        with self._zip.open("xl/sharedStrings.xml") as stream:
            for _event, element in iterparse(stream, events=("end",)):
                if element.tag == f"{_MAIN}si":
                    # Phonetic guides (rPh) are not part of the text.
                    yield "".join(
                        t.text or ""
                        for run in element
                        if run.tag != f"{_MAIN}rPh"
                        for t in ([run] if run.tag == f"{_MAIN}t" else run.iter(f"{_MAIN}t"))
                    )
                    element.clear()

    def close(self) -> None:
        self._zip.close()
