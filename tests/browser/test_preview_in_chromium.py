"""The mapping step's preview in a real browser: a wide file with long cells keeps each row to one line, each row's
outcome and reason are in view at the left without scrolling, a cut-short cell shows its full value on hover, and
an account number repeated in the file fails its second row as the import does. The first step links each kind of
record to its column guide."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.test_wizard_in_chromium import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

HEADER = ("first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number,"
          "billing_address,billing_city,billing_state,billing_postal_code,status,customer_type,rate_code,"
          "connection_date,notes")
LONG_ADDRESS = "Apartment 12B, Building 7, " + "Riverside Gardens Estate " * 6
LONG_NOTE = "Gate code 4411; dog in the yard; call before visiting; " * 8


def customer(n: int, *, account: str, connection_date: str = "2024-01-15") -> str:
    return ",".join([
        f"First{n}", f"Last{n}", f"person{n}@example.com", f"555-555-{n:04d}", f'"{LONG_ADDRESS}"', "Springfield",
        "IL", "62701", f"MTR-{n}", account, f'"{LONG_ADDRESS}"', "Springfield", "IL", "62701", "active",
        "residential", "RES-1", connection_date, f'"{LONG_NOTE}"',
    ])


# Two title rows above the header; the second row repeats the first's account number; the third fails in the
# last-but-one column, far to the right of the table.
WIDE_CSV = "\n".join([
    "Springfield customers — December",
    "",
    HEADER,
    customer(1, account="5000000001"),
    customer(2, account="5000000001"),
    customer(3, account="5000000003", connection_date="2024-13-45"),
    customer(4, account="5000000004"),
]) + "\n"


def test_the_preview_shows_each_rows_outcome_first_on_one_line(page, live_server, company, screenshots, tmp_path):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    path = tmp_path / "wide.csv"
    path.write_text(WIDE_CSV, encoding="utf-8")
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#file-Customer", str(path))
    page.get_by_role("button", name="Upload customers").click()
    page.wait_for_url(re.compile(r"/mapping/$"))

    rows = page.locator("table.preview tbody tr")
    expect(rows).to_have_count(4)
    page.screenshot(path=str(screenshots / "preview-outcomes-first.png"), full_page=True)

    # The repeated account number fails on its second row, as the import fails it.
    duplicate = rows.nth(1)
    expect(duplicate.locator("th")).to_have_text("row 2, sheet row 5")
    expect(duplicate.locator(".badge")).to_have_text("failed")
    expect(duplicate.locator("td.result")).to_contain_text("Duplicate account number (same as sheet row 4)")
    expect(rows.nth(0).locator(".badge")).to_have_text("created")

    # The reason of a failure in a column far to the right is in view at the left, without scrolling.
    bad_date = rows.nth(2).locator("td.result")
    expect(bad_date).to_contain_text("connection_date")
    viewport = page.viewport_size["width"]
    box = bad_date.bounding_box()
    assert box["x"] >= 0
    assert box["x"] + min(box["width"], 200) <= viewport
    assert page.locator("table.preview").bounding_box()["width"] > viewport  # the table itself is wider

    # Every row is one line high, whatever the length of its cells.
    heights = [rows.nth(index).bounding_box()["height"] for index in range(4)]
    header_height = page.locator("table.preview thead tr").bounding_box()["height"]
    assert max(heights) <= header_height + 4, (heights, header_height)

    # A long cell is cut short on the page, and its title holds the whole value.
    notes = rows.nth(0).locator("td").last
    expect(notes).to_have_attribute("title", LONG_NOTE.strip())
    assert notes.evaluate("cell => cell.scrollWidth > cell.clientWidth")


def test_the_first_step_links_to_each_kinds_column_guide(page, live_server, company):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/import/")

    page.locator("#target-Customer ~ p").get_by_role("link", name="What each column holds").click()

    expect(page.get_by_role("heading", name="Columns of a customers file")).to_be_visible()
    status = page.locator("table.column-guide tr", has=page.locator("code", has_text=re.compile("^status$")))
    expect(status).to_contain_text("active, inactive, suspended")
