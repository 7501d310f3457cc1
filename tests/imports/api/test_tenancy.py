"""A token sees only its company's jobs, and a bound route only its target's: anything else is a 404 that looks
exactly like a job that does not exist."""

import uuid

import pytest

from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.conftest import GUIDE_HEADER

from .conftest import CUSTOMERS_URL, IMPORTS_URL, MIXED_CSV, READINGS_URL, job_of, upload

pytestmark = pytest.mark.django_db

IMPORTS = IMPORTS_URL.rstrip("/")


@pytest.fixture
def acme_job(api) -> ImportExportJob:
    """A finished customer import of company A (Acme) with an error report."""
    job = job_of(upload(api, CUSTOMERS_URL, MIXED_CSV))
    return job_run(job=job)


@pytest.mark.parametrize("base", [CUSTOMERS_URL, IMPORTS])
def test_company_bs_token_gets_404_for_company_as_job(other_api, acme_job, base):
    status = other_api.get(f"{base}/{acme_job.pk}")
    errors = other_api.get(f"{base}/{acme_job.pk}/errors")

    for response in (status, errors):
        assert response.status_code == 404
        assert str(acme_job.pk) in response.json()["detail"]
        assert "Acme" not in response.content.decode()
    assert status.json() == errors.json()


def test_company_bs_answer_is_the_same_as_for_a_job_that_never_was(other_api, acme_job):
    foreign = other_api.get(f"{IMPORTS}/{acme_job.pk}").json()["detail"]
    unknown_id = uuid.uuid4()
    unknown = other_api.get(f"{IMPORTS}/{unknown_id}").json()["detail"]

    assert foreign.replace(str(acme_job.pk), "<id>") == unknown.replace(str(unknown_id), "<id>")


def test_the_owner_sees_the_job_company_b_cannot(api, acme_job):
    assert api.get(f"{IMPORTS}/{acme_job.pk}").status_code == 200
    assert api.get(f"{CUSTOMERS_URL}/{acme_job.pk}/errors").status_code == 200


def test_company_bs_job_list_holds_none_of_company_as_jobs(api, other_api, acme_job):
    own = job_of(upload(other_api, CUSTOMERS_URL, GUIDE_HEADER + "\n"))

    for url in (IMPORTS_URL, CUSTOMERS_URL):
        assert [job["id"] for job in other_api.get(url).json()["results"]] == [str(own.pk)]
    assert [job["id"] for job in api.get(IMPORTS_URL).json()["results"]] == [str(acme_job.pk)]


def test_a_customer_job_under_the_readings_route_is_404(api, acme_job):
    for url in (f"{READINGS_URL}/{acme_job.pk}", f"{READINGS_URL}/{acme_job.pk}/errors"):
        response = api.get(url)

        assert response.status_code == 404
        assert response.json() == {"detail": f"No MeterReading import job {acme_job.pk} in your company."}
    assert api.get(READINGS_URL).json()["results"] == []


@pytest.mark.parametrize("job_id", ["job-123", "123", str(uuid.uuid4())], ids=["word", "number", "unknown-uuid"])
def test_an_unknown_job_id_is_404_in_json(api, job_id):
    for url in (f"{CUSTOMERS_URL}/{job_id}", f"{CUSTOMERS_URL}/{job_id}/errors", f"{IMPORTS}/{job_id}"):
        response = api.get(url)

        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert job_id in response.json()["detail"]


def test_an_export_job_is_no_import_job(api, company):
    export = ImportExportJob.objects.create(
        company=company, job_type=ImportExportJob.JobType.EXPORT, target_model="Customer", file_format="csv",
    )

    assert api.get(f"{IMPORTS}/{export.pk}").status_code == 404
    assert api.get(IMPORTS_URL).json()["count"] == 0
