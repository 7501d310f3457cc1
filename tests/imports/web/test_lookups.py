"""The look-up pages with a stand-in service: the upload and its refusals, the job's page (counts, masked results,
details shown, cancel, retry, results download, retention), the dashboard's links, and company isolation."""

import csv
import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from imports.jobs.inprocess import job_run
from imports.jobs.retention import lookup_data_purge
from imports.models import AuditEvent, ImportExportJob
from tests.factories import UserFactory
from tests.lookup_standins import HEADER, patient_echo, rows  # noqa: F401 - a fixture

pytestmark = pytest.mark.django_db

PAGE = "/lookups/patientecho/"
SIX_ROWS = HEADER + "\n" + rows(3) + "N4,JOHN DOE,01/15/1980,123456789\nR5,JANE DOE,01/15/1981,223456789\n" + rows(
    1, first=6
)


@pytest.fixture
def signed_in(client, user, patient_echo):  # noqa: F811
    client.force_login(user)
    return client


def upload(client, text: str | bytes, *, name: str = "patients.csv", **headers):
    content = text.encode() if isinstance(text, str) else text
    return client.post(PAGE, {"file": SimpleUploadedFile(name, content, content_type="text/csv")}, **headers)


@pytest.fixture
def finished(signed_in):
    """A finished job of six rows: four found, one not found, one failed in a way worth asking again."""
    upload(signed_in, SIX_ROWS)
    return job_run(job=ImportExportJob.objects.get())


def job_page(client, job, **query):
    return client.get(reverse("imports:lookup_job", args=[job.pk]), query)


# --- The look-up page ------------------------------------------------------------------------------------------


def test_the_page_names_the_service_its_columns_and_links_the_template(signed_in):
    response = signed_in.get(PAGE)

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Patient echo look-up</h1>" in page
    assert [(c["name"], c["required"]) for c in response.context["columns"]] == [
        ("code", True), ("patient_name", True), ("date_of_birth", True), ("member_id", False),
    ]
    assert "MM/DD/YYYY." in page
    assert "Text: leading zeros kept." in page
    assert reverse("imports:lookup_template", args=["patientecho"]) in page
    assert f'<a href="{PAGE}">Patient echo look-up</a>' in page  # in the site's navigation


def test_an_unknown_service_is_a_404(signed_in):
    assert signed_in.get("/lookups/nothing/").status_code == 404


def test_the_template_is_the_header_and_example_rows(signed_in):
    response = signed_in.get(reverse("imports:lookup_template", args=["patientecho"]))

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="patient_echo_lookup_template.csv"'
    assert response.content.decode("utf-8-sig").splitlines() == [HEADER, "C1,CHANTAL KISA,05/10/1975,057896633"]


def test_an_upload_creates_a_job_recorded_in_the_audit_trail_and_opens_its_page(signed_in, user, company):
    response = upload(signed_in, SIX_ROWS, REMOTE_ADDR="203.0.113.7")

    job = ImportExportJob.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("imports:lookup_job", args=[job.pk])
    assert (job.company, job.job_type, job.target_model, job.file_name, job.job_status) == (
        company, "lookup", "PatientEcho", "patients.csv", "pending",
    )
    event = AuditEvent.objects.get()
    assert (event.action, event.via, event.user, event.job, event.address) == (
        "upload", "web", user, job, "203.0.113.7",
    )


@pytest.mark.parametrize(("content", "name", "status", "sentence"), [
    ("code,patient_name\nC1,A B\n", "short.csv", 400, "date_of_birth"),
    ("", "empty.csv", 400, "The file is empty."),
    ('[{"code": "C1"}]', "codes.json", 415, "The file is not a CSV file"),
])
def test_a_refused_upload_is_one_sentence_on_the_page_and_no_job(signed_in, content, name, status, sentence):
    response = upload(signed_in, content, name=name)

    assert response.status_code == status, response.context["error"]
    assert sentence in response.context["error"]
    assert response.context["error"] in response.content.decode().replace("&#x27;", "'")
    assert not ImportExportJob.objects.exists()
    assert not AuditEvent.objects.exists()


def test_missing_columns_are_named(signed_in):
    response = upload(signed_in, "code,patient_name\nC1,A B\n")

    assert response.context["error"].startswith("Missing required columns: date_of_birth.")


def test_a_file_over_the_services_limit_is_refused_with_413(signed_in, patient_echo):  # noqa: F811
    patient_echo.max_mb = 1

    response = upload(signed_in, HEADER + "\n" + rows(1) * 40_000)

    assert response.status_code == 413
    assert "the limit is 1 MB" in response.context["error"]


def test_the_upload_script_gets_the_refusal_as_plain_text(signed_in):
    response = upload(signed_in, "code\nC1\n", HTTP_X_REQUESTED_WITH="fetch")

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response.content.decode().startswith("Missing required columns: patient_name, date_of_birth.")


