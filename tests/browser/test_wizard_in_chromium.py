"""An office user imports a messy customer file through the wizard in a real browser, with a real worker."""

import csv
import io
import re

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from imports.models import ImportExportJob
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.worker, pytest.mark.django_db(transaction=True)]

PASSWORD = "correct horse battery"
# Title rows, headers in the office's own words, a phone column nobody could guess ("Cell"), bad cells.
MESSY_CSV = "\n".join([
    "Springfield customers — November,,,,,,,,",
    "First Name,Surname,E-mail,Cell,Street Address,Town,State,Zip,Meter ID",
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-1",
    "Jane,Smith,not-an-email,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-2",
    "Ann,Lee,ann@example.com,555-555-5557,9 Elm St,Springfield,IL,1234,MTR-3",
    *(f"Pat{n},Kim,pat{n}@example.com,555-555-{n:04d},{n} Pine St,Springfield,IL,62703,MTR-{n}"
      for n in range(100, 140)),
]) + "\n"


AREA_CODES = ("217", "312", "415", "512", "617", "212", "303", "404", "503", "602")


def sign_in(page, live_server) -> None:
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("olivia")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()


def drop_file(page, selector: str, name: str, content: str) -> None:
    """Drop a file on an element the way a user drags one from the desktop."""
    transfer = page.evaluate_handle(
        """([name, content]) => {
            const transfer = new DataTransfer();
            transfer.items.add(new File([content], name, {type: "text/csv"}));
            return transfer;
        }""",
        [name, content],
    )
    page.dispatch_event(selector, "dragenter", {"dataTransfer": transfer})
    page.dispatch_event(selector, "drop", {"dataTransfer": transfer})


def test_messy_file_from_upload_to_imported_rows_and_error_report(page, live_server, company, start_worker,
                                                                  screenshots):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    start_worker()
    shot = iter(range(1, 100))

    def snap(name: str) -> None:
        page.screenshot(path=str(screenshots / f"{next(shot):02d}-{name}.png"), full_page=True)

    sign_in(page, live_server)
    page.goto(f"{live_server.url}/import/")
    expect(page.get_by_role("heading", name="What do you want to import?")).to_be_visible()
    snap("choose")

    drop_file(page, "#target-Customer ~ form [data-dropzone]", "springfield.csv", MESSY_CSV)
    page.wait_for_url(re.compile(r"/import/[0-9a-f-]+/mapping/$"))
    expect(page.locator("[data-missing]")).to_contain_text("Phone")
    snap("mapping-needs-phone")

    page.get_by_label("Cell").select_option("phone")
    expect(page.locator("[data-missing]")).to_have_count(0)  # the preview refreshed without a reload
    expect(page.locator("table.preview")).to_contain_text("555")
    expect(page.locator("td.cell-error")).to_have_count(2)  # the bad email and the bad ZIP, highlighted
    snap("mapping-fixed")

    page.get_by_role("button", name="Next: options").click()
    page.get_by_label("What the file does", exact=True).select_option("upsert")
    snap("options")
    page.get_by_role("button", name="Validate the file").click()
    expect(page.locator('[data-count="failed"]')).to_have_text("2", timeout=60_000)
    expect(page.locator('[data-count="created"]')).to_have_text("41")
    expect(page.locator("table.fix-grid")).to_contain_text("Invalid email format")
    snap("review")
    assert Customer.objects.count() == 0  # the dry run wrote nothing

    page.get_by_role("button", name=re.compile(r"^Import \d+ rows?")).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    expect(page.locator(".badge-completed")).to_be_visible(timeout=60_000)
    expect(page.locator("progress.job-progress")).to_have_attribute("value", "100")
    snap("imported")
    job = ImportExportJob.objects.get(dry_run=False)
    assert (job.created_records, job.failed_records) == (41, 2)
    assert Customer.objects.filter(company=company).count() == 41

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the error report (CSV)").click()
    report = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [(row["row_number"], row["E-mail"], row["Zip"]) for row in report] == [
        ("2", "not-an-email", "62702"), ("3", "ann@example.com", "1234"),
    ]

    page.get_by_role("link", name="Jobs", exact=True).click()
    expect(page.locator("table.jobs tbody tr")).to_have_count(1)  # the import; its dry run is hidden unless asked
    snap("dashboard")


def test_a_100000_row_file_goes_through_the_wizard_with_progress_moving(page, live_server, company, start_worker,
                                                                        screenshots, tmp_path, settings):
    from tests.customers.test_customer_import import HEADER, row

    settings.IMPORT_MAX_FILE_MB = settings.UPLOAD_MAX_FILE_MB = 50
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(HEADER + "\n")
        for n in range(1, 100_001):
            phone = f"{AREA_CODES[n // 10_000 % 10]}-555-{n % 10_000:04d}"
            handle.write((row(n, email="broken", phone=phone) if n % 1000 == 0 else row(n, phone=phone)) + "\n")
    UserFactory(company=company, username="olivia", password=PASSWORD)
    start_worker()

    sign_in(page, live_server)
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#file-Customer", str(path))
    page.get_by_role("button", name="Upload customers").click()
    page.wait_for_url(re.compile(r"/mapping/$"))
    expect(page.locator("table.preview tbody tr")).to_have_count(10)

    page.get_by_role("button", name="Next: options").click()
    page.get_by_role("button", name="Validate the file").click()
    expect(page.locator('[data-count="failed"]')).to_have_text("100", timeout=120_000)
    expect(page.locator('[data-count="created"]')).to_have_text("99,900")

    page.get_by_role("button", name=re.compile(r"^Import [\d,]+ rows")).click()
    page.wait_for_url(re.compile(r"/jobs/[0-9a-f-]+/$"))
    seen = []
    while not page.locator(".badge-completed").count():
        value = page.locator("progress.job-progress").get_attribute("value")
        if value is not None and (not seen or seen[-1] != int(value)):
            seen.append(int(value))
        page.wait_for_timeout(150)
    page.screenshot(path=str(screenshots / "08-big-file-imported.png"), full_page=True)

    between = [value for value in seen if 0 < value < 100]
    assert len(between) >= 3, seen  # the bar moved in steps while the rows were written, not all at once
    assert seen == sorted(seen), seen
    assert Customer.objects.filter(company=company).count() == 99_900
    expect(page.locator("progress.job-progress")).to_have_attribute("value", "100")


def test_without_javascript_on_a_tablet_the_wizard_still_works(browser, live_server, company, start_worker,
                                                               screenshots, tmp_path):
    UserFactory(company=company, username="olivia", password=PASSWORD)
    start_worker()
    path = tmp_path / "springfield.csv"
    path.write_text(MESSY_CSV.replace("Cell,", "Phone,"), encoding="utf-8")
    context = browser.new_context(java_script_enabled=False, viewport={"width": 768, "height": 1024})
    page = context.new_page()
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/import/")
        page.set_input_files("#file-Customer", str(path))
        page.get_by_role("button", name="Upload customers").click()  # a plain form post
        page.wait_for_url(re.compile(r"/mapping/$"))
        page.get_by_role("button", name="Next: options").click()
        page.get_by_role("button", name="Validate the file").click()
        page.wait_for_url(re.compile(r"/review/$"))
        for _attempt in range(120):  # no polling without JavaScript: the user reloads
            if page.locator('[data-count="failed"]').count():
                break
            page.wait_for_timeout(500)
            page.reload()
        expect(page.locator('[data-count="failed"]')).to_have_text("2")
        page.screenshot(path=str(screenshots / "09-tablet-without-javascript.png"), full_page=True)
    finally:
        context.close()
