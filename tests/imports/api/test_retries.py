"""POST /api/imports/{id}/retry: the failed rows retried as they are (no body) or from the corrected error report
(a multipart `file`), a 202 with the new job linked by `retry_of`; 409 when it cannot be, 404 for another company."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, IMPORTS_URL, MIXED_CSV, csv_rows, job_of, upload

pytestmark = pytest.mark.django_db


def retry_url(job) -> str:
    return f"{IMPORTS_URL}{job.pk}/retry"


@pytest.fixture
def first(api) -> ImportExportJob:
    """An import of the guide's header with one good row and two that fail (a bad email, a bad state)."""
    job = job_run(job=job_of(upload(api, CUSTOMERS_URL, MIXED_CSV, name="mixed.csv", options={"mode": "create"})))
    assert (job.created_records, job.failed_records) == (1, 2)
    return job


def test_no_body_retries_the_failed_rows_as_they_are(api, first):
    response = api.post(retry_url(first))

    assert response.status_code == 202
    answer = response.json()
    retry = ImportExportJob.objects.get(pk=answer["id"])
    assert retry.parent == first
    assert answer["retry_of"] == str(first.pk)
    assert answer["status"] == "pending"
    assert answer["options"] == {"mode": "create", "duplicateStrategy": "skip", "validateOnly": False}
    assert response["Location"] == answer["url"]
    assert answer["url"].endswith(f"/api/imports/{retry.pk}")
    retry = job_run(job=retry)
    assert (retry.total_records, retry.failed_records) == (2, 2)  # nothing was fixed
    assert api.get(f"{IMPORTS_URL}{retry.pk}").json()["retry_of"] == str(first.pk)
    assert api.get(f"{IMPORTS_URL}{first.pk}").json()["retry_of"] is None


def test_the_corrected_error_report_imports_its_fixed_rows(api, company, first):
    report = csv_rows(api.get(f"{IMPORTS_URL}{first.pk}/errors"))
    fixed = "\n".join(
        line.replace("notanemail", "fixed@example.com").replace(",ZZ,", ",IL,") for line in report
    ) + "\n"

    response = api.post(retry_url(first), {"file": SimpleUploadedFile("mixed_errors.csv", fixed.encode())},
                        format="multipart")

    assert response.status_code == 202
    retry = job_run(job=job_of(response))
    assert (retry.parent, retry.file_name) == (first, "mixed_errors.csv")
    assert (retry.created_records, retry.failed_records) == (2, 0)
    assert Customer.objects.filter(company=company, email="fixed@example.com").exists()


def test_a_job_without_failed_rows_is_409(api):
    clean = job_run(job=job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV)))

    response = api.post(retry_url(clean))

    assert response.status_code == 409
    assert response.json() == {"detail": f"Job {clean.pk} has no failed rows to retry."}


def test_a_dry_run_and_a_pending_job_are_409(api):
    dry = job_run(job=job_of(upload(api, CUSTOMERS_URL, MIXED_CSV, options={"validateOnly": True})))
    pending = job_of(upload(api, CUSTOMERS_URL, MIXED_CSV))

    assert api.post(retry_url(dry)).json()["detail"].endswith(
        "was a dry run: it wrote nothing, so there is nothing to retry. Import the file itself once its rows are "
        "fixed."
    )
    response = api.post(retry_url(pending))
    assert response.status_code == 409
    assert response.json() == {"detail": f"Job {pending.pk} is pending: retry its failed rows once it has ended."}


def test_a_second_retry_while_the_first_runs_is_409_naming_it(api, first):
    retry = api.post(retry_url(first)).json()

    response = api.post(retry_url(first))

    assert response.status_code == 409
    assert response.json() == {"detail": f"The failed rows of job {first.pk} are already being retried as job "
                                         f"{retry['id']}: retry again once it has ended, if rows still fail."}
    assert ImportExportJob.objects.filter(parent=first).count() == 1


def test_another_companys_job_is_404(other_api, first):
    response = other_api.post(retry_url(first))

    assert response.status_code == 404
    assert response.json() == {"detail": f"No import job {first.pk} in your company."}
    assert not ImportExportJob.objects.filter(parent=first).exists()


def test_a_bad_corrected_file_is_refused_like_any_upload(api, first, settings):
    empty = api.post(retry_url(first), {"file": SimpleUploadedFile("e.csv", b"")}, format="multipart")
    no_rows = api.post(retry_url(first), {"file": SimpleUploadedFile("h.csv", b"first_name,email\n")},
                       format="multipart")
    binary = api.post(retry_url(first), {"file": SimpleUploadedFile("x.csv", b"%PDF-1.4\n\x00\x01\x02")},
                      format="multipart")
    settings.IMPORT_MAX_FILE_MB = 0
    large = api.post(retry_url(first), {"file": SimpleUploadedFile("l.csv", MIXED_CSV.encode())}, format="multipart")

    assert (empty.status_code, empty.json()) == (400, {"detail": "The file is empty."})
    assert (no_rows.status_code, no_rows.json()) == (400, {"detail": "The file has a header row but no data rows."})
    assert binary.status_code == 415
    assert large.status_code == 413
    assert not ImportExportJob.objects.filter(parent=first).exists()


def test_the_schema_describes_the_retry(api):
    from django.test import Client

    schema = Client().get("/api/schema/", headers={"Accept": "application/json"}).json()
    post = schema["paths"]["/api/imports/{job_id}/retry"]["post"]

    assert set(post["responses"]) >= {"202", "400", "401", "404", "409", "413", "415"}
    assert post["requestBody"]["content"]["multipart/form-data"]["schema"] == {
        "$ref": "#/components/schemas/RetryUploadRequest"
    }
    assert "retry_of" in schema["components"]["schemas"]["ImportJob"]["properties"]
