"""POST /api/imports/{id}/cancel: a pending or processing import ends cancelled (200, the job); one that has ended
gets the shared 409 refusal; another company's job is a 404."""

import pytest

from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import IMPORTS_URL, job_of, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(api) -> ImportExportJob:
    """An import the workers have not taken (nothing is sent from inside a test's transaction)."""
    response = upload(api, IMPORTS_URL, GUIDE_CSV, target="Customer")
    assert response.status_code == 202, response.content
    return job_of(response)


def test_a_pending_import_is_cancelled_and_answered(api, pending):
    response = api.post(f"{IMPORTS_URL}{pending.pk}/cancel")

    pending.refresh_from_db()
    assert response.status_code == 200, response.content
    assert (response.json()["id"], response.json()["status"]) == (str(pending.pk), "cancelled")
    assert pending.job_status == ImportExportJob.Status.CANCELLED
    assert pending.logs.filter(message__startswith="Cancelled by alice (API)").exists()


def test_a_processing_import_is_cancelled(api, pending):
    ImportExportJob.objects.filter(pk=pending.pk).update(job_status=ImportExportJob.Status.RUNNING)

    response = api.post(f"{IMPORTS_URL}{pending.pk}/cancel")

    assert (response.status_code, response.json()["status"]) == (200, "cancelled")


@pytest.mark.parametrize("ended", ["completed", "failed", "cancelled"])
def test_an_ended_import_is_refused_with_409(api, pending, ended):
    ImportExportJob.objects.filter(pk=pending.pk).update(job_status=ended)

    response = api.post(f"{IMPORTS_URL}{pending.pk}/cancel")

    pending.refresh_from_db()
    assert response.status_code == 409
    assert response.json() == {"detail": f"The job has already ended ({ended}): there is nothing to cancel."}
    assert pending.job_status == ended


def test_another_companys_import_is_not_found(other_api, pending):
    response = other_api.post(f"{IMPORTS_URL}{pending.pk}/cancel")

    pending.refresh_from_db()
    assert response.status_code == 404
    assert pending.job_status == ImportExportJob.Status.PENDING


def test_the_cancel_is_documented(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()

    operation = schema["paths"]["/api/imports/{job_id}/cancel"]["post"]
    assert {"200", "401", "404", "409"} <= set(operation["responses"])  # (and 429, as every operation)
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ImportJob"
    }
