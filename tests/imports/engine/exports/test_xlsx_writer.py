"""Excel exports, read back with openpyxl: a bold, frozen header with an autofilter and fitted widths; dates,
moments, numbers and yes/no values in typed cells; ZIP codes, phones and anything starting with `=` as text cells,
with no apostrophe; no cell is ever a formula."""

import datetime as dt
import io
from decimal import Decimal

import openpyxl
import pytest
from openpyxl.utils import get_column_letter

from imports.engine.exports.writers import WRITERS, ExportTooLarge, xlsx_writer
from imports.engine.exports.writers.xlsx_writer import column_width
from tests.imports.engine.exports.samples import (
    REPORT,
    every_column,
    import_compatible,
    imported_back,
    rows_of,
    write,
)


def opened(path):
    workbook = openpyxl.load_workbook(path)
    return workbook.active


def cells_by_name(sheet, row_number: int) -> dict:
    header = [cell.value for cell in sheet[1]]
    return dict(zip(header, sheet[row_number], strict=True))


@pytest.fixture
def customers(tmp_path):
    _target, columns, rows = import_compatible("Customer")
    path = tmp_path / "customers.xlsx"
    write("excel", path, columns, rows)
    return opened(path), columns, rows


def test_header_is_bold_frozen_and_filtered_over_every_row(customers):
    sheet, columns, rows = customers

    assert [cell.value for cell in sheet[1]] == [column.name for column in columns]
    assert all(cell.font.b for cell in sheet[1])
    assert sheet.freeze_panes == "A2"
    assert sheet.auto_filter.ref == f"A1:{get_column_letter(len(columns))}{len(rows) + 1}"


def test_columns_are_wide_enough_for_their_kind_and_header(customers):
    sheet, columns, _rows = customers
    widths = {column.name: sheet.column_dimensions[get_column_letter(index)].width
              for index, column in enumerate(columns, start=1)}

    assert widths["email"] >= 28
    assert widths["connection_date"] >= len("connection_date")
    assert widths["notes"] >= 40 > widths["state"]
    assert all(width >= len(name) for name, width in widths.items())


def test_dates_are_date_cells_and_zip_codes_phones_and_formulas_are_text(customers):
    sheet, _columns, _rows = customers
    first, second = cells_by_name(sheet, 2), cells_by_name(sheet, 3)

    assert first["connection_date"].is_date
    assert first["connection_date"].value == dt.datetime(2024, 1, 5)
    assert first["connection_date"].number_format == "yyyy-mm-dd"
    for name, value in [("postal_code", "02134"), ("phone", "+12125550108"), ("first_name", "=SUM(A1)"),
                        ("billing_address", "+1+cmd|' /C calc'!A0"), ("rate_code", "-12.50"),
                        ("account_number", "0042")]:
        assert (first[name].data_type, first[name].value) == ("s", value)
    assert (second["postal_code"].value, second["first_name"].value) == ("00501", "''=x")


def test_no_cell_is_ever_a_formula(customers):
    sheet, _columns, _rows = customers

    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_numbers_are_number_cells_unless_a_double_would_change_them(tmp_path):
    _target, columns = every_column("MeterReading")
    records = [{"reading_value": Decimal("12345.678"), "consumption": Decimal("-0.500")},
               {"reading_value": Decimal("7.000"), "consumption": Decimal("1234567890123.456")}]
    path = tmp_path / "readings.xlsx"
    write("excel", path, columns, rows_of(columns, records))
    sheet = opened(path)
    first, second = cells_by_name(sheet, 2), cells_by_name(sheet, 3)

    assert (first["reading_value"].data_type, first["reading_value"].value) == ("n", 12345.678)
    assert (first["consumption"].data_type, first["consumption"].value) == ("n", -0.5)
    assert second["reading_value"].value == 7
    # Sixteen digits are more than a double holds: the exact digits, as text.
    assert (second["consumption"].data_type, second["consumption"].value) == ("s", "1234567890123.456")


