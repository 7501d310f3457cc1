"""The streaming .xlsx reader gives the rows openpyxl reads, whatever wrote the workbook, in memory that does not
grow with the sheet."""

import datetime as dt
import zipfile
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.engine.readers import xlsx_strings
from imports.engine.readers.cells import cell_to_text
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.xlsx_stream import XlsxStream, column_index
from tests.hostile import xlsx_files
from tests.memory import peak_bytes

LIMITS = ReadLimits()


def streamed(path: Path, **options) -> list[list[str]]:
    reader = XlsxStream(path, limits=LIMITS, **options)
    try:
        return list(reader.rows())
    finally:
        reader.close()


def as_openpyxl_reads(path: Path) -> list[list[str]]:
    """The sheet as openpyxl's read-only mode reads it, from its first used column, a row for every row number up
    to the last."""
    workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)  # formulas: their cached values
    try:
        sheet = workbook.worksheets[0]
        cells = {(cell.row, cell.column): cell.value for row in sheet.iter_rows() for cell in row
                 if getattr(cell, "value", None) is not None}
    finally:
        workbook.close()
    if not cells:
        return []
    first_column = min(column for _row, column in cells)
    rows = []
    for number in range(1, max(row for row, _column in cells) + 1):
        columns = [column for row, column in cells if row == number]
        rows.append([cell_to_text(cells.get((number, column))) for column in range(first_column, max(columns) + 1)]
                    if columns else [])
    return rows


def trimmed(rows: list[list[str]]) -> list[list[str]]:
    """Rows without the columns on the left that are empty in every row (the reader starts at the sheet's first
    column, column A when it records none), without empty cells on the right and blank rows at the end."""
    empty_left = min((next(i for i, cell in enumerate(row) if cell != "") for row in rows if any(row)), default=0)
    rows = [row[empty_left: max((i + 1 for i, cell in enumerate(row) if cell != ""), default=0)] for row in rows]
    while rows and not rows[-1]:
        rows.pop()
    return rows


def write_cells(path: Path, cells: dict[tuple[int, int], object], *, layout: str) -> Path:
    """A workbook of the given cells. openpyxl stores texts inline, in its normal mode (with a <dimension>) or its
    write-only mode (without one); "shared" moves them into a shared-strings table afterwards, as Excel stores
    them."""
    workbook = openpyxl.Workbook(write_only=layout == "write-only")
    if layout == "write-only":
        sheet = workbook.create_sheet("Data")
        last_row = max((row for row, _column in cells), default=0)
        last_column = max((column for _row, column in cells), default=0)
        for number in range(1, last_row + 1):
            sheet.append([cells.get((number, column)) for column in range(1, last_column + 1)])
    else:
        sheet = workbook.active
        sheet.title = "Data"
        for (row, column), value in cells.items():
            sheet.cell(row=row, column=column, value=value)
    workbook.save(path)
    if layout == "shared":
        move_texts_to_shared_strings(path)
    return path


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def move_texts_to_shared_strings(path: Path) -> None:
    with zipfile.ZipFile(path) as source:
        parts = {name: source.read(name) for name in source.namelist()}
    ElementTree.register_namespace("", MAIN)
    sheet = ElementTree.fromstring(parts["xl/worksheets/sheet1.xml"])
    table = ElementTree.Element(f"{{{MAIN}}}sst")
    numbers: dict[str, int] = {}
    for cell in sheet.iter(f"{{{MAIN}}}c"):
        if cell.get("t") == "inlineStr":
            text = "".join(t.text or "" for t in cell.iter(f"{{{MAIN}}}t"))
            if text not in numbers:
                numbers[text] = len(numbers)
                ElementTree.SubElement(ElementTree.SubElement(table, f"{{{MAIN}}}si"), f"{{{MAIN}}}t").text = text
            for child in list(cell):
                cell.remove(child)
            cell.set("t", "s")
            ElementTree.SubElement(cell, f"{{{MAIN}}}v").text = str(numbers[text])
    parts["xl/worksheets/sheet1.xml"] = ElementTree.tostring(sheet)
    parts["xl/sharedStrings.xml"] = ElementTree.tostring(table)
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
                     b'officedocument.spreadsheetml.sharedStrings+xml"/></Types>')
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                             b'relationships/sharedStrings" Target="sharedStrings.xml" Id="rId9"/></Relationships>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


LAYOUTS = ["inline", "write-only", "shared"]


VALUES = [
    "text", "", None, 0, 7, -2.5, 1e-7, 123456789012, True, False, dt.date(2024, 2, 29),
    dt.datetime(1999, 12, 31, 23, 59, 59), "=not a formula", "  padded  ", "é ü ß", "line\nbreak", "<&>\"'",
]


@pytest.mark.parametrize("layout", LAYOUTS)
def test_rows_equal_openpyxls_away_from_a1_with_gaps_and_every_kind_of_cell(tmp_path, layout):
    cells = {
        (row if row != 20 else 45, column): VALUES[(row * 5 + column) % len(VALUES)]
        for row in range(3, 43) for column in range(3, 10)
    }
    path = write_cells(tmp_path / "book.xlsx", cells, layout=layout)

    assert trimmed(streamed(path)) == trimmed(as_openpyxl_reads(path))


