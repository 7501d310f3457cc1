"""An .xlsx workbook of one sheet, written as a ZIP archive straight into a stream, the sheet's rows as they come.

A workbook is a ZIP of XML parts. The parts that describe it are small and fixed: they are written first, from the
templates below. The sheet is streamed into its member of the archive (deflated as it goes, ZIP64 because its
size is not known beforehand), so nothing but the block being written is ever held. What depends on the number of
rows is left to the end: the autofilter's range, which the sheet's schema puts after its rows, and the workbook
part, which names the same range (`_xlnm._FilterDatabase`, as Excel records a filter) and is written last. The
sheet has no <dimension> (it would come before the rows); it is optional, and readers take the cells' own
references.

The archive is written forwards only, so a stream that cannot seek (an upload, a download) takes it as well; the
stream is left open. Members carry a fixed date, so the same rows always give the same bytes.
"""

import datetime as dt
import zipfile
from collections.abc import Sequence
from typing import BinaryIO
from xml.sax.saxutils import escape, quoteattr

from openpyxl.utils import get_column_letter

from imports.engine.exports.writers.xlsx_cells import STYLE_BOLD, STYLE_DATE, STYLE_MOMENT, STYLE_MONEY

# Measured on 200,000 customers (bench/excel_export.py): level 1 writes the workbook about 1.4 times as fast as
# zlib's default of 6, for a file about a quarter larger (39 MB against 32 MB); the sheet's markup, repeated in every
# cell, is most of what is deflated, and it shrinks well at any level.
COMPRESS_LEVEL = 1

_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_DOCUMENT_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument"
_PACKAGE_TYPE = "application/vnd.openxmlformats-package"

