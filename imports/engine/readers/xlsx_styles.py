"""Which cell styles of a workbook show a date: a number in such a cell is a date (Excel stores dates as numbers).

Only xl/styles.xml's number formats and cell formats are read, streamed; each cell format becomes one byte (date
or not), so even a workbook bloated with styles costs little memory.
"""

from array import array

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

from imports.engine.readers import xlsx_xml
from imports.engine.readers.workbook_archive import WorkbookArchive

PART = "xl/styles.xml"
_NUMBER_FORMAT, _CELL_FORMATS, _FORMAT = xlsx_xml.MAIN + "numFmt", xlsx_xml.MAIN + "cellXfs", xlsx_xml.MAIN + "xf"


def date_styles(archive: WorkbookArchive) -> bytearray:
    """One byte per cell format (the index a cell's `s` attribute names): 1 when it shows a date or time."""
    if not archive.has(PART):
        return bytearray()
    custom: dict[int, bool] = {}
    format_ids = array("q")
    in_cell_formats = False
    parser = xlsx_xml.parser()

    def start(name, attributes):
        nonlocal in_cell_formats
        if name == _FORMAT and in_cell_formats:
            format_ids.append(int(attributes.get("numFmtId", "0")))
        elif name == _NUMBER_FORMAT:
            custom[int(attributes.get("numFmtId", "-1"))] = is_date_format(attributes.get("formatCode", ""))
        elif name == _CELL_FORMATS:
            in_cell_formats = True

    def end(name):
        nonlocal in_cell_formats
        if name == _CELL_FORMATS:
            in_cell_formats = False

    parser.StartElementHandler, parser.EndElementHandler = start, end
    with archive.open(PART, max_bytes=xlsx_xml.MAX_PART_BYTES) as stream:
        for _block in xlsx_xml.feed(parser, stream, PART):
            pass
    built_in: dict[int, bool] = {}
    dates = bytearray(len(format_ids))
    for index, format_id in enumerate(format_ids):
        if format_id in custom:
            dates[index] = custom[format_id]
        else:
            if format_id not in built_in:
                built_in[format_id] = is_date_format(BUILTIN_FORMATS.get(format_id, "General"))
            dates[index] = built_in[format_id]
    return dates