cell_values = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=20),
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False, width=64),
    st.booleans(),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)).map(
        lambda moment: moment.replace(microsecond=0)),
)
sheets = st.dictionaries(st.tuples(st.integers(1, 60), st.integers(1, 12)), cell_values, max_size=80)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(cells=sheets, layout=st.sampled_from(LAYOUTS))
def test_property_rows_equal_openpyxls_for_any_mix_of_types_blanks_and_gaps(tmp_path_factory, cells, layout):
    path = write_cells(tmp_path_factory.mktemp("book") / "book.xlsx", cells, layout=layout)

    assert trimmed(streamed(path)) == trimmed(as_openpyxl_reads(path))


def test_prefixed_elements_rich_text_runs_and_phonetic_guides_read_as_openpyxl_reads(tmp_path):
    path = tmp_path / "book.xlsx"
    xlsx_files.prefixed_rich_shared_strings(path)

    rows = streamed(path)

    assert rows == as_openpyxl_reads(path)
    assert rows[1][:3] == ["First2", "Last2", "person2@example.com"]  # runs joined, no フリガナ


def test_rows_and_cells_without_references_are_laid_out_in_order(tmp_path):
    path = tmp_path / "book.xlsx"
    xlsx_files.no_dimension_and_no_references(path)

    rows = streamed(path)

    assert rows[0] == xlsx_files.HEADER
    assert rows[1:] == [xlsx_files.customer(number) for number in range(2, 52)]


def test_shared_strings_past_the_memory_budget_are_read_back_from_the_spill_file(tmp_path, monkeypatch):
    cells = {(row, column): f"text {row}-{column} ü" for row in range(1, 200) for column in range(1, 4)}
    path = write_cells(tmp_path / "book.xlsx", cells, layout="shared")
    monkeypatch.setattr(xlsx_strings, "IN_MEMORY_BYTES", 1000)
    monkeypatch.setattr(xlsx_strings, "_FLUSH_ENDS", 7)  # most ends read back from their file too

    assert streamed(path) == [[cells[(row, column)] for column in range(1, 4)] for row in range(1, 200)]


def test_sheet_is_chosen_by_name_and_the_epoch_of_1904_is_honoured(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.epoch = openpyxl.utils.datetime.CALENDAR_MAC_1904
    workbook.active.title = "First"
    workbook.create_sheet("Second").append(["when", dt.date(2024, 5, 2)])
    workbook.save(tmp_path / "book.xlsx")

    assert streamed(tmp_path / "book.xlsx", sheet="second") == [["when", "2024-05-02"]]


@pytest.mark.parametrize(("reference", "index"), [("A1", 0), ("Z9", 25), ("AA10", 26), ("XFD1", 16383)])
def test_column_index_of_a_reference(reference, index):
    assert column_index(reference) == index


def write_customer_sheet(path: Path, rows: int, *, shared: bool) -> Path:
    """A sheet of unique customers written straight as XML (openpyxl would take minutes for the big one)."""
    values = [xlsx_files.customer(number) for number in range(2, rows + 2)]
    if shared:
        texts = [*xlsx_files.HEADER, *(value for row in values for value in row)]
        width = len(xlsx_files.HEADER)
        sheet_rows = (
            xlsx_files._shared_row(number + 1, list(range(number * width, number * width + width)))
            for number in range(rows + 1)
        )
        xlsx_files.workbook(path, [(xlsx_files.sheet_start(), 1), *((row, 1) for row in sheet_rows),
                                   (xlsx_files.SHEET_END, 1)], shared=xlsx_files._shared_strings(texts))
    else:
        sheet_rows = (xlsx_files.inline_row(number, row).encode() for number, row in enumerate(values, start=2))
        xlsx_files.workbook(path, [(xlsx_files.HEAD, 1), *((row, 1) for row in sheet_rows),
                                   (xlsx_files.SHEET_END, 1)])
    return path


def peak_memory_reading(path: Path) -> tuple[int, int]:
    return peak_bytes(lambda: sum(1 for _row in XlsxStream(path, limits=LIMITS).rows()))


@pytest.mark.parametrize("shared", [False, True], ids=["inline-strings", "shared-strings"])
def test_reading_memory_does_not_grow_with_the_sheet(tmp_path, shared):
    small = write_customer_sheet(tmp_path / "small.xlsx", 3_000, shared=shared)
    big = write_customer_sheet(tmp_path / "big.xlsx", 30_000, shared=shared)

    small_count, small_peak = peak_memory_reading(small)
    big_count, big_peak = peak_memory_reading(big)

    assert (small_count, big_count) == (3_001, 30_001)
    if shared:
        # The first 8 MB of shared strings stay in memory, the rest in files; holding all 270,000 strings would
        # take 20 MB.
        assert big_peak < 11_000_000
    else:
        assert big_peak < 1.5 * small_peak
        assert big_peak < 3_000_000