_CONTENT_TYPES = (
    f'{_DECLARATION}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    f'<Default Extension="rels" ContentType="{_PACKAGE_TYPE}.relationships+xml"/>'
    f'<Default Extension="xml" ContentType="application/xml"/>'
    f'<Override PartName="/docProps/core.xml" ContentType="{_PACKAGE_TYPE}.core-properties+xml"/>'
    f'<Override PartName="/xl/workbook.xml" ContentType="{_CONTENT_TYPE}.spreadsheetml.sheet.main+xml"/>'
    f'<Override PartName="/xl/styles.xml" ContentType="{_CONTENT_TYPE}.spreadsheetml.styles+xml"/>'
    f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{_CONTENT_TYPE}.spreadsheetml.worksheet+xml"/>'
    f"</Types>"
)
_PACKAGE_RELS = (
    f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{_DOCUMENT_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/>'
    f'<Relationship Id="rId2" Type="{_PACKAGE_RELATIONSHIPS}/metadata/core-properties" Target="docProps/core.xml"/>'
    f"</Relationships>"
)
_CORE = (
    f'{_DECLARATION}<cp:coreProperties xmlns:cp="{_PACKAGE_RELATIONSHIPS}/metadata/core-properties" '
    f'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
    f'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
    f'<dcterms:created xsi:type="dcterms:W3CDTF">{{created}}</dcterms:created>'
    f'<dcterms:modified xsi:type="dcterms:W3CDTF">{{created}}</dcterms:modified>'
    f"</cp:coreProperties>"
)
_WORKBOOK_RELS = (
    f'{_DECLARATION}<Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
    f'<Relationship Id="rId1" Type="{_DOCUMENT_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{_DOCUMENT_RELATIONSHIPS}/styles" Target="styles.xml"/>'
    f"</Relationships>"
)
# The cell formats, in the order of their indices (xlsx_cells' STYLE_*): the default, bold, a date, a date and
# time, an amount (format 4 is Excel's own #,##0.00). Excel insists on the first two fills being these.
_CELL_FORMATS = {
    0: '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
    STYLE_BOLD: '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
    STYLE_DATE: '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    STYLE_MOMENT: '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
    STYLE_MONEY: '<xf numFmtId="4" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>',
}
_STYLES = (
    f'{_DECLARATION}<styleSheet xmlns="{_MAIN}">'
    f'<numFmts count="2"><numFmt numFmtId="164" formatCode="yyyy-mm-dd"/>'
    f'<numFmt numFmtId="165" formatCode="yyyy-mm-dd hh:mm:ss"/></numFmts>'
    f'<fonts count="2"><font><sz val="11"/><name val="Calibri"/><family val="2"/></font>'
    f'<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font></fonts>'
    f'<fills count="2"><fill><patternFill patternType="none"/></fill>'
    f'<fill><patternFill patternType="gray125"/></fill></fills>'
    f'<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    f'<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    f'<cellXfs count="{len(_CELL_FORMATS)}">{"".join(_CELL_FORMATS[index] for index in sorted(_CELL_FORMATS))}'
    f"</cellXfs>"
    f'<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    f'<dxfs count="0"/><tableStyles count="0"/></styleSheet>'
)
# The first row frozen: the pane splits below it and the rows scroll from A2.
_SHEET_START = (
    f'{_DECLARATION}<worksheet xmlns="{_MAIN}" xmlns:r="{_DOCUMENT_RELATIONSHIPS}">'
    f'<sheetViews><sheetView tabSelected="1" workbookViewId="0">'
    f'<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/><selection pane="bottomLeft"/>'
    f'</sheetView></sheetViews><sheetFormatPr defaultRowHeight="15"/>'
)
_SHEET_END = (
    '<pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></worksheet>'
)
_WORKBOOK = (
    f'{_DECLARATION}<workbook xmlns="{_MAIN}" xmlns:r="{_DOCUMENT_RELATIONSHIPS}">'
    f'<bookViews><workbookView xWindow="240" yWindow="15" windowWidth="16095" windowHeight="9660"/></bookViews>'
    f'<sheets><sheet name={{name}} sheetId="1" r:id="rId1"/></sheets>{{defined_names}}'
    f'<calcPr calcId="124519" fullCalcOnLoad="1"/></workbook>'
)
# Column references have at most 3 letters: a longer name of letters alone is no reference, and a formula may name
# its sheet bare (as Excel and XlsxWriter do); any other name is quoted, its quotes doubled.
_LONGEST_COLUMN_LETTERS = 3
# Excel measures widths in characters of its default font's digits (7 pixels, plus 5 of padding), rounded to
# 1/256 of a character; the same arithmetic as XlsxWriter's set_column.
_DIGIT_PIXELS, _PADDING_PIXELS = 7, 5


def excel_width(characters: float) -> str:
    """The <col> width that shows `characters` digits (at least one), as Excel and XlsxWriter record it."""
    pixels = int(characters * _DIGIT_PIXELS + 0.5) + _PADDING_PIXELS
    return f"{pixels * 256 // _DIGIT_PIXELS / 256:.16g}"


def _columns_xml(widths: Sequence[float]) -> str:
    """<cols>, with neighbouring columns of one width in one <col> (as Excel and XlsxWriter write them)."""
    if not widths:
        return ""
    runs: list[list] = []
    for index, width in enumerate(widths, start=1):
        if runs and runs[-1][2] == width:
            runs[-1][1] = index
        else:
            runs.append([index, index, width])
    cols = "".join(f'<col min="{first}" max="{last}" width="{excel_width(width)}" customWidth="1"/>'
                   for first, last, width in runs)
    return f"<cols>{cols}</cols>"


class WorkbookPackage:
    """The archive of a one-sheet workbook: `write(xml)` adds rows to the sheet's data, `close(rows)` finishes the
    sheet with an autofilter over its first `rows` rows and every column, and the archive."""

    def __init__(self, stream: BinaryIO, *, sheet_name: str, widths: Sequence[float], created: dt.datetime):
        self._sheet_name = sheet_name
        self._column_count = len(widths)
        self._zip = zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=COMPRESS_LEVEL)
        moment = created.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        for name, content in (
            ("[Content_Types].xml", _CONTENT_TYPES),
            ("_rels/.rels", _PACKAGE_RELS),
            ("docProps/core.xml", _CORE.format(created=moment)),
            ("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS),
            ("xl/styles.xml", _STYLES),
        ):
            self._write_part(name, content)
        # A member opened by name carries ZipInfo's fixed date and the archive's compression.
        self._sheet = self._zip.open("xl/worksheets/sheet1.xml", "w", force_zip64=True)
        self.write(f"{_SHEET_START}{_columns_xml(widths)}<sheetData>")

    def _write_part(self, name: str, content: str) -> None:
        with self._zip.open(name, "w") as part:
            part.write(content.encode())

    def write(self, xml: str) -> None:
        self._sheet.write(xml.encode())

    def close(self, rows: int) -> None:
        """Finish the workbook whose sheet has `rows` rows, the header's included."""
        name = self._sheet_name
        if self._column_count:
            letters = get_column_letter(self._column_count)
            filtered = f'<autoFilter ref="A1:{letters}{rows}"/>'
            bare = name.isascii() and name.isalpha() and len(name) > _LONGEST_COLUMN_LETTERS
            formula_name = name if bare else "'" + name.replace("'", "''") + "'"
            defined_names = (f'<definedNames><definedName name="_xlnm._FilterDatabase" localSheetId="0" hidden="1">'
                             f"{escape(formula_name)}!$A$1:${letters}${rows}</definedName></definedNames>")
        else:
            filtered = defined_names = ""
        self.write(f"</sheetData>{filtered}{_SHEET_END}")
        self._sheet.close()
        self._write_part("xl/workbook.xml", _WORKBOOK.format(name=quoteattr(name), defined_names=defined_names))
        self._zip.close()
