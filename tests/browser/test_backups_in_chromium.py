"""Office users back a company up and restore it into another in a real browser, with a real worker: "Back up now",
the archive downloaded, uploaded on the other company's page, its dry run per file, "Restore now", and the same
records on both sides. Screenshots of each step go to /tmp/backup-*.png."""

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.backup_company import company_fill, company_records
from tests.browser.test_wizard_in_chromium import PASSWORD
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp")


def sign_in_as(page, live_server, username: str) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def test_a_company_backed_up_and_restored_into_another_in_the_browser(
    page, live_server, company, other_company, start_worker, tmp_path
):
    company_fill(company)
    UserFactory(company=company, username="olivia", password=PASSWORD)
    UserFactory(company=other_company, username="bob", password=PASSWORD)
    start_worker()

    def snap(name: str) -> None:
        page.screenshot(path=str(SHOTS / f"backup-{name}.png"), full_page=True)

    sign_in_as(page, live_server, "olivia")
    page.get_by_role("link", name="Backup & restore").click()
    expect(page.get_by_role("heading", name="Backup & restore", exact=True)).to_be_visible()
    snap("1-page")
    page.get_by_role("button", name="Back up now").click()
    page.wait_for_url(re.compile(r"/backups/[0-9a-f-]+/$"))
    download_link = page.get_by_role("link", name=re.compile(r"Download backup-acme-.*\.zip"))
    expect(download_link).to_be_visible(timeout=60_000)  # the page reloads when the worker is done
    expect(page.locator("table")).to_contain_text("meter-readings.csv")
    snap("2-backup-done")
    with page.expect_download() as download:
        download_link.click()
    archive = tmp_path / download.value.suggested_filename
    download.value.save_as(archive)
    page.get_by_role("button", name="Sign out").click()

    sign_in_as(page, live_server, "bob")
    page.goto(f"{live_server.url}/backups/")
    page.set_input_files("#archive-file", str(archive))
    page.get_by_role("button", name="Check this backup (dry run)").click()
    page.wait_for_url(re.compile(r"/restores/[0-9a-f-]+/$"))
    expect(page.get_by_role("button", name="Restore now")).to_be_visible(timeout=60_000)
    expect(page.get_by_text("Restoring this backup would create 25 records")).to_be_visible()
    accounts = page.locator('tr[data-target="Account"]')
    expect(accounts).to_contain_text("6")
    snap("3-dry-run")
    assert all(not rows for rows in company_records(other_company).values())

    page.get_by_role("button", name="Restore now").click()
    page.wait_for_url(re.compile(r"/restores/[0-9a-f-]+/$"))
    expect(page.locator(".badge-completed").first).to_be_visible(timeout=60_000)
    expect(page.get_by_role("heading", name=re.compile("Restore of backup-acme-"))).to_be_visible()
    expect(page.locator('tr[data-target="Contact"]')).to_contain_text("As predicted")
    expect(page.get_by_role("link", name="Its import")).to_have_count(7)
    snap("4-restored")

    assert company_records(other_company) == company_records(company)
