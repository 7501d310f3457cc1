"""The import readers: CSV, XLSX, XLS and JSON files read as one kind of table (header plus numbered rows)."""

import codecs
import datetime as dt
import json
import zipfile
from pathlib import Path

import openpyxl
import pytest
import xlwt

from imports.declare.errors import ImportFileError
from imports.engine.readers import SourceRow, Table
from tests.memory import peak_bytes

KNOWN_FIELDS = {"first_name", "last_name", "email"}


def known_field_score(cells: list[str]) -> int:
    """A target's header score: how many cells name one of its fields."""
    return sum(cell.strip().lower() in KNOWN_FIELDS for cell in cells)


def read(path: Path, **options) -> tuple[Table, list[SourceRow]]:
    """Open the file as a table, read every row, and return the (closed) table with its rows, numbered as data rows
    (their sheet rows are checked in the tests of sheet rows below)."""
    with Table(path, **options) as table:
        return table, [SourceRow(row.number, row.cells) for row in table.rows()]


def read_sheet_rows(path: Path, **options) -> list[tuple[int, int | None]]:
    """Each data row's number and sheet row."""
    with Table(path, **options) as table:
        return [(row.number, row.sheet_row) for row in table.rows()]


def cells_of(rows: list[SourceRow]) -> list[list[str]]:
    return [row.cells for row in rows]


def numbers_of(rows: list[SourceRow]) -> list[int]:
    return [row.number for row in rows]


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    """Write a workbook with one sheet per entry, rows given top to bottom (None leaves a cell empty)."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        worksheet = workbook.create_sheet(title)
        for row_index, values in enumerate(rows, start=1):
            for column_index, value in enumerate(values, start=1):
                if value is not None:
                    worksheet.cell(row=row_index, column=column_index, value=value)
    workbook.save(path)
    return path


# --- CSV encodings -------------------------------------------------------------------------------------------------

ACCENTED_CSV = "first_name,last_name,city\nJosé,Müller,Zürich\n"


@pytest.mark.parametrize(
    ("content", "expected_encoding"),
    [
        pytest.param(ACCENTED_CSV.encode("utf-8"), "utf-8", id="utf-8-without-bom"),
        pytest.param(codecs.BOM_UTF8 + ACCENTED_CSV.encode("utf-8"), "utf-8-sig", id="utf-8-with-bom"),
        pytest.param(codecs.BOM_UTF16_LE + ACCENTED_CSV.encode("utf-16-le"), "utf-16", id="utf-16-le-with-bom"),
        pytest.param(codecs.BOM_UTF16_BE + ACCENTED_CSV.encode("utf-16-be"), "utf-16", id="utf-16-be-with-bom"),
        pytest.param(ACCENTED_CSV.encode("utf-16-le"), "utf_16_le", id="utf-16-le-without-bom"),
    ],
)
def test_csv_encoding_is_detected_and_text_decodes_exactly(write_file, content, expected_encoding):
    path = write_file("customers.csv", content)

    table, rows = read(path)

    assert table.format == "csv"
    assert table.encoding == expected_encoding
    assert table.columns == ["first_name", "last_name", "city"]
    assert rows == [SourceRow(1, ["José", "Müller", "Zürich"])]


def test_utf8_bom_is_not_part_of_first_column_name(write_file):
    path = write_file("customers.csv", codecs.BOM_UTF8 + b"email,city\na@example.com,Springfield\n")

    table, _rows = read(path)

    assert table.columns[0] == "email"
    assert "\ufeff" not in table.columns[0]


def test_windows_1252_csv_decodes_accents_curly_quotes_and_euro_sign(write_file):
    text = "first_name,last_name,city,note\nJosé,Müller,Zürich,“quoted” €5\n"
    path = write_file("customers.csv", text.encode("cp1252"))

    table, rows = read(path)

    assert table.encoding == "cp1252"
    assert rows == [SourceRow(1, ["José", "Müller", "Zürich", "“quoted” €5"])]


# --- CSV delimiters ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_delimiter_is_sniffed(write_file, delimiter):
    lines = [
        ["first_name", "last_name", "email"],
        ["John", "Doe", "john.doe@example.com"],
        ["Jane", "Smith", "jane.smith@example.com"],
    ]
    path = write_file("customers.csv", "".join(delimiter.join(line) + "\n" for line in lines))

    table, rows = read(path)

    assert table.delimiter == delimiter
    assert table.columns == ["first_name", "last_name", "email"]
    assert cells_of(rows) == [["John", "Doe", "john.doe@example.com"], ["Jane", "Smith", "jane.smith@example.com"]]


def test_semicolon_delimiter_wins_over_commas_inside_quoted_values(write_file):
    path = write_file(
        "customers.csv",
        'name;address;note\n"Doe, John";"1 Main St, Springfield, IL";"a, b, c"\n'
        '"Smith, Jane";"2 Oak Ave, Shelbyville, IL";"d, e"\n',
    )

    table, rows = read(path)

    assert table.delimiter == ";"
    assert table.columns == ["name", "address", "note"]
    assert cells_of(rows) == [
        ["Doe, John", "1 Main St, Springfield, IL", "a, b, c"],
        ["Smith, Jane", "2 Oak Ave, Shelbyville, IL", "d, e"],
    ]


def test_one_column_file_reads_as_one_column(write_file):
    path = write_file("emails.csv", "email\njohn@example.com\njane@example.com\n")

    table, rows = read(path)

    assert table.columns == ["email"]
    assert rows == [SourceRow(1, ["john@example.com"]), SourceRow(2, ["jane@example.com"])]


# --- Quoting -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("line_break", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_quoted_newlines_and_doubled_quotes_stay_in_one_cell_and_one_row_number(write_file, line_break):
    text = line_break.join(
        [
            "name,note,city",
            'John,"line1' + line_break + 'line2",Springfield',
            'Jane,"say ""hi""",Shelbyville',
            "",
        ]
    )
    path = write_file("customers.csv", text)

    table, rows = read(path)

    assert table.columns == ["name", "note", "city"]
    assert rows == [
        SourceRow(1, ["John", "line1" + line_break + "line2", "Springfield"]),
        SourceRow(2, ["Jane", 'say "hi"', "Shelbyville"]),
    ]


