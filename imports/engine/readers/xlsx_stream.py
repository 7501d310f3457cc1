"""An .xlsx sheet read as a stream of rows, in memory that does not grow with the sheet.

The one reader of .xlsx files: the wizard's first rows and every file a job imports are read here, under the same
limits (imports.engine.readers.limits), so a workbook that passes one passes the other. The archive is checked before it
is opened (imports.engine.readers.workbook_archive); the sheet's XML is parsed as it is unzipped, a block at a time, and
checked as it streams: the cell length, the column count (before a row is laid out, so a hostile column reference
pads nothing), and the row count (a row number far ahead is refused, not filled with blank rows).

Cells become text the way the import has always read them: dates from date-formatted numbers, booleans as
true/false, numbers through cell_to_text, inline and shared texts with their rich-text runs joined and their
phonetic guides left out. Rows are laid out from the first column of the sheet's <dimension> (the used range every
spreadsheet program records), or from column A when a sheet has none (openpyxl's write-only mode writes none): a
stream cannot look ahead for the leftmost cell, and no column may be lost.
"""

import zipfile
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from imports.declare.errors import ImportFileError
from imports.engine.readers import xlsx_xml
from imports.engine.readers.cells import cell_to_text, float_to_text
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.workbook_archive import WorkbookArchive
from imports.engine.readers.workbooks import ROWS_ABOVE_DATA, choose_sheet
from imports.engine.readers.xlsx_strings import SharedStrings
from imports.engine.readers.xlsx_styles import date_styles

_MAIN, _REL = xlsx_xml.MAIN, xlsx_xml.PACKAGE_RELATIONSHIPS
_ROW, _CELL, _VALUE, _TEXT = _MAIN + "row", _MAIN + "c", _MAIN + "v", _MAIN + "t"
_INLINE_STRING, _PHONETIC, _DIMENSION = _MAIN + "is", _MAIN + "rPh", _MAIN + "dimension"
_RELATIONSHIP_ID = xlsx_xml.RELATIONSHIPS + "id"
_DIGITS = "0123456789"
# A column reference of more letters than Excel's last column (XFD) is past any column limit.
_MAX_LETTERS = 3
_PAST_EVERY_LIMIT = 26**4
_REMEMBERED_COLUMNS = 20_000
_REMEMBERED_STYLES = 4096


def column_index(reference: str) -> int:
    """0 for A1, 27 for AB7; a reference with more letters than Excel's columns counts as past every limit."""
    letters = reference.rstrip(_DIGITS).lstrip("$").rstrip("$")
    if not letters or not letters.isalpha() or not letters.isascii():
        raise ValueError(f"{reference!r} is not a cell reference")
    if len(letters) > _MAX_LETTERS:
        return _PAST_EVERY_LIMIT
    index = 0
    for letter in letters.upper():
        index = index * 26 + ord(letter) - 64
    return index - 1


