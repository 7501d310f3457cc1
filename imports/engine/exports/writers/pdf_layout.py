"""How a PDF report's table fits its page: the page (portrait for a few narrow columns, else landscape, on a longer
sheet when the columns need it), the font size, and each column's width.

Widths are estimated from what a column holds (its kind, a text field's maximum length, the longest word of its
label, which is where the header wraps), not measured from the rows, so the layout is known before the first row.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from reportlab.lib.pagesizes import TABLOID, landscape, legal, letter
from reportlab.lib.units import inch

from imports.engine.exports.columns import ExportColumn

MARGIN = 0.5 * inch
CELL_PADDING = 3  # points each side of a cell's text
PORTRAIT_MAX_COLUMNS = 6
# Fonts from large to small, in points; a page is chosen if the columns fit it at READABLE_FONT or larger.
FONT_SIZES = (9.0, 8.5, 8.0, 7.5, 7.0, 6.5, 6.0, 5.5, 5.0)
READABLE_FONT = 6.0
# Landscape sheets from the everyday to the widest a printer commonly takes: 11, 14 and 17 inches across.
LANDSCAPE_PAGES = (landscape(letter), landscape(legal), landscape(TABLOID))
AVERAGE_CHAR_WIDTH = 0.6  # of the font size: Helvetica's digits are 0.556, its letters 0.22 to 0.94
# Characters a column wants, by kind; text columns follow their maximum length within TEXT_CHARS.
_KIND_CHARS = {
    "date": 10, "datetime": 16, "email": 24, "phone": 13, "postal_code": 10, "us_state": 5, "boolean": 4,
    "number": 10, "money": 10, "url": 24, "choice": 10, "status_code": 4,
}
TEXT_CHARS = (8, 24)
# Kinds whose values are about as long as each other: they keep their width; text columns give way when short of
# room.
_FIXED_KINDS = frozenset({"date", "datetime", "phone", "postal_code", "us_state", "boolean", "number", "money",
                          "choice", "status_code"})


@dataclass(frozen=True)
class TableLayout:
    pagesize: tuple[float, float]
    font_size: float
    column_widths: list[float]

    @property
    def landscape(self) -> bool:
        return self.pagesize[0] > self.pagesize[1]


def wanted_chars(column: ExportColumn) -> int:
    """How many characters a column wants: its kind's, or its text's up to a limit; at least its label's longest
    word."""
    chars = _KIND_CHARS.get(column.kind)
    if chars is None:
        low, high = TEXT_CHARS
        chars = max(low, min(high, column.field.max_length or high))
    return max(chars, *(len(word) for word in column.label.split()), 1)


def _natural_widths(chars: Sequence[int], font_size: float) -> list[float]:
    return [count * font_size * AVERAGE_CHAR_WIDTH + 2 * CELL_PADDING for count in chars]


def table_layout(columns: Sequence[ExportColumn]) -> TableLayout:
    """The first page, and the largest font on it, at which every column gets the room it wants; when none
    fits, the widest page at the smallest font, with text columns narrowed (their cells are cut short)."""
    chars = [wanted_chars(column) for column in columns]
    pages = LANDSCAPE_PAGES if len(columns) > PORTRAIT_MAX_COLUMNS else (letter, *LANDSCAPE_PAGES)
    for pagesize in pages:
        available = pagesize[0] - 2 * MARGIN
        for font_size in FONT_SIZES:
            if font_size < READABLE_FONT:
                break
            natural = _natural_widths(chars, font_size)
            if sum(natural) <= available:
                return TableLayout(pagesize, font_size, _spread(natural, available))
    pagesize, font_size = LANDSCAPE_PAGES[-1], FONT_SIZES[-1]
    available = pagesize[0] - 2 * MARGIN
    return TableLayout(pagesize, font_size, _squeezed(columns, _natural_widths(chars, font_size), available))


def _spread(natural: list[float], available: float) -> list[float]:
    """Widths that fill the page, each in proportion to what it wants."""
    scale = available / sum(natural) if natural else 1
    return [width * scale for width in natural]


def _squeezed(columns: Sequence[ExportColumn], natural: list[float], available: float) -> list[float]:
    """Fixed-kind columns keep their width; the text columns share what is left, in proportion to what they want.
    When even the fixed ones do not fit, every column shrinks alike."""
    fixed = sum(width for column, width in zip(columns, natural, strict=True) if column.kind in _FIXED_KINDS)
    flexible = sum(natural) - fixed
    if fixed >= available or not flexible:
        return _spread(natural, available)
    scale = (available - fixed) / flexible
    return [width if column.kind in _FIXED_KINDS else width * scale
            for column, width in zip(columns, natural, strict=True)]