def test_unclosed_quote_swallowing_the_file_raises_file_error_about_the_quote(write_file):
    path = write_file("customers.csv", 'first_name,note\nJohn,"' + "x" * 200_000 + "\nJane,ok\n")

    with pytest.raises(ImportFileError, match="quote"):
        read(path)


# --- Finding the header --------------------------------------------------------------------------------------------


def test_header_under_title_rows_is_found_by_header_score_even_when_a_title_row_is_wider(write_file):
    path = write_file(
        "customers.csv",
        "Customer export,Acme Water,Generated 2024-01-01,Page 1\n"
        "\n"
        "first_name,last_name,email\n"
        "John,Doe,john@example.com\n"
        "Jane,Smith,jane@example.com\n",
    )

    with_score, scored_rows = read(path, header_score=known_field_score)
    without_score, _rows = read(path)

    assert with_score.columns == ["first_name", "last_name", "email"]
    assert scored_rows == [
        SourceRow(1, ["John", "Doe", "john@example.com"]),
        SourceRow(2, ["Jane", "Smith", "jane@example.com"]),
    ]
    # Without a score the widest row wins, which here is the title row: the score is what finds the header.
    assert without_score.columns == ["Customer export", "Acme Water", "Generated 2024-01-01", "Page 1"]


def test_header_under_title_rows_is_found_as_first_widest_row_without_header_score(write_file):
    path = write_file(
        "customers.csv",
        "Customer export\n"
        "Generated 2024-01-01\n"
        "\n"
        "first_name,last_name,email\n"
        "John,Doe,john@example.com\n"
        "Jane,,jane@example.com\n"
        "Jim,Beam,jim@example.com\n",
    )

    table, rows = read(path)

    assert table.columns == ["first_name", "last_name", "email"]
    assert rows == [
        SourceRow(1, ["John", "Doe", "john@example.com"]),
        SourceRow(2, ["Jane", "", "jane@example.com"]),
        SourceRow(3, ["Jim", "Beam", "jim@example.com"]),
    ]


def title_rows_then_customers(title_rows: int) -> str:
    titles = "".join(f"Report line {n}\n\n" for n in range(1, title_rows + 1))  # blank rows between do not count
    return titles + "first_name,last_name,email\nJohn,Doe,john@example.com\n"


