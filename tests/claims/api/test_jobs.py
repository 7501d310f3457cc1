"""GET and POST /api/v1/claims/csv-jobs/...: the job list, a job with its error log, its progress in the guide's
keys, its results CSV, retry and cancel. Jobs run in this process (the API only queues them)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from claims.models import ClaimsSettings
from imports.jobs.inprocess import job_run
from imports.jobs.status import job_transition
from imports.models import AuditEvent, ImportExportJob
from tests.claims import fake_payer as fake
from tests.factories import UserFactory
from tests.imports.api.conftest import token_client

from .conftest import HEADER, JOBS_URL, PATIENT_DETAILS, RESULTS_HEADER, audit, job_url, results_lines, start

pytestmark = pytest.mark.django_db

Status = ImportExportJob.Status
# Found (finalized), found (pending), no such claim, no such day, an X12 separator in a name.
CLAIMS = (
    f"{HEADER}\n"
    "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"
    "ZE59426196,JOHN,DOE,01/15/1980,123456789\n"
    "ZE59426197,JANE,SMITH,03/03/1970,555000111\n"
    "ZE59426199,OLGA,IVANOVA,02/30/1980,000999888\n"
    "ZE59426200,MARIA,LO*PEZ,06/06/1966,111222333\n"
)
PROGRESS_KEYS = [
    "job_id", "status", "total_rows", "processed_rows", "success_count", "failure_count", "progress_percentage",
    "success_rate", "celery_status", "celery_info",
]


def counts(job: ImportExportJob, *, status=Status.RUNNING, total=100, processed=45, failed=2) -> ImportExportJob:
    """The job as the workers leave it part way: in `status`, with these counts."""
    if status != job.job_status:
        job_transition(job, status)
    ImportExportJob.objects.filter(pk=job.pk).update(
        total_records=total, processed_records=processed, failed_records=failed
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def done(api, guide_claims) -> ImportExportJob:
    """A completed job of the five rows of CLAIMS: two found, three failed."""
    job = job_run(job=start(api, CLAIMS))
    assert job.job_status == Status.COMPLETED
    return job


# --- The job list --------------------------------------------------------------------------------------------------


def test_the_list_is_the_companys_claim_look_ups_newest_first(api, other_api, run_import, write_file):
    first, second = start(api, name="first.csv"), start(api, name="second.csv")
    start(other_api)  # another company's
    run_import(write_file("claims.csv", f"{HEADER}\n"), target="Claim")  # a claims import of the same company

    body = api.get(JOBS_URL).json()

    assert body["count"] == 2
    assert [job["id"] for job in body["results"]] == [str(second.pk), str(first.pk)]
    assert (body["next"], body["previous"]) == (None, None)


def test_a_listed_job_has_the_upload_keys_its_times_and_links(api, done):
    listed = api.get(JOBS_URL).json()["results"][0]

    assert list(listed) == [
        "id", "filename", "status", "total_rows", "processed_rows", "success_count", "failure_count",
        "progress_percentage", "created_at", "started_at", "completed_at", "error_message", "url", "progress_url",
        "results_url",
    ]
    assert listed["url"] == f"http://testserver{job_url(done)}"
    assert listed["progress_url"] == f"http://testserver{job_url(done, 'progress')}"
    assert listed["results_url"] == f"http://testserver{job_url(done, 'results')}"


def test_the_list_is_paginated(api):
    jobs = [start(api) for _ in range(3)]

    first = api.get(JOBS_URL, {"page_size": 2}).json()
    second = api.get(first["next"]).json()

    assert first["count"] == 3
    assert [job["id"] for job in first["results"] + second["results"]] == [str(job.pk) for job in reversed(jobs)]
    assert second["next"] is None


@pytest.mark.parametrize(("word", "status"), [
    ("PENDING", Status.PENDING), ("PROCESSING", Status.RUNNING), ("COMPLETED", Status.COMPLETED),
    ("FAILED", Status.FAILED), ("CANCELLED", Status.CANCELLED), ("processing", Status.RUNNING),
])
def test_the_list_filters_by_status(api, word, status):
    jobs = {each: start(api) for each in Status.values}
    for each, job in jobs.items():
        ImportExportJob.objects.filter(pk=job.pk).update(job_status=each)

    listed = api.get(JOBS_URL, {"status": word}).json()["results"]

    assert [job["id"] for job in listed] == [str(jobs[status].pk)]
    assert listed[0]["status"] == word.upper()


def test_an_unknown_status_is_400_naming_the_statuses(api):
    response = api.get(JOBS_URL, {"status": "DONE"})

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unknown status 'DONE': use PENDING, PROCESSING, COMPLETED, FAILED or CANCELLED."
    }


# --- A job ---------------------------------------------------------------------------------------------------------


def test_a_pending_job_has_no_results_yet(api):
    body = api.get(job_url(start(api))).json()

    assert body["status"] == "PENDING"
    assert (body["started_at"], body["completed_at"], body["results_url"], body["error_message"]) == (
        None, None, None, None
    )
    assert body["status_detail"]  # what it waits for
    assert body["error_log"] == []


def test_a_completed_job_has_its_counts_times_and_error_log(api, done):
    body = api.get(job_url(done)).json()

    assert {name: body[name] for name in (
        "status", "total_rows", "processed_rows", "success_count", "failure_count", "progress_percentage",
    )} == {
        "status": "COMPLETED", "total_rows": 5, "processed_rows": 5, "success_count": 2, "failure_count": 3,
        "progress_percentage": 100.0,
    }
    assert body["started_at"] is not None
    assert body["completed_at"] is not None
    assert body["status_detail"] is None
    assert body["error_log"] == [
        {"row": 3, "claim_number": "ZE59426197", "error": "Claim not found", "retryable": False},
        {"row": 4, "claim_number": "ZE59426199", "error": "Date of birth is not a real date: use MM/DD/YYYY",
         "retryable": False},
        {"row": 5, "claim_number": "ZE59426200",
         "error": "Last name contains ~, *, : or ^, which a claim status request cannot carry", "retryable": False},
    ]


def test_the_error_log_names_rows_by_claim_number_never_by_a_patient_detail(api, done):
    text = api.get(job_url(done)).content.decode()

    assert [detail for detail in (*PATIENT_DETAILS, "OLGA", "IVANOVA", "02/30/1980", "000999888", "MARIA",
                                  "LO*PEZ", "111222333") if detail in text] == []


def test_a_failed_job_says_why_first_in_its_error_log(api):
    job = counts(start(api), processed=3, failed=1)
    job_transition(job, Status.FAILED, message="The look-up stopped at its time limit of 30 minutes.")
    ImportExportJob.objects.filter(pk=job.pk).update(error_message="The look-up stopped at its time limit.")

    body = api.get(job_url(job)).json()

    assert body["status"] == "FAILED"
    assert body["error_message"] == "The look-up stopped at its time limit."
    assert body["error_log"][0] == {"row": None, "error": "The look-up stopped at its time limit.", "retryable": True}
    assert body["results_url"] is not None  # the results so far


# --- Progress ------------------------------------------------------------------------------------------------------


def test_progress_has_the_guides_keys_and_figures(api):
    job = counts(start(api), total=100, processed=45, failed=2)

    body = api.get(job_url(job, "progress")).json()

    assert list(body) == PROGRESS_KEYS
    assert body == {
        "job_id": str(job.pk), "status": "PROCESSING", "total_rows": 100, "processed_rows": 45, "success_count": 43,
        "failure_count": 2, "progress_percentage": 45.0, "success_rate": 95.6, "celery_status": "PROGRESS",
        "celery_info": {"current": 45, "total": 100, "percent": 45},
    }


def test_progress_percentages_have_one_decimal_and_show_100_only_when_completed(api):
    job = counts(start(api), total=3, processed=2, failed=1)
    body = api.get(job_url(job, "progress")).json()
    assert (body["progress_percentage"], body["success_rate"], body["celery_info"]["percent"]) == (66.6, 50.0, 66)

    job = counts(job, total=1000, processed=999, failed=0)
    assert api.get(job_url(job, "progress")).json()["progress_percentage"] == 99.9


def test_before_any_row_the_rates_are_0(api):
    body = api.get(job_url(start(api), "progress")).json()

    assert (body["status"], body["celery_status"]) == ("PENDING", "PENDING")
    assert (body["progress_percentage"], body["success_rate"]) == (0.0, 0.0)
    assert body["celery_info"] == {"current": 0, "total": 0, "percent": 0}


@pytest.mark.parametrize(("status", "word", "celery"), [
    (Status.COMPLETED, "COMPLETED", "SUCCESS"), (Status.FAILED, "FAILED", "FAILURE"),
    (Status.CANCELLED, "CANCELLED", "REVOKED"),
])
def test_an_ended_jobs_status_and_celery_state(api, status, word, celery):
    job = counts(start(api), total=10, processed=10, failed=0)
    job_transition(job, status)

    body = api.get(job_url(job, "progress")).json()

    assert (body["status"], body["celery_status"]) == (word, celery)


# --- Results -------------------------------------------------------------------------------------------------------


def test_results_are_a_streamed_csv_attachment_under_the_uploads_name(api, guide_claims):
    job = job_run(job=start(api, CLAIMS, name="october.csv"))

    response = api.get(job_url(job, "results"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="october-results.csv"'
    lines = results_lines(response)
    assert lines[0] == RESULTS_HEADER
    assert [line.split(",")[:3] for line in lines[1:]] == [
        ["1", "ZE59426195", "Finalized"], ["2", "ZE59426196", "Pending"], ["3", "ZE59426197", "Error"],
        ["4", "ZE59426199", "Error"], ["5", "ZE59426200", "Error"],
    ]


def test_results_come_whatever_the_client_accepts(api, done):
    assert api.get(job_url(done, "results"), HTTP_ACCEPT="text/csv").status_code == 200


def test_a_results_download_is_in_the_audit_trail(api, done, user):
    api.get(job_url(done, "results"), REMOTE_ADDR="203.0.113.9")

    assert audit("results_download") == [(done.pk, "api", user.username, "203.0.113.9")]


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_results_while_the_job_runs_are_409(api, status):
    job = start(api)
    if status == Status.RUNNING:
        job_transition(job, status)

    response = api.get(job_url(job, "results"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The job is still running: its results can be downloaded once it has finished."
    }
    assert not AuditEvent.objects.filter(action="results_download").exists()


def test_results_of_a_cancelled_job_are_those_recorded_so_far(api):
    job = start(api)
    api.post(job_url(job, "cancel"))

    response = api.get(job_url(job, "results"))

    assert response.status_code == 200
    assert results_lines(response) == [RESULTS_HEADER]


def test_results_once_purged_are_410(api, done):
    ImportExportJob.objects.filter(pk=done.pk).update(purged_at=timezone.now() - timedelta(days=1))

    response = api.get(job_url(done, "results"))

    assert response.status_code == 410
    assert "deleted" in response.json()["detail"]
    assert api.get(job_url(done)).json()["results_url"] is None


# --- Retry ---------------------------------------------------------------------------------------------------------


def test_a_completed_job_retried_asks_again_only_its_retryable_failures(api, company, user, fake_payer, settings):
    ClaimsSettings.objects.create(company=company, backend="payer", default_provider_npi="1234567893")
    settings.CLAIMS_API_RETRIES = 0  # a payer unavailable once fails the row, retryable
    members = {"CLM-1": fake.PAID, "CLM-2": fake.NOT_FOUND, "CLM-3": fake.UNAVAILABLE_ONCE}
    rows = "".join(f"{number},ZEBULON,QUACKENBUSH,07/04/1961,{member}\n" for number, member in members.items())
    job = job_run(job=start(api, f"{HEADER}\n{rows}"))
    assert [entry["retryable"] for entry in api.get(job_url(job)).json()["error_log"]] == [False, True]

    response = api.post(job_url(job, "retry"), REMOTE_ADDR="203.0.113.10")

    assert response.status_code == 202
    body = response.json()
    assert (body["id"], body["status"], body["processed_rows"], body["failure_count"]) == (str(job.pk), "PENDING", 2, 1)
    assert audit("retry") == [(job.pk, "api", user.username, "203.0.113.10")]
    job = job_run(job=job)
    assert (job.job_status, job.processed_records, job.failed_records) == (Status.COMPLETED, 3, 1)
    assert (fake_payer.count(fake.PAID), fake_payer.count(fake.NOT_FOUND), fake_payer.count(fake.UNAVAILABLE_ONCE)) == (
        1, 1, 2
    )
    assert results_lines(api.get(job_url(job, "results")))[3].split(",")[:3] == ["3", "CLM-3", "Finalized"]


def test_a_completed_job_with_nothing_worth_asking_again_is_409(api, done):
    response = api.post(job_url(done, "retry"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "No look-up of this job failed in a way worth asking again: there is nothing to retry."
    }
    assert not AuditEvent.objects.filter(action="retry").exists()


@pytest.mark.parametrize("ended", [Status.FAILED, Status.CANCELLED])
def test_a_failed_or_cancelled_job_retried_continues_where_it_stopped(api, guide_claims, ended):
    job = start(api, CLAIMS)
    if ended == Status.CANCELLED:
        api.post(job_url(job, "cancel"))
    else:
        job_transition(job, Status.RUNNING)
        job_transition(job, Status.FAILED, message="A worker died.")

    response = api.post(job_url(job, "retry"))

    assert response.status_code == 202
    assert response.json()["status"] == "PENDING"
    job = job_run(job=job)
    assert (job.job_status, job.processed_records, job.failed_records) == (Status.COMPLETED, 5, 3)


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_a_job_that_has_not_ended_cannot_be_retried(api, status):
    job = start(api)
    if status == Status.RUNNING:
        job_transition(job, status)

    response = api.post(job_url(job, "retry"))

    assert response.status_code == 409
    assert response.json() == {"detail": "The job is still running; retry it once it has finished."}


def test_a_purged_job_cannot_be_retried(api, done):
    ImportExportJob.objects.filter(pk=done.pk).update(purged_at=timezone.now())

    response = api.post(job_url(done, "retry"))

    assert response.status_code == 410
    assert "deleted" in response.json()["detail"]


# --- Cancel --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_a_pending_or_processing_job_is_cancelled(api, user, status):
    job = start(api)
    if status == Status.RUNNING:
        job_transition(job, status)

    response = api.post(job_url(job, "cancel"), REMOTE_ADDR="203.0.113.11")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (str(job.pk), "CANCELLED")
    assert body["completed_at"] is not None
    assert audit("cancel") == [(job.pk, "api", user.username, "203.0.113.11")]
    job.refresh_from_db()
    assert job.job_status == Status.CANCELLED


def test_an_ended_job_cannot_be_cancelled(api, done):
    response = api.post(job_url(done, "cancel"))

    assert response.status_code == 409
    assert response.json() == {"detail": "The job has already finished (completed)."}
    assert not AuditEvent.objects.filter(action="cancel").exists()


def test_a_colleague_of_the_same_company_sees_the_job_and_its_results(done, company):
    colleague = token_client(UserFactory(company=company, username="carol"))

    assert colleague.get(job_url(done)).status_code == 200
    assert colleague.get(job_url(done, "results")).status_code == 200
