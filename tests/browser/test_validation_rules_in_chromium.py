"""An office user adds a rule of the company's own to an import template in a real browser (plain forms), loads the
template in the wizard, and the review page fails the rows that break it with the rule's message."""

import re

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from imports.models import DataTemplate
from tests.factories import UserFactory

from .test_wizard_in_chromium import PASSWORD, drop_file, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

EXPORT = "\n".join([
    "First Name,Surname,E-mail,Phone,Street,Town,State,Zip,Meter ID",
    "Ann,Lee,ann@example.com,617-555-0101,1 Beacon St,Boston,MA,02134,MTR-1",
    "Bob,Ray,bob@example.com,217-555-0102,2 Elm St,Springfield,IL,62701,MTR-2",
    "Cy,Dow,cy@example.com,617-555-0103,3 Oak St,Boston,MA,02135,MTR-3",
]) + "\n"


def test_a_rule_added_on_a_template_fails_rows_on_the_review_page(page, live_server, company, start_worker,
                                                                  screenshots):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    template = DataTemplate.objects.create(company=company, template_name="Boston office", target_model="Customer")
    start_worker()
    sign_in(page, live_server)

    page.goto(f"{live_server.url}/templates/{template.pk}/")
    rule_form = page.locator("#rule-form")
    rule_form.get_by_label("Field").select_option(label="City")
    rule_form.get_by_label("Rule").select_option("allowed")
    rule_form.get_by_label("Pattern, values or bound").fill("Boston")
    rule_form.get_by_label("Message").fill("We serve Boston customers only")
    rule_form.get_by_role("button", name="Add rule").click()
    expect(page.locator(".messages")).to_contain_text("Rule added to template 'Boston office'.")
    expect(page.locator("table.validation-rules")).to_contain_text("one of Boston")
    page.screenshot(path=str(screenshots / "validation-rule-added.png"), full_page=True)

    page.goto(f"{live_server.url}/import/")
    drop_file(page, "#target-Customer ~ form [data-dropzone]", "export.csv", EXPORT)
    page.wait_for_url(re.compile(r"/import/[0-9a-f-]+/mapping/$"))
    page.get_by_label("Load a template").select_option(label="Boston office")
    page.get_by_role("button", name="Load", exact=True).click()
    expect(page.locator("table.preview")).to_contain_text("We serve Boston customers only")

    page.get_by_role("button", name="Next: options").click()
    page.get_by_role("button", name="Validate the file").click()
    expect(page.locator('[data-count="failed"]')).to_have_text("1", timeout=60_000)
    expect(page.locator("table.fix-grid")).to_contain_text("We serve Boston customers only")
    page.screenshot(path=str(screenshots / "validation-rule-review.png"), full_page=True)
    assert not Customer.objects.exists()