def test_header_as_tenth_non_blank_row_is_found(write_file):
    path = write_file("customers.csv", title_rows_then_customers(9))

    table, rows = read(path, header_score=known_field_score)

    assert table.columns == ["first_name", "last_name", "email"]
    assert rows == [SourceRow(1, ["John", "Doe", "john@example.com"])]


def test_header_beyond_tenth_non_blank_row_is_not_found_and_first_widest_row_is_taken(write_file):
    path = write_file("customers.csv", title_rows_then_customers(10))

    table, rows = read(path, header_score=known_field_score)

    # No row among the first ten scores, so the first of the (equally one-cell wide) title rows becomes the header.
    assert table.columns == ["Report line 1"]
    assert rows[0] == SourceRow(1, ["Report line 2"])
    assert rows[-2:] == [
        SourceRow(10, ["first_name", "last_name", "email"]),
        SourceRow(11, ["John", "Doe", "john@example.com"]),
    ]


# --- Blank rows, header names, report columns, resuming ------------------------------------------------------------


def test_blank_rows_anywhere_are_skipped_and_not_numbered(write_file):
    path = write_file(
        "customers.csv",
        "\n"
        ",,\n"
        "first_name,last_name,email\n"
        "\n"
        "John,Doe,john@example.com\n"
        ",,\n"
        "  ,\t, \n"
        "\n"
        "Jane,Smith,jane@example.com\n"
        "\n"
        "Jim,Beam,jim@example.com\n"
        ",,\n",
    )

    with Table(path) as table:
        rows = list(table.rows())
        count = table.count_rows()

    assert table.columns == ["first_name", "last_name", "email"]
    assert rows == [  # each with its row in the sheet, blank and header rows counted
        SourceRow(1, ["John", "Doe", "john@example.com"], sheet_row=5),
        SourceRow(2, ["Jane", "Smith", "jane@example.com"], sheet_row=9),
        SourceRow(3, ["Jim", "Beam", "jim@example.com"], sheet_row=11),
    ]
    assert count == 3


def test_short_rows_are_padded_with_empty_cells(write_file):
    path = write_file("customers.csv", "first_name,last_name,email\nJohn\nJane,Smith\n")

    _table, rows = read(path)

    assert cells_of(rows) == [["John", "", ""], ["Jane", "Smith", ""]]


def test_duplicate_header_names_become_unique_and_empty_ones_get_positional_names(write_file):
    path = write_file("customers.csv", "Notes,email,notes,,Notes, \nA,b@example.com,C,,E,\n")

    table, rows = read(path)

    assert table.columns == ["Notes", "email", "notes (2)", "column_4", "Notes (3)", "column_6"]
    assert cells_of(rows) == [["A", "b@example.com", "C", "", "E", ""]]


def test_error_report_columns_are_dropped_from_columns_and_rows(write_file):
    path = write_file(
        "errors.csv",
        "row_number,error_message,first_name,email\n"
        "3,Email is not valid,John,john-at-example\n"
        '7,"Missing value, first_name",,jane@example.com\n',
    )

    table, rows = read(path)

    assert table.columns == ["first_name", "email"]
    assert rows == [SourceRow(1, ["John", "john-at-example"]), SourceRow(2, ["", "jane@example.com"])]


def test_rows_start_after_skips_already_processed_rows_and_keeps_their_numbers(write_file):
    path = write_file("customers.csv", "email\na@example.com\n\nb@example.com\nc@example.com\n,\nd@example.com\n")

    with Table(path) as table:
        resumed = list(table.rows(start_after=2))
        everything = list(table.rows(start_after=0))

    assert resumed == [SourceRow(3, ["c@example.com"], sheet_row=5), SourceRow(4, ["d@example.com"], sheet_row=7)]
    assert numbers_of(everything) == [1, 2, 3, 4]


# --- XLSX ----------------------------------------------------------------------------------------------------------


@pytest.fixture
def two_sheet_xlsx(tmp_path):
    return write_xlsx(
        tmp_path / "customers.xlsx",
        {
            "Customers": [["first_name", "email"], ["John", "john@example.com"]],
            "Meters": [["meter_number", "installed_on"], ["MTR-001", dt.date(2023, 5, 2)]],
        },
    )


