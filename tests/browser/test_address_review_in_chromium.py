"""An office user works through the addresses to review in a real browser: accepts a suggestion, types an
address (first wrongly), and keeps one as entered."""

import re

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
Status = Customer.AddressStatus


def needing_review(company, account_number: str, street: str, suggestion: tuple | None, note: str) -> Customer:
    suggested = suggestion or ("", "", "", "")
    return CustomerFactory(
        company=company, account_number=account_number, service_address=street, billing_address=street,
        city="Springfield", state="IL", postal_code="62701", address_status=Status.NEEDS_REVIEW,
        standardized_address=suggested[0], standardized_city=suggested[1], standardized_state=suggested[2],
        standardized_postal_code=suggested[3], address_note=note,
    )


def test_accept_edit_and_keep_addresses_in_the_review_page(page, live_server, company, other_company, screenshots):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    misspelt = needing_review(company, "1234000001", "123 Mian Street", ("123 Main St", "Springfield", "IL", "62704"),
                              "Google Maps matched only part of the address")
    unknown = needing_review(company, "1234000002", "1 Nowhere Lane", None, "Google Maps found no such address")
    rural = needing_review(company, "1234000003", "RR 2 Box 7", ("2 Rural Rte", "Springfield", "IL", "62701"),
                           "Google Maps placed it only approximately")
    needing_review(other_company, "4321000001", "9 Foreign Rd", None, "Google Maps found no such address")

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Address review").click()
    expect(page.get_by_role("heading", name="Addresses to review")).to_be_visible()
    rows = page.locator("table.address-review tbody tr")
    expect(rows).to_have_count(3)
    expect(page.locator("table.address-review")).not_to_contain_text("9 Foreign Rd")
    first = page.locator("tr", has_text="1234000001")
    expect(first.locator("td.entered")).to_contain_text("123 Mian Street")
    expect(first.locator("td.suggested mark")).to_have_text(["123 Main St", "62704"])  # what the suggestion changes
    page.screenshot(path=str(screenshots / "address-review-1-list.png"), full_page=True)

    # Accept Google's suggestion
    first.get_by_role("button", name="Accept suggestion for customer 1234000001").click()
    expect(page.get_by_role("status")).to_contain_text("the suggested address 123 Main St, Springfield, IL 62704")
    expect(rows).to_have_count(2)
    misspelt.refresh_from_db()
    assert (misspelt.service_address, misspelt.postal_code, misspelt.address_status) == (
        "123 Main St", "62704", Status.VERIFIED
    )

    # Type the address: a wrong state code first, then the right one
    second = page.locator("tr", has_text="1234000002")
    expect(second.get_by_role("button", name="Accept suggestion for customer 1234000002")).to_have_count(0)
    second.locator("summary").click()
    form = second.locator("form.address-form")
    form.get_by_label("Street").fill("1 Nowhere Ln")
    form.get_by_label("State").fill("ZZ")
    page.screenshot(path=str(screenshots / "address-review-2-edit.png"), full_page=True)
    form.get_by_role("button", name="Save address of customer 1234000002").click()
    page.wait_for_url(re.compile(r"/customers/addresses/\d+/edit/$"))
    expect(page.locator(".errorlist")).to_have_text("Invalid state code")
    page.screenshot(path=str(screenshots / "address-review-3-edit-error.png"), full_page=True)
    unknown.refresh_from_db()
    assert unknown.address_status == Status.NEEDS_REVIEW
    page.get_by_label("State").fill("il")
    page.get_by_label("ZIP code").fill("62702")
    page.get_by_role("button", name="Save address of customer 1234000002").click()
    page.wait_for_url(re.compile(r"/customers/addresses/review/$"))
    expect(page.get_by_role("status")).to_contain_text("the address 1 Nowhere Ln, Springfield, IL 62702 is now on file")
    expect(rows).to_have_count(1)
    unknown.refresh_from_db()
    assert (unknown.service_address, unknown.state, unknown.postal_code, unknown.address_status) == (
        "1 Nowhere Ln", "IL", "62702", Status.VERIFIED
    )

    # Keep the last one as entered
    last = page.locator("tr", has_text="1234000003")
    last.get_by_role("button", name="Keep as entered for customer 1234000003").click()
    expect(page.get_by_text("No address needs review.")).to_be_visible()
    page.screenshot(path=str(screenshots / "address-review-4-done.png"), full_page=True)
    rural.refresh_from_db()
    assert (rural.service_address, rural.address_status, rural.address_note) == (
        "RR 2 Box 7", Status.NOT_VERIFIED, "Kept as entered by olivia"
    )