def test_yes_no_values_are_boolean_cells_and_amounts_show_cents(tmp_path):
    _target, columns = every_column("SalesProAppointment")
    records = [{"is_sale": True, "sale_amount": Decimal("-12.50")}, {"is_sale": False}]
    path = tmp_path / "appointments.xlsx"
    write("excel", path, columns, rows_of(columns, records))
    sheet = opened(path)
    first, second = cells_by_name(sheet, 2), cells_by_name(sheet, 3)

    assert (first["is_sale"].data_type, first["is_sale"].value, second["is_sale"].value) == ("b", True, False)
    assert (first["sale_amount"].value, first["sale_amount"].number_format) == (-12.5, "#,##0.00")


def test_moments_are_date_and_time_cells_in_utc(tmp_path):
    _target, columns = every_column("Contact")
    eastern = dt.timezone(dt.timedelta(hours=-5))
    records = [{"first_name": "Ann", "created_at": dt.datetime(2024, 1, 5, 4, 30, 15, tzinfo=eastern),
                "updated_at": dt.datetime(2024, 1, 5, 9, 30, 15, 250000, tzinfo=dt.UTC)}]
    path = tmp_path / "contacts.xlsx"
    write("excel", path, columns, rows_of(columns, records))
    cells = cells_by_name(opened(path), 2)

    assert cells["created_at"].is_date
    assert cells["created_at"].value == dt.datetime(2024, 1, 5, 9, 30, 15)
    assert cells["updated_at"].value == dt.datetime(2024, 1, 5, 9, 30, 15, 250000)


def test_what_a_date_cell_cannot_hold_exactly_is_written_as_text(tmp_path):
    _target, columns = every_column("SalesProAppointment")
    records = [{"salespro_created_at": dt.datetime(2025, 6, 18, 14, 30, 0, 123456, tzinfo=dt.UTC),
                "salespro_updated_at": dt.datetime(1899, 12, 31, 23, 0, tzinfo=dt.UTC)}]
    path = tmp_path / "appointments.xlsx"
    write("excel", path, columns, rows_of(columns, records))
    cells = cells_by_name(opened(path), 2)

    assert cells["salespro_created_at"].value == "2025-06-18T14:30:00.123456+00:00"
    assert cells["salespro_updated_at"].value == "1899-12-31T23:00:00+00:00"


def test_widths_follow_the_kind_the_text_limit_and_the_header():
    _target, columns = every_column("Customer")
    by_name = {column.name: column for column in columns}

    assert column_width(by_name["connection_date"]) == len("connection_date") + 3
    assert column_width(by_name["state"]) == len("state") + 3
    assert column_width(by_name["email"]) == 28
    assert column_width(by_name["notes"]) == 40
    assert column_width(by_name["account_number"]) == 20


class OneWayStream(io.RawIOBase):
    """A stream that can only be written forwards, as an upload or a download is."""

    def __init__(self):
        super().__init__()
        self.written = bytearray()

    def writable(self):
        return True

    def write(self, data):
        self.written += data
        return len(data)


def test_a_workbook_can_be_written_to_a_stream_that_cannot_seek(tmp_path):
    target, columns, rows = import_compatible("Customer")
    stream = OneWayStream()
    writer = WRITERS["excel"](stream, columns, REPORT)
    writer.write_rows(rows)
    writer.close()
    path = tmp_path / "one-way.xlsx"
    path.write_bytes(stream.written)

    assert not stream.closed
    assert [record["postal_code"] for record in imported_back(path, target)] == ["02134", "00501"]


def test_rows_past_the_end_of_an_excel_sheet_are_refused_in_one_sentence(monkeypatch):
    monkeypatch.setattr(xlsx_writer, "MAX_DATA_ROWS", 3)
    _target, columns, rows = import_compatible("Customer")
    writer = WRITERS["excel"](io.BytesIO(), columns, REPORT)
    writer.write_rows(rows)

    with pytest.raises(ExportTooLarge, match=r"^An Excel sheet holds at most 3 rows and this export has more: .*\.$"):
        writer.write_rows(rows)
    assert writer.rows_written == 2