# Every workbook test runs as a job reads the file and as the wizard's preview does: one reader, the same rows.
XLSX_READERS = pytest.mark.parametrize("streamed", [False, True], ids=["import", "preview"])


@XLSX_READERS
def test_xlsx_reads_first_sheet_by_default_and_lists_sheet_names(two_sheet_xlsx, streamed):
    table, rows = read(two_sheet_xlsx, streamed=streamed)

    assert table.format == "xlsx"
    assert table.sheet_names == ["Customers", "Meters"]
    assert table.sheet == "Customers"
    assert table.columns == ["first_name", "email"]
    assert rows == [SourceRow(1, ["John", "john@example.com"])]


@XLSX_READERS
@pytest.mark.parametrize("asked", ["Meters", "meters", "METERS"])
def test_xlsx_reads_named_sheet_matched_case_insensitively(two_sheet_xlsx, asked, streamed):
    table, rows = read(two_sheet_xlsx, sheet=asked, streamed=streamed)

    assert table.sheet == "Meters"
    assert table.columns == ["meter_number", "installed_on"]
    assert rows == [SourceRow(1, ["MTR-001", "2023-05-02"])]


@XLSX_READERS
def test_xlsx_unknown_sheet_raises_file_error_naming_available_sheets(two_sheet_xlsx, streamed):
    with pytest.raises(ImportFileError) as raised:
        Table(two_sheet_xlsx, sheet="Invoices", streamed=streamed)

    assert str(raised.value) == "Sheet 'Invoices' not found; the workbook has: Customers, Meters."


@XLSX_READERS
def test_xlsx_typed_cells_become_text(tmp_path, streamed):
    path = write_xlsx(
        tmp_path / "customers.xlsx",
        {
            "Sheet1": [
                ["started_on", "read_at", "phone", "postal_code", "balance", "active", "note"],
                [dt.date(2024, 1, 15), dt.datetime(2024, 1, 15, 9, 30), 5555555555.0, 62701.0, 12.5, True, None],
                [dt.datetime(2024, 2, 1), dt.datetime(2024, 2, 1, 0, 0, 5), 42, 0.25, -3.0, False, "x"],
            ]
        },
    )

    _table, rows = read(path, streamed=streamed)

    assert rows == [
        SourceRow(1, ["2024-01-15", "2024-01-15T09:30:00", "5555555555", "62701", "12.5", "true", ""]),
        SourceRow(2, ["2024-02-01", "2024-02-01T00:00:05", "42", "0.25", "-3", "false", "x"]),
    ]


@XLSX_READERS
def test_xlsx_header_under_title_rows_is_found(tmp_path, streamed):
    path = write_xlsx(
        tmp_path / "customers.xlsx",
        {
            "Export": [
                ["Customer export"],
                ["Generated 2024-01-01"],
                [],
                ["first_name", "last_name", "email"],
                ["John", "Doe", "john@example.com"],
                [None, None, None],
                ["Jane", None, "jane@example.com"],
            ]
        },
    )

    for options in ({}, {"header_score": known_field_score}):
        with Table(path, streamed=streamed, **options) as table:
            rows = list(table.rows())
            count = table.count_rows()

        assert table.columns == ["first_name", "last_name", "email"]
        assert rows == [  # each with its row in the sheet, title, blank and header rows counted
            SourceRow(1, ["John", "Doe", "john@example.com"], sheet_row=5),
            SourceRow(2, ["Jane", "", "jane@example.com"], sheet_row=7),
        ]
        assert count == 2


# --- XLS -----------------------------------------------------------------------------------------------------------


@pytest.fixture
def legacy_xls(tmp_path):
    path = tmp_path / "customers.xls"
    workbook = xlwt.Workbook()
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    customers = workbook.add_sheet("Customers")
    for column, name in enumerate(["first_name", "postal_code", "balance", "started_on", "phone"]):
        customers.write(0, column, name)
    customers.write(1, 0, "José")
    customers.write(1, 1, 62701)
    customers.write(1, 2, 12.5)
    customers.write(1, 3, dt.date(2024, 1, 15), date_style)
    customers.write(1, 4, 5555555555.0)
    meters = workbook.add_sheet("Meters")
    meters.write(0, 0, "meter_number")
    meters.write(1, 0, "MTR-001")
    workbook.save(str(path))
    return path


