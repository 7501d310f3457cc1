"""A token sees only its company's claim look-ups: another company's job, an import job, a look-up of another
service, and an unknown or malformed id are the same 404 on every job endpoint, and nothing happens to the job.
Every endpoint wants a token."""

import io
import uuid

import pytest

from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, ImportExportJob

from .conftest import GUIDE_CSV, HEADER, JOBS_URL, UPLOAD_URL, start

pytestmark = pytest.mark.django_db

JOB_ENDPOINTS = [("get", ""), ("get", "progress/"), ("get", "results/"), ("post", "retry/"), ("post", "cancel/")]
NOT_HERE = "No claims look-up job <id> in your company."


@pytest.fixture
def acme_job(api) -> ImportExportJob:
    """A completed claim look-up of company A (Acme)."""
    return job_run(job=start(api))


def call(client, method: str, job_id, action: str):
    return getattr(client, method)(f"{JOBS_URL}{job_id}/{action}")


def not_found(client, method: str, job_id, action: str) -> str:
    response = call(client, method, job_id, action)
    assert response.status_code == 404, response.content
    assert response["Content-Type"] == "application/json"
    return response.json()["detail"].replace(str(job_id), "<id>")


@pytest.mark.parametrize(("method", "action"), JOB_ENDPOINTS)
def test_company_bs_token_gets_the_404_of_a_job_that_never_was(other_api, acme_job, method, action):
    foreign = not_found(other_api, method, acme_job.pk, action)
    unknown = not_found(other_api, method, uuid.uuid4(), action)

    assert foreign == unknown == NOT_HERE
    acme_job.refresh_from_db()
    assert acme_job.job_status == "completed"
    assert not AuditEvent.objects.exclude(action="upload").exists()


@pytest.mark.parametrize(("method", "action"), JOB_ENDPOINTS)
def test_an_import_job_is_no_claim_look_up(api, run_import, write_file, method, action):
    imported = run_import(write_file("claims.csv", f"{HEADER}\n"), target="Claim")

    assert not_found(api, method, imported.pk, action) == NOT_HERE


@pytest.mark.parametrize(("method", "action"), JOB_ENDPOINTS)
def test_a_look_up_of_another_service_is_no_claim_look_up(api, company, method, action):
    other = ImportExportJob.objects.create(
        company=company, job_type=ImportExportJob.JobType.LOOKUP, target_model="Address", file_name="a.csv",
        job_status=ImportExportJob.Status.COMPLETED,
    )

    assert not_found(api, method, other.pk, action) == NOT_HERE


@pytest.mark.parametrize(("method", "action"), JOB_ENDPOINTS)
def test_a_malformed_id_is_the_same_404(api, method, action):
    assert not_found(api, method, "not-a-uuid", action) == NOT_HERE


def test_company_bs_list_holds_none_of_company_as_jobs(api, other_api, acme_job):
    own = start(other_api)

    assert [job["id"] for job in other_api.get(JOBS_URL).json()["results"]] == [str(own.pk)]
    assert [job["id"] for job in api.get(JOBS_URL).json()["results"]] == [str(acme_job.pk)]


@pytest.mark.parametrize(("method", "action"), [*JOB_ENDPOINTS, ("get", "list"), ("post", "upload")])
def test_every_endpoint_wants_a_token(client, acme_job, method, action):
    if action == "list":
        response = client.get(JOBS_URL)
    elif action == "upload":
        response = client.post(UPLOAD_URL, {"file": io.BytesIO(GUIDE_CSV.encode())})
    else:
        response = call(client, method, acme_job.pk, action)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_token_is_401(client, acme_job):
    response = client.get(f"{JOBS_URL}{acme_job.pk}/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 401
