"""An office user continues a cancelled import from its page in a real browser, with a real worker: the page offers
"Continue import" with the row it continues from, the progress goes on to the end, and the records are those of a
clean run. A screenshot of each step goes to SCREENSHOT_DIR."""

import re

import pytest
from playwright.sync_api import expect

from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.browser.test_backups_in_chromium import sign_in_as
from tests.browser.test_wizard_in_chromium import PASSWORD
from tests.factories import UserFactory
from tests.imports.jobs.test_resuming import ROWS, cancelled_at, customers_csv, fresh_state, new_job

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_cancelled_import_is_continued_from_its_page(page, live_server, company, write_file, start_worker,
                                                        screenshots, settings):
    settings.IMPORT_CHUNK_ROWS = 500
    UserFactory(company=company, username="olivia", password=PASSWORD)
    fresh_state(company)
    job = job_run(job=new_job(company, customers_csv(write_file)), on_progress=cancelled_at(0.2))
    assert job.job_status == "cancelled"
    start_worker()

    sign_in_as(page, live_server, "olivia")
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.locator(".badge")).to_have_text("Cancelled")
    expect(page.get_by_text(re.compile(r"Continue from row [\d,]+: rows already imported are not imported again\.")))\
        .to_be_visible()
    page.screenshot(path=str(screenshots / "resume-1-cancelled.png"), full_page=True)

    page.get_by_role("button", name="Continue import").click()

    page.wait_for_url(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.get_by_text("The import continues from where it stopped.")).to_be_visible()
    expect(page.locator(".badge")).to_have_text("Completed", timeout=90_000)
    expect(page.get_by_role("button", name="Continue import")).to_have_count(0)
    page.screenshot(path=str(screenshots / "resume-2-completed.png"), full_page=True)
    job = ImportExportJob.objects.get(pk=job.pk)
    assert (job.job_status, job.processed_records) == ("completed", ROWS)
    assert job.created_records + job.updated_records + job.failed_records == ROWS
