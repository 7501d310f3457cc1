"""The Excel writer writes the workbook XlsxWriter writes (tests/.../xlsxwriter_reference.py, the writer it
replaced): for rows of every column kind, with the values a sheet's XML carries least easily, openpyxl reads the
same cells (values, types, number formats, bold), pane, filter and widths from both, the product's own reader the
same texts, the sheets' XML holds the same cells, and both name the same filter range. And the file is sound: a
valid ZIP archive that openpyxl opens without a warning."""

import datetime as dt
import io
import re
import tempfile
import warnings
import zipfile
from decimal import Decimal
from pathlib import Path
from xml.etree import ElementTree

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings

from imports.engine.exports.writers.xlsx_writer import ExcelWriter
from imports.engine.readers.xlsx_stream import XlsxStream
from tests.imports.engine.exports.samples import REPORT, every_column, import_compatible
from tests.imports.engine.exports.strategies import one_column_of_each_field_type, sheet_rows
from tests.imports.engine.exports.xlsxwriter_reference import ReferenceExcelWriter

MIXED_COLUMNS = one_column_of_each_field_type()


def written(writer_class, columns, rows, blocks: int = 1) -> bytes:
    stream = io.BytesIO()
    writer = writer_class(stream, columns, REPORT)
    size = max(1, -(-len(rows) // blocks))
    for start in range(0, len(rows), size):
        writer.write_rows(rows[start : start + size])
    writer.close()
    return stream.getvalue()


def openpyxl_view(content: bytes) -> dict:
    """What openpyxl reads of the workbook; a warning fails the test."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sheet = openpyxl.load_workbook(io.BytesIO(content)).active
    return {
        "title": sheet.title,
        "cells": [[(cell.value, cell.data_type, cell.number_format, cell.font.b) for cell in row]
                  for row in sheet.iter_rows()],
        "frozen": sheet.freeze_panes,
        "filter": sheet.auto_filter.ref,
        "widths": {letter: (dimension.min, dimension.max, dimension.width)
                   for letter, dimension in sheet.column_dimensions.items()},
    }


def reader_view(content: bytes) -> list[list[str]]:
    """Every row's texts as the product's own reader gives them to an import."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "export.xlsx"
        path.write_bytes(content)
        stream = XlsxStream(path)
        try:
            return list(stream.rows())
        finally:
            stream.close()


# A cell of the sheet's XML: its reference, its type and what it holds (the style's index left out: XlsxWriter
# numbers its formats in the order the rows first use them).
_CELL = re.compile(r'<c r="([A-Z]+[0-9]+)"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?>(.*?)</c>', re.DOTALL)


def sheet_cells(content: bytes) -> list[tuple[str, str, str]]:
    """The cells as the sheet's XML writes them, so escapes and marks no reader shows (white space kept or not,
    the digits of a number) are compared too."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return _CELL.findall(archive.read("xl/worksheets/sheet1.xml").decode())


def filter_range(content: bytes) -> str:
    """The range the workbook names as its sheet's filter (openpyxl leaves this name out)."""
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        workbook = archive.read("xl/workbook.xml").decode()
    return re.search(r'<definedName name="_xlnm._FilterDatabase"[^>]*>([^<]*)</definedName>', workbook)[1]


def assert_same_workbook(columns, rows, blocks: int = 1) -> None:
    ours = written(ExcelWriter, columns, rows, blocks)
    reference = written(ReferenceExcelWriter, columns, rows)

    with zipfile.ZipFile(io.BytesIO(ours)) as archive:
        assert archive.testzip() is None
    assert openpyxl_view(ours) == openpyxl_view(reference)
    assert sheet_cells(ours) == sheet_cells(reference)
    assert reader_view(ours) == reader_view(reference)
    assert filter_range(ours) == filter_range(reference)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(rows=sheet_rows(MIXED_COLUMNS))
def test_every_kind_of_value_gives_the_workbook_xlsxwriter_gives(rows):
    assert_same_workbook(MIXED_COLUMNS, rows, blocks=2)


def test_the_sample_records_of_every_target_give_the_workbook_xlsxwriter_gives():
    for target_name in ("Customer", "MeterReading", "Contact", "SalesProAppointment", "Claim"):
        _target, columns, rows = import_compatible(target_name)
        assert_same_workbook(columns, rows)
        assert_same_workbook(list(every_column(target_name)[1]), [(None,) * len(every_column(target_name)[1])])


def test_texts_past_excels_cell_limit_are_cut_where_xlsxwriter_cuts_them():
    _target, columns = every_column("Customer")
    notes = [column.name for column in columns].index("notes")
    long_texts = ["x" * 40_000, "é" * 32_766 + "\U0001f600" + "tail", "&" * 20_000 + "<" * 20_000]
    rows = [tuple(text if index == notes else None for index in range(len(columns))) for text in long_texts]

    assert_same_workbook(columns, rows)


@pytest.mark.parametrize("awkward", [
    " leading space", "trailing space ", "'=apostrophe", "'plain apostrophe", "escape _x0041_ look-alike", "a & b",
    "a < b", "a > b", "tab\tinside", "new\nline", "\ttab first", "control \x02", "\x1f", "non-character \ufffe",
    "no-break space\xa0", "caf\xe9", "emoji \U0001f600", "", "|' separator", "a | b",
])
def test_one_awkward_text_among_plain_ones_is_written_as_xlsxwriter_writes_it(awkward):
    _target, columns = every_column("Customer")
    plain = [tuple(f"value {row} {index}" for index in range(len(columns))) for row in range(30)]
    rows = [*plain[:15], tuple(awkward for _column in columns), *plain[15:]]

    assert_same_workbook(columns, rows)


def test_the_archive_is_sound_and_every_part_is_well_formed_xml():
    _target, columns, rows = import_compatible("Customer")

    content = written(ExcelWriter, columns, rows, blocks=2)

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["[Content_Types].xml", "_rels/.rels", "docProps/core.xml",
                                      "xl/_rels/workbook.xml.rels", "xl/styles.xml", "xl/worksheets/sheet1.xml",
                                      "xl/workbook.xml"]
        assert all(info.compress_type == zipfile.ZIP_DEFLATED for info in archive.infolist())
        for name in archive.namelist():
            ElementTree.fromstring(archive.read(name))


def test_no_column_at_all_gives_an_empty_sheet_without_a_filter():
    content = written(ExcelWriter, [], [(), ()])

    view = openpyxl_view(content)
    assert (view["cells"], view["filter"]) == ([], None)
    assert view == openpyxl_view(written(ReferenceExcelWriter, [], [(), ()]))


def test_text_that_looks_like_rich_text_markup_is_one_text_cell_and_adds_no_formula():
    """XlsxWriter writes a text that starts with <r> and ends with </r> into the sheet unescaped, so a stored value
    could add cells and formulas of its own; this writer escapes it like any text."""
    _target, columns = every_column("Customer")
    injected = '<r><t>a</t></r></is></c><c r="B2"><f>1+1</f></c><c r="C2" t="inlineStr"><is><r><t>b</t></r>'
    rows = [(injected,) + (None,) * (len(columns) - 1)]

    cells = openpyxl_view(written(ExcelWriter, columns, rows))["cells"]

    assert cells[1][0][:2] == (injected, "s")
    assert all(cell[:2] == (None, "n") for cell in cells[1][1:])


def test_numbers_dates_and_moments_are_the_cells_xlsxwriter_writes():
    _target, columns = every_column("Claim")
    by_name = {column.name: index for index, column in enumerate(columns)}
    values = {"total_charged": Decimal("720.00"), "total_paid": Decimal("0.1"), "date_of_birth": dt.date(1900, 3, 1),
              "processed_date": dt.date(9999, 12, 31), "service_date_from": dt.date(1900, 2, 28),
              "created_at": dt.datetime(2024, 2, 29, 23, 59, 59, 999000, tzinfo=dt.UTC),
              "updated_at": dt.datetime(1900, 3, 1, 4, 59, 59, tzinfo=dt.timezone(dt.timedelta(hours=5)))}
    row = [None] * len(columns)
    for name, value in values.items():
        row[by_name[name]] = value

    assert_same_workbook(columns, [tuple(row)])


def test_a_moment_no_import_reads_back_is_a_date_time_cell_to_the_millisecond():
    import datetime as dt
    import io

    import openpyxl
    from django.utils import timezone

    from imports.declare import get_target
    from imports.engine.exports.columns import columns_available
    from imports.engine.exports.writers import WRITERS

    created = next(column for column in columns_available(get_target("Customer")) if column.name == "created_at")
    stream = io.BytesIO()
    writer = WRITERS["excel"](stream, [created], REPORT)
    writer.write_rows([(dt.datetime(2026, 12, 6, 6, 3, 14, 664605, tzinfo=dt.UTC),)])
    writer.close()

    cell = openpyxl.load_workbook(io.BytesIO(stream.getvalue())).active["A2"]
    assert cell.is_date
    # openpyxl rounds the cell's fraction of a day to the millisecond it holds
    assert abs(cell.value - dt.datetime(2026, 12, 6, 6, 3, 14, 664000)) <= dt.timedelta(milliseconds=1)
    assert timezone.is_naive(cell.value)
