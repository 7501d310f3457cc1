"""Workbooks are read under limits they cannot talk their way past: the archive's sizes and ratios before it is
opened, then cell length, columns and rows as the sheet streams; XML declarations are refused. The biggest hostile
workbooks are read in a process capped at 400 MB of address space and 30 seconds."""

import json
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import xlwt

from imports.declare.errors import ImportFileError
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.workbook_archive import RATIO_FLOOR_BYTES
from imports.engine.readers.workbooks import XlsSource
from imports.engine.readers.xlsx_stream import XlsxStream
from tests.hostile import xlsx_files
from tests.hostile.xlsx_files import HEAD, HEADER, MB, SHEET_END, customer, inline_row, sheet_start, workbook

ROOT = Path(__file__).resolve().parents[4]


def read(path: Path, limits: ReadLimits = ReadLimits()) -> list[list[str]]:  # noqa: B008 - frozen, shared
    reader = XlsxStream(path, limits=limits)
    try:
        return list(reader.rows())
    finally:
        reader.close()


def sheet(path: Path, *rows: str, dimension: str | None = "A1:I3") -> Path:
    workbook(path, [(sheet_start(dimension), 1), *((row.encode(), 1) for row in rows), (SHEET_END, 1)])
    return path


def refusal(path: Path, limits: ReadLimits = ReadLimits()) -> str:  # noqa: B008
    with pytest.raises(ImportFileError) as raised:
        read(path, limits)
    return str(raised.value)


# --- Before the archive is opened ----------------------------------------------------------------------------------


def test_archive_unpacking_past_the_unzipped_limit_is_refused_before_any_part_is_read(tmp_path):
    path = tmp_path / "big.xlsx"
    workbook(path, [(HEAD, 1), (b" " * MB, 3), (SHEET_END, 1)])

    with pytest.raises(ImportFileError) as raised:
        XlsxStream(path, limits=ReadLimits(max_unzipped_bytes=2 * MB))

    assert str(raised.value) == "The Excel workbook unpacks to 3 MB; the limit is 2 MB (IMPORT_MAX_UNZIPPED_MB)."


def test_large_part_compressed_past_the_ratio_limit_is_refused(tmp_path):
    path = tmp_path / "bomb.xlsx"
    workbook(path, [(HEAD, 1), (b" " * MB, 2), (SHEET_END, 1)])

    with pytest.raises(ImportFileError) as raised:
        XlsxStream(path, limits=ReadLimits(max_zip_ratio=100))

    assert "xl/worksheets/sheet1.xml unpacks to" in str(raised.value)
    assert str(raised.value).endswith("times its packed size; the limit is 100 (IMPORT_MAX_ZIP_RATIO).")


def test_part_under_the_ratio_floor_is_not_judged_by_its_ratio(tmp_path):
    path = sheet(tmp_path / "small.xlsx", inline_row(1, HEADER), " " * (RATIO_FLOOR_BYTES - 10_000),
                 inline_row(2, customer(2)))
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size / info.compress_size > 100

    assert read(path, ReadLimits(max_zip_ratio=100)) == [HEADER, customer(2)]


def test_part_packed_with_a_method_excel_never_uses_is_refused(tmp_path):
    path = tmp_path / "bzip2.xlsx"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr("xl/workbook.xml", xlsx_files.WORKBOOK)

    assert "not deflated" in refusal(path)


def test_part_unpacking_past_its_declared_size_is_refused_as_damaged(tmp_path):
    path = tmp_path / "lies.xlsx"
    xlsx_files.declared_size_lies(path)

    assert refusal(path).startswith("The Excel workbook is damaged: xl/worksheets/sheet1.xml cannot be unpacked")


# --- While the sheet streams ---------------------------------------------------------------------------------------

SMALL = ReadLimits(max_rows=100, max_columns=20, max_cell_chars=1_000)


