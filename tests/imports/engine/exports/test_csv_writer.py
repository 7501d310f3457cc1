"""CSV exports: UTF-8 with a byte order mark, the field names as header, each cell the field's text escaped against
formulas (numbers and phone numbers left bare), written through a layer that leaves the caller's stream open."""

import codecs
import csv
import datetime as dt
import io
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from imports.declare.formulas import escape_formula
from imports.engine.exports.writers.csv_writer import CsvWriter
from tests.imports.engine.exports.samples import REPORT, every_column, import_compatible, rows_of, write_to_memory
from tests.imports.engine.exports.strategies import one_column_of_each_field_type, stored_rows


def read_csv(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"), newline="")))


def test_csv_starts_with_a_byte_order_mark_and_the_field_names():
    _target, columns, rows = import_compatible("Customer")

    content = write_to_memory("csv", columns, rows)

    assert content.startswith(codecs.BOM_UTF8)
    assert content.count(codecs.BOM_UTF8) == 1
    assert read_csv(content)[0] == [column.name for column in columns]


def test_formulas_get_an_apostrophe_and_numbers_phones_and_zip_codes_stay_as_they_are():
    _target, columns, rows = import_compatible("Customer")

    header, first, second = read_csv(write_to_memory("csv", columns, rows))

    cells = dict(zip(header, first, strict=True))
    assert cells["first_name"] == "'=SUM(A1)"
    assert cells["billing_address"] == "'+1+cmd|' /C calc'!A0"
    assert cells["billing_city"] == "'@foo"
    assert (cells["phone"], cells["rate_code"], cells["postal_code"]) == ("+12125550108", "-12.50", "02134")
    assert cells["connection_date"] == "2024-01-05"
    assert cells["notes"] == "Zoë's café, 2nd floor\nring twice"
    cells = dict(zip(header, second, strict=True))
    assert (cells["first_name"], cells["last_name"], cells["rate_code"]) == ("''=x", "'-", "-5")
    assert (cells["email"], cells["connection_date"]) == ("", "")


def test_typed_values_are_written_as_an_import_reads_them():
    _target, columns = every_column("Contact")
    moment = dt.datetime(2024, 1, 5, 9, 30, 15, tzinfo=dt.UTC)
    records = [{"first_name": "Ann", "is_primary": True, "created_at": moment},
               {"first_name": "Bo", "is_primary": False, "created_at": None}]

    header, first, second = read_csv(write_to_memory("csv", columns, rows_of(columns, records)))

    assert dict(zip(header, first, strict=True))["is_primary"] == "true"
    assert dict(zip(header, first, strict=True))["created_at"] == "2024-01-05T09:30:15+00:00"
    assert dict(zip(header, second, strict=True))["is_primary"] == "false"


def test_decimals_are_written_in_plain_digits():
    _target, columns = every_column("MeterReading")
    records = [{"reading_value": Decimal("12345.000"), "consumption": Decimal("-0.500")},
               {"reading_value": Decimal("1E+3"), "consumption": None}]

    header, first, second = read_csv(write_to_memory("csv", columns, rows_of(columns, records)))

    assert [dict(zip(header, row, strict=True))["reading_value"] for row in (first, second)] == ["12345", "1000"]
    assert dict(zip(header, first, strict=True))["consumption"] == "-0.5"


def test_closing_leaves_the_callers_stream_open_and_counts_the_rows():
    _target, columns, rows = import_compatible("Customer")
    stream = io.BytesIO()
    writer = CsvWriter(stream, columns, REPORT)

    writer.write_rows(rows)
    writer.write_rows([])
    writer.write_rows(rows)
    writer.close()

    assert not stream.closed
    stream.write(b"")  # still usable
    assert writer.rows_written == 2 * len(rows)
    assert len(read_csv(stream.getvalue())) == 1 + 2 * len(rows)


MIXED_COLUMNS = one_column_of_each_field_type()
# Mostly texts no cell needs quoting for, now and then one that does.
_UNQUOTED = st.text(alphabet=st.sampled_from("abc é-=+0 "), max_size=6)
PLAIN_TEXT = st.one_of(_UNQUOTED, _UNQUOTED, _UNQUOTED, st.sampled_from(["a,b", '"q"', "x\r\ny", "\n", "\r"]))


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(data=stored_rows(MIXED_COLUMNS))
def test_every_cell_is_the_fields_text_escaped_against_formulas(data):
    columns = MIXED_COLUMNS

    _header, *rows = read_csv(write_to_memory("csv", columns, data))

    expected = [
        ["" if value is None else escape_formula(column.field.to_text(value))
         for column, value in zip(columns, row, strict=True)]
        for row in data
    ]
    assert rows == expected


def test_a_typed_column_that_holds_text_is_still_escaped():
    _target, columns = every_column("MeterReading")
    records = [{"reading_date": "=cmd", "reading_value": "+1+cmd", "created_at": "@x"}]

    header, row = read_csv(write_to_memory("csv", columns, rows_of(columns, records)))

    cells = dict(zip(header, row, strict=True))
    assert (cells["reading_date"], cells["reading_value"], cells["created_at"]) == ("'=cmd", "'+1+cmd", "'@x")


def csv_writer_bytes(columns, rows) -> bytes:
    """The plain definition of the file: csv.writer's own output of the header and the escaped texts."""
    text = io.StringIO(newline="")
    writer = csv.writer(text)
    writer.writerow([escape_formula(column.name) for column in columns])
    writer.writerows(
        ["" if value is None else escape_formula(column.field.to_text(value))
         for column, value in zip(columns, row, strict=True)]
        for row in rows
    )
    return ("\ufeff" + text.getvalue()).encode()


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(data=stored_rows(MIXED_COLUMNS))
def test_the_file_is_byte_for_byte_what_csv_writer_writes(data):
    """Blocks without a cell to quote are joined into lines directly: the same bytes as csv.writer's."""
    assert write_to_memory("csv", MIXED_COLUMNS, data) == csv_writer_bytes(MIXED_COLUMNS, data)


@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.lists(st.tuples(*([PLAIN_TEXT | st.none()] * 3)), min_size=1, max_size=30))
def test_plain_columns_and_lone_columns_are_written_as_csv_writer_writes_them(data):
    _target, columns = every_column("Customer")
    texts = [column for column in columns if column.kind == "text"]

    assert write_to_memory("csv", texts[:3], data) == csv_writer_bytes(texts[:3], data)
    lone = [row[:1] for row in data]
    assert write_to_memory("csv", texts[:1], lone) == csv_writer_bytes(texts[:1], lone)
