"""An Excel export's rows as the sheet XML XlsxWriter writes for them in constant-memory mode, made a block and a
column at a time.

XlsxWriter spends about 8 µs on every cell: a decorated call, a dimension check, a tuple kept in a dict, then, when
the next row starts, an XML writer call running three regular expressions over the text. At 19 columns that is
about 6,000 rows a second, a fifth of what an export of a million rows needs. Here each column of a block is
converted at once; its texts are searched for anything XML or Excel escapes by one regular expression over the whole
column (most columns hold nothing of the kind), and each cell is then one formatted string. A text that
does need care takes XlsxWriter's own steps (truncation, control characters, whitespace, XML escapes), so the bytes
are XlsxWriter's: a property test holds the sheet equal, byte for byte, to the one XlsxWriter writes cell by cell.

Which cells are typed (the rules are the Excel writer's, see xlsx_writer):
- dates are date cells, moments date-and-time cells in UTC exact to the millisecond, from March 1900 on;
- numbers and amounts are number cells when a double holds them exactly (15 significant digits);
- yes/no values are boolean cells;
- everything else, and any value those cannot hold exactly, is a text cell.
"""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from xlsxwriter.format import Format
from xlsxwriter.utility import _preserve_whitespace, _utf16_len, _utf16_truncate, xl_col_to_name
from xlsxwriter.worksheet import Worksheet
from xlsxwriter.xmlwriter import XMLwriter

from imports.declare.fields import ImportField
from imports.declare.formulas import escape_apostrophes
from imports.engine.exports.columns import ExportColumn

# A double holds every decimal of 15 significant digits exactly, and the reader writes numbers back in 15.
_EXACT_DIGITS = 15
_EXACT_INTEGER = 2**53
# Excel counts 1900 as a leap year: its serial numbers, and so its date cells, are only right from March 1900 on.
_FIRST_EXCEL_DATE = dt.date(1900, 3, 1)
_FIRST_EXCEL_MOMENT = dt.datetime(1900, 3, 1)
# Serial numbers of the dates met so far, per column: a column's dates repeat (a few thousand days in a million
# rows); the memory stays bounded, emptied when it holds this many.
_SERIALS_KEPT = 50_000

# What XlsxWriter changes in a text: XML's special characters, control characters, the two non-characters, and
# texts that look like its own escapes of them; it marks a text with whitespace at either end. Each is looked for
# once in a whole column's texts (joined by newlines), where a plain search runs at C speed.
_ESCAPED_CHARACTERS = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]")
_ESCAPE_LOOKALIKE = re.compile(r"_x[0-9a-fA-F]{4}_")
_WHITESPACE_BUT_SPACE_AND_NEWLINE = re.compile(r"[^\S \n]")

# A block's cells of one column, given the block's row numbers (as the sheet counts them, from 1) and its values;
# an empty string where the record has no value (no cell, as XlsxWriter writes none).
ColumnCells = Callable[[Sequence[str], Sequence[Any]], list[str]]


def is_exact_number(value: Any) -> bool:
    if isinstance(value, Decimal):
        return value.is_finite() and len(value.as_tuple().digits) <= _EXACT_DIGITS
    return isinstance(value, int) and not isinstance(value, bool) and -_EXACT_INTEGER < value < _EXACT_INTEGER


def is_excel_date(value: Any) -> bool:
    return value.__class__ is dt.date and value >= _FIRST_EXCEL_DATE


def excel_moment(value: Any) -> dt.datetime | None:
    """The UTC moment without a zone that a cell holds exactly (to the millisecond, from March 1900), or None."""
    if not isinstance(value, dt.datetime) or value.microsecond % 1000:
        return None
    moment = value.astimezone(dt.UTC).replace(tzinfo=None) if value.tzinfo is not None else value
    return moment if moment >= _FIRST_EXCEL_MOMENT else None


def column_texts(column: ExportColumn) -> Callable[[Sequence[Any]], list[str | None]]:
    """A column's values as the texts of text cells: the field's text, with one more apostrophe before a value's
    own leading `'` (no cell is ever a formula, so nothing else is escaped); None stays None. Stored text is its
    own text, so most values are taken as they are."""
    to_text = column.field.to_text
    if type(column.field).to_text is ImportField.to_text:
        return lambda values: [
            value if value is None or (value.__class__ is str and not value.startswith("'"))
            else escape_apostrophes(to_text(value))
            for value in values
        ]
    return lambda values: [None if value is None else escape_apostrophes(to_text(value)) for value in values]


