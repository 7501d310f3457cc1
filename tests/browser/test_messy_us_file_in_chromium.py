"""The messy US file an office brings: an export in Windows-1252 with three title rows, abbreviated headers (Svc
Address, Meter #, Acct #), US dates, ZIP codes Excel stripped of their leading zero, a phone extension, a status no
choice knows and one bad email. In a real browser with a real worker it is mapped, fixed with the product's own
value fixes, its bad email fixed in the review page's grid, and imported without a failed row; the next month's
file, with the same headers, arrives mapped, fixes included, without a click.
Screenshots: var/screenshots/messy-*.png."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from imports.models import ImportExportJob
from tests.factories import UserFactory

from .test_mapping_memory_in_chromium import column, upload_file
from .test_wizard_in_chromium import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEADER = "First Name,Last Name,E-mail,Phone,Svc Address,City,State,Zip,Meter #,Acct #,Status,Start Date"
TITLE_ROWS = ["Springfield Water & Power — customer list", "Exported 12/01/2026 by billing", ""]


def messy_file(rows: list[str]) -> bytes:
    return "\r\n".join([*TITLE_ROWS, HEADER, *rows, ""]).encode("cp1252")


NOVEMBER = messy_file([
    "José,Núñez,jose@example.com,(617) 555-0101 ext 2,1 Beacon St,Boston,MA,2134,MTR-1,5000000001,Active,03/15/2024",
    "Zoë,Lee,zoe@example.com,413-555-0102,2 Elm St,Springfield,MA,1103,MTR-2,5000000002,Closed,4/5/2024",
    "Bob,Ray,bob@example.com,217-555-0103,3 Oak St,Springfield,IL,62701,MTR-3,5000000003,Active,12/31/2023",
    "Ann,Poe,not-an-email,217-555-0104,4 Elm St,Springfield,IL,62702,MTR-4,5000000004,Active,1/2/2024",
])
DECEMBER = messy_file([
    "Cy,Dow,cy@example.com,860-555-0105,5 Main St,Hartford,CT,6103,MTR-5,5000000005,Closed,11/30/2024",
])


def test_a_messy_us_file_is_mapped_fixed_and_imported_and_the_next_one_arrives_mapped(
    page, live_server, company, start_worker, tmp_path, screenshots
):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    start_worker()
    november, december = tmp_path / "customers-november.csv", tmp_path / "customers-december.csv"
    november.write_bytes(NOVEMBER)
    december.write_bytes(DECEMBER)
    sign_in(page, live_server)

    upload_file(page, live_server, november)
    page.wait_for_url(re.compile(r"/import/[0-9a-f-]+/mapping/$"))
    for header, field in (("Svc Address", "service_address"), ("Meter #", "meter_number"),
                          ("Acct #", "account_number"), ("Zip", "postal_code"), ("Start Date", "connection_date")):
        expect(column(page, header)).to_have_value(field)
    expect(page.get_by_label("Dates in Start Date")).to_have_value("mdy")
    preview = page.locator("table.preview")
    expect(preview).to_contain_text("José")  # Windows-1252 read as such
    expect(preview).to_contain_text("Warning: Postal code 2134 read as 02134")
    page.get_by_label("Closed", exact=True).select_option("inactive")
    page.screenshot(path=str(screenshots / "messy-1-mapping.png"), full_page=True)

    page.get_by_role("button", name="Next: options").click()
    page.get_by_role("button", name="Validate the file").click()
    expect(page.locator('[data-count="created"]')).to_have_text("3", timeout=60_000)
    expect(page.locator('[data-count="failed"]')).to_have_text("1")
    bad_email = page.get_by_label("E-mail, row 4, sheet row 8")
    expect(bad_email).to_have_attribute("aria-invalid", "true")
    page.screenshot(path=str(screenshots / "messy-2-review.png"), full_page=True)
    bad_email.fill("ann@example.com")
    bad_email.press("Tab")  # the row is sent when the cell is left, judged on the server, and drawn again
    expect(page.locator('tr[data-row="4"]')).to_have_class("fixed")
    expect(page.locator(".fix-status")).to_have_text("row 4, sheet row 8 passes now.")
    page.get_by_role("button", name="Import 4 rows", exact=True).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    expect(page.locator(".badge-completed")).to_be_visible(timeout=60_000)
    expect(page.locator("#cell-edits")).to_contain_text("not-an-email")

    job = ImportExportJob.objects.get(dry_run=False)
    assert (job.created_records, job.failed_records) == (4, 0)
    assert {c.meter_number: (c.first_name, c.email, c.phone, c.postal_code, c.status, c.connection_date)
            for c in Customer.objects.filter(company=company)} == {
        "MTR-1": ("José", "jose@example.com", "+16175550101 x2", "02134", "active", dt.date(2024, 3, 15)),
        "MTR-2": ("Zoë", "zoe@example.com", "+14135550102", "01103", "inactive", dt.date(2024, 4, 5)),
        "MTR-3": ("Bob", "bob@example.com", "+12175550103", "62701", "active", dt.date(2023, 12, 31)),
        "MTR-4": ("Ann", "ann@example.com", "+12175550104", "62702", "active", dt.date(2024, 1, 2)),
    }

    upload_file(page, live_server, december)
    page.wait_for_url(re.compile(r"/import/[0-9a-f-]+/mapping/\?mapped_as="))
    expect(page.locator(".messages")).to_contain_text("Mapped as in your import of customers-november.csv")
    expect(column(page, "Acct #")).to_have_value("account_number")
    expect(page.get_by_label("Closed", exact=True)).to_have_value("inactive")
    expect(page.locator("td.cell-error")).to_have_count(0)
    page.screenshot(path=str(screenshots / "messy-3-next-month.png"), full_page=True)
