"""The csv-jobs routes of a look-up service (a stand-in's, /api/v1/codes/csv-jobs/): the job list, a job with its
error log, its progress in the claims guide's keys, its results CSV, retry and cancel. Jobs run in this process
(the API only enqueues them)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from imports.jobs.inprocess import job_run
from imports.jobs.status import job_transition
from imports.models import AuditEvent, ImportExportJob

from .conftest import CODES_URL, token_client, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_lookup")]

Status = ImportExportJob.Status
JOBS_URL = f"{CODES_URL}/csv-jobs/"
# Found, not found, failed worth asking again, a row failing its checks (no code), found.
CODES = "code,first_name,note\nC1,ADA,x\nN2,BOB,\nR3,CYRIL,\n,DORA,\nC5,EVE,\n"
PROGRESS_KEYS = [
    "job_id", "status", "total_rows", "processed_rows", "success_count", "failure_count", "progress_percentage",
    "success_rate", "celery_status", "celery_info",
]


def start(client, content: str = CODES, name: str = "codes.csv") -> ImportExportJob:
    response = upload(client, f"{CODES_URL}/bulk/upload/", content, name=name)
    assert response.status_code == 201, response.content
    return ImportExportJob.objects.get(pk=response.json()["id"])


def url(job: ImportExportJob, action: str = "") -> str:
    return f"{JOBS_URL}{job.pk}/" + (f"{action}/" if action else "")


def counts(job: ImportExportJob, *, status=Status.RUNNING, total=100, processed=45, failed=2) -> ImportExportJob:
    if status != job.job_status:
        job_transition(job, status)
    ImportExportJob.objects.filter(pk=job.pk).update(
        total_records=total, processed_records=processed, failed_records=failed
    )
    job.refresh_from_db()
    return job


def results_text(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8-sig")


def audit(action: str) -> list[tuple]:
    return list(AuditEvent.objects.filter(action=action).values_list("job_id", "via", "user__username", "address"))


@pytest.fixture
def done(api) -> ImportExportJob:
    """A completed job of the five rows of CODES: two found, three failed (one of them worth asking again)."""
    job = job_run(job=start(api))
    assert job.job_status == Status.COMPLETED
    return job


# --- The job list --------------------------------------------------------------------------------------------------


def test_the_list_is_the_companys_jobs_of_the_service_newest_first(api, other_api, run_import, write_file):
    first, second = start(api, name="first.csv"), start(api, name="second.csv")
    start(other_api)  # another company's
    run_import(write_file("customers.csv", "first_name\n"))  # an import of the same company

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
    assert listed["url"] == f"http://testserver{url(done)}"
    assert listed["progress_url"] == f"http://testserver{url(done, 'progress')}"
    assert listed["results_url"] == f"http://testserver{url(done, 'results')}"


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
    job = start(api)

    body = api.get(url(job)).json()

    assert body["status"] == "PENDING"
    assert (body["started_at"], body["completed_at"], body["results_url"], body["error_message"]) == (
        None, None, None, None
    )
    assert body["status_detail"]  # what it waits for
    assert body["error_log"] == []


def test_a_completed_job_has_its_counts_times_and_error_log(api, done):
    body = api.get(url(done)).json()

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
        {"row": 2, "code": "N2", "error": "Code not found", "retryable": False},
        {"row": 3, "code": "R3", "error": "Look-up failed: busy", "retryable": True},
        {"row": 4, "code": "", "error": "code is missing", "retryable": False},
    ]


def test_the_error_log_names_rows_never_by_a_sensitive_value(api, done):
    text = api.get(url(done)).content.decode()

    for name in ("BOB", "CYRIL", "DORA"):
        assert name not in text


def test_a_failed_job_says_why_first_in_its_error_log(api):
    job = counts(start(api), processed=3, failed=1)
    job_transition(job, Status.FAILED, message="The look-up stopped at its time limit of 30 minutes.")
    ImportExportJob.objects.filter(pk=job.pk).update(error_message="The look-up stopped at its time limit.")

    body = api.get(url(job)).json()

    assert body["status"] == "FAILED"
    assert body["error_message"] == "The look-up stopped at its time limit."
    assert body["error_log"][0] == {"row": None, "error": "The look-up stopped at its time limit.", "retryable": True}
    assert body["results_url"] is not None  # the results so far


# --- Progress ------------------------------------------------------------------------------------------------------


def test_progress_has_the_guides_keys_and_figures(api):
    job = counts(start(api), total=100, processed=45, failed=2)

    body = api.get(url(job, "progress")).json()

    assert list(body) == PROGRESS_KEYS
    assert body == {
        "job_id": str(job.pk), "status": "PROCESSING", "total_rows": 100, "processed_rows": 45, "success_count": 43,
        "failure_count": 2, "progress_percentage": 45.0, "success_rate": 95.6, "celery_status": "PROGRESS",
        "celery_info": {"current": 45, "total": 100, "percent": 45},
    }


def test_progress_percentages_have_one_decimal_and_show_100_only_when_completed(api):
    job = counts(start(api), total=3, processed=2, failed=1)
    body = api.get(url(job, "progress")).json()
    assert (body["progress_percentage"], body["success_rate"], body["celery_info"]["percent"]) == (66.6, 50.0, 66)

    job = counts(job, total=1000, processed=999, failed=0)
    assert api.get(url(job, "progress")).json()["progress_percentage"] == 99.9


def test_before_any_row_the_rates_are_0(api):
    body = api.get(url(start(api), "progress")).json()

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

    body = api.get(url(job, "progress")).json()

    assert (body["status"], body["celery_status"]) == (word, celery)


# --- Results -------------------------------------------------------------------------------------------------------


def test_results_are_a_streamed_csv_attachment_under_the_uploads_name(api, done):
    response = api.get(url(done, "results"))

    assert response.status_code == 200
    assert response.streaming
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="codes-results.csv"'
    assert results_text(response).splitlines() == [
        "row,code,answer,first_name,success,error,retryable",
        "1,C1,answer to C1,ADA,True,,False",
        "2,N2,,BOB,False,Code not found,False",
        "3,R3,,CYRIL,False,Look-up failed: busy,True",
        "4,,,DORA,False,code is missing,False",
        "5,C5,answer to C5,EVE,True,,False",
    ]


def test_results_come_whatever_the_client_accepts(api, done):
    assert api.get(url(done, "results"), HTTP_ACCEPT="text/csv").status_code == 200


def test_a_results_download_is_in_the_audit_trail(api, done, user):
    api.get(url(done, "results"), REMOTE_ADDR="203.0.113.9")

    assert audit("results_download") == [(done.pk, "api", user.username, "203.0.113.9")]


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_results_while_the_job_runs_are_409(api, status):
    job = start(api)
    if status == Status.RUNNING:
        job_transition(job, status)

    response = api.get(url(job, "results"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "The job is still running: its results can be downloaded once it has finished."
    }
    assert not AuditEvent.objects.filter(action="results_download").exists()


def test_results_of_a_cancelled_job_are_those_recorded_so_far(api):
    job = start(api)
    api.post(url(job, "cancel"))

    response = api.get(url(job, "results"))

    assert response.status_code == 200
    assert results_text(response).splitlines() == ["row,code,answer,first_name,success,error,retryable"]


def test_results_once_purged_are_410(api, done):
    ImportExportJob.objects.filter(pk=done.pk).update(purged_at=timezone.now() - timedelta(days=1))

    response = api.get(url(done, "results"))

    assert response.status_code == 410
    assert "deleted" in response.json()["detail"]
    assert api.get(url(done)).json()["results_url"] is None


# --- Retry ---------------------------------------------------------------------------------------------------------


def test_a_completed_job_retried_asks_again_only_its_retryable_failures(api, done, code_lookup, user):
    code_lookup.answered_again = frozenset({"R3"})

    response = api.post(url(done, "retry"), REMOTE_ADDR="203.0.113.10")

    assert response.status_code == 202
    body = response.json()
    assert (body["id"], body["status"], body["processed_rows"], body["failure_count"]) == (
        str(done.pk), "PENDING", 4, 2
    )
    assert audit("retry") == [(done.pk, "api", user.username, "203.0.113.10")]
    job = job_run(job=done)
    assert (job.job_status, job.processed_records, job.failed_records) == (Status.COMPLETED, 5, 2)
    assert "3,R3,answer to R3,CYRIL,True,,False" in results_text(api.get(url(job, "results")))


def test_a_completed_job_with_nothing_worth_asking_again_is_409(api):
    job = job_run(job=start(api, "code,first_name\nC1,ADA\nN2,BOB\n"))

    response = api.post(url(job, "retry"))

    assert response.status_code == 409
    assert response.json() == {
        "detail": "No look-up of this job failed in a way worth asking again: there is nothing to retry."
    }
    assert not AuditEvent.objects.filter(action="retry").exists()


@pytest.mark.parametrize("ended", [Status.FAILED, Status.CANCELLED])
def test_a_failed_or_cancelled_job_retried_continues_where_it_stopped(api, ended):
    job = start(api)
    if ended == Status.CANCELLED:
        api.post(url(job, "cancel"))
    else:
        job_transition(job, Status.RUNNING)
        job_transition(job, Status.FAILED, message="A worker died.")

    response = api.post(url(job, "retry"))

    assert response.status_code == 202
    assert response.json()["status"] == "PENDING"
    job = job_run(job=job)
    assert (job.job_status, job.processed_records) == (Status.COMPLETED, 5)


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_a_job_that_has_not_ended_cannot_be_retried(api, status):
    job = start(api)
    if status == Status.RUNNING:
        job_transition(job, status)

    response = api.post(url(job, "retry"))

    assert response.status_code == 409
    assert response.json() == {"detail": "The job is still running; retry it once it has finished."}


def test_a_purged_job_cannot_be_retried(api, done):
    ImportExportJob.objects.filter(pk=done.pk).update(purged_at=timezone.now())

    assert api.post(url(done, "retry")).status_code == 410


# --- Cancel --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [Status.PENDING, Status.RUNNING])
def test_a_pending_or_processing_job_is_cancelled(api, user, status):
    job = start(api)
    if status == Status.RUNNING:
        job_transition(job, status)

    response = api.post(url(job, "cancel"), REMOTE_ADDR="203.0.113.11")

    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["status"]) == (str(job.pk), "CANCELLED")
    assert body["completed_at"] is not None
    assert audit("cancel") == [(job.pk, "api", user.username, "203.0.113.11")]
    job.refresh_from_db()
    assert job.job_status == Status.CANCELLED


def test_an_ended_job_cannot_be_cancelled(api, done):
    response = api.post(url(done, "cancel"))

    assert response.status_code == 409
    assert response.json() == {"detail": "The job has already finished (completed)."}
    assert not AuditEvent.objects.filter(action="cancel").exists()


def test_a_user_of_the_same_company_sees_and_acts_on_the_job(done, company):
    from tests.factories import UserFactory

    colleague = token_client(UserFactory(company=company, username="carol"))

    assert colleague.get(url(done)).status_code == 200
    assert colleague.get(url(done, "results")).status_code == 200
