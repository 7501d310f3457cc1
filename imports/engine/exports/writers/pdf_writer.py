"""PDF: a report for people, not for importing back. A title, when it was generated, the filters in words, then one
table of the columns' labels and the rows, the header repeated on every page and "Page N of M" at the foot.

The rows are held until `close`, which lays out the whole document (the page count is known only then); the
export's rows are capped before they reach this writer (EXPORT_PDF_MAX_ROWS), which bounds its memory. Cells are
plain strings cut to their column's width with an ellipsis: a wrapped cell would need a Paragraph, which costs many
times more to lay out, and a list of ten thousand rows reads better one line per row.
"""

import datetime as dt
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, BinaryIO
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle
from reportlab.platypus.tables import CellStyle

from imports.declare.wording import counted
from imports.engine.exports.columns import ExportColumn
from imports.engine.exports.writers.base import ExportWriter, ReportInfo
from imports.engine.exports.writers.pdf_layout import CELL_PADDING, MARGIN, table_layout

FONT, BOLD_FONT = "Helvetica", "Helvetica-Bold"
FOOTER_FONT_SIZE = 8
ELLIPSIS = "…"
# Platypus splits a table across pages by re-measuring what is left of it: tables of a few hundred rows keep each
# split cheap, where one table of ten thousand rows is re-measured page after page.
ROWS_PER_TABLE = 500
NO_FILTERS = "No filters: every record"
# The widest letter of Helvetica (W, M) is under this share of the font size: a text this short fits, unmeasured.
_WIDEST_CHAR = 0.95


class _NumberedCanvas(Canvas):
    """Holds each page until the document ends, then stamps "Page N of M" on all of them (reportlab's recipe: the
    page count is unknown while the pages are drawn)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._pages: list[dict] = []

    def showPage(self):  # reportlab's name
        self._pages.append(dict(self.__dict__))
        self._startPage()

    def save(self):
        total = len(self._pages)
        for state in self._pages:
            self.__dict__.update(state)
            width, _height = self._pagesize
            self.setFont(FONT, FOOTER_FONT_SIZE)
            self.drawRightString(width - MARGIN, MARGIN / 2, f"Page {self._pageNumber} of {total}")
            super().showPage()
        super().save()


class PdfWriter(ExportWriter):
    """Portrait for a few narrow columns, else landscape (on a longer sheet when the columns need it), in the
    largest font at which they fit (see pdf_layout)."""

    extension = "pdf"
    content_type = "application/pdf"

    def __init__(self, stream: BinaryIO, columns: Sequence[ExportColumn], report: ReportInfo):
        super().__init__(stream, columns, report)
        self.layout = table_layout(self.columns)
        font_size = self.layout.font_size
        self._cells = [_cell_text(column, report.generated_at.tzinfo) for column in self.columns]
        self._fits = [_fitter(width - 2 * CELL_PADDING, font_size) for width in self.layout.column_widths]
        self._rows: list[list[str]] = []

    def write_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        cells, fits = self._cells, self._fits
        for row in rows:
            self._rows.append([fit(cell(value)) for cell, fit, value in zip(cells, fits, row, strict=True)])
        self.rows_written += len(rows)

    def close(self) -> None:
        document = SimpleDocTemplate(
            self.stream, pagesize=self.layout.pagesize, leftMargin=MARGIN, rightMargin=MARGIN, topMargin=MARGIN,
            bottomMargin=MARGIN, title=self.report.title,
        )
        document.build([*self._heading(), *self._tables()], canvasmaker=_NumberedCanvas)
        self._rows = []

    def _heading(self) -> list:
        styles = getSampleStyleSheet()
        report = self.report
        generated = report.generated_at.strftime("%Y-%m-%d %H:%M %Z").strip()
        count = self.rows_written
        shown = counted(count, "row")
        if report.total_rows is not None and report.total_rows > count:
            shown = f"The first {count:,} of {report.total_rows:,} rows: a PDF report holds at most {count:,}."
        filters = f"Filters: {'; '.join(report.filters)}" if report.filters else NO_FILTERS
        return [
            Paragraph(escape(report.title), styles["Title"]),
            Paragraph(escape(f"Generated {generated}"), styles["Normal"]),
            Paragraph(escape(filters), styles["Normal"]),
            Paragraph(escape(shown), styles["Normal"]),
            Spacer(1, 0.15 * inch),
        ]

    def _tables(self) -> list:
        font_size = self.layout.font_size
        header_style = ParagraphStyle("header", fontName=BOLD_FONT, fontSize=font_size, leading=font_size * 1.2)
        header = [Paragraph(escape(column.label), header_style) for column in self.columns]
        style = TableStyle([
            ("FONT", (0, 0), (-1, -1), FONT, font_size, font_size * 1.2),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#E8E8E8")),
            ("LINEBELOW", (0, 0), (-1, 0), 0.75, colors.black),
            ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.HexColor("#CCCCCC")),
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("TOPPADDING", (0, 0), (-1, -1), 1),
            ("BOTTOMPADDING", (0, 0), (-1, -1), 1),
        ])
        rows = self._rows or [[""] * len(self.columns)]
        tables = []
        for start in range(0, len(rows), ROWS_PER_TABLE):
            data = [header, *rows[start : start + ROWS_PER_TABLE]]
            tables.append(LongTable(data, colWidths=self.layout.column_widths, repeatRows=1, style=style,
                                    hAlign="LEFT", cellStyles=shared_cell_styles(len(data), len(self.columns))))
        return tables


def shared_cell_styles(rows: int, columns: int) -> list[list[CellStyle]]:
    """One row of cell styles shared by every row of a table. Reportlab makes a style object for each cell (about
    400 bytes each: 70 MB for ten thousand rows of 19 columns, all held while the document is laid out), and the
    table's style sets them all alike here, so one row of them serves."""
    styles = [CellStyle(f"column {index}") for index in range(columns)]
    return [styles] * rows


def _fitter(width: float, font_size: float) -> Callable[[str], str]:
    """A cell's text cut to `width` points, with an ellipsis where it was cut."""
    sure_to_fit = int(width / (font_size * _WIDEST_CHAR))
    ellipsis = stringWidth(ELLIPSIS, FONT, font_size)

    def fit(text: str) -> str:
        if len(text) <= sure_to_fit or stringWidth(text, FONT, font_size) <= width:
            return text
        low, high = 0, len(text)
        while low < high:  # the longest start of the text that fits beside the ellipsis
            middle = (low + high + 1) // 2
            if stringWidth(text[:middle], FONT, font_size) + ellipsis <= width:
                low = middle
            else:
                high = middle - 1
        return text[:low].rstrip() + ELLIPSIS

    return fit


def _cell_text(column: ExportColumn, zone: dt.tzinfo | None) -> Callable[[Any], str]:
    """How one column's stored value reads for people, on one line: moments in the report's time zone (that of
    `generated_at`), yes/no words, amounts with thousands separators and cents."""
    to_text = column.field.to_text
    money = column.kind == "money"

    def text(value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "Yes" if value else "No"
        if isinstance(value, dt.datetime):
            return (value.astimezone(zone) if zone and value.tzinfo else value).strftime("%Y-%m-%d %H:%M")
        if money and isinstance(value, Decimal) and value.is_finite():
            return f"{value:,.2f}"
        return " ".join(to_text(value).split())  # line breaks and tabs as spaces

    return text