def test_the_page_lists_the_companys_recent_jobs_of_this_service_only(signed_in, other_company, patient_echo):  # noqa: F811
    upload(signed_in, SIX_ROWS, name="mine.csv")
    job_run(job=ImportExportJob.objects.get())
    theirs = ImportExportJob.objects.create(company=other_company, job_type="lookup", target_model="PatientEcho",
                                            file_name="theirs.csv")

    response = signed_in.get(PAGE)

    recent = list(response.context["recent"])
    assert [job.file_name for job in recent] == ["mine.csv"]
    assert (recent[0].found_records, recent[0].failed_records) == (4, 2)
    assert theirs.file_name not in response.content.decode()


# --- The job's page --------------------------------------------------------------------------------------------


def test_the_job_page_shows_counts_log_and_results_with_patient_details_masked(signed_in, finished):
    response = job_page(signed_in, finished)

    page = response.content.decode()
    assert response.status_code == 200
    assert '<dd data-field="found" data-count="found">4</dd>' in page
    assert '<dd data-field="failed" data-count="failed">2</dd>' in page
    assert "patient echo look-up finished: 6 rows, 4 found, 2 failed (1 can be retried)." in page.lower()
    assert "BEN KISA" not in page
    assert "05/10/1901" not in page
    assert "057896601" not in page
    assert "B••• K•••" in page
    assert "••/••/1901" in page
    assert "•••••6601" in page
    assert "answer C1" in page  # what is not sensitive shows as it is
    assert "Not found" in page
    assert not AuditEvent.objects.filter(action="details_shown").exists()


def test_show_details_shows_the_values_and_is_recorded(signed_in, user, finished):
    response = job_page(signed_in, finished, show="details", REMOTE_ADDR="198.51.100.4")

    page = response.content.decode()
    assert "BEN KISA" in page
    assert "05/10/1901" in page
    assert "057896601" in page
    assert "•••" not in page
    assert "Hide details" in page
    assert "no-store" in response["Cache-Control"]  # no copy kept by the browser or a proxy
    event = AuditEvent.objects.get(action="details_shown")
    assert (event.user, event.job, event.via) == (user, finished, "web")


def test_results_are_paged_fifty_a_page_keeping_details_shown(signed_in):
    upload(signed_in, HEADER + "\n" + rows(60))
    job = job_run(job=ImportExportJob.objects.get())

    first = job_page(signed_in, job, show="details")
    second = job_page(signed_in, job, show="details", page=2)

    assert [row["result"].row_number for row in first.context["rows"]] == list(range(1, 51))
    assert [row["result"].row_number for row in second.context["rows"]] == list(range(51, 61))
    assert "?show=details&amp;page=2" in first.content.decode()


def test_the_progress_json_has_the_found_and_failed_counts(signed_in, finished):
    data = signed_in.get(reverse("imports:lookup_job_progress", args=[finished.pk])).json()

    assert (data["status"], data["finished"], data["progress"]) == ("completed", True, 100)
    assert (data["total_rows"], data["processed_rows"], data["found"], data["failed"]) == (6, 6, 4, 2)


def test_a_pending_job_can_be_cancelled_and_the_cancel_is_recorded(signed_in, user):
    upload(signed_in, SIX_ROWS)
    job = ImportExportJob.objects.get()
    assert "Cancel the look-up" in job_page(signed_in, job).content.decode()

    response = signed_in.post(reverse("imports:lookup_job_cancel", args=[job.pk]), follow=True)

    job.refresh_from_db()
    assert job.job_status == "cancelled"
    assert "The look-up was cancelled" in response.content.decode()
    assert AuditEvent.objects.filter(action="cancel", user=user, via="web", job=job).exists()


def test_cancelling_a_finished_job_says_so(signed_in, finished):
    response = signed_in.post(reverse("imports:lookup_job_cancel", args=[finished.pk]), follow=True)

    assert "The job has already finished (completed)." in response.content.decode()
    assert not AuditEvent.objects.filter(action="cancel").exists()


def test_a_cancelled_job_retried_continues_and_the_retry_is_recorded(signed_in, user):
    upload(signed_in, SIX_ROWS)
    job = ImportExportJob.objects.get()
    signed_in.post(reverse("imports:lookup_job_cancel", args=[job.pk]))
    assert "Retry: continue the look-up" in job_page(signed_in, job).content.decode()

    signed_in.post(reverse("imports:lookup_job_retry", args=[job.pk]))

    job.refresh_from_db()
    assert job.job_status == "pending"
    assert AuditEvent.objects.filter(action="retry", user=user, via="web", job=job).exists()
    assert job_run(job=job).job_status == "completed"


def test_a_completed_job_retries_only_its_retryable_failures(signed_in, finished, patient_echo):  # noqa: F811
    page = job_page(signed_in, finished).content.decode()
    assert "Retry the 1 failed look-up worth asking again" in page
    patient_echo.answers_now = True

    signed_in.post(reverse("imports:lookup_job_retry", args=[finished.pk]))
    job = job_run(job=finished)

    assert (job.job_status, job.processed_records, job.failed_records) == ("completed", 6, 1)
    assert job.lookup_results.get(row_number=5).success


