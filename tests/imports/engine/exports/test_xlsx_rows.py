"""The Excel writer makes its rows' XML itself, a column of a block at a time (xlsx_rows), for speed: the sheet and
its styles must be, byte for byte, what XlsxWriter writes when each cell goes through its own write calls, with the
typed-cell rules of the writer, whatever the values (XML's special characters, control characters, Excel's own
escapes, whitespace at the ends, texts past Excel's limit, rows without a value, several blocks)."""

import datetime as dt
import io
import zipfile
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.declare.fields import ImportField
from imports.declare.formulas import escape_apostrophes
from imports.engine.exports.writers.xlsx_rows import excel_moment, is_exact_number, is_excel_date
from imports.engine.exports.writers.xlsx_writer import ExcelWriter
from tests.imports.engine.exports.samples import REPORT, every_column, import_compatible, rows_of
from tests.imports.engine.exports.strategies import TRICKY_TEXT, one_column_of_each_field_type, stored_value

# Texts made of what XML and Excel escape or mark.
XML_TRICKY_TEXT = (
    st.text(alphabet=st.sampled_from("&<>_x0041Ff \t\n\r\x01\x1f\x85\xa0\ufffe\uffff'=r/é😀"), max_size=14)
    | st.sampled_from(["<r>x</r>", "<r><t>a</t></r>", "_x0041_", "_X00aF_", " lead", "trail ", "\u2003both\u2003"])
)
# Texts past Excel's limit of 32,767 UTF-16 units (a character above U+FFFF counts two), and one just within it.
LONG_TEXTS = ["a" * 40_000, "😀" * 16_400, "é" * 32_767, "<" * 20_000, "a" * 16_383 + " "]
MIXED_COLUMNS = one_column_of_each_field_type()


def any_value(kind: str) -> st.SearchStrategy:
    return stored_value(kind) | XML_TRICKY_TEXT


def cell_by_cell(writer: ExcelWriter, rows: list[tuple]) -> None:
    """The plain definition: each value through XlsxWriter's own write calls, typed as the writer's rules say."""
    sheet, formats = writer._sheet, writer._formats
    for row in rows:
        writer.rows_written += 1
        for index, (column, value) in enumerate(zip(writer.columns, row, strict=True)):
            if value is None:
                continue
            kind, at = column.kind, (writer.rows_written, index)
            if kind == "date" and is_excel_date(value):
                sheet.write_datetime(*at, value, formats["date"])
            elif kind == "datetime" and excel_moment(value) is not None:
                sheet.write_datetime(*at, excel_moment(value), formats["datetime"])
            elif kind in ("number", "money") and is_exact_number(value):
                sheet.write_number(*at, float(value), formats.get(kind))
            elif kind == "boolean" and isinstance(value, bool):
                sheet.write_boolean(*at, value)
            elif (type(column.field).to_text is ImportField.to_text and value.__class__ is str
                  and not value.startswith("'")):
                sheet.write_string(*at, value)
            else:
                sheet.write_string(*at, escape_apostrophes(column.field.to_text(value)))


def workbook_parts(columns, blocks: list[list[tuple]], *, plain: bool) -> dict[str, bytes]:
    stream = io.BytesIO()
    writer = ExcelWriter(stream, columns, REPORT)
    for block in blocks:
        if plain:
            cell_by_cell(writer, block)
        else:
            writer.write_rows(block)
    writer.close()
    with zipfile.ZipFile(stream) as archive:
        return {name: archive.read(name) for name in ("xl/worksheets/sheet1.xml", "xl/styles.xml")}


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(blocks=st.lists(
    st.lists(st.tuples(*(any_value(column.kind) for column in MIXED_COLUMNS)), max_size=6), max_size=3,
))
def test_the_sheet_is_byte_for_byte_what_xlsxwriter_writes_cell_by_cell(blocks):
    assert workbook_parts(MIXED_COLUMNS, blocks, plain=False) == workbook_parts(MIXED_COLUMNS, blocks, plain=True)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(st.tuples(*([TRICKY_TEXT | st.none()] * 3)), min_size=1, max_size=40))
def test_columns_of_stored_text_mostly_plain_are_written_as_xlsxwriter_writes_them(rows):
    """The fast way for a column whose texts need nothing done, and the careful way as soon as one does."""
    _target, columns = every_column("Customer")
    columns = [column for column in columns if column.kind == "text"][:3]

    assert workbook_parts(columns, [rows], plain=False) == workbook_parts(columns, [rows], plain=True)


def test_the_sample_records_of_every_kind_match_cell_by_cell():
    for target_name, records in [
        ("Customer", None), ("MeterReading", [{"reading_date": dt.date(1900, 2, 28), "reading_value": Decimal(-7)},
                                              {"reading_date": dt.date(1900, 3, 1), "consumption": Decimal("1E+20")}]),
    ]:
        if records is None:
            _target, columns, rows = import_compatible(target_name)
        else:
            _target, columns = every_column(target_name)
            rows = rows_of(columns, records)
        blocks = [rows, [tuple(None for _column in columns)], rows]

        assert workbook_parts(columns, blocks, plain=False) == workbook_parts(columns, blocks, plain=True)


def test_texts_past_excels_limit_are_cut_as_xlsxwriter_cuts_them():
    _target, columns = every_column("Customer")
    notes = next(column for column in columns if column.name == "notes")
    blocks = [[(text,)] for text in LONG_TEXTS]  # a block each: one text's care is not another's

    fast = workbook_parts([notes], blocks, plain=False)

    assert fast == workbook_parts([notes], blocks, plain=True)
    assert b"a" * 32_767 + b"</t>" in fast["xl/worksheets/sheet1.xml"]


def test_a_sheet_with_no_rows_is_the_header_alone():
    _target, columns, _rows = import_compatible("Customer")

    fast = workbook_parts(columns, [[]], plain=False)

    assert fast == workbook_parts(columns, [], plain=True)
    assert b"<row " in fast["xl/worksheets/sheet1.xml"]
    assert b'<row r="2"' not in fast["xl/worksheets/sheet1.xml"]


def test_a_moment_with_a_zone_is_written_in_utc_to_the_millisecond():
    moment = dt.datetime(2024, 1, 5, 4, 30, 15, 250000, tzinfo=dt.timezone(dt.timedelta(hours=-5)))

    assert excel_moment(moment) == dt.datetime(2024, 1, 5, 9, 30, 15, 250000)
    assert excel_moment(moment.replace(microsecond=250001)) is None
