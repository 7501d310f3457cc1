"""An office user looks up the guide's claims in a real browser against the company's local claims store, with a
real worker: the claim look-up page and its template, a dropped file, the job to its end, patient details masked
then shown, the results file in the guide's columns."""

import csv
import io
import re
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from claims.import_targets import ClaimLookup
from claims.models import Claim
from imports.models import AuditEvent
from tests.browser.test_wizard_in_chromium import PASSWORD, drop_file, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

GUIDE_QUERIES = (
    "claim_number,first_name,last_name,date_of_birth,subscriber_id\n"
    "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"
    "ZE59426196,JOHN,DOE,01/15/1980,123456789\n"
    "ZE59426197,JANE,SMITH,03/03/1970,555000111\n"
)


def store_guide_claims(company) -> None:
    common = {"company": company, "payer_id": "60054"}
    Claim.objects.create(
        **common, claim_number="ZE59426195", first_name="CHANTAL", last_name="KISA", date_of_birth="1975-05-10",
        subscriber_id="057896633", status="Finalized", status_code="F1", total_charged=Decimal("720.00"),
        total_paid=Decimal("351.00"), processed_date="2025-08-08",
    )
    Claim.objects.create(
        **common, claim_number="ZE59426196", first_name="JOHN", last_name="DOE", date_of_birth="1980-01-15",
        subscriber_id="123456789", status="Pending", status_code="P1", total_charged=Decimal("500.00"),
        total_paid=Decimal("0.00"), processed_date="2025-08-10",
    )


def test_the_guides_claims_looked_up_in_the_browser(page, live_server, company, start_worker, screenshots):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    store_guide_claims(company)
    start_worker()

    sign_in(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Claims look-up").click()
    expect(page.get_by_role("heading", name="Claims look-up", level=1)).to_be_visible()
    columns = page.locator("table.columns tbody tr")
    expect(columns.first).to_contain_text("claim_number")
    expect(page.locator("table.columns tr", has_text="date_of_birth")).to_contain_text("required")
    expect(page.locator("table.columns tr", has_text="payer_id")).to_contain_text("optional")
    with page.expect_download() as template:
        page.get_by_role("link", name="Download a CSV template").click()
    lines = template.value.path().read_text(encoding="utf-8-sig").splitlines()
    assert lines[0].startswith("claim_number,first_name,last_name,date_of_birth,subscriber_id")
    assert lines[1].startswith("ZE59426195,CHANTAL,KISA,05/10/1975,057896633")
    page.screenshot(path=str(screenshots / "claims-1-page.png"), full_page=True)

    drop_file(page, "[data-dropzone]", "claims.csv", GUIDE_QUERIES)
    page.wait_for_url(re.compile(r"/lookups/jobs/[0-9a-f-]+/$"))
    expect(page.get_by_role("link", name="Download the results (CSV)")).to_be_visible(timeout=60_000)
    expect(page.locator("[data-job-status]")).to_have_text("Completed")
    expect(page.locator('[data-count="found"]')).to_have_text("2")
    expect(page.locator('[data-count="failed"]')).to_have_text("1")

    table = page.locator("table.results")
    expect(table.locator("tbody tr")).to_have_count(3)
    chantal = table.locator("tbody tr").first
    expect(chantal).to_contain_text("Finalized")
    expect(chantal).to_contain_text("C••• K•••")
    expect(chantal).to_contain_text("••/••/1975")  # the query's date of birth and subscriber id, masked
    expect(chantal).to_contain_text("•••••6633")
    expect(table).not_to_contain_text("CHANTAL")
    expect(table).not_to_contain_text("05/10/1975")
    expect(table).not_to_contain_text("057896633")
    expect(table.locator("tbody tr").last).to_contain_text("Claim not found")
    page.screenshot(path=str(screenshots / "claims-2-masked.png"), full_page=True)

    page.get_by_role("link", name="Show details").click()
    expect(chantal).to_contain_text("CHANTAL KISA")
    expect(chantal).to_contain_text("05/10/1975")
    expect(chantal).to_contain_text("057896633")
    page.screenshot(path=str(screenshots / "claims-3-details.png"), full_page=True)

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    assert download.value.suggested_filename == "claims-results.csv"
    results = list(csv.reader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert results[0] == list(ClaimLookup.result_columns)
    assert results[1][:9] == ["1", "ZE59426195", "Finalized", "CHANTAL KISA", "720.00", "351.00", "08/08/2025",
                              "True", ""]
    assert results[3][1:3] == ["ZE59426197", "Error"]
    assert results[3][7:9] == ["False", "Claim not found"]
    assert list(AuditEvent.objects.order_by("created_at").values_list("action", "via")) == [
        ("upload", "web"), ("details_shown", "web"), ("results_download", "web"),
    ]
