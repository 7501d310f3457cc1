"""An office user runs look-ups in a real browser, with a stand-in service whose jobs the test runs in this process
(the service is registered here only): upload by drag and drop and by the file input, the missing-columns sentence,
the job's live progress to completion, the masked results and "Show details", cancel, retry, the results download,
and the audit trail for an administrator and not for a plain user."""

import csv
import io
import re
import threading
from contextlib import contextmanager

import pytest
from django.contrib.auth.models import Permission
from django.db import connections
from playwright.sync_api import expect

from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, ImportExportJob
from tests.browser.test_wizard_in_chromium import PASSWORD, drop_file, sign_in
from tests.factories import UserFactory
from tests.lookup_standins import HEADER, patient_echo, rows  # noqa: F401 - a fixture

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TEN_ROWS = HEADER + "\n" + rows(9) + "N10,JOHN DOE,01/15/1980,123456789\n"
JOB_PAGE = re.compile(r"/lookups/jobs/[0-9a-f-]+/$")


@pytest.fixture
def olivia(company):
    return UserFactory(company=company, username="olivia", password=PASSWORD)


@contextmanager
def running_held_after_five(service, job):
    """Run the job in a thread that stops after five answers (committed) until the block ends."""
    service.gate, service.pause_after = threading.Event(), 5

    def run():
        try:
            job_run(job=job)
        finally:
            connections.close_all()

    runner = threading.Thread(target=run)
    runner.start()
    try:
        yield
    finally:
        service.gate.set()
        runner.join(timeout=60)
        service.pause_after = None


def status(page):
    return page.locator("[data-job-status]")


def counts(page) -> dict[str, str]:
    return {name: page.locator(f'[data-count="{name}"]').inner_text() for name in ("processed", "found", "failed")}


def test_drop_a_file_follow_it_to_completion_see_details_and_download(page, live_server, olivia, patient_echo,  # noqa: F811
                                                                      screenshots):
    sign_in(page, live_server)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Patient echo look-up").click()
    expect(page.get_by_role("heading", name="Patient echo look-up", level=1)).to_be_visible()
    expect(page.locator("table.columns")).to_contain_text("MM/DD/YYYY.")
    page.screenshot(path=str(screenshots / "lookup-1-page.png"), full_page=True)

    drop_file(page, "[data-dropzone]", "patients.csv", TEN_ROWS)
    page.wait_for_url(JOB_PAGE)
    expect(status(page)).to_have_text("Pending")
    job = ImportExportJob.objects.get()

    with running_held_after_five(patient_echo, job):
        # The page polls: the answers committed so far show while the job runs.
        expect(page.locator('[data-count="processed"]')).to_have_text("5")
        expect(page.locator("progress.job-progress")).to_have_attribute("value", "50")
        expect(status(page)).to_have_text("Running")
        assert counts(page) == {"processed": "5", "found": "5", "failed": "0"}
        page.screenshot(path=str(screenshots / "lookup-2-running.png"), full_page=True)
    # The page reloads when the job ends: the results show, and the download.
    expect(page.get_by_role("link", name="Download the results (CSV)")).to_be_visible()
    expect(status(page)).to_have_text("Completed")
    expect(page.locator("progress.job-progress")).to_have_attribute("value", "100")
    assert counts(page) == {"processed": "10", "found": "9", "failed": "1"}

    table = page.locator("table.results")
    expect(table.locator("tbody tr")).to_have_count(10)
    first = table.locator("tbody tr").first
    expect(first).to_contain_text("B••• K•••")
    expect(first).to_contain_text("••/••/1901")
    expect(first).to_contain_text("•••••6601")
    expect(table).not_to_contain_text("BEN KISA")
    expect(table.locator("tbody tr").last).to_contain_text("Not found")
    page.screenshot(path=str(screenshots / "lookup-3-masked.png"), full_page=True)

    page.get_by_role("link", name="Show details").click()
    expect(first).to_contain_text("BEN KISA")
    expect(first).to_contain_text("05/10/1901")
    expect(first).to_contain_text("057896601")
    page.screenshot(path=str(screenshots / "lookup-4-details.png"), full_page=True)
    page.get_by_role("link", name="Hide details").click()
    expect(table).not_to_contain_text("BEN KISA")

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    assert download.value.suggested_filename == "patients-results.csv"
    table_rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8-sig"))))
    assert [(row["row"], row["code"], row["success"], row["error"]) for row in table_rows][-2:] == [
        ("9", "C9", "True", ""), ("10", "N10", "False", "Not found"),
    ]
    actions = list(AuditEvent.objects.order_by("created_at").values_list("action", "via", "user__username"))
    assert actions == [
        ("upload", "web", "olivia"), ("details_shown", "web", "olivia"), ("results_download", "web", "olivia"),
    ]
    assert all(address == "127.0.0.1" for address in AuditEvent.objects.values_list("address", flat=True))

    page.get_by_role("link", name="Jobs", exact=True).click()
    row = page.locator("table.jobs tbody tr").first
    expect(row).to_contain_text("Look-up")
    row.get_by_role("link").click()
    page.wait_for_url(JOB_PAGE)


