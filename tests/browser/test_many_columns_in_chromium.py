"""A file of a thousand columns mapped in a real browser, a page of columns at a time, with and without JavaScript:
choices on one page survive a visit to another, and the wizard goes on once every required field is fed."""

import re

import pytest
from playwright.sync_api import expect

from imports.models import ImportUpload
from tests.factories import UserFactory

from .test_wizard_in_chromium import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 1000
# The guide's columns, with the phone column on page 2 under a name nobody could match ("Cell").
NAMED = {0: "first_name", 1: "last_name", 2: "email", 3: "service_address", 4: "city", 5: "state",
         6: "postal_code", 7: "meter_number", 60: "Cell"}
VALUES = {0: "John", 1: "Doe", 2: "john@example.com", 3: "1 Main St", 4: "Springfield", 5: "IL", 6: "62701",
          7: "MTR-1", 60: "555-555-5555"}


def wide_csv() -> str:
    header = [NAMED.get(index, f"extra {index}") for index in range(WIDTH)]
    row = [VALUES.get(index, "") for index in range(WIDTH)]
    return ",".join(header) + "\n" + ",".join(row) + "\n"


@pytest.mark.parametrize("javascript", [True, False], ids=["with-javascript", "without-javascript"])
def test_a_thousand_columns_map_page_by_page(browser, live_server, company, tmp_path, screenshots, javascript):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    context = browser.new_context(viewport={"width": 1280, "height": 900}, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(30_000)
    wide = tmp_path / "wide.csv"
    wide.write_text(wide_csv())
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/import/")
        page.locator("#target-Customer ~ form input[type=file]").set_input_files(str(wide))
        page.locator("#target-Customer ~ form button[type=submit]").click()
        page.wait_for_url(re.compile(r"/mapping/$"))
        expect(page.locator("#column-range")).to_have_text(re.compile(r"Columns 1 to 50 of 1,000\."))
        expect(page.locator("select[name^=column_]")).to_have_count(50)
        expect(page.locator("[data-missing]")).to_contain_text("Phone")
        if javascript:
            page.screenshot(path=str(screenshots / "mapping-1000-columns.png"), full_page=True)

        page.get_by_label("extra 10", exact=True).select_option("notes")
        page.get_by_role("button", name="Next columns").click()
        page.wait_for_url(re.compile(r"/mapping/\?page=2$"))
        expect(page.locator("#column-range")).to_have_text(re.compile(r"Columns 51 to 100 of 1,000\."))
        expect(page.locator(".mapped-elsewhere")).to_contain_text("extra 10 → notes (page 1)")
        page.get_by_label("Cell", exact=True).select_option("phone")
        if not javascript:  # the preview, and the button it unblocks, follow the selects only with JavaScript
            page.get_by_role("button", name="Refresh the preview").click()
            page.wait_for_url(re.compile(r"/mapping/\?page=2$"))
        expect(page.locator("[data-missing]")).to_have_count(0)
        page.get_by_role("button", name="Next: options").click()

        page.wait_for_url(re.compile(r"/options/$"))
        mapping = ImportUpload.objects.get().mapping
        assert mapping["extra 10"] == "notes"
        assert mapping["Cell"] == "phone"
    finally:
        context.close()
