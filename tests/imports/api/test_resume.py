"""POST .../{jobId}/resume: a cancelled or failed import continues on the same job from where it stopped."""

import pytest

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.jobs.stopping import job_cancel
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, IMPORTS_URL, job_of, upload

pytestmark = pytest.mark.django_db

IMPORTS = IMPORTS_URL.rstrip("/")


@pytest.fixture
def cancelled(api) -> ImportExportJob:
    job = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV))
    job_cancel(job, "Cancelled before it started.")
    job.refresh_from_db()
    return job


@pytest.mark.parametrize("base", [CUSTOMERS_URL, IMPORTS])
def test_a_cancelled_job_continues_and_the_answer_is_the_job(api, cancelled, base):
    response = api.post(f"{base}/{cancelled.pk}/resume")

    assert response.status_code == 202
    answer = response.json()
    assert (answer["id"], answer["status"]) == (str(cancelled.pk), "pending")
    assert answer == api.get(f"{base}/{cancelled.pk}").json()
    assert response["Location"] == answer["url"]
    job = job_run(job=ImportExportJob.objects.get(pk=cancelled.pk))
    assert job.job_status == "completed"
    assert Customer.objects.filter(company=job.company).count() == job.created_records > 0


def test_a_job_that_cannot_be_continued_is_refused_with_the_reason(api, cancelled):
    assert api.post(f"{IMPORTS}/{cancelled.pk}/resume").status_code == 202
    running = api.post(f"{IMPORTS}/{cancelled.pk}/resume")
    assert running.status_code == 409
    assert running.json() == {"detail": "The import is still pending: only a cancelled or failed import can be "
                                         "continued."}

    job_run(job=ImportExportJob.objects.get(pk=cancelled.pk))
    completed = api.post(f"{IMPORTS}/{cancelled.pk}/resume")
    assert completed.status_code == 409
    assert completed.json() == {"detail": "The import has completed: there is nothing left to continue."}


def test_a_dry_run_is_refused(api):
    job = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV, options={"validateOnly": True}))
    job_cancel(job, "Cancelled.")

    response = api.post(f"{IMPORTS}/{job.pk}/resume")

    assert response.status_code == 409
    assert response.json()["detail"].startswith("A dry run writes nothing")


def test_another_companys_job_is_not_found(other_api, cancelled):
    response = other_api.post(f"{IMPORTS}/{cancelled.pk}/resume")

    assert response.status_code == 404
    cancelled.refresh_from_db()
    assert cancelled.job_status == "cancelled"


def test_a_job_of_another_target_is_not_found_on_a_targets_route(api, cancelled):
    assert api.post(f"/api/readings/import/{cancelled.pk}/resume").status_code == 404
