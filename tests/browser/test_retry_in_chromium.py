"""An office user retries the failed rows of an import in a real browser, a real worker running the retry: readings
that named a customer who did not exist yet fail; once the customer exists, "Retry the 2 failed rows" starts a
new import whose page names the first, and it completes with the rows imported."""

import re

import pytest
from playwright.sync_api import expect

from imports.models import ImportExportJob
from readings.models import MeterReading
from tests.browser.test_wizard_in_chromium import PASSWORD, sign_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

READINGS = "\n".join([
    "account_number,meter_number,reading_date,reading_value",
    "1234567890,MTR-001234,2024-01-15,100",
    "5550000001,MTR-NEW-1,2024-01-15,200",
    "5550000001,MTR-NEW-1,2024-02-15,260",
]) + "\n"


def test_retrying_the_failed_rows_once_their_customer_exists(page, live_server, company, start_worker, screenshots,
                                                             write_file, run_import):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    CustomerFactory(company=company, account_number="1234567890", meter_number="MTR-001234")
    first = run_import(write_file("readings.csv", READINGS), target="MeterReading")
    assert (first.created_records, first.failed_records) == (1, 2)
    CustomerFactory(company=company, account_number="5550000001", meter_number="MTR-NEW-1")  # the cause, fixed
    start_worker()

    sign_in(page, live_server)
    page.goto(f"{live_server.url}/jobs/{first.pk}/")
    expect(page.get_by_role("button", name="Upload the corrected error report")).to_be_visible()
    page.screenshot(path=str(screenshots / "retry-01-failed-rows.png"), full_page=True)
    page.get_by_role("button", name="Retry the 2 failed rows").click()

    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    retry = ImportExportJob.objects.get(parent=first)
    assert page.url.endswith(f"/jobs/{retry.pk}/")
    expect(page.locator(".retry-of")).to_contain_text("Retry of the failed rows of")
    expect(page.locator(".badge-completed")).to_be_visible(timeout=60_000)
    page.screenshot(path=str(screenshots / "retry-02-completed.png"), full_page=True)
    retry.refresh_from_db()
    assert (retry.created_records, retry.failed_records) == (2, 0)
    assert MeterReading.objects.filter(company=company, meter_number="MTR-NEW-1").count() == 2

    page.locator(".retry-of a").click()
    page.wait_for_url(re.compile(rf"/jobs/{first.pk}/$"))
    expect(page.locator("#retries")).to_contain_text("readings_failed_rows.csv")
    expect(page.locator("#retries a")).to_have_attribute("href", f"/jobs/{retry.pk}/")
