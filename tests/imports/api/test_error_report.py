"""GET .../{jobId}/errors: the error report as a CSV download once the job has ended, and a clear JSON answer when
there is none (yet)."""

import pytest

from imports.jobs.inprocess import job_run
from imports.jobs.retention import job_files_purge
from imports.jobs.status import job_transition
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, IMPORTS_URL, MIXED_CSV, csv_rows, job_of, upload

pytestmark = pytest.mark.django_db

IMPORTS = IMPORTS_URL.rstrip("/")


@pytest.fixture
def finished_with_errors(api) -> ImportExportJob:
    return job_run(job=job_of(upload(api, CUSTOMERS_URL, MIXED_CSV, name="mixed.csv")))


@pytest.mark.parametrize("base", [CUSTOMERS_URL, IMPORTS])
@pytest.mark.parametrize("accept", [None, "text/csv", "*/*", "application/json"])
def test_the_report_downloads_as_csv_whatever_the_client_accepts(api, finished_with_errors, base, accept):
    headers = {"Accept": accept} if accept else {}

    response = api.get(f"{base}/{finished_with_errors.pk}/errors", headers=headers)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="mixed_errors.csv"'
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # a byte-order mark, so Excel reads UTF-8
    rows = body.decode("utf-8-sig").splitlines()
    assert rows[0] == (
        "row_number,error_message,sheet_row,first_name,last_name,email,phone,service_address,city,state,"
        "postal_code,meter_number,account_number,status,customer_type"
    )
    assert rows[1:] == [
        "2,Invalid email format,3,Bad,Email,notanemail,555-555-5556,1 A St,Springfield,IL,62702,MTR-2,,active,"
        "residential",
        "3,Invalid state code,4,Bad,State,bad.state@example.com,555-555-5557,2 B St,Springfield,ZZ,62703,MTR-3,,"
        "active,residential",
    ]


@pytest.mark.parametrize("status", [ImportExportJob.Status.PENDING, ImportExportJob.Status.RUNNING])
def test_a_job_still_going_is_409(api, status):
    job = job_of(upload(api, CUSTOMERS_URL, MIXED_CSV))
    if status == ImportExportJob.Status.RUNNING:
        job_transition(job, status)
    word = {"pending": "pending", "running": "processing"}[status]

    response = api.get(f"{CUSTOMERS_URL}/{job.pk}/errors", headers={"Accept": "text/csv"})

    assert response.status_code == 409
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": (
        f"Job {job.pk} is {word}: its error report is written when it ends. Poll the job until its status is "
        "completed, failed or cancelled."
    )}


def test_a_job_where_no_row_failed_has_no_report_404(api):
    job = job_run(job=job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV)))

    response = api.get(f"{CUSTOMERS_URL}/{job.pk}/errors")

    assert response.status_code == 404
    assert response.json() == {"detail": f"Job {job.pk} has no error report: no row failed or carried a warning."}
    assert api.get(f"{CUSTOMERS_URL}/{job.pk}").json()["errors_url"] is None


def test_a_report_deleted_after_the_retention_period_is_410(api, finished_with_errors, settings):
    settings.IMPORT_RETENTION_DAYS = 30
    assert job_files_purge(older_than_days=-1) == 1

    response = api.get(f"{CUSTOMERS_URL}/{finished_with_errors.pk}/errors")

    assert response.status_code == 410
    assert response.json() == {"detail": (
        f"The error report of job {finished_with_errors.pk} was deleted with the job's files, 30 days after the "
        "job ended."
    )}
    assert api.get(f"{CUSTOMERS_URL}/{finished_with_errors.pk}").json()["errors_url"] is None


def test_a_dry_runs_report_lists_the_rows_that_would_fail(api):
    job = job_run(job=job_of(upload(api, CUSTOMERS_URL, MIXED_CSV, options={"validateOnly": True})))

    rows = csv_rows(api.get(f"{CUSTOMERS_URL}/{job.pk}/errors"))

    assert [row.split(",")[:2] for row in rows[1:]] == [["2", "Invalid email format"], ["3", "Invalid state code"]]