def test_xls_reads_text_numbers_and_dates(legacy_xls):
    table, rows = read(legacy_xls)

    assert table.format == "xls"
    assert table.sheet_names == ["Customers", "Meters"]
    assert table.sheet == "Customers"
    assert table.columns == ["first_name", "postal_code", "balance", "started_on", "phone"]
    assert rows == [SourceRow(1, ["José", "62701", "12.5", "2024-01-15", "5555555555"])]


def test_xls_reads_named_second_sheet(legacy_xls):
    table, rows = read(legacy_xls, sheet="meters")

    assert table.sheet == "Meters"
    assert table.columns == ["meter_number"]
    assert rows == [SourceRow(1, ["MTR-001"])]


def test_xls_unknown_sheet_raises_file_error_naming_available_sheets(legacy_xls):
    with pytest.raises(ImportFileError, match=r"^Sheet 'Invoices' not found; the workbook has: Customers, Meters\.$"):
        Table(legacy_xls, sheet="Invoices")


# --- JSON ----------------------------------------------------------------------------------------------------------


def test_json_array_of_objects(write_file):
    path = write_file(
        "customers.json",
        json.dumps([{"first_name": "José", "email": "jose@example.com"}, {"first_name": "Jane", "email": "j@x.io"}]),
    )

    table, rows = read(path)

    assert table.format == "json"
    assert table.columns == ["first_name", "email"]
    assert rows == [SourceRow(1, ["José", "jose@example.com"]), SourceRow(2, ["Jane", "j@x.io"])]


def test_json_lines_with_blank_lines(write_file):
    path = write_file(
        "customers.jsonl",
        '{"first_name": "John", "email": "john@example.com"}\n'
        "\n"
        '{"first_name": "Jane", "email": "jane@example.com"}\n'
        "   \n",
    )

    table, rows = read(path)

    assert table.format == "json"
    assert table.columns == ["first_name", "email"]
    assert rows == [SourceRow(1, ["John", "john@example.com"]), SourceRow(2, ["Jane", "jane@example.com"])]


@pytest.mark.parametrize("layout", ["array", "lines"])
def test_json_columns_are_union_of_keys_in_first_appearance_order(write_file, layout):
    records = [{"first_name": "John", "email": "john@example.com"}, {"phone": "555", "first_name": "Jane"}, {}]
    records.append({"city": "Springfield"})
    text = json.dumps(records) if layout == "array" else "\n".join(json.dumps(record) for record in records)
    path = write_file("customers.json", text)

    table, rows = read(path)

    assert table.columns == ["first_name", "email", "phone", "city"]
    # The empty object is a blank row: skipped and not numbered.
    assert rows == [
        SourceRow(1, ["John", "john@example.com", "", ""]),
        SourceRow(2, ["Jane", "", "555", ""]),
        SourceRow(3, ["", "", "", "Springfield"]),
    ]


TYPED_JSON_RECORD = (
    '{"count": 5, "balance": 12.5, "whole": 10.0, "small": 0.1, "active": true, "closed": false, "note": null}'
)


@pytest.mark.parametrize("layout", ["array", "lines"])
def test_json_typed_values_become_text(write_file, layout):
    text = f"[{TYPED_JSON_RECORD}]" if layout == "array" else TYPED_JSON_RECORD + "\n"
    path = write_file("customers.json", text)

    table, rows = read(path)

    assert table.columns == ["count", "balance", "whole", "small", "active", "closed", "note"]
    assert rows == [SourceRow(1, ["5", "12.5", "10", "0.1", "true", "false", ""])]


@pytest.mark.parametrize("layout", ["array", "lines"])
def test_json_nested_values_are_kept_as_json_text(write_file, layout):
    record = '{"name": "John", "tags": ["a", "b"], "location": {"lat": 39.78, "zip": 62701}}'
    text = f"[{record}]" if layout == "array" else record + "\n"
    path = write_file("customers.json", text)

    _table, rows = read(path)

    assert rows == [SourceRow(1, ["John", '["a", "b"]', '{"lat": 39.78, "zip": 62701}'])]


