"""JSON exports: one array of objects, one object per line, each value the field's text (the CSV's, unescaped:
no spreadsheet runs JSON) or null, written a block at a time."""

import json

from hypothesis import HealthCheck, given, settings

from imports.declare.formulas import escape_apostrophes
from tests.imports.engine.exports.samples import every_column, import_compatible, rows_of, write_to_memory
from tests.imports.engine.exports.strategies import one_column_of_each_field_type, stored_rows


def test_json_is_an_array_of_objects_keyed_by_field_name_one_per_line():
    _target, columns, rows = import_compatible("Customer")

    content = write_to_memory("json", columns, rows).decode()

    lines = content.splitlines()
    assert (lines[0], lines[-1], len(lines)) == ("[", "]", len(rows) + 2)
    assert all(line.startswith("{") for line in lines[1:-1])
    records = json.loads(content)
    assert [list(record) for record in records] == [[column.name for column in columns]] * len(rows)


def test_values_are_the_fields_texts_with_no_formula_escaping_and_null_for_none():
    _target, columns, rows = import_compatible("Customer")

    first, second = json.loads(write_to_memory("json", columns, rows))

    assert (first["first_name"], first["billing_city"], first["last_name"]) == ("=SUM(A1)", "@foo", "O'Brien")
    assert (first["phone"], first["postal_code"], first["connection_date"]) == ("+12125550108", "02134", "2024-01-05")
    assert (second["first_name"], second["last_name"], second["email"]) == ("''=x", "-", None)


def test_typed_values_are_texts_an_import_reads_back():
    _target, columns = every_column("SalesProAppointment")
    records = [{"is_sale": True, "sale_amount": None}, {"is_sale": False}]

    first, second = json.loads(write_to_memory("json", columns, rows_of(columns, records)))

    assert (first["is_sale"], second["is_sale"], first["sale_amount"]) == ("true", "false", None)


def test_rows_written_in_blocks_make_one_array():
    _target, columns, rows = import_compatible("Customer")

    content = write_to_memory("json", columns, rows * 3000)

    assert len(json.loads(content)) == 2 * 3000


def test_an_empty_export_is_an_empty_array():
    _target, columns, _rows = import_compatible("Customer")

    assert json.loads(write_to_memory("json", columns, [])) == []


MIXED_COLUMNS = one_column_of_each_field_type()


@settings(max_examples=80, suppress_health_check=[HealthCheck.too_slow])
@given(data=stored_rows(MIXED_COLUMNS))
def test_every_value_is_the_fields_text_or_null(data):
    records = json.loads(write_to_memory("json", MIXED_COLUMNS, data), object_pairs_hook=list)  # names repeat

    assert [[value for _name, value in record] for record in records] == [
        [None if value is None else escape_apostrophes(column.field.to_text(value))
         for column, value in zip(MIXED_COLUMNS, row, strict=True)]
        for row in data
    ]


def test_a_typed_column_that_holds_text_keeps_its_apostrophes():
    _target, columns = every_column("MeterReading")
    records = [{"reading_date": "'=cmd", "reading_value": "'+1", "created_at": "'@x"}]

    (record,) = json.loads(write_to_memory("json", columns, rows_of(columns, records)))

    assert (record["reading_date"], record["reading_value"], record["created_at"]) == ("''=cmd", "''+1", "''@x")
