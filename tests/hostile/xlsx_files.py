"""Hostile Excel workbooks: zip bombs, XML bombs and sheets that lie about their shape, plus odd but honest ones.

The archives are written by hand (a few lines of the ZIP format) rather than through zipfile, for two reasons: a
gigabyte of repeated text is deflated once per distinct megabyte and the compressed block repeated (a full flush
makes each block stand alone), so every file is built in seconds with little memory; and a part can declare a size
that is not its real one.
"""

import base64
import random
import struct
import zlib
from collections.abc import Iterable
from pathlib import Path

from .corpus import HostileFile

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
MB = 1024 * 1024
HEADER = ["first_name", "last_name", "email", "phone", "service_address", "city", "state", "postal_code",
          "meter_number"]

CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
PACKAGE_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN}" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    'relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" '
    'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/></Relationships>'
)

# A part's content: pieces of bytes, each repeated a number of times.
Pieces = Iterable[tuple[bytes, int]]


def _deflated(pieces: Pieces) -> tuple[list[bytes], int, int]:
    """The raw deflate stream of the pieces (each distinct piece compressed once), its CRC-32 and unpacked size."""
    blocks, crc, size = [], 0, 0
    for piece, times in pieces:
        compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
        block = compressor.compress(piece) + compressor.flush(zlib.Z_FULL_FLUSH)
        blocks.extend([block] * times)
        for _time in range(times):
            crc = zlib.crc32(piece, crc)
        size += len(piece) * times
    blocks.append(zlib.compressobj(6, zlib.DEFLATED, -15).flush(zlib.Z_FINISH))  # the final, empty block
    return blocks, crc, size


def write_archive(path: Path, parts: dict[str, Pieces], declared_sizes: dict[str, int] | None = None) -> None:
    """A ZIP archive of deflated parts; `declared_sizes` makes a part claim an unpacked size it does not have."""
    declared_sizes = declared_sizes or {}
    directory = []
    with open(path, "wb") as archive:
        for name, pieces in parts.items():
            blocks, crc, size = _deflated(pieces)
            packed = sum(len(block) for block in blocks)
            size = declared_sizes.get(name, size)
            encoded = name.encode()
            offset = archive.tell()
            archive.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, packed, size,
                                      len(encoded), 0) + encoded)
            for block in blocks:
                archive.write(block)
            directory.append(struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, packed,
                                         size, len(encoded), 0, 0, 0, 0, 0, offset) + encoded)
        start = archive.tell()
        archive.write(b"".join(directory))
        archive.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory),
                                  archive.tell() - start, start, 0))


def workbook(path: Path, sheet: Pieces, *, shared: Pieces | None = None,
             declared_sizes: dict[str, int] | None = None) -> None:
    parts: dict[str, Pieces] = {
        "[Content_Types].xml": [(CONTENT_TYPES.encode(), 1)],
        "_rels/.rels": [(PACKAGE_RELS.encode(), 1)],
        "xl/workbook.xml": [(WORKBOOK.encode(), 1)],
        "xl/_rels/workbook.xml.rels": [(WORKBOOK_RELS.encode(), 1)],
        "xl/worksheets/sheet1.xml": sheet,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    write_archive(path, parts, declared_sizes)


def inline_row(number: int, values: list[str]) -> str:
    cells = "".join(f'<c r="{_letters(column)}{number}" t="inlineStr"><is><t>{value}</t></is></c>'
                    for column, value in enumerate(values))
    return f'<row r="{number}">{cells}</row>'


def _letters(column: int) -> str:
    letters = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def customer(number: int) -> list[str]:
    """A valid customer row: every file read correctly imports its rows."""
    return [f"First{number}", f"Last{number}", f"person{number}@example.com", f"217-555-{number % 10000:04d}",
            f"{number} Main St", "Springfield", "IL", "62701", f"MTR-HOSTILE-{number:07d}"]


def sheet_start(dimension: str | None = "A1:I3") -> bytes:
    dimension_element = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN}">{dimension_element}<sheetData>'.encode()


SHEET_END = b"</sheetData></worksheet>"
HEAD = sheet_start() + inline_row(1, HEADER).encode()


def _sheet(*middle: tuple[bytes, int]) -> Pieces:
    return [(HEAD, 1), *middle, (SHEET_END, 1)]


# --- the files ------------------------------------------------------------------------------------------------------


