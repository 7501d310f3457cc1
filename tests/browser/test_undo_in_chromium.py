"""Office users see what an import did and take it back in a real browser, with a real worker: the links to the
records it created and updated, a record's import history, the undo's dry run, the undo itself with the record
edited since kept and listed, and the import marked undone. Screenshots of each step go to /tmp/undo-*.png."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.browser.test_backups_in_chromium import sign_in_as
from tests.browser.test_wizard_in_chromium import PASSWORD
from tests.customers.test_customer_import import HEADER, row
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp")


def test_an_import_is_looked_at_and_undone_in_the_browser(page, live_server, company, run_import, write_file,
                                                          start_worker):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    run_import(write_file("first.csv", "\n".join([HEADER, *(row(n) for n in range(1, 4))]) + "\n"))
    job = run_import(write_file("second.csv", "\n".join(
        [HEADER, *(row(n, city="Shelbyville") for n in range(2, 7))]) + "\n"))
    edited = Customer.objects.get(account_number="5000000005")
    edited.city = "Capital City"
    edited.save()
    start_worker()

    def snap(name: str) -> None:
        page.screenshot(path=str(SHOTS / f"undo-{name}.png"), full_page=True)

    sign_in_as(page, live_server, "olivia")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    snap("1-import")
    page.get_by_role("link", name="The 3 records this import created").click()
    expect(page.get_by_text("Only the 3 customers that the import of second.csv created.")).to_be_visible()
    expect(page.locator("table.records tbody tr")).to_have_count(3)
    page.go_back()
    page.get_by_role("link", name="The 2 records it updated").click()
    expect(page.locator("table.records tbody tr")).to_have_count(2)
    page.locator("table.records tbody tr a").first.click()
    expect(page.get_by_role("heading", name="Import history")).to_be_visible()
    expect(page.locator("ul.changes")).to_contain_text("city: Springfield → Shelbyville")
    expect(page.locator("ul.changes li")).to_have_count(1)  # the address status set again to what it was: no change
    snap("2-record")

    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    page.get_by_role("link", name="Undo this import…").click()
    expect(page.get_by_text("Delete the 3 customers this import created.")).to_be_visible()
    snap("3-confirm")
    page.get_by_role("button", name="Check first (dry run)").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    expect(page.locator(".badge-completed").first).to_be_visible(timeout=60_000)
    expect(page.locator(".counts")).to_contain_text("Would be kept")
    expect(page.locator("table.logs")).to_contain_text("5000000005 kept: changed since the import")
    assert Customer.objects.count() == 6
    snap("4-dry-run")

    page.get_by_role("link", name="Undo the import now").click()
    page.get_by_role("button", name="Undo the import").click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    expect(page.locator(".badge-completed").first).to_be_visible(timeout=60_000)
    summary = re.compile(r"Undid the import of 5 changes: 2 deleted, 2 restored, 1 kept")
    expect(page.get_by_text(summary)).to_be_visible()
    snap("5-undone")
    assert sorted(Customer.objects.values_list("account_number", "city")) == [
        ("5000000001", "Springfield"), ("5000000002", "Springfield"), ("5000000003", "Springfield"),
        ("5000000005", "Capital City"),
    ]

    page.get_by_role("link", name="second.csv").click()
    expect(page.get_by_text(re.compile(r"Undone by olivia at"))).to_be_visible()
    expect(page.get_by_text("it cannot be undone twice")).to_be_visible()
    snap("6-import-undone")
