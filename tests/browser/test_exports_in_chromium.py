"""An office user exports in a real browser, a real worker running the jobs: builds an export of customers (columns
chosen and moved, filters), previews it, runs it, downloads it and schedules it, in each format (CSV, Excel, JSON,
PDF); the files are read back (the CSV and JSON as data, the workbook with openpyxl, the PDF's text with pypdf). Then
meter readings to Excel from their records page (numbers as numbers), and the builder without JavaScript."""

import csv
import datetime as dt
import io
import json
import re
from decimal import Decimal

import openpyxl
import pypdf
import pytest
from playwright.sync_api import expect

from customers.models import Customer
from imports.declare import get_target
from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, DataTemplate, ImportExportJob
from readings.models import MeterReading
from tests.browser.test_wizard_in_chromium import PASSWORD, sign_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

JOB_PAGE = re.compile(r"/jobs/[0-9a-f-]+/$")
FORMATS = {"csv": "CSV", "excel": "Excel (.xlsx)", "json": "JSON", "pdf": "PDF"}
COLUMNS = ["account_number", "phone", "postal_code", "status", "connection_date"]
# Customers 0 to 119 connected a day apart from 2024-01-01, every fifth inactive. The filters keep the active ones
# connected from 2024-01-05 (the 4th) to 2024-04-09 (the 99th): 96 customers, 19 of them inactive.
EXPORTED = [n for n in range(4, 100) if n % 5]
FIRST_DAY = dt.date(2024, 1, 1)
IMPORT_READING_COLUMNS = [field.name for field in get_target("MeterReading").fields]


@pytest.fixture
def olivia(company):
    return UserFactory(company=company, username="olivia", password=PASSWORD)


@pytest.fixture
def customers(company, other_company):
    for n in range(120):
        CustomerFactory(company=company, account_number=f"A{n:04d}", status="active" if n % 5 else "inactive",
                        postal_code="02134", phone="+12125550108", connection_date=FIRST_DAY + dt.timedelta(days=n))
    CustomerFactory(company=other_company, account_number="THEIRS", status="active", postal_code="02134",
                    connection_date=FIRST_DAY + dt.timedelta(days=10))


@pytest.fixture
def readings(company):
    customer = Customer.objects.create(company=company, account_number="0042", first_name="Ann", last_name="Lee",
                                       meter_number="MTR-7")
    for day, value, consumption in ((1, "1200.5", None), (2, "1250", "49.5"), (3, "1240", "-10")):
        reading_date = dt.date(2024, 3, day)
        MeterReading.objects.create(
            company=company, customer=customer, meter_number="MTR-7", reading_date=reading_date,
            reading_value=Decimal(value), consumption=None if consumption is None else Decimal(consumption),
            reading_key=MeterReading.key_for("MTR-7", reading_date),
        )


def snap(page, screenshots, name: str) -> None:
    page.screenshot(path=str(screenshots / f"export-{name}.png"), full_page=True)


def column_order(page) -> list[str]:
    return page.locator("table.column-choice tbody tr").evaluate_all(
        "rows => rows.filter(row => row.querySelector('input[name=columns]').checked).map(row => row.dataset.column)"
    )


def build_customer_export(page, file_format: str) -> None:
    """Choose the columns, move one, set the filters and the format, as a user does."""
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Export").click()
    page.get_by_role("link", name="Customers").click()
    expect(page.get_by_role("heading", name="Export customers")).to_be_visible()
    expect(page.get_by_label("Import-compatible")).to_be_checked()

    columns = page.locator("table.column-choice")
    page.get_by_role("button", name="Untick all").click()
    expect(page.get_by_label("Import-compatible")).not_to_be_checked()
    for label in ("Account number", "Phone", "Postal code", "Connection date", "Status"):
        columns.get_by_label(label, exact=True).check()
    # Ticked in the table's order; the account number is moved to the top, a place at a time.
    assert column_order(page) == ["phone", "postal_code", "account_number", "status", "connection_date"]
    move_up = page.get_by_role("button", name="Move Account number up")
    while move_up.is_enabled():
        move_up.click()
    assert column_order(page) == COLUMNS

    page.locator("summary", has_text="Filters").click()
    page.get_by_label("Status is one of").select_option(["active"])
    page.get_by_label("Connection date from").fill("2024-01-05")
    page.get_by_label("Connection date to").fill("2024-04-09")
    page.get_by_label(FORMATS[file_format], exact=True).check()


