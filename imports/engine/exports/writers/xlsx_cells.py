"""How an export's values become the XML of a sheet's cells, a block's column at a time.

A cell is typed on purpose (see xlsx_writer for what each type is for); the XML of each type is the one XlsxWriter
writes in constant-memory mode, and a property test holds the two workbooks equal cell by cell. Text is an inline
string (`t="inlineStr"`), so the workbook needs no table of shared strings and memory stays flat. Text is escaped
as XlsxWriter escapes it: characters XML 1.0 cannot carry become `_xHHHH_` (Excel's own escape), a text that
already holds such an escape gets its underscore escaped (`_x005F_`), leading or trailing white space is marked to
be kept, and `&`, `<` and `>` become entities. Unlike XlsxWriter, a text that looks like rich-text markup
(`<r>...</r>`) is escaped like any other: XlsxWriter writes such text into the sheet unescaped, so a stored value
could add cells, and formulas, of its own.

This runs once per cell of a million rows, so each column of a block is converted by one comprehension, with the
cell reference's letters and the style fixed per column. A text column first asks, of all its block's texts at
once, whether any needs escaping: nearly every block of names, addresses and codes needs none, and then each cell
is one f-string.
"""

import datetime as dt
import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any

from imports.declare.fields import ImportField
from imports.declare.formulas import escape_apostrophes
from imports.engine.exports.columns import ExportColumn

# The cell formats of the workbook's styles (xlsx_package), by index.
STYLE_BOLD, STYLE_DATE, STYLE_MOMENT, STYLE_MONEY = 1, 2, 3, 4

# Excel counts 1900 as a leap year: its serial numbers, and so its date cells, are only right from March 1900 on.
FIRST_EXCEL_DATE = dt.date(1900, 3, 1)
FIRST_EXCEL_MOMENT = dt.datetime(1900, 3, 1)
# From March 1900 on, a day's serial number is its ordinal less this (1900-03-01 is day 61).
_SERIAL_OFFSET = dt.date(1899, 12, 30).toordinal()
_EPOCH = dt.datetime(1899, 12, 31)
_SECONDS_A_DAY = 60 * 60 * 24

# A double holds every decimal of 15 significant digits exactly, and the reader writes numbers back in 15.
_EXACT_DIGITS = 15
_EXACT_INTEGER = 2**53

# Excel's cells hold at most 32,767 UTF-16 units; a text with fewer characters than half that cannot have more.
_MAX_CELL_UNITS = 32_767
_SURELY_SHORT = _MAX_CELL_UNITS // 2
_ESCAPE_LOOKALIKE = re.compile("(_x[0-9a-fA-F]{4}_)")
_CONTROL_CHARACTER = re.compile(r"([\x00-\x08\x0b-\x1f])")
_TEXT_ONLY = {str}
_MOMENT = dt.datetime

ColumnCells = Callable[[tuple, Sequence[str]], list[str]]


def is_exact_number(value: Any) -> bool:
    """Whether a number cell (a double) holds `value` exactly, as the reader gives it back (15 digits)."""
    if isinstance(value, Decimal):
        return value.is_finite() and len(value.as_tuple().digits) <= _EXACT_DIGITS
    return isinstance(value, int) and not isinstance(value, bool) and -_EXACT_INTEGER < value < _EXACT_INTEGER


def is_excel_date(value: Any) -> bool:
    return value.__class__ is dt.date and value >= FIRST_EXCEL_DATE


def excel_moment(value: Any) -> dt.datetime | None:
    """The UTC moment without a zone that a cell holds exactly (to the millisecond, from March 1900), or None."""
    if not isinstance(value, dt.datetime) or value.microsecond % 1000:
        return None
    zone = value.tzinfo
    if zone is None or zone is dt.UTC:
        moment = value.replace(tzinfo=None)
    else:
        moment = value.astimezone(dt.UTC).replace(tzinfo=None)
    return moment if moment >= FIRST_EXCEL_MOMENT else None


def moment_serial(moment: dt.datetime) -> str:
    """A moment from March 1900 as Excel's serial number: days, and the day's fraction, computed as XlsxWriter
    computes them (the same double, so the same digits); the 1 counts Excel's 29 February 1900."""
    delta = moment - _EPOCH
    return f"{delta.days + (float(delta.seconds) + float(delta.microseconds) / 1e6) / _SECONDS_A_DAY + 1:.16G}"


def number_text(value: int | Decimal) -> str:
    """An exact number as a cell's value: the double's 16 significant digits, as XlsxWriter writes it."""
    return f"{float(value):.16G}"


def inline_text(text: str) -> str:
    """The <t> element of an inline string holding `text`, escaped as XlsxWriter escapes it."""
    if len(text) > _SURELY_SHORT and len(text.encode("utf-16-le", "surrogatepass")) // 2 > _MAX_CELL_UNITS:
        text = _truncated(text)
    text = _ESCAPE_LOOKALIKE.sub(r"_x005F\1", text)
    text = _CONTROL_CHARACTER.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    keep_spaces = text[:1].isspace() or text[-1:].isspace()
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f'<t xml:space="preserve">{text}</t>' if keep_spaces else f"<t>{text}</t>"


