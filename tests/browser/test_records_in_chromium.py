"""Office users find records in a real browser: words and a status narrow the list, the search stays on the next
page, Clear brings every record back; and they find their API token and the API's documentation. Screenshots go
to var/screenshots/records-*.png."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_backups_in_chromium import sign_in_as
from tests.browser.test_wizard_in_chromium import PASSWORD
from tests.customers.test_customer_import import HEADER, row
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customers_are_found_by_words_and_status(page, live_server, company, run_import, write_file, screenshots):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    lines = [row(n, city="Springfield" if n % 2 else "Shelbyville") + ("," + ("active" if n % 3 else "inactive"))
             for n in range(1, 121)]
    run_import(write_file("customers.csv", "\n".join([HEADER + ",status", *lines]) + "\n"))

    sign_in_as(page, live_server, "olivia")
    page.goto(f"{live_server.url}/records/Customer/")
    expect(page.get_by_text("120 in all, most recently added first.")).to_be_visible()
    page.get_by_label("Search").fill("Shelbyville")
    page.get_by_label("Status").select_option(label="Inactive")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("20 match the search.")).to_be_visible()
    expect(page.locator("table.records tbody tr")).to_have_count(20)
    page.screenshot(path=str(screenshots / "records-search.png"), full_page=True)

    page.get_by_label("Search").fill("Last")
    page.get_by_label("Status").select_option(label="Any")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("120 match the search.")).to_be_visible()
    page.get_by_role("link", name="Next").click()
    expect(page.get_by_text("Page 2 of 3")).to_be_visible()
    expect(page.get_by_label("Search")).to_have_value("Last")
    page.get_by_role("link", name="Clear").click()
    expect(page.get_by_text("120 in all, most recently added first.")).to_be_visible()

    page.get_by_role("link", name="API", exact=True).click()
    token = page.get_by_label("Send it in every request").input_value()
    assert len(token) == 40
    page.get_by_role("button", name="Replace the token").click()
    expect(page.get_by_text("the old one no longer works")).to_be_visible()
    assert page.get_by_label("Send it in every request").input_value() != token
    page.get_by_role("link", name="The API's documentation").click()
    expect(page).to_have_url(f"{live_server.url}/api/docs/")