def test_json_number_with_large_exponent_becomes_its_digits(write_file):
    path = write_file("customers.json", '[{"name": "John", "reading": 1e30}]')

    _table, rows = read(path)

    assert rows == [SourceRow(1, ["John", "1" + "0" * 30])]


@pytest.mark.parametrize(
    "text",
    ['[{"first_name": "José"}]', '{"first_name": "José"}\n'],
    ids=["array", "lines"],
)
def test_json_with_utf8_bom_is_read(write_file, text):
    path = write_file("customers.json", codecs.BOM_UTF8 + text.encode("utf-8"))

    table, rows = read(path)

    assert table.format == "json"
    assert table.columns == ["first_name"]
    assert rows == [SourceRow(1, ["José"])]


def test_invalid_json_array_raises_file_error(write_file):
    path = write_file("customers.json", '[{"first_name": "John"}, {"first_name": ')

    with pytest.raises(ImportFileError, match=r"^The JSON file is not valid after item 1: "):
        Table(path)


def test_json_array_element_that_is_not_an_object_raises_file_error(write_file):
    path = write_file("customers.json", '[{"first_name": "John"}, "Jane"]')

    with pytest.raises(ImportFileError, match=r"^Item 2 of the JSON array is not an object with named fields\.$"):
        Table(path)


def test_invalid_json_lines_line_raises_file_error_with_its_line_number(write_file):
    path = write_file("customers.jsonl", '{"first_name": "John"}\n\n{"first_name": "Jane"\n{"first_name": "Jim"}\n')

    with pytest.raises(ImportFileError, match=r"^Line 3 of the JSON Lines file is not valid JSON: "):
        Table(path)


def test_json_lines_line_that_is_not_an_object_raises_file_error_with_its_line_number(write_file):
    path = write_file("customers.jsonl", '{"first_name": "John"}\n[1, 2]\n')

    with pytest.raises(ImportFileError, match=r"^Line 2 of the JSON Lines file is not an object with named fields\.$"):
        Table(path)


# --- Format detection ----------------------------------------------------------------------------------------------


def test_csv_named_xlsx_is_read_as_csv(write_file):
    path = write_file("data.xlsx", "first_name,email\nJohn,john@example.com\n")

    table, rows = read(path)

    assert table.format == "csv"
    assert rows == [SourceRow(1, ["John", "john@example.com"])]


def test_xlsx_named_csv_is_read_as_xlsx(tmp_path):
    path = write_xlsx(tmp_path / "data.csv", {"People": [["first_name", "postal_code"], ["John", 62701]]})

    table, rows = read(path)

    assert table.format == "xlsx"
    assert table.sheet == "People"
    assert rows == [SourceRow(1, ["John", "62701"])]


def test_json_named_csv_is_read_as_json(write_file):
    path = write_file("data.csv", '[{"first_name": "John"}]')

    table, rows = read(path)

    assert table.format == "json"
    assert rows == [SourceRow(1, ["John"])]


def test_pdf_raises_file_error_saying_it_is_a_pdf(write_file):
    path = write_file("customers.csv", b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")

    with pytest.raises(ImportFileError, match="PDF"):
        Table(path)


def test_empty_file_raises_file_error(write_file):
    path = write_file("customers.csv", b"")

    with pytest.raises(ImportFileError, match=r"^The file is empty\.$"):
        Table(path)


@pytest.mark.parametrize("content", ["\n\n", ",,,\n , \n"], ids=["newlines", "commas-and-spaces"])
def test_file_of_only_blank_rows_raises_file_error(write_file, content):
    path = write_file("customers.csv", content)

    with pytest.raises(ImportFileError, match="no rows"):
        Table(path)


def test_zip_without_workbook_raises_file_error(tmp_path):
    path = tmp_path / "customers.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")

    with pytest.raises(ImportFileError, match="ZIP archive"):
        Table(path)


def test_binary_junk_with_nul_bytes_raises_file_error(write_file):
    path = write_file("customers.csv", b"\x00\x01\x02\x03\xff\xfe\x00binary\x00\x00\x10\x7f" * 50)

    with pytest.raises(ImportFileError, match="binary data"):
        Table(path)