def _truncated(text: str) -> str:
    """The longest start of `text` a cell holds, without splitting a character beyond U+FFFF (as XlsxWriter cuts
    it: Excel would refuse the whole workbook)."""
    units = 0
    for index, character in enumerate(text):
        units += 2 if ord(character) > 0xFFFF else 1
        if units > _MAX_CELL_UNITS:
            return text[:index]
    return text


def _need_no_escaping(texts: list[str]) -> bool:
    """Whether every text is written as it is: printable (so no control character, and no white space but the
    space), no `&`, `<`, `>` or escape lookalike, no space at either end, no leading `'`, and short."""
    # The separator may occur in a text too: then the block is merely written a text at a time. A search for one
    # character is much faster than for two, so a pair is looked for only where its first character is found.
    joined = "|".join(texts)
    return (
        joined.isprintable()
        and "&" not in joined and "<" not in joined and ">" not in joined
        and ("_" not in joined or "_x" not in joined)
        and ("'" not in joined or "|'" not in joined)
        and "| " not in joined and " |" not in joined
        and not joined.startswith(("'", " ")) and not joined.endswith(" ")
        and (len(joined) <= _SURELY_SHORT or max(map(len, texts)) <= _SURELY_SHORT)
    )


def column_cells(column: ExportColumn, letters: str) -> ColumnCells:
    """How one column of a block becomes its cells' XML, given the sheet's row numbers of the block: one string
    per row, empty where the value is None (an empty cell is not written)."""
    field = column.field
    to_text = field.to_text
    plain_text = type(field).to_text is ImportField.to_text
    start = f'<c r="{letters}'

    def text(value: Any, number: str) -> str:
        if not plain_text or value.__class__ is not str or value.startswith("'"):
            value = escape_apostrophes(to_text(value))  # stored text is its own to_text: most values skip this
        return f'{start}{number}" t="inlineStr"><is>{inline_text(value)}</is></c>'

    kind = column.kind
    if kind == "date":

        def date(values: tuple, numbers: Sequence[str]) -> list[str]:
            return [
                "" if value is None
                else f'{start}{number}" s="{STYLE_DATE}"><v>{value.toordinal() - _SERIAL_OFFSET}</v></c>'
                if is_excel_date(value) else text(value, number)
                for value, number in zip(values, numbers, strict=True)
            ]

        return date
    if kind == "datetime":

        def moment(value: Any, number: str) -> str:
            exact = excel_moment(value)
            if exact is None:
                return text(value, number)
            return f'{start}{number}" s="{STYLE_MOMENT}"><v>{moment_serial(exact)}</v></c>'

        if not plain_text:
            return lambda values, numbers: [
                "" if value is None else moment(value, number) for value, number in zip(values, numbers, strict=True)
            ]

        # Most stored moments have microseconds, which a cell cannot hold: their text is their ISO form, which
        # needs no escaping (digits, dashes, colons, T, a dot and a sign).
        def moments(values: tuple, numbers: Sequence[str]) -> list[str]:
            return [
                "" if value is None
                else f'{start}{number}" t="inlineStr"><is><t>{value.isoformat()}</t></is></c>'
                if value.__class__ is _MOMENT and value.microsecond % 1000 else moment(value, number)
                for value, number in zip(values, numbers, strict=True)
            ]

        return moments
    if kind in ("number", "money"):
        style = f' s="{STYLE_MONEY}"' if kind == "money" else ""

        def number_cells(values: tuple, numbers: Sequence[str]) -> list[str]:
            return [
                "" if value is None
                else f'{start}{number}"{style}><v>{number_text(value)}</v></c>' if is_exact_number(value)
                else text(value, number)
                for value, number in zip(values, numbers, strict=True)
            ]

        return number_cells
    if kind == "boolean":

        def yes_no(values: tuple, numbers: Sequence[str]) -> list[str]:
            return [
                "" if value is None
                else f'{start}{number}" t="b"><v>{1 if value else 0}</v></c>' if isinstance(value, bool)
                else text(value, number)
                for value, number in zip(values, numbers, strict=True)
            ]

        return yes_no

    def texts(values: tuple, numbers: Sequence[str]) -> list[str]:
        present = [value for value in values if value is not None]
        if plain_text and set(map(type, present)) <= _TEXT_ONLY and _need_no_escaping(present):
            return [
                "" if value is None else f'{start}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                for value, number in zip(values, numbers, strict=True)
            ]
        return ["" if value is None else text(value, number) for value, number in zip(values, numbers, strict=True)]

    return texts


def header_cell(letters: str, name: str) -> str:
    """A header cell: the column's name, bold."""
    return f'<c r="{letters}1" s="{STYLE_BOLD}" t="inlineStr"><is>{inline_text(name)}</is></c>'