@pytest.mark.parametrize("kind", ["inline", "shared", "number"])
def test_cell_longer_than_the_limit_is_refused_and_one_at_the_limit_is_read(tmp_path, kind):
    def book(name: str, length: int) -> Path:
        text = "7" * length if kind == "number" else "x" * length
        if kind == "shared":
            path = tmp_path / name
            workbook(path, [(sheet_start(), 1), (xlsx_files._shared_row(1, [0]), 1), (SHEET_END, 1)],
                     shared=xlsx_files._shared_strings([text]))
            return path
        if kind == "number":
            return sheet(tmp_path / name, f'<row r="1"><c r="A1"><v>{text}</v></c></row>')
        return sheet(tmp_path / name, f'<row r="1"><c r="A1" t="inlineStr"><is><t>{text}</t></is></c></row>')

    assert read(book("fits.xlsx", 1_000), SMALL)[0][0] == ("inf" if kind == "number" else "x" * 1_000)
    message = refusal(book("long.xlsx", 1_001), SMALL)

    assert "cell of 1,001 characters or more; the limit is 1,000 (IMPORT_MAX_CELL_CHARS)." in message


def test_cell_of_a_gigabyte_is_refused_after_a_block_without_being_built(tmp_path):
    path = tmp_path / "cell.xlsx"
    xlsx_files.one_cell_of_1_1_gb(path)
    relaxed = ReadLimits(max_unzipped_bytes=2048 * MB, max_zip_ratio=10_000)

    message = refusal(path, relaxed)

    assert message.startswith("Row 2 has a cell of ")
    assert message.endswith("the limit is 32,767 (IMPORT_MAX_CELL_CHARS).")


def test_column_reference_past_the_column_limit_is_refused_before_the_row_is_padded(tmp_path):
    path = sheet(tmp_path / "xfd.xlsx", '<row r="2"><c r="A2"><v>1</v></c><c r="XFD2"><v>2</v></c></row>')

    assert refusal(path, SMALL) == "Row 2 has 16,384 columns; the limit is 20 (IMPORT_MAX_COLUMNS)."


def test_row_of_more_cells_than_the_column_limit_is_refused_and_one_at_the_limit_is_read(tmp_path):
    def row(count: int) -> str:
        return '<row r="1">' + "<c><v>1</v></c>" * count + "</row>"

    assert read(sheet(tmp_path / "fits.xlsx", row(20)), SMALL) == [["1"] * 20]
    assert refusal(sheet(tmp_path / "wide.xlsx", row(20_000)), SMALL) == (
        "Row 1 has 21 columns; the limit is 20 (IMPORT_MAX_COLUMNS).")


def test_column_given_again_counts_toward_the_column_limit(tmp_path):
    path = sheet(tmp_path / "again.xlsx", '<row r="1">' + '<c r="A1"><v>1</v></c>' * 50 + "</row>")

    assert "(IMPORT_MAX_COLUMNS)" in refusal(path, SMALL)


def numbered_rows(count: int, first: int = 1) -> str:
    return "".join(f'<row r="{n}"><c r="A{n}"><v>{n}</v></c></row>' for n in range(first, first + count))


def read_until_refused(path: Path, limits: ReadLimits) -> tuple[list[list[str]], str]:
    """The rows given before the reader refused the file, and its refusal."""
    given = []
    try:
        for row in XlsxStream(path, limits=limits).rows():
            given.append(row)
    except ImportFileError as error:
        return given, str(error)
    raise AssertionError("the file was read to its end")


def test_rows_are_counted_as_they_stream(tmp_path):
    """A header and title rows may sit above the data rows the limit allows; past them, the read stops at once."""
    assert len(read(sheet(tmp_path / "fits.xlsx", numbered_rows(110)), SMALL)) == 110

    given, message = read_until_refused(sheet(tmp_path / "long.xlsx", numbered_rows(100_000)), SMALL)

    assert message == ("The file has more than 100 rows, the limit (IMPORT_MAX_ROWS). Split it into "
                                 "smaller files.")
    assert len(given) <= 110


def test_row_number_far_ahead_is_refused_without_making_blank_rows(tmp_path):
    path = sheet(tmp_path / "gap.xlsx", numbered_rows(2), numbered_rows(1, first=900_000_000))

    given, message = read_until_refused(path, SMALL)

    assert "(IMPORT_MAX_ROWS)" in message
    assert len(given) <= 2