class SheetRows:
    """Turns blocks of rows into the XML of a constant-memory XlsxWriter sheet's rows, with its formats."""

    def __init__(self, sheet: Worksheet, columns: Sequence[ExportColumn], formats: dict[str, Format]):
        self.sheet = sheet
        self.text_max = sheet.xls_strmax
        self._columns = [self._column_cells(index, column, formats) for index, column in enumerate(columns)]

    def xml(self, rows: Sequence[tuple[Any, ...]], first_number: int) -> tuple[str, int | None]:
        """The XML of `rows`, the first being the sheet's row `first_number` (from 1), and the number of the last
        row written (None when none has a value: XlsxWriter writes no element for a row without cells)."""
        if not rows:
            return "", None
        numbers = [str(number) for number in range(first_number, first_number + len(rows))]
        by_column = zip(self._columns, zip(*rows, strict=True), strict=True)
        cells_by_column = [cells(numbers, values) for cells, values in by_column]
        parts = []
        last = None
        for number, cells in zip(numbers, zip(*cells_by_column, strict=True), strict=True):
            inner = "".join(cells)
            if inner:
                parts.append(f'<row r="{number}">{inner}</row>')
                last = number
        return "".join(parts), None if last is None else int(last)

    # --- One column's cells --------------------------------------------------------------------------------------

    def _column_cells(self, index: int, column: ExportColumn, formats: dict[str, Format]) -> ColumnCells:
        letter = xl_col_to_name(index)
        texts = column_texts(column)
        text_cells = self._text_cells(letter)

        def typed_or_text(typed: Callable[[str, Any], str | None]) -> ColumnCells:
            """Cells typed where `typed` gives one, text cells for the rest."""

            def cells(numbers, values):
                made = [
                    "" if value is None else typed(number, value) for number, value in zip(numbers, values, strict=True)
                ]
                untyped = [at for at, cell in enumerate(made) if cell is None]
                if untyped:
                    as_text = text_cells([numbers[at] for at in untyped], texts([values[at] for at in untyped]))
                    for at, cell in zip(untyped, as_text, strict=True):
                        made[at] = cell
                return made

            return cells

        kind = column.kind
        if kind == "date":
            return typed_or_text(self._date_cell(letter, formats["date"]))
        if kind == "datetime":
            return typed_or_text(self._moment_cell(letter, formats["datetime"]))
        if kind in ("number", "money"):
            return typed_or_text(self._number_cell(letter, formats.get(kind)))
        if kind == "boolean":
            return typed_or_text(lambda number, value: f'<c r="{letter}{number}" t="b"><v>{1 if value else 0}</v></c>'
                                 if isinstance(value, bool) else None)
        if type(column.field).to_text is not ImportField.to_text:
            return lambda numbers, values: text_cells(numbers, texts(values))
        def stored_text_cells(numbers, values):
            """Stored text is its own text: when no value needs a thing done, each is its cell's text as it is."""
            if self._plain([value for value in values if value is not None], apostrophes_matter=True):
                return [
                    "" if value is None else f'<c r="{letter}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                    for number, value in zip(numbers, values, strict=True)
                ]
            return text_cells(numbers, texts(values))

        return stored_text_cells

    def _text_cells(self, letter: str) -> Callable[[Sequence[str], Sequence[str | None]], list[str]]:
        def cells(numbers, texts):
            if self._plain([text for text in texts if text is not None]):
                return [
                    "" if text is None else f'<c r="{letter}{number}" t="inlineStr"><is><t>{text}</t></is></c>'
                    for number, text in zip(numbers, texts, strict=True)
                ]
            return [
                "" if text is None else f'<c r="{letter}{number}" t="inlineStr">{self._inline_string(text)}</c>'
                for number, text in zip(numbers, texts, strict=True)
            ]

        return cells

    def _plain(self, texts: list, *, apostrophes_matter: bool = False) -> bool:
        """Whether XlsxWriter would write every one of `texts` as it is: all of them text, none too long, none
        holding a newline (the joint), nothing in them it escapes or marks; with `apostrophes_matter`, none
        starting with `'` either (which gets one more)."""
        if not texts:
            return True
        try:
            joined = "\n".join(texts)
        except TypeError:  # not all of them text
            return False
        if joined.count("\n") != len(texts) - 1:
            return False
        if apostrophes_matter and (joined.startswith("'") or "\n'" in joined):
            return False
        if max(map(len, texts)) > self.text_max // 2:
            return False
        if _ESCAPED_CHARACTERS.search(joined) or _WHITESPACE_BUT_SPACE_AND_NEWLINE.search(joined):
            return False
        if "_x" in joined and _ESCAPE_LOOKALIKE.search(joined):
            return False
        # The only whitespace left is the space: is one at either end of a text?
        return not (joined.startswith(" ") or joined.endswith(" ") or " \n" in joined or "\n " in joined)

    def _inline_string(self, text: str) -> str:
        """XlsxWriter's steps for a text cell of a constant-memory sheet (Worksheet._write_string, _write_cell and
        XMLwriter._xml_inline_string), in their order."""
        if len(text) > self.text_max // 2 and _utf16_len(text) > self.text_max:
            text = _utf16_truncate(text, self.text_max)
        text = XMLwriter._escape_control_characters(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            return f"<is>{text}</is>"  # XlsxWriter takes such a text for rich text's own XML
        space = ' xml:space="preserve"' if _preserve_whitespace(text) else ""
        escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        return f"<is><t{space}>{escaped}</t></is>"

    def _date_cell(self, letter: str, date_format: Format) -> Callable[[str, Any], str | None]:
        style = date_format._get_xf_index()
        serials: dict[dt.date, str] = {}

        def cell(number, value):
            if not is_excel_date(value):
                return None
            serial = serials.get(value)
            if serial is None:
                if len(serials) >= _SERIALS_KEPT:
                    serials.clear()
                serial = serials[value] = f"{self.sheet._convert_date_time(value):.16G}"
            return f'<c r="{letter}{number}" s="{style}"><v>{serial}</v></c>'

        return cell

    def _moment_cell(self, letter: str, moment_format: Format) -> Callable[[str, Any], str | None]:
        style = moment_format._get_xf_index()

        def cell(number, value):
            moment = excel_moment(value)
            if moment is None:
                return None
            return f'<c r="{letter}{number}" s="{style}"><v>{self.sheet._convert_date_time(moment):.16G}</v></c>'

        return cell

    def _number_cell(self, letter: str, number_format: Format | None) -> Callable[[str, Any], str | None]:
        style = "" if number_format is None else f' s="{number_format._get_xf_index()}"'
        return lambda number, value: (
            f'<c r="{letter}{number}"{style}><v>{float(value):.16G}</v></c>' if is_exact_number(value) else None
        )