class XlsxStream:
    """Rows of one sheet of an .xlsx workbook, parsed as they are read; `rows()` may be abandoned at any point."""

    def __init__(self, path: Path, sheet: str | None = None, *, limits: ReadLimits | None = None):
        self.path = path
        self.limits = limits or ReadLimits.from_settings()
        self._archive = WorkbookArchive(path, self.limits)
        try:
            self._sheet_paths = self._sheets()
            self.sheet_names = list(self._sheet_paths)
            self.sheet = choose_sheet(self.sheet_names, sheet)
        except BaseException:
            self._archive.close()
            raise
        self._date_styles: bytearray | None = None
        self._strings = SharedStrings(self._archive, self.limits)

    def _sheets(self) -> dict[str, str]:
        """Sheet names in workbook order, each with the path of its part."""
        sheets: list[tuple[str, str]] = []
        targets: dict[str, str] = {}
        self._epoch = CALENDAR_WINDOWS_1900

        def workbook_element(name, attributes):
            if name == _MAIN + "sheet":
                sheets.append((attributes.get("name", ""), attributes.get(_RELATIONSHIP_ID, "")))
            elif name == _MAIN + "workbookPr" and attributes.get("date1904") in ("1", "true"):
                self._epoch = CALENDAR_MAC_1904

        def relationship(name, attributes):
            if name == _REL + "Relationship":
                targets[attributes.get("Id", "")] = attributes.get("Target", "")

        try:
            self._read_part("xl/workbook.xml", workbook_element)
            self._read_part("xl/_rels/workbook.xml.rels", relationship)
            paths = {}
            for name, relationship_id in sheets:
                target = targets[relationship_id]
                # Targets are relative to xl/, or absolute within the package.
                paths[name] = target[1:] if target.startswith("/") else str(PurePosixPath("xl", target))
        except KeyError as error:
            raise ImportFileError(f"The Excel workbook cannot be opened: it names a sheet it does not hold "
                                  f"({error}).") from None
        return paths

    def _read_part(self, part: str, start) -> None:
        parser = xlsx_xml.parser()
        parser.StartElementHandler = start
        with self._archive.open(part, max_bytes=xlsx_xml.MAX_PART_BYTES) as stream:
            for _block in xlsx_xml.feed(parser, stream, part):
                pass

    def rows(self) -> Iterator[list[str]]:
        """Every row from the sheet's first, each a list of cell texts from the sheet's first column on (empty cells
        on the right are not given; rows the sheet leaves out are empty rows)."""
        try:
            yield from self._rows()
        except (zipfile.BadZipFile, ValueError, OverflowError) as error:
            raise ImportFileError(f"The Excel workbook cannot be read: {error}.") from None

    def _rows(self) -> Iterator[list[str]]:
        limits = self.limits
        max_columns, max_chars = limits.max_columns, limits.max_cell_chars
        max_row = limits.max_rows + ROWS_ABOVE_DATA
        strings = self._strings
        first_strings = strings.in_memory  # looked up without a method call: most cells name these
        dates_by_style: dict[str | None, bool] = {}
        columns: dict[str, int] = {}  # column letters to index, the conversion being slow in Python
        parser = xlsx_xml.parser()
        finished: list = []  # rows completed in the last block; an int stands for that many blank rows
        row: list[str] = []  # the open row's texts, laid out from the start column
        parts: list[str] = []
        cell = None  # the open cell's attributes
        phonetic = False
        number = 0  # the open row's number; 0 before the first row
        expected = 1  # the number a row without one gets; rows the sheet skips are blank rows
        counted = 0  # rows given so far, blank ones included
        column = -1
        start_column = 0  # the first column of the sheet's <dimension>; column A when it has none

        def is_date(style) -> bool:
            if self._date_styles is None:
                self._date_styles = date_styles(self._archive)
            index = int(style) if style else 0
            return index < len(self._date_styles) and self._date_styles[index] == 1

        def close_cell() -> None:
            nonlocal column
            reference = cell.get("r")
            if reference:
                column = columns.get(reference.rstrip(_DIGITS))
                if column is None:
                    column = column_index(reference)
                    if len(columns) < _REMEMBERED_COLUMNS:
                        columns[reference.rstrip(_DIGITS)] = column
            else:
                column += 1
            text = "".join(parts)
            if text:
                kind = cell.get("t")
                if kind is None or kind == "n":
                    style = cell.get("s")
                    dated = dates_by_style.get(style)
                    if dated is None:
                        dated = is_date(style)
                        if len(dates_by_style) < _REMEMBERED_STYLES:
                            dates_by_style[style] = dated
                    if dated:
                        text = cell_to_text(from_excel(float(text), self._epoch))
                    elif len(text) < 16 and text.isdigit():  # a whole number a float holds exactly: as it is
                        text = text.lstrip("0") or "0"
                    else:
                        text = float_to_text(float(text))
                elif kind == "s":
                    index = int(text)
                    text = first_strings[index] if 0 <= index < len(first_strings) else strings[index]
                elif kind == "b":
                    text = "true" if text == "1" else "false"
                elif kind not in ("inlineStr", "str", "e", "d"):
                    raise ValueError(f"a cell has the unknown type {kind!r}")
                elif len(text) > max_chars:
                    limits.check_cell(len(text), number)
            at, length = column - start_column, len(row)
            if at < length:
                if at < 0:
                    raise ImportFileError(
                        f"The Excel workbook is damaged: row {number:,} has a cell left of the sheet's first column "
                        "(the sheet's dimension says otherwise); save it again from a spreadsheet program."
                    )
                at = length  # a column given twice, or out of order: kept after the cells before it
            if at >= max_columns:  # before any padding
                limits.check_columns(at + 1, number)
            if at > length:
                row.extend([""] * (at - length))
            row.append(text)

        def close_row() -> None:
            nonlocal row
            finished.append(row)
            row = []

        def end_text(_name) -> None:
            parser.CharacterDataHandler = parser.EndElementHandler = None

        def start(name, attributes) -> None:
            nonlocal cell, parts, phonetic, number, expected, counted, column, start_column
            if name == _CELL:
                if cell is not None:
                    close_cell()
                cell, parts, phonetic = attributes, [], False
            elif name in (_VALUE, _TEXT):
                if cell is not None and not phonetic:
                    parser.CharacterDataHandler, parser.EndElementHandler = parts.append, end_text
            elif name == _INLINE_STRING:
                return  # as common as cells, so it is told apart before the rarer elements
            elif name == _ROW:
                if cell is not None:
                    close_cell()
                    cell = None
                if number:
                    close_row()
                else:
                    row.clear()  # cells outside any row belong to none
                given = attributes.get("r")
                number = int(given) if given else expected
                gap = number - expected if number > expected else 0
                counted += gap + 1  # blank rows count too, so rows numbered back and forth cannot multiply them
                if number > max_row or counted > max_row:
                    limits.check_rows(max(number, counted) - ROWS_ABOVE_DATA)
                if gap:
                    finished.append(gap)
                expected, column = number + 1, -1
            elif name == _PHONETIC:
                phonetic = True  # phonetic guides come after the text's runs and are not part of it
            elif name == _DIMENSION and not number:
                start_column = column_index(attributes.get("ref", "A1").split(":")[0])

        parser.StartElementHandler = start
        with self._archive.open(self._sheet_paths[self.sheet]) as stream:
            for _block in xlsx_xml.feed(parser, stream, self._sheet_paths[self.sheet]):
                if parts and sum(map(len, parts)) > max_chars:
                    limits.check_cell(sum(map(len, parts)), number)
                yield from self._expanded(finished)
                finished.clear()
        if cell is not None:
            close_cell()
        if number:
            close_row()
        yield from self._expanded(finished)

    @staticmethod
    def _expanded(finished: list) -> Iterator[list[str]]:
        for row in finished:
            if type(row) is int:
                for _blank in range(row):
                    yield []
            else:
                yield row

    def close(self) -> None:
        self._strings.close()
        self._archive.close()