def test_a_file_without_a_required_column_is_named_on_the_page_and_nothing_is_lost(page, live_server, olivia,
                                                                                    patient_echo):  # noqa: F811
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/lookups/patientecho/")

    drop_file(page, "[data-dropzone]", "short.csv", "code,patient_name\nC1,ANA KISA\n")

    expect(page.locator(".upload-error")).to_have_text(
        re.compile(r"^Missing required columns: date_of_birth\.")
    )
    assert page.url.endswith("/lookups/patientecho/")  # still on the page, its form ready for another file
    expect(page.locator("#lookup-file")).to_be_enabled()
    assert not ImportExportJob.objects.exists()


def test_without_javascript_the_file_input_uploads_and_a_refusal_shows_on_the_page(browser, live_server, olivia,
                                                                                   patient_echo, tmp_path):  # noqa: F811
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    short, good = tmp_path / "short.csv", tmp_path / "patients.csv"
    short.write_text("code\nC1\n")
    good.write_text(TEN_ROWS)
    try:
        sign_in(page, live_server)
        page.goto(f"{live_server.url}/lookups/patientecho/")
        page.set_input_files("#lookup-file", str(short))
        page.get_by_role("button", name="Upload and look up").click()  # a plain form post
        expect(page.get_by_role("alert")).to_have_text(
            re.compile(r"^Missing required columns: patient_name, date_of_birth\.")
        )

        page.set_input_files("#lookup-file", str(good))
        page.get_by_role("button", name="Upload and look up").click()
        page.wait_for_url(JOB_PAGE)
        job = ImportExportJob.objects.get()
        assert job.file_name == "patients.csv"
        job_run(job=job)
        page.reload()  # no polling without JavaScript
        expect(status(page)).to_have_text("Completed")
        expect(page.locator('[data-count="found"]')).to_have_text("9")
    finally:
        context.close()


def test_cancel_a_running_look_up_then_retry_it_to_the_end(page, live_server, olivia, patient_echo,  # noqa: F811
                                                          screenshots):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/lookups/patientecho/")
    page.set_input_files("#lookup-file", files=[{"name": "patients.csv", "mimeType": "text/csv",
                                                 "buffer": TEN_ROWS.encode()}])
    page.get_by_role("button", name="Upload and look up").click()
    page.wait_for_url(JOB_PAGE)
    job = ImportExportJob.objects.get()

    with running_held_after_five(patient_echo, job):
        expect(page.locator('[data-count="processed"]')).to_have_text("5")
        page.get_by_role("button", name="Cancel the look-up").click()
        expect(status(page)).to_have_text("Cancelled")
        expect(page.get_by_role("status").first).to_contain_text("The look-up was cancelled")
    page.reload()
    expect(page.locator('[data-count="processed"]')).to_have_text("5")
    expect(page.locator("table.results tbody tr")).to_have_count(5)
    page.screenshot(path=str(screenshots / "lookup-5-cancelled.png"), full_page=True)
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the results (CSV)").click()
    assert download.value.path().read_text(encoding="utf-8-sig").count("\n") == 6  # the header and five rows

    page.get_by_role("button", name="Retry: continue the look-up").click()
    expect(status(page)).to_have_text("Pending")
    job_run(job=job)
    expect(status(page)).to_have_text("Completed")  # the page polls, then reloads at the end
    expect(page.locator("table.results tbody tr")).to_have_count(10)
    assert counts(page) == {"processed": "10", "found": "9", "failed": "1"}
    expect(page.locator("table.logs")).to_contain_text("Retried: continuing with the 5 rows not yet looked up.")
    assert list(AuditEvent.objects.order_by("created_at").values_list("action", flat=True)) == [
        "upload", "cancel", "results_download", "retry",
    ]


def test_the_audit_trail_is_shown_to_an_administrator_and_refused_to_a_plain_user(page, live_server, company,
                                                                                   olivia, patient_echo,  # noqa: F811
                                                                                   screenshots):
    sign_in(page, live_server)
    page.goto(f"{live_server.url}/lookups/patientecho/")
    drop_file(page, "[data-dropzone]", "patients.csv", TEN_ROWS)
    page.wait_for_url(JOB_PAGE)
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail")).to_have_count(0)
    response = page.goto(f"{live_server.url}/audit/")
    assert response.status == 403
    expect(page.get_by_role("alert")).to_have_text("You do not have permission to do this.")

    olivia.user_permissions.add(Permission.objects.get(content_type__app_label="imports", codename="view_auditevent"))
    page.goto(f"{live_server.url}/lookups/patientecho/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail")).to_be_visible()
    events = page.locator("table.audit tbody tr")
    expect(events).to_have_count(1)
    expect(events.first).to_contain_text("Uploaded")
    expect(events.first).to_contain_text("olivia")
    expect(events.first).to_contain_text("patients.csv")
    expect(events.first).to_contain_text("Browser")
    expect(events.first).to_contain_text("127.0.0.1")
    page.screenshot(path=str(screenshots / "lookup-6-audit.png"), full_page=True)

    page.get_by_label("Action").select_option("cancel")
    page.get_by_role("button", name="Filter").click()
    expect(events).to_have_count(0)
    expect(page.locator(".empty")).to_have_text("No events of this kind yet.")