def one_cell_of_1_1_gb(path: Path) -> None:
    """1.1 GB of text in one cell, packed into about a megabyte."""
    opening = inline_row(2, customer(2)[:-1]).removesuffix("</row>") + '<c r="I2" t="inlineStr"><is><t>'
    workbook(path, _sheet((opening.encode(), 1), (b"A" * MB, 1100), (b"</t></is></c></row>", 1)))


def one_cell_of_8_mb(path: Path) -> None:
    """8 MB of text that does not compress, in one cell: within the archive limits, refused by the cell length."""
    text = base64.b64encode(random.Random(12).randbytes(6 * MB))
    opening = inline_row(2, customer(2)[:-1]).removesuffix("</row>") + '<c r="I2" t="inlineStr"><is><t>'
    workbook(path, _sheet((opening.encode(), 1), (text, 1), (b"</t></is></c></row>", 1)))


def millions_of_tiny_rows(path: Path) -> None:
    """1,200,000 numbered one-cell rows in a few megabytes: within the archive limits, over the row limit."""
    chunks = (
        ("".join(f'<row r="{n}"><c><v>1</v></c></row>' for n in range(start, start + 100_000)).encode(), 1)
        for start in range(2, 1_200_002, 100_000)
    )
    workbook(path, _sheet(*chunks))


def rows_without_numbers_bomb(path: Path) -> None:
    """Twenty-four million identical rows, packed a thousand times over: refused by the compression ratio."""
    workbook(path, _sheet((b"<row><c><v>1</v></c></row>" * 40_000, 600)))


def whitespace_of_1_1_gb(path: Path) -> None:
    """1.1 GB of spaces between two rows."""
    workbook(path, _sheet((b" " * MB, 1100), (inline_row(2, customer(2)).encode(), 1)))


def row_number_gap(path: Path) -> None:
    """A row numbered 900,000,000 after the second: it must not make 900 million blank rows."""
    workbook(path, _sheet((inline_row(2, customer(2)).encode(), 1),
                          (inline_row(900_000_000, customer(3)).encode(), 1)))


def column_reference_xfd(path: Path) -> None:
    """A cell in column XFD (16,384th, Excel's last): the row must not be padded to it."""
    workbook(path, _sheet((inline_row(2, customer(2)).removesuffix("</row>").encode()
                           + b'<c r="XFD2" t="inlineStr"><is><t>far</t></is></c></row>', 1)))


def twenty_thousand_columns(path: Path) -> None:
    cells = "".join(f"<c><v>{n}</v></c>" for n in range(20_000))
    workbook(path, _sheet((f'<row r="2">{cells}</row>'.encode(), 1)))