def test_rows_numbered_back_and_forth_do_not_multiply_blank_rows(tmp_path):
    back_and_forth = "".join(numbered_rows(1, first=90) + numbered_rows(1, first=1) for _time in range(50))

    assert "(IMPORT_MAX_ROWS)" in refusal(sheet(tmp_path / "zigzag.xlsx", back_and_forth), SMALL)


def test_rows_within_a_forward_gap_are_blank_rows(tmp_path):
    path = sheet(tmp_path / "gap.xlsx", numbered_rows(1), numbered_rows(1, first=4))

    assert read(path, SMALL) == [["1"], [], [], ["4"]]


def test_cell_left_of_the_sheets_declared_first_column_is_refused_as_damaged(tmp_path):
    path = sheet(tmp_path / "lying.xlsx", '<row r="1"><c r="A1"><v>1</v></c></row>', dimension="C1:D4")

    assert refusal(path).startswith("The Excel workbook is damaged: row 1 has a cell left of the sheet's first column")


def test_markup_longer_than_a_megabyte_is_refused(tmp_path):
    path = sheet(tmp_path / "comment.xlsx", numbered_rows(1), "<!--" + "x" * (2 * MB) + "-->")

    message = refusal(path, ReadLimits(max_zip_ratio=100_000))

    assert message == ("The Excel workbook is damaged: xl/worksheets/sheet1.xml holds a tag or other markup longer "
                       "than 1 MB.")


@pytest.mark.parametrize("make", [xlsx_files.external_entity, xlsx_files.billion_laughs], ids=["xxe", "laughs"])
def test_document_type_declarations_are_refused(tmp_path, make):
    path = tmp_path / "attack.xlsx"
    make(path)

    assert refusal(path) == ("The Excel workbook declares a document type or entities, which workbooks never do; it "
                             "is refused as a possible attack.")


def test_shared_string_far_past_the_table_is_refused_after_reading_the_table_once(tmp_path):
    path = tmp_path / "far.xlsx"
    xlsx_files.shared_index_far_past_the_table(path)

    assert refusal(path) == ("The Excel workbook is damaged: a cell names shared text number 4,000,000,000, but the "
                             "workbook holds only 9 (numbered from 0).")


def test_preview_and_import_refuse_alike(tmp_path):
    """The wizard's table and the staging that feeds the import read through the same reader and limits."""
    from imports.engine.readers.staging import stage
    from imports.engine.readers.table import Table

    path = sheet(tmp_path / "xfd.xlsx", inline_row(1, HEADER), '<row r="2"><c r="XFD2"><v>2</v></c></row>')
    with pytest.raises(ImportFileError) as preview:
        Table(path, streamed=True).close()
    with pytest.raises(ImportFileError) as staged:
        stage(path, tmp_path / "staged.csv")

    assert str(preview.value) == str(staged.value) == (
        "Row 2 has 16,384 columns; the limit is 1,000 (IMPORT_MAX_COLUMNS).")


# --- Legacy .xls ---------------------------------------------------------------------------------------------------


def legacy(path: Path, rows: list[list]) -> Path:
    book = xlwt.Workbook()
    page = book.add_sheet("Customers")
    for r, values in enumerate(rows):
        for c, value in enumerate(values):
            page.write(r, c, value)
    book.save(str(path))
    return path


def read_xls(path: Path, limits: ReadLimits) -> list[list[str]]:
    source = XlsSource(path, limits=limits)
    try:
        return list(source.rows())
    finally:
        source.close()


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        ([["a"] * 21], "Row 1 has 21 columns; the limit is 20 (IMPORT_MAX_COLUMNS)."),
        ([["a"], ["x" * 1_001]], "Row 2 has a cell of 1,001 characters or more; the limit is 1,000"),
        ([[n] for n in range(200)], "The file has more than 100 rows, the limit (IMPORT_MAX_ROWS)."),
    ],
    ids=["columns", "cell", "rows"],
)
def test_xls_rows_are_read_under_the_same_limits(tmp_path, rows, expected):
    with pytest.raises(ImportFileError) as raised:
        read_xls(legacy(tmp_path / "old.xls", rows), SMALL)

    assert str(raised.value).startswith(expected)