def read_csv(path) -> list[dict]:
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def check_csv(path) -> None:
    rows = read_csv(path)
    assert list(rows[0]) == COLUMNS
    assert [row["account_number"] for row in rows] == [f"A{n:04d}" for n in EXPORTED]
    assert rows[0] == {"account_number": "A0004", "postal_code": "02134", "phone": "+12125550108",
                       "connection_date": "2024-01-05", "status": "active"}


def check_json(path) -> None:
    rows = json.loads(path.read_text(encoding="utf-8"))
    assert [row["account_number"] for row in rows] == [f"A{n:04d}" for n in EXPORTED]
    assert rows[0] == {"account_number": "A0004", "postal_code": "02134", "phone": "+12125550108",
                       "connection_date": "2024-01-05", "status": "active"}


def workbook(path) -> openpyxl.Workbook:
    """The downloaded workbook (saved without its name's extension, which openpyxl would check)."""
    return openpyxl.load_workbook(io.BytesIO(path.read_bytes()))


def check_excel(path) -> None:
    sheet = workbook(path).active
    header = [cell.value for cell in sheet[1]]
    assert len(header) == len(COLUMNS)
    assert all(cell.font.b for cell in sheet[1])  # a bold header
    assert sheet.freeze_panes == "A2"  # frozen under the header
    assert (sheet.auto_filter.ref or "").startswith("A1:")  # an autofilter over the header
    assert sheet.max_row == 1 + len(EXPORTED)
    account, phone, postal_code, status, connected = (cell for cell in sheet[2])
    assert (account.value, account.data_type) == ("A0004", "s")
    assert (postal_code.value, postal_code.data_type) == ("02134", "s")  # text: the leading zero kept
    assert (phone.value, phone.data_type) == ("+12125550108", "s")  # no apostrophe, no formula
    assert isinstance(connected.value, dt.datetime | dt.date)  # a real date cell
    assert connected.value.timetuple()[:3] == (2024, 1, 5)
    assert connected.is_date
    assert status.value == "active"
    assert not any(str(cell.value).startswith("=") for row in sheet.iter_rows() for cell in row if cell.value)


def check_pdf(path) -> None:
    reader = pypdf.PdfReader(path)
    pages = [page.extract_text() for page in reader.pages]
    text = "\n".join(pages)
    assert len(pages) >= 2
    assert "Customers of Acme Water" in text  # the title
    assert "Status is active" in text  # the filters used
    assert "Connection date from 2024-01-05" in text
    assert "Connection date up to 2024-04-09" in text
    for number, page_text in enumerate(pages, start=1):  # every page numbered
        assert re.search(rf"\bPage {number}\b", page_text), page_text[-200:]
    assert "A0004" in text
    assert "A0095" not in text  # inactive
    assert "A0100" not in text  # connected after the last day asked for
    assert "THEIRS" not in text


CHECKS = {"csv": check_csv, "excel": check_excel, "json": check_json, "pdf": check_pdf}


