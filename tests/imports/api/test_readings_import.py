"""The meter reading routes: the same three endpoints as customers, bound to the MeterReading target."""

import pytest

from imports.jobs.inprocess import job_run
from readings.models import MeterReading
from tests.conftest import GUIDE_CSV
from tests.factories import CustomerFactory

from .conftest import CUSTOMERS_URL, READINGS_URL, csv_rows, job_of, upload

pytestmark = pytest.mark.django_db

READINGS_CSV = (
    "account_number,meter_number,reading_date,reading_value,reading_type,notes\n"
    "1234567890,MTR-001234,2024-01-15,12345,manual,Clear access\n"
    "9999999999,MTR-009999,2024-01-15,23456,manual,Nobody's meter\n"
)


@pytest.fixture
def customer(company):
    return CustomerFactory(company=company, account_number="1234567890", meter_number="MTR-001234")


def test_readings_upload_poll_and_errors(api, company, customer):
    response = upload(api, READINGS_URL, READINGS_CSV, name="readings.csv", options={"mode": "create"})

    body = response.json()
    assert response.status_code == 202
    assert (body["target"], body["status"]) == ("MeterReading", "pending")
    assert body["url"] == f"http://testserver{READINGS_URL}/{body['id']}"
    assert response["Location"] == body["url"]
    job_run(job=job_of(response))

    status = api.get(f"{READINGS_URL}/{body['id']}").json()

    assert (status["status"], status["total_rows"], status["successful_rows"], status["failed_rows"]) == (
        "completed", 2, 1, 1
    )
    assert list(MeterReading.objects.filter(company=company).values_list("meter_number", flat=True)) == [
        "MTR-001234"
    ]
    rows = csv_rows(api.get(status["errors_url"]))
    assert rows[0] == (
        "row_number,error_message,sheet_row,account_number,meter_number,reading_date,reading_value,reading_type,notes"
    )
    assert rows[1].startswith("2,Unknown account number '9999999999': no customer of yours has it,3,9999999999,")
    assert len(rows) == 2


def test_a_reading_job_under_the_customers_route_is_404(api, customer):
    job = job_of(upload(api, READINGS_URL, READINGS_CSV))

    for url in (f"{CUSTOMERS_URL}/{job.pk}", f"{CUSTOMERS_URL}/{job.pk}/errors"):
        response = api.get(url)

        assert response.status_code == 404
        assert response.json() == {"detail": f"No Customer import job {job.pk} in your company."}


def test_each_route_lists_only_its_targets_jobs(api, customer):
    reading = job_of(upload(api, READINGS_URL, READINGS_CSV))
    customers = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV))

    assert [job["id"] for job in api.get(READINGS_URL).json()["results"]] == [str(reading.pk)]
    assert [job["id"] for job in api.get(CUSTOMERS_URL).json()["results"]] == [str(customers.pk)]


def test_readings_refuse_bad_uploads_like_customers(api):
    assert upload(api, READINGS_URL, b"%PDF-1.7\n").status_code == 415
    assert upload(api, READINGS_URL, READINGS_CSV, options={"mode": "merge"}).status_code == 400


def test_rows_imported_with_a_warning_make_an_error_report_without_failed_rows(api, customer):
    dropping = (
        "account_number,meter_number,reading_date,reading_value\n"
        "1234567890,MTR-001234,2024-01-15,12345\n"
        "1234567890,MTR-001234,2024-02-15,12000\n"
    )
    job = job_run(job=job_of(upload(api, READINGS_URL, dropping)))

    status = api.get(f"{READINGS_URL}/{job.pk}").json()
    rows = csv_rows(api.get(f"{READINGS_URL}/{job.pk}/errors"))

    assert (status["successful_rows"], status["failed_rows"]) == (2, 0)
    assert status["errors_url"] == f"http://testserver{READINGS_URL}/{job.pk}/errors"
    assert len(rows) == 2
    assert rows[1].startswith('2,"Warning: reading_value 12000 is lower than the meter\'s previous reading 12345')