def test_a_refused_retry_shows_the_services_sentence(signed_in):
    upload(signed_in, HEADER + "\n" + rows(2) + "N3,A B,01/01/1990,1\n")
    job = job_run(job=ImportExportJob.objects.get())
    assert "Retry" not in job_page(signed_in, job).content.decode()  # nothing worth asking again

    response = signed_in.post(reverse("imports:lookup_job_retry", args=[job.pk]), follow=True)

    assert "there is nothing to retry." in response.content.decode()
    assert not AuditEvent.objects.filter(action="retry").exists()


def test_the_results_download_is_the_results_csv_and_is_recorded(signed_in, user, finished):
    response = signed_in.get(reverse("imports:lookup_job_results", args=[finished.pk]))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="patients-results.csv"'
    assert "no-store" in response["Cache-Control"]
    table = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert [(row["row"], row["code"], row["success"]) for row in table][:5] == [
        ("1", "C1", "True"), ("2", "C2", "True"), ("3", "C3", "True"), ("4", "N4", "False"), ("5", "R5", "False"),
    ]
    assert table[0]["patient_name"] == "BEN KISA"  # the file is the data itself
    assert AuditEvent.objects.filter(action="results_download", user=user, via="web", job=finished).exists()


def test_results_of_a_running_job_are_refused_with_the_reason(signed_in):
    upload(signed_in, SIX_ROWS)
    job = ImportExportJob.objects.get()
    assert "Download the results" not in job_page(signed_in, job).content.decode()

    response = signed_in.get(reverse("imports:lookup_job_results", args=[job.pk]), follow=True)

    assert "its results can be downloaded once it has finished" in response.content.decode()
    assert not AuditEvent.objects.filter(action="results_download").exists()


def test_a_purged_job_says_its_data_was_deleted_after_the_retention_period(signed_in, finished, settings):
    settings.IMPORT_RETENTION_DAYS = 30
    ImportExportJob.objects.filter(pk=finished.pk).update(completed_at=timezone.now() - timedelta(days=31))
    assert lookup_data_purge() == 1

    page = job_page(signed_in, finished).content.decode()
    refused = signed_in.get(reverse("imports:lookup_job_results", args=[finished.pk]), follow=True)

    assert "The uploaded file and the results were deleted after 30 days" in page
    assert "Download the results" not in page
    assert "Retry" not in page
    assert "at the end of the retention period" in refused.content.decode()


# --- Sign-in, isolation and the rest of the site ---------------------------------------------------------------


def lookup_job_urls(job) -> list[tuple[str, str]]:
    return [
        ("get", reverse("imports:lookup_job", args=[job.pk])),
        ("get", reverse("imports:lookup_job_progress", args=[job.pk])),
        ("get", reverse("imports:lookup_job_results", args=[job.pk])),
        ("post", reverse("imports:lookup_job_cancel", args=[job.pk])),
        ("post", reverse("imports:lookup_job_retry", args=[job.pk])),
    ]


def test_every_page_needs_sign_in(client, finished):
    client.logout()
    for method, url in [("get", PAGE), *lookup_job_urls(finished)]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_another_companys_job_is_a_404_everywhere_and_nothing_is_recorded(client, other_company, finished):
    client.force_login(UserFactory(company=other_company))
    before = AuditEvent.objects.count()

    for method, url in lookup_job_urls(finished):
        assert getattr(client, method)(url).status_code == 404, url

    finished.refresh_from_db()
    assert finished.job_status == "completed"
    assert AuditEvent.objects.count() == before


def test_an_import_job_is_not_a_look_up_job(signed_in, company, write_file, run_import):
    from tests.conftest import GUIDE_CSV

    job = run_import(write_file("customers.csv", GUIDE_CSV))

    assert signed_in.get(reverse("imports:lookup_job", args=[job.pk])).status_code == 404


def test_the_dashboard_links_a_look_up_to_its_page_and_the_import_job_page_redirects_there(signed_in, finished):
    dashboard = signed_in.get(reverse("imports:job_list")).content.decode()
    old_page = signed_in.get(reverse("imports:job_detail", args=[finished.pk]))

    assert f'href="{reverse("imports:lookup_job", args=[finished.pk])}"' in dashboard
    assert "<td>Look-up</td>" in dashboard
    assert old_page.status_code == 302
    assert old_page.url == reverse("imports:lookup_job", args=[finished.pk])


def test_the_dashboard_filters_look_ups_by_service(signed_in, finished):
    listed = signed_in.get(reverse("imports:job_list"), {"target": "PatientEcho", "job_type": "lookup"})

    assert list(listed.context["page"].object_list) == [finished]


def test_the_import_pages_cancel_of_a_look_up_is_recorded_and_its_file_is_not_offered(signed_in, user):
    upload(signed_in, SIX_ROWS)
    job = ImportExportJob.objects.get()

    signed_in.post(reverse("imports:job_cancel", args=[job.pk]))

    assert AuditEvent.objects.filter(action="cancel", user=user, job=job).exists()
    assert signed_in.get(reverse("imports:job_file", args=[job.pk])).status_code == 404