@pytest.mark.parametrize("file_format", list(FORMATS))
def test_build_preview_run_download_and_schedule_an_export(page, live_server, olivia, customers, start_worker,
                                                           screenshots, file_format):
    start_worker()
    sign_in(page, live_server)

    build_customer_export(page, file_format)
    page.get_by_role("button", name="Preview", exact=True).click()
    expect(page.locator("[data-preview-total]")).to_have_text(f"{len(EXPORTED)} rows")
    preview = page.locator("table.preview")
    expect(preview.locator("thead th")).to_have_text(
        ["Account number", "Phone", "Postal code", "Status", "Connection date"]
    )
    expect(preview.locator("tbody tr")).to_have_count(10)
    expect(preview.locator("tbody tr").first).to_contain_text("A0004")
    expect(preview).not_to_contain_text("THEIRS")
    assert column_order(page) == COLUMNS  # the form came back as it was sent
    snap(page, screenshots, f"{file_format}-1-preview")

    page.get_by_role("button", name="Export", exact=True).click()
    page.wait_for_url(JOB_PAGE)
    expect(page.locator(".badge-completed")).to_be_visible(timeout=60_000)
    expect(page.locator("progress.job-progress")).to_have_attribute("value", "100")
    expect(page.locator("ul.filters-used")).to_contain_text("Status is active")
    snap(page, screenshots, f"{file_format}-2-job")
    job = ImportExportJob.objects.get(job_type="export")
    assert (job.file_format, job.total_records, job.options["export"]["columns"]) == (
        file_format, len(EXPORTED), COLUMNS
    )

    with page.expect_download() as download:
        page.get_by_role("link", name=f"Download {job.file_name}").click()
    assert download.value.suggested_filename == job.file_name
    CHECKS[file_format](download.value.path())
    event = AuditEvent.objects.get()
    assert (event.action, event.job, event.user.username, event.via) == ("download", job, "olivia", "web")

    # Kept as a template, scheduled, and run from the library.
    page.get_by_role("link", name="Change and run again").click()
    assert column_order(page) == COLUMNS
    page.get_by_label("Template name").fill(f"Active customers ({file_format})")
    page.get_by_role("button", name="Save as template").click()
    card = page.locator("article.export-template")
    expect(card).to_contain_text(f"Active customers ({file_format})")
    expect(card).to_contain_text("Account number, Phone, Postal code, Status, Connection date")
    expect(card).to_contain_text(FORMATS[file_format])
    card.get_by_label("Runs", exact=True).select_option("weekly")
    card.get_by_label("At", exact=True).fill("07:00")
    card.get_by_label("On (weekly)", exact=True).select_option("Monday")
    card.get_by_role("button", name="Save the schedule").click()
    expect(card.locator("[data-schedule]")).to_contain_text("Every Monday at 07:00")
    expect(card.locator("[data-schedule]")).to_contain_text("next run")
    template = DataTemplate.objects.get()
    assert (template.schedule, template.schedule_time, template.schedule_weekday) == ("weekly", dt.time(7), 0)
    assert template.next_run_at is not None
    snap(page, screenshots, f"{file_format}-3-scheduled")

    card.get_by_role("button", name="Run now").click()
    page.wait_for_url(JOB_PAGE)
    expect(page.locator(".badge-completed")).to_be_visible(timeout=60_000)
    again = ImportExportJob.objects.filter(template=template).get()
    assert again.total_records == len(EXPORTED)

    page.get_by_role("link", name="Jobs", exact=True).click()
    rows = page.locator("table.jobs tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("Export")
    expect(rows.first.get_by_role("link", name=f"Download {again.file_name}")).to_be_visible()
    snap(page, screenshots, f"{file_format}-4-dashboard")


def test_meter_readings_from_their_records_page_to_excel_with_numbers_as_numbers(page, live_server, olivia, readings,
                                                                                start_worker, screenshots):
    start_worker()
    sign_in(page, live_server)

    page.goto(f"{live_server.url}/records/MeterReading/")
    page.get_by_role("link", name="Export these").click()
    expect(page.get_by_role("heading", name="Export meter readings")).to_be_visible()
    # Consumption is read-only: worked out by the product, not imported.
    page.locator("table.column-choice").get_by_label("Consumption", exact=True).check()
    expect(page.get_by_label("Import-compatible")).not_to_be_checked()
    page.get_by_label("Excel (.xlsx)").check()
    page.get_by_role("button", name="Export", exact=True).click()
    expect(page.locator(".badge-completed")).to_be_visible(timeout=60_000)
    with page.expect_download() as download:
        page.get_by_role("link", name=re.compile(r"^Download meter-readings-.*\.xlsx$")).click()
    snap(page, screenshots, "readings-job")

    sheet = workbook(download.value.path()).active
    header = [cell.value for cell in sheet[1]]
    rows = [dict(zip(header, (cell.value for cell in row), strict=True)) for row in sheet.iter_rows(min_row=2)]
    column = {name: next(title for title in header if title in (name, label)) for name, label in (
        ("account_number", "Account number"), ("reading_value", "Reading value"), ("consumption", "Consumption"),
        ("reading_date", "Reading date"),
    )}
    assert [row[column["account_number"]] for row in rows] == ["0042"] * 3  # text: the leading zeros kept
    assert [row[column["reading_value"]] for row in rows] == [1200.5, 1250, 1240]
    assert all(isinstance(row[column["reading_value"]], int | float) for row in rows)  # numbers, not text
    assert [row[column["consumption"]] for row in rows] == [None, 49.5, -10]
    assert [row[column["reading_date"]].timetuple()[:3] for row in rows] == [(2024, 3, 1), (2024, 3, 2),
                                                                             (2024, 3, 3)]


def test_without_javascript_columns_move_and_a_refused_filter_keeps_everything(browser, live_server, olivia,
                                                                              readings, screenshots):
    context = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900},
                                  accept_downloads=True)
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/exports/")
        page.get_by_role("link", name="Meter readings").click()
        columns = page.locator("table.column-choice")
        page.get_by_role("button", name="Untick all").click()  # each button a plain form post
        columns.get_by_label("Meter number", exact=True).check()
        columns.get_by_label("Reading value", exact=True).check()
        page.get_by_role("button", name="Move Reading value up").click()
        page.get_by_role("button", name="Move Reading value up").click()
        assert column_order(page) == ["reading_value", "meter_number"]

        page.locator("summary", has_text="Filters").click()
        page.get_by_label("Reading value from").fill("lots")
        page.get_by_label("Reading type is one of").select_option(["manual"])
        page.get_by_label("Template name").fill("Big readings")
        page.get_by_role("button", name="Export", exact=True).click()

        fieldset = page.locator("fieldset.filter", has_text="Reading value")
        expect(fieldset.get_by_role("alert")).to_contain_text("The filter on Reading value")
        expect(page.locator(".problems")).to_contain_text("The filter on Reading value")
        expect(page.get_by_label("Reading value from")).to_have_value("lots")
        expect(page.get_by_label("Reading type is one of").locator("option:checked")).to_have_text(["manual"])
        expect(page.get_by_label("Template name")).to_have_value("Big readings")
        assert column_order(page) == ["reading_value", "meter_number"]
        assert not ImportExportJob.objects.exists()
        snap(page, screenshots, "no-js-refused")

        page.get_by_label("Reading value from").fill("1245")
        page.get_by_label("Import-compatible").check()
        page.get_by_role("button", name="Preview", exact=True).click()
        expect(page.locator("[data-preview-total]")).to_have_text("1 row")
        assert column_order(page) == IMPORT_READING_COLUMNS  # the switch ticked exactly the import's columns

        page.get_by_role("button", name="Export", exact=True).click()
        page.wait_for_url(JOB_PAGE)
        job_run(job=ImportExportJob.objects.get())
        page.reload()  # no polling without JavaScript
        with page.expect_download() as download:
            page.get_by_role("link", name=re.compile(r"^Download meter-readings-")).click()
        rows = read_csv(download.value.path())
        assert list(rows[0]) == IMPORT_READING_COLUMNS
        assert [(row["meter_number"], row["reading_value"]) for row in rows] == [("MTR-7", "1250")]
    finally:
        context.close()