def _shared_strings(texts: list[str]) -> Pieces:
    items = "".join(f"<si><t>{text}</t></si>" for text in texts)
    return [(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{MAIN}">{items}</sst>'.encode(), 1)]


def _shared_row(number: int, indexes: list[int]) -> bytes:
    cells = "".join(f'<c r="{_letters(column)}{number}" t="s"><v>{index}</v></c>'
                    for column, index in enumerate(indexes))
    return f'<row r="{number}">{cells}</row>'.encode()


def shared_index_out_of_range(path: Path) -> None:
    """A cell names shared text number 9 of a table of 9 (0 to 8)."""
    workbook(path, [(sheet_start(), 1), (_shared_row(1, list(range(9))), 1), (_shared_row(2, [9]), 1),
                    (SHEET_END, 1)], shared=_shared_strings(HEADER))


def shared_index_far_past_the_table(path: Path) -> None:
    """A cell names shared text number 4,000,000,000: the table is read to its end once, not searched forever."""
    workbook(path, [(sheet_start(), 1), (_shared_row(1, list(range(9))), 1), (_shared_row(2, [4_000_000_000]), 1),
                    (SHEET_END, 1)], shared=_shared_strings(HEADER))


def nested_100_000_levels(path: Path) -> None:
    """100,000 nested elements between two rows; they mean nothing in a sheet, the rows around them are read."""
    nesting = (b"<x>" * 100_000, 1), (b"</x>" * 100_000, 1)
    workbook(path, _sheet((inline_row(2, customer(2)).encode(), 1), *nesting,
                          (inline_row(3, customer(3)).encode(), 1)))


def external_entity(path: Path) -> None:
    """XXE: an entity that would read a file of the server into a cell."""
    workbook(path, [(b'<?xml version="1.0"?><!DOCTYPE worksheet [<!ENTITY secret SYSTEM "file:///etc/passwd">]>'
                     + sheet_start()[sheet_start().index(b"<worksheet"):] + inline_row(1, HEADER).encode()
                     + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&secret;</t></is></c></row>', 1),
                    (SHEET_END, 1)])


def billion_laughs(path: Path) -> None:
    entities = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{n} "{f"&lol{n - 1};" * 10}">' for n in range(1, 10)
    )
    workbook(path, [(f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'.encode()
                     + sheet_start()[sheet_start().index(b"<worksheet"):] + inline_row(1, HEADER).encode()
                     + b'<row r="2"><c r="A2" t="inlineStr"><is><t>&lol9;</t></is></c></row>', 1),
                    (SHEET_END, 1)])


def declared_size_lies(path: Path) -> None:
    """The sheet declares 4 KB (too small for its ratio to be judged) and unpacks to 500 MB."""
    workbook(path, _sheet((b" " * MB, 500), (inline_row(2, customer(2)).encode(), 1)),
             declared_sizes={"xl/worksheets/sheet1.xml": 4096})


def no_dimension_and_no_references(path: Path) -> None:
    """Honest but bare, as some exporters write: no <dimension>, rows and cells without their r attributes."""
    def row(values: list[str]) -> str:
        return "<row>" + "".join(f'<c t="inlineStr"><is><t>{value}</t></is></c>' for value in values) + "</row>"

    body = row(HEADER) + "".join(row(customer(number)) for number in range(2, 52))
    workbook(path, [(sheet_start(None) + body.encode() + SHEET_END, 1)])


def prefixed_rich_shared_strings(path: Path) -> None:
    """Honest but unusual: every element under an `x:` prefix, shared texts in rich-text runs with phonetic guides."""
    texts = HEADER + [value for number in range(2, 22) for value in customer(number)]
    items = "".join(
        f'<x:si><x:r><x:rPr><x:b/></x:rPr><x:t>{text[:3]}</x:t></x:r><x:r><x:t>{text[3:]}</x:t></x:r>'
        f'<x:rPh sb="0" eb="1"><x:t>フリガナ</x:t></x:rPh></x:si>'
        for text in texts
    )
    shared = f'<?xml version="1.0"?><x:sst xmlns:x="{MAIN}">{items}</x:sst>'.encode()
    rows = "".join(
        f'<x:row r="{row + 1}">' + "".join(
            f'<x:c r="{_letters(column)}{row + 1}" t="s"><x:v>{row * len(HEADER) + column}</x:v></x:c>'
            for column in range(len(HEADER))
        ) + "</x:row>"
        for row in range(21)
    )
    sheet = f'<?xml version="1.0"?><x:worksheet xmlns:x="{MAIN}"><x:sheetData>{rows}</x:sheetData></x:worksheet>'
    workbook(path, [(sheet.encode(), 1)], shared=[(shared, 1)])


FILES: list[HostileFile] = [
    HostileFile("cell-1.1gb.xlsx", one_cell_of_1_1_gb, "IMPORT_MAX_UNZIPPED_MB"),
    HostileFile("cell-8mb.xlsx", one_cell_of_8_mb, "IMPORT_MAX_CELL_CHARS"),
    HostileFile("rows-1.2-million.xlsx", millions_of_tiny_rows, "IMPORT_MAX_ROWS"),
    HostileFile("rows-24-million-bomb.xlsx", rows_without_numbers_bomb, "IMPORT_MAX_ZIP_RATIO"),
    HostileFile("whitespace-1.1gb.xlsx", whitespace_of_1_1_gb, "IMPORT_MAX_UNZIPPED_MB"),
    HostileFile("row-gap.xlsx", row_number_gap, "IMPORT_MAX_ROWS"),
    HostileFile("column-xfd.xlsx", column_reference_xfd, "IMPORT_MAX_COLUMNS"),
    HostileFile("columns-20000.xlsx", twenty_thousand_columns, "IMPORT_MAX_COLUMNS"),
    HostileFile("shared-index-out-of-range.xlsx", shared_index_out_of_range, "names shared text number 9"),
    HostileFile("shared-index-far.xlsx", shared_index_far_past_the_table, "names shared text number 4,000,000,000"),
    HostileFile("nested-100000.xlsx", nested_100_000_levels, "", rows=2),
    HostileFile("xxe.xlsx", external_entity, "declares a document type"),
    HostileFile("billion-laughs.xlsx", billion_laughs, "declares a document type"),
    HostileFile("declared-size-lies.xlsx", declared_size_lies, "damaged"),
    HostileFile("no-dimension-no-references.xlsx", no_dimension_and_no_references, "", rows=50),
    HostileFile("prefixed-rich-shared-strings.xlsx", prefixed_rich_shared_strings, "", rows=20),
]