# --- Streaming -----------------------------------------------------------------------------------------------------


def write_customers_csv(path: Path, count: int) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        handle.write("first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,")
        handle.write("account_number,status,customer_type\n")
        for n in range(count):
            handle.write(
                f"First{n},Last{n},first{n}.last{n}@example.com,555-555-{n % 10000:04d},{n} Main Street,"
                f"Springfield,IL,{62701 + n % 100},MTR-{n:07d},ACC-{n:09d},active,residential\n"
            )
    return path


def write_customers_json(path: Path, count: int) -> Path:
    with open(path, "w", encoding="utf-8") as handle:
        handle.write("[")
        for n in range(count):
            record = {
                "first_name": f"First{n}",
                "last_name": f"Last{n}",
                "email": f"first{n}@example.com",
                "postal_code": 62701 + n % 100,
                "balance": n / 4,
                "active": n % 2 == 0,
                "note": None,
            }
            handle.write(("," if n else "") + json.dumps(record) + "\n")
        handle.write("]")
    return path


def peak_memory_reading(path: Path) -> tuple[int, int]:
    """Open the table and iterate all its rows under tracemalloc; return (rows read, peak bytes allocated)."""
    def rows_counted() -> int:
        with Table(path) as table:
            return sum(1 for _row in table.rows())

    return peak_bytes(rows_counted)


def test_csv_reading_memory_does_not_grow_with_the_file(tmp_path):
    small = write_customers_csv(tmp_path / "small.csv", 10_000)
    big = write_customers_csv(tmp_path / "big.csv", 100_000)

    small_count, small_peak = peak_memory_reading(small)
    big_count, big_peak = peak_memory_reading(big)

    assert (small_count, big_count) == (10_000, 100_000)
    assert big.stat().st_size > 10_000_000
    assert big_peak < 2 * small_peak
    assert big_peak < 4_000_000


def test_json_array_reading_memory_does_not_grow_with_the_file(tmp_path):
    # ijson under tracemalloc is slow, so these files are smaller than the CSV ones; still ten times apart.
    small = write_customers_json(tmp_path / "small.json", 5_000)
    big = write_customers_json(tmp_path / "big.json", 50_000)

    small_count, small_peak = peak_memory_reading(small)
    big_count, big_peak = peak_memory_reading(big)

    assert (small_count, big_count) == (5_000, 50_000)
    assert big.stat().st_size > 5_000_000
    assert big_peak < 2 * small_peak
    assert big_peak < 4_000_000


def test_streamed_xlsx_with_a_broken_sheet_is_a_file_error(tmp_path):
    from imports.engine.readers.xlsx_stream import XlsxStream

    path = write_xlsx(tmp_path / "book.xlsx", {"Data": [["a"], ["b"]]})
    broken = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item.filename)
            target.writestr(item, data[: len(data) // 2] if item.filename.endswith("sheet1.xml") else data)

    with pytest.raises(ImportFileError, match="The Excel workbook cannot be read"):
        list(XlsxStream(broken).rows())


# --- Sheet rows ----------------------------------------------------------------------------------------------------


def test_a_row_with_a_cell_over_several_lines_is_one_sheet_row(write_file):
    path = write_file("customers.csv", 'Export\nname,notes\nJohn,"line1\nline2\nline3"\n\nJane,short\n')

    assert read_sheet_rows(path) == [(1, 3), (2, 5)]


def test_a_legacy_workbook_row_is_named_by_its_row_in_the_sheet(tmp_path):
    workbook = xlwt.Workbook()
    sheet = workbook.add_sheet("Customers")
    for row_index, values in ((0, ["Customer export"]), (2, ["first_name", "email"]), (3, ["John", "j@x.io"]),
                              (6, ["Jane", "jane@x.io"])):
        for column_index, value in enumerate(values):
            sheet.write(row_index, column_index, value)
    path = tmp_path / "customers.xls"
    workbook.save(str(path))

    assert read_sheet_rows(path) == [(1, 4), (2, 7)]


def test_json_records_have_no_sheet_rows(write_file):
    path = write_file("customers.json", '[{"first_name": "John"}, {"first_name": "Jane"}]')

    assert read_sheet_rows(path) == [(1, None), (2, None)]