# --- The biggest hostile workbooks, in a capped process ------------------------------------------------------------

CAPPED_READ = """
import json, resource, sys, time
resource.setrlimit(resource.RLIMIT_AS, (400 * 1024 * 1024, 400 * 1024 * 1024))
sys.path.insert(0, {root!r})
from imports.declare.errors import ImportFileError
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.xlsx_stream import XlsxStream
started = time.perf_counter()
rows, refusal = 0, ""
try:
    reader = XlsxStream({path!r}, limits=ReadLimits(**json.loads({limits!r})))
    for _row in reader.rows():
        rows += 1
    reader.close()
except ImportFileError as error:
    refusal = str(error)
# The high-water mark of this process's memory (getrusage's would include the parent's, from before the exec).
peak_kb = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(json.dumps({{"rows": rows, "refusal": refusal, "seconds": round(time.perf_counter() - started, 2),
                   "peak_mb": round(peak_kb / 1024)}}))
"""
RELAXED_ARCHIVE = {"max_unzipped_bytes": 4096 * MB, "max_zip_ratio": 100_000}


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile")

    def made(name: str) -> Path:
        path = folder / name
        if not path.exists():
            next(item for item in xlsx_files.FILES if item.name == name).make(path)
        return path

    return made


@pytest.mark.parametrize(
    ("name", "limits", "expected"),
    [
        ("cell-1.1gb.xlsx", {}, "(IMPORT_MAX_UNZIPPED_MB)"),
        ("cell-1.1gb.xlsx", RELAXED_ARCHIVE, "(IMPORT_MAX_CELL_CHARS)"),
        ("whitespace-1.1gb.xlsx", {}, "(IMPORT_MAX_UNZIPPED_MB)"),
        ("whitespace-1.1gb.xlsx", RELAXED_ARCHIVE, ""),
        ("rows-1.2-million.xlsx", {}, "(IMPORT_MAX_ROWS)"),
        ("rows-24-million-bomb.xlsx", {}, "(IMPORT_MAX_ZIP_RATIO)"),
        ("rows-24-million-bomb.xlsx", RELAXED_ARCHIVE, "(IMPORT_MAX_ROWS)"),
        ("row-gap.xlsx", {}, "(IMPORT_MAX_ROWS)"),
        ("columns-20000.xlsx", {}, "(IMPORT_MAX_COLUMNS)"),
        ("nested-100000.xlsx", {}, ""),
        ("declared-size-lies.xlsx", {}, "damaged"),
    ],
    ids=lambda value: value if isinstance(value, str) and value.endswith(".xlsx") else None,
)
def test_hostile_workbook_is_refused_or_read_in_400_mb_and_30_seconds(hostile, name, limits, expected):
    path = hostile(name)
    script = CAPPED_READ.format(root=str(ROOT), path=str(path), limits=json.dumps(limits))

    finished = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=30)

    assert finished.returncode == 0, finished.stderr[-2000:]
    result = json.loads(finished.stdout)
    print(f"{name} {limits or 'default limits'}: {result}")
    assert result["peak_mb"] < 400
    if expected:
        assert expected in result["refusal"]
    else:
        assert result["refusal"] == ""
        assert result["rows"] >= 2


def test_hostile_corpus_is_built_in_seconds_and_packs_what_it_claims(tmp_path):
    started = time.perf_counter()
    for item in xlsx_files.FILES:
        item.make(tmp_path / item.name)
    elapsed = time.perf_counter() - started

    with zipfile.ZipFile(tmp_path / "cell-1.1gb.xlsx") as archive:
        sheet = archive.getinfo("xl/worksheets/sheet1.xml")
    assert sheet.file_size > 1_100 * MB
    assert (tmp_path / "cell-1.1gb.xlsx").stat().st_size < 2 * MB
    assert (tmp_path / "rows-1.2-million.xlsx").stat().st_size < 5 * MB
    assert elapsed < 30  # a few seconds on a quiet machine
