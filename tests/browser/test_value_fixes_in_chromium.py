"""An office user brings a US export (MM/DD/YYYY dates, a Boston ZIP code Excel shortened, a `Closed` status) to the
wizard in a real browser with a real worker, accepts the fixes the mapping page proposes, and imports it clean."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from imports.models import ImportExportJob
from tests.factories import UserFactory

from .test_wizard_in_chromium import PASSWORD, drop_file, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

US_EXPORT = "\n".join([
    "First Name,Surname,E-mail,Phone,Street,Town,State,Zip,Meter ID,Status,Start Date",
    "Ann,Lee,ann@example.com,(617) 555-0101 ext 2,1 Beacon St,Boston,MA,2134,MTR-1,Closed,03/15/2024",
    "Bob,Ray,bob@example.com,217-555-0102,2 Elm St,Springfield,IL,62701,MTR-2,Active,4/5/2024",
    "Cy,Dow,cy@example.com,217-555-0103,3 Oak St,Springfield,IL,62702,MTR-3,closed,12/31/2023",
]) + "\n"


def test_a_us_export_imports_clean_once_its_fixes_are_accepted(page, live_server, company, start_worker,
                                                                screenshots):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    start_worker()
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/import/")

    drop_file(page, "#target-Customer ~ form [data-dropzone]", "us-export.csv", US_EXPORT)
    page.wait_for_url(re.compile(r"/import/[0-9a-f-]+/mapping/$"))
    fixes = page.locator("#value-fixes")
    expect(fixes).to_contain_text("Detected from the first rows: MM/DD/YYYY.")
    expect(page.get_by_label("Dates in Start Date")).to_have_value("mdy")
    expect(page.get_by_label(re.compile("^Put back the leading zero"))).to_be_checked()
    expect(page.locator("table.preview")).to_contain_text("Warning: Postal code 2134 read as 02134")
    expect(page.locator("table.preview")).to_contain_text("2024-03-15")
    expect(page.locator("td.cell-error")).to_have_count(2)  # only the statuses no choice knows yet

    page.get_by_label("Closed", exact=True).select_option("inactive")
    expect(page.locator("td.cell-error")).to_have_count(0)  # the preview followed the map without a reload
    page.screenshot(path=str(screenshots / "10-value-fixes.png"), full_page=True)

    page.get_by_role("button", name="Next: options").click()
    page.get_by_role("button", name="Validate the file").click()
    expect(page.locator('[data-count="created"]')).to_have_text("3", timeout=60_000)
    expect(page.locator('[data-count="failed"]')).to_have_text("0")
    assert not Customer.objects.exists()

    page.get_by_role("button", name=re.compile(r"^Import 3 rows")).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    expect(page.locator(".badge-completed")).to_be_visible(timeout=60_000)

    job = ImportExportJob.objects.get(dry_run=False)
    assert (job.created_records, job.failed_records) == (3, 0)
    assert {c.meter_number: (c.phone, c.postal_code, c.status, c.connection_date)
            for c in Customer.objects.filter(company=company)} == {
        "MTR-1": ("+16175550101 x2", "02134", "inactive", dt.date(2024, 3, 15)),
        "MTR-2": ("+12175550102", "62701", "active", dt.date(2024, 4, 5)),
        "MTR-3": ("+12175550103", "62702", "inactive", dt.date(2023, 12, 31)),
    }
