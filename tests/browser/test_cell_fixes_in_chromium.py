"""Fixing failing rows on the review page, in Chromium with a real worker: with JavaScript a cell left is judged
at once and the counts and the Import button follow; without it the grid is a form saved a page at a time.
Screenshot: var/screenshots/fix-grid.png."""

import re

import pytest
from playwright.sync_api import expect

from imports.models import CellEdit
from tests.factories import UserFactory

from .test_mapping_memory_in_chromium import upload_file
from .test_wizard_in_chromium import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

HEADER = "First Name,Last Name,E-mail,Phone,Service Address,City,State,Zip,Meter Number"
GOOD = [f"Ann{n},Lee,ann{n}@example.com,217-555-01{n:02},{n} Elm St,Springfield,IL,62701,MTR-{n}" for n in range(3)]
BAD = [f"Bob{n},Ray,bob{n} at example.com,217-555-02{n:02},{n} Oak St,Springfield,IL,62701,MTR-B{n}"
       for n in range(30)]


def test_failing_rows_are_fixed_in_the_grid_with_and_without_javascript(
    page, browser, live_server, company, start_worker, tmp_path, screenshots
):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    start_worker()
    path = tmp_path / "customers.csv"
    path.write_text("\n".join([HEADER, *GOOD, *BAD, ""]))
    sign_in(page, live_server)
    upload_file(page, live_server, path)
    page.wait_for_url(re.compile(r"/import/[0-9a-f-]+/mapping/$"))
    page.get_by_role("button", name="Next: options").click()
    page.get_by_role("button", name="Validate the file").click()
    expect(page.locator('[data-count="failed"]')).to_have_text("30", timeout=60_000)
    expect(page.locator("table.fix-grid caption")).to_have_text("Failing rows 1 to 25 of 30")
    review_url = page.url

    cell = page.get_by_label("E-mail, row 4, sheet row 5")
    cell.fill("bob0@example.com")
    cell.press("Tab")

    expect(page.locator('tr[data-row="4"]')).to_have_class("fixed")
    expect(page.get_by_label("Phone, row 4, sheet row 5")).to_be_focused()  # the row drawn again keeps the focus
    expect(page.locator("#fix-summary")).to_have_text("1 of the 30 failing rows fixed here; 29 still fail.")
    expect(page.locator("#import-form button")).to_have_text("Import 4 rows (29 failing rows left out)")
    page.screenshot(path=str(screenshots / "fix-grid.png"), full_page=True)

    plain = browser.new_context(java_script_enabled=False, viewport={"width": 1280, "height": 900})
    try:
        other = plain.new_page()
        sign_in(other, live_server)
        other.goto(review_url.split("?")[0] + "?page=2")
        other.get_by_label("E-mail, row 33, sheet row 34").fill("bob29@example.com")
        other.get_by_role("button", name="Save the changes and check these rows again").click()
        expect(other.locator(".messages")).to_contain_text("Saved your changes to 1 row: it passes now.")
        expect(other.locator("table.fix-grid caption")).to_have_text("Failing rows 26 to 30 of 30")
        expect(other.locator('tr[data-row="33"]')).to_have_class("fixed")
        expect(other.locator("#fix-summary")).to_have_text("2 of the 30 failing rows fixed here; 28 still fail.")
    finally:
        plain.close()
    assert sorted(CellEdit.objects.values_list("row_number", "after")) == [
        (4, "bob0@example.com"), (33, "bob29@example.com")]
