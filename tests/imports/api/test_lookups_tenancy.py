"""A token sees only its company's look-up jobs of the route's service: another company's job, an import job, and an
unknown or malformed id are the same 404 on every job endpoint, and nothing happens to the job. Every endpoint
wants a token."""

import io
import uuid

import pytest

from imports.jobs.inprocess import job_run
from imports.models import AuditEvent, ImportExportJob

from .conftest import CODES_URL, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_lookup")]

JOB_ENDPOINTS = [("get", ""), ("get", "progress/"), ("get", "results/"), ("post", "retry/"), ("post", "cancel/")]


@pytest.fixture
def acme_job(api) -> ImportExportJob:
    """A completed look-up of company A (Acme), with a failure worth retrying."""
    response = upload(api, f"{CODES_URL}/bulk/upload/", "code,first_name\nC1,ADA\nR2,BOB\n")
    return job_run(job=ImportExportJob.objects.get(pk=response.json()["id"]))


def call(client, method: str, job_id, action: str):
    return getattr(client, method)(f"{CODES_URL}/csv-jobs/{job_id}/{action}")


def answer_for(client, method: str, job_id, action: str) -> str:
    response = call(client, method, job_id, action)
    assert response.status_code == 404, response.content
    return response.json()["detail"].replace(str(job_id), "<id>")


@pytest.mark.parametrize(("method", "action"), JOB_ENDPOINTS)
def test_company_bs_token_gets_the_404_of_a_job_that_never_was(other_api, acme_job, method, action):
    foreign = answer_for(other_api, method, acme_job.pk, action)
    unknown = answer_for(other_api, method, uuid.uuid4(), action)

    assert foreign == unknown == "No code look-up job <id> in your company."
    acme_job.refresh_from_db()
    assert acme_job.job_status == "completed"
    assert not AuditEvent.objects.exclude(action="upload").exists()


@pytest.mark.parametrize(("method", "action"), JOB_ENDPOINTS)
def test_an_import_job_is_no_look_up_job(api, run_import, write_file, method, action):
    imported = run_import(write_file("customers.csv", "first_name\n"))

    assert answer_for(api, method, imported.pk, action) == "No code look-up job <id> in your company."


@pytest.mark.parametrize(("method", "action"), JOB_ENDPOINTS)
def test_a_malformed_id_is_the_same_404(api, method, action):
    assert answer_for(api, method, "not-a-uuid", action) == "No code look-up job <id> in your company."


def test_company_bs_list_holds_none_of_company_as_jobs(other_api, acme_job):
    assert other_api.get(f"{CODES_URL}/csv-jobs/").json()["count"] == 0


@pytest.mark.parametrize(("method", "action"), [*JOB_ENDPOINTS, ("get", "list"), ("post", "upload")])
def test_every_endpoint_wants_a_token(client, acme_job, method, action):
    if action == "list":
        response = client.get(f"{CODES_URL}/csv-jobs/")
    elif action == "upload":
        response = client.post(f"{CODES_URL}/bulk/upload/", {"file": io.BytesIO(b"code,first_name\nC1,A\n")})
    else:
        response = call(client, method, acme_job.pk, action)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"


def test_a_wrong_token_is_401(client, acme_job):
    response = client.get(f"{CODES_URL}/csv-jobs/{acme_job.pk}/", HTTP_AUTHORIZATION="Bearer not-a-token")

    assert response.status_code == 401
