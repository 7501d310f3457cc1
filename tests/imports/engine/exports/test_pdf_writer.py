"""PDF reports, read back with pypdf: the title, when it was generated, the filters, the column labels repeated on
every page, "Page N of M" at the foot; landscape when the columns are many; long cells cut with an ellipsis."""

import dataclasses
import datetime as dt
import io
from decimal import Decimal

import pypdf
from reportlab import rl_config

from imports.engine.exports.writers import pdf_writer
from imports.engine.exports.writers.pdf_layout import MARGIN, table_layout
from imports.engine.exports.writers.pdf_writer import ELLIPSIS, NO_FILTERS
from tests.imports.engine.exports.samples import RECORDS, REPORT, every_column, rows_of, write_to_memory


def pages_of(content: bytes) -> list[pypdf.PageObject]:
    return list(pypdf.PdfReader(io.BytesIO(content)).pages)


def text_of(page: pypdf.PageObject) -> str:
    return page.extract_text()


def is_landscape(page: pypdf.PageObject) -> bool:
    return float(page.mediabox.width) > float(page.mediabox.height)


def customer_report(records: list[dict], *, column_count: int | None = None, report=REPORT) -> list:
    _target, columns = every_column("Customer")
    columns = columns[:column_count] if column_count else columns
    return pages_of(write_to_memory("pdf", columns, rows_of(columns, records), report))


def test_first_page_shows_the_title_when_it_was_generated_the_filters_and_the_row_count():
    first = text_of(customer_report(RECORDS["Customer"])[0])

    assert "Customers of Acme Utilities" in first
    assert "Generated 2024-03-09 14:05 UTC" in first
    assert "Filters: status is active" in first
    assert "2 rows" in first


def test_a_report_without_filters_says_it_holds_every_record():
    first = text_of(customer_report(RECORDS["Customer"], report=dataclasses.replace(REPORT, filters=()))[0])

    assert NO_FILTERS in first


def test_a_report_cut_short_says_how_many_rows_it_leaves_out():
    first = text_of(customer_report(RECORDS["Customer"], report=dataclasses.replace(REPORT, total_rows=12_345))[0])

    assert "The first 2 of 12,345 rows" in first


def test_every_page_repeats_the_header_and_is_numbered_page_n_of_m():
    pages = customer_report(RECORDS["Customer"] * 150, column_count=4)

    assert len(pages) > 2
    for number, page in enumerate(pages, start=1):
        text = text_of(page)
        assert f"Page {number} of {len(pages)}" in text
        assert text.index("First name") < text.index("O'Brien")


def test_wide_reports_are_landscape_and_narrow_ones_portrait():
    wide = customer_report(RECORDS["Customer"])
    narrow = customer_report(RECORDS["Customer"], column_count=4)

    assert is_landscape(wide[0])
    assert not is_landscape(narrow[0])


def test_the_page_grows_and_the_font_shrinks_as_columns_are_added():
    _target, columns = every_column("Customer")

    few, some, every = table_layout(columns[:4]), table_layout(columns[:10]), table_layout(columns)

    assert (few.landscape, some.landscape, every.landscape) == (False, True, True)
    assert few.pagesize[0] <= some.pagesize[0] <= every.pagesize[0]
    assert few.font_size >= some.font_size >= every.font_size >= 5
    for layout in (few, some, every):
        assert sum(layout.column_widths) <= layout.pagesize[0] - 2 * MARGIN + 0.01


def test_a_long_cell_is_cut_short_with_an_ellipsis():
    record = {"first_name": "Ann", "notes": "word " * 200}

    text = text_of(customer_report([record])[0])

    assert ELLIPSIS in text
    assert "word " * 50 not in text


def test_values_read_as_people_write_them():
    _target, columns = every_column("SalesProAppointment")
    eastern = dt.timezone(dt.timedelta(hours=-5), "EST")
    report = dataclasses.replace(REPORT, generated_at=dt.datetime(2024, 3, 9, 9, 5, tzinfo=eastern))
    records = [{"salespro_id": "a1", "is_sale": True, "sale_amount": Decimal("1234567.5"),
                "salespro_created_at": dt.datetime(2025, 6, 18, 14, 30, tzinfo=dt.UTC)}]

    text = text_of(pages_of(write_to_memory("pdf", columns, rows_of(columns, records), report))[0])

    assert "Generated 2024-03-09 09:05 EST" in text
    assert "2025-06-18 09:30" in text  # in the report's time zone
    assert "Yes" in text
    assert "1,234,567.50" in text


def test_an_empty_report_still_has_its_heading_and_header():
    text = text_of(customer_report([], column_count=4)[0])

    assert "0 rows" in text
    assert "First name" in text
    assert "Page 1 of 1" in text


def test_one_row_of_cell_styles_shared_draws_the_same_pdf_as_a_style_per_cell(monkeypatch):
    """Reportlab's own way makes a style object for every cell; the report shares one row of them."""
    monkeypatch.setattr(rl_config, "invariant", 1)  # no creation time or random id: equal documents are equal bytes
    _target, columns = every_column("Customer")
    rows = rows_of(columns, RECORDS["Customer"]) * 700  # several tables, each split over pages

    shared = write_to_memory("pdf", columns, rows)
    monkeypatch.setattr(pdf_writer, "shared_cell_styles", lambda rows, columns: None)
    per_cell = write_to_memory("pdf", columns, rows)

    assert len(pages_of(shared)) > 2 * len(rows) // pdf_writer.ROWS_PER_TABLE
    assert shared == per_cell
