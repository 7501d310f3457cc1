"""Office staff follow their jobs in a real browser: the review page's Import button holds to the dry run it shows,
a running job's page keeps its badge, counts and bar together, a finished job is announced on whatever page the
user is on, and the dashboard's file names end in an ellipsis rather than breaking mid-word."""

import re

import pytest
from playwright.sync_api import expect

from customers.models import Customer
from imports.models import ImportExportJob
from tests.browser.test_wizard_in_chromium import PASSWORD, sign_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Four customers with notes; the notes are no state, so mapping them to billing_state makes every row fail.
NOTED_CSV = "\n".join([
    "First Name,Surname,E-mail,Telephone,Street Address,Town,State,Zip,Meter ID,Comments",
    *(f"Pat{n},Kim,pat{n}@example.com,555-555-{n:04d},{n} Pine St,Springfield,IL,62703,MTR-{n},call first"
      for n in range(1, 4)),
    "Bad,Row,not-an-email,555-555-0009,9 Pine St,Springfield,IL,62703,MTR-9,call first",
]) + "\n"


@pytest.fixture
def olivia(company):
    return UserFactory(company=company, username="olivia", password=PASSWORD)


def validate(page, live_server, tmp_path, *, all_or_nothing: bool = False) -> None:
    """Upload NOTED_CSV, take the mapping as offered, validate, and wait for the dry run's results."""
    path = tmp_path / "customers.csv"
    path.write_text(NOTED_CSV)
    page.goto(f"{live_server.url}/import/")
    page.set_input_files("#file-Customer", str(path))
    page.get_by_role("button", name="Upload customers").click()
    page.wait_for_url(re.compile(r"/mapping/$"))
    page.get_by_role("button", name="Next: options").click()
    if all_or_nothing:
        page.get_by_label("Import nothing if any row fails").check()
    page.get_by_role("button", name="Validate the file").click()
    expect(page.locator('[data-count="failed"]')).to_have_text("1", timeout=60_000)


@pytest.mark.worker
def test_a_review_page_left_open_while_the_mapping_changed_cannot_start_the_import(page, live_server, olivia,
                                                                                   start_worker, tmp_path):
    start_worker()
    sign_in(page, live_server)
    validate(page, live_server, tmp_path)
    review_url = page.url
    expect(page.locator('[data-count="created"]')).to_have_text("3")
    # The same review page, left open in another tab (or come back to with the Back button).
    stale = page.context.new_page()
    stale.goto(review_url)

    page.get_by_role("link", name="Change the mapping").click()
    page.get_by_label("Comments").select_option("billing_state")
    page.get_by_role("button", name="Next: options").click()
    page.wait_for_url(re.compile(r"/options/$"))
    stale.get_by_role("button", name=re.compile(r"^Import \d+ rows?")).click()

    expect(stale.locator("#import-refusal")).to_contain_text(
        "The mapping, the options or the template's validation rules were changed after this validation"
    )
    expect(stale.get_by_role("button", name=re.compile(r"^Import \d+ rows?"))).to_be_disabled()
    expect(stale.get_by_role("link", name="Validate again")).to_be_visible()
    assert not ImportExportJob.objects.filter(dry_run=False).exists()
    assert Customer.objects.count() == 0


@pytest.mark.worker
def test_all_or_nothing_with_a_failing_row_disables_the_import_button(page, live_server, olivia, start_worker,
                                                                      tmp_path):
    start_worker()
    sign_in(page, live_server)

    validate(page, live_server, tmp_path, all_or_nothing=True)

    button = page.get_by_role("button", name=re.compile(r"^Import \d+ rows?"))
    expect(button).to_be_disabled()
    expect(page.locator("#import-refusal")).to_contain_text(
        "You chose to import nothing if any row fails, and 1 row still fails validation"
    )


def running_import(company, user, **counts) -> ImportExportJob:
    return ImportExportJob.objects.create(
        company=company, created_by=user, job_type=ImportExportJob.JobType.IMPORT, target_model="Customer",
        file_name="customers.csv", via=ImportExportJob.Via.WEB, **counts,
    )


def test_a_running_jobs_badge_counts_and_bar_move_together(page, live_server, company, olivia):
    job = running_import(company, olivia, total_records=100)
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/jobs/{job.pk}/")
    expect(page.locator(f'[data-job-status="{job.pk}"]')).to_have_text("Pending")

    ImportExportJob.objects.filter(pk=job.pk).update(
        job_status=ImportExportJob.Status.RUNNING, processed_records=70, created_records=55, updated_records=5,
        unchanged_records=4, skipped_records=4, failed_records=6,
    )

    expect(page.locator("progress.job-progress")).to_have_attribute("value", "70")
    expect(page.locator(f'[data-job-status="{job.pk}"]')).to_have_text("Running")
    counts = page.locator(f'[data-job-counts="{job.pk}"]')
    expect(counts.locator('[data-field="processed_rows"]')).to_have_text("70")
    expect(counts.locator('[data-field="created"]')).to_have_text("55")
    expect(counts.locator('[data-field="updated"]')).to_have_text("5")
    expect(counts.locator('[data-field="unchanged"]')).to_have_text("4")
    expect(counts.locator('[data-field="skipped"]')).to_have_text("0")
    expect(counts.locator('[data-field="failed"]')).to_have_text("6")


def test_a_job_that_finishes_is_announced_on_the_page_the_user_is_on(page, live_server, company, olivia,
                                                                     monkeypatch):
    from django.utils import timezone

    monkeypatch.setattr("imports.web.notices.NOTICE_POLL_SECONDS", 1)
    sign_in(page, live_server)
    job = running_import(company, olivia, job_status=ImportExportJob.Status.RUNNING, total_records=11)
    page.goto(f"{live_server.url}/templates/")
    expect(page.locator("ul.notices li")).to_have_count(0)

    ImportExportJob.objects.filter(pk=job.pk).update(
        job_status=ImportExportJob.Status.COMPLETED, completed_at=timezone.now(), processed_records=11,
        created_records=10, failed_records=1,
    )

    notice = page.locator("ul.notices li")
    expect(notice).to_have_text("Your import of customers.csv finished: 10 created, 1 failed. See the job")
    notice.get_by_role("link", name="See the job").click()
    page.wait_for_url(f"{live_server.url}/jobs/{job.pk}/")


def test_dashboard_file_names_end_in_an_ellipsis_with_the_whole_name_in_the_title(page, live_server, company,
                                                                                 olivia):
    name = "springfield_customers_november_2026_with_corrections_from_the_field_office_final.csv"
    job = running_import(company, olivia, job_status=ImportExportJob.Status.COMPLETED)
    ImportExportJob.objects.filter(pk=job.pk).update(file_name=name)
    sign_in(page, live_server)

    page.goto(f"{live_server.url}/jobs/")

    cell = page.locator("td.filename")
    expect(cell).to_have_attribute("title", name)
    shown = cell.evaluate("""cell => ({
        wrap: getComputedStyle(cell).whiteSpace, cut: cell.scrollWidth > cell.clientWidth,
        ending: getComputedStyle(cell).textOverflow,
    })""")
    assert shown == {"wrap": "nowrap", "cut": True, "ending": "ellipsis"}  # one line, cut with "…", never mid-word
    expect(page.get_by_text("Nothing was imported in the last 30 days")).to_be_visible()
