"""The generic /api/imports/: any target named in the upload, the company's recent jobs, and what can be imported."""

import pytest

from imports.jobs.inprocess import job_run
from imports.jobs.status import job_transition
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, IMPORTS_URL, MIXED_CSV, job_of, upload

pytestmark = pytest.mark.django_db

READINGS_CSV = "account_number,meter_number,reading_date,reading_value\n1234567890,MTR-001234,2024-01-15,12345\n"


@pytest.mark.parametrize("name", ["Customer", "customer", "CUSTOMER", " Customer "])
def test_an_upload_names_its_target_in_any_case(api, name):
    response = upload(api, IMPORTS_URL, GUIDE_CSV, target=name, options={"mode": "create"})

    body = response.json()
    assert response.status_code == 202
    assert body["target"] == "Customer"
    assert body["url"] == f"http://testserver/api/imports/{body['id']}"
    assert response["Location"] == body["url"]
    assert job_of(response).import_mode == "create"


def test_a_meter_reading_upload_through_the_generic_route(api):
    response = upload(api, IMPORTS_URL, READINGS_CSV, target="meterreading")

    assert response.status_code == 202
    assert job_of(response).target_model == "MeterReading"


def test_the_generic_route_follows_a_job_to_the_end(api):
    job = job_of(upload(api, IMPORTS_URL, MIXED_CSV, target="Customer"))
    job_run(job=job)

    body = api.get(f"/api/imports/{job.pk}").json()

    assert (body["status"], body["successful_rows"], body["failed_rows"]) == ("completed", 1, 2)
    assert body["errors_url"] == f"http://testserver/api/imports/{job.pk}/errors"
    assert api.get(body["errors_url"]).status_code == 200


def test_an_upload_without_a_target_is_400_naming_the_targets(api):
    response = upload(api, IMPORTS_URL, GUIDE_CSV)

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Name what the file holds in the form field `target`: choose one of Account, Claim, Contact, "
        "Customer, CustomerGroup, MeterReading, SalesProAppointment."
    }
    assert not ImportExportJob.objects.exists()


def test_an_unknown_target_is_400_naming_the_targets(api):
    response = upload(api, IMPORTS_URL, GUIDE_CSV, target="Invoice")

    assert response.status_code == 400
    assert response.json() == {
        "detail": "Unknown target 'Invoice': choose one of Account, Claim, Contact, Customer, CustomerGroup, "
        "MeterReading, SalesProAppointment."
    }


def test_the_generic_route_refuses_bad_files_and_options_like_the_others(api, settings):
    settings.IMPORT_MAX_FILE_MB = 1

    assert upload(api, IMPORTS_URL, b"%PDF-1.7\n", target="Customer").status_code == 415
    assert upload(api, IMPORTS_URL, b"a" * (1024 * 1024 + 1), target="Customer").status_code == 413
    assert upload(api, IMPORTS_URL, GUIDE_CSV, target="Customer", options="{").status_code == 400
    assert api.post(IMPORTS_URL, {"target": "Customer"}, format="multipart").status_code == 400
    assert not ImportExportJob.objects.exists()


def test_the_job_list_holds_every_target_newest_first_in_pages(api):
    customers = [job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV, name=f"c{n}.csv")) for n in range(3)]
    reading = job_of(upload(api, IMPORTS_URL, READINGS_CSV, target="MeterReading"))

    first = api.get(IMPORTS_URL, {"page_size": 3}).json()
    second = api.get(first["next"]).json()

    assert first["count"] == 4
    assert [job["id"] for job in first["results"]] == [str(reading.pk), str(customers[2].pk), str(customers[1].pk)]
    assert [job["id"] for job in second["results"]] == [str(customers[0].pk)]
    assert second["next"] is None
    assert first["results"][1]["url"] == f"http://testserver/api/imports/{customers[2].pk}"


def test_the_job_list_filters_by_target_and_status_in_the_apis_words(api):
    running = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV))
    job_transition(running, ImportExportJob.Status.RUNNING)
    pending = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV))
    reading = job_of(upload(api, IMPORTS_URL, READINGS_CSV, target="MeterReading"))

    def ids(**query):
        return [job["id"] for job in api.get(IMPORTS_URL, query).json()["results"]]

    assert ids(status="processing") == [str(running.pk)]
    assert ids(status="pending", target="customer") == [str(pending.pk)]
    assert ids(target="MeterReading") == [str(reading.pk)]


def test_bad_list_filters_are_400(api):
    status = api.get(IMPORTS_URL, {"status": "running"})
    target = api.get(IMPORTS_URL, {"target": "Invoice"})

    assert status.status_code == 400
    assert status.json() == {
        "detail": "Unknown status 'running': use pending, processing, completed, failed or cancelled."
    }
    assert target.status_code == 400
    assert target.json() == {
        "detail": "Unknown target 'Invoice': choose one of Account, Claim, Contact, Customer, CustomerGroup, "
        "MeterReading, SalesProAppointment."
    }


def test_targets_lists_every_importable_target_with_its_fields(api):
    response = api.get("/api/imports/targets")

    targets = {target["name"]: target for target in response.json()}
    assert response.status_code == 200
    assert sorted(targets) == [
        "Account", "Claim", "Contact", "Customer", "CustomerGroup", "MeterReading", "SalesProAppointment",
    ]
    customer = targets["Customer"]
    assert customer["records"] == "customers"
    assert customer["required_columns"]["create"] == [
        "first_name", "last_name", "email", "phone", "service_address", "city", "state", "postal_code",
        "meter_number",
    ]
    assert customer["required_columns"]["update"] == ["account_number"]
    fields = {field["name"]: field for field in customer["fields"]}
    assert fields["email"] == {
        "name": "email", "label": "Email", "required": True, "format": "Valid email address", "choices": None,
        "synonyms": ["e-mail", "email address", "e-mail address", "mail"], "example": "john.doe@example.com",
        "help_text": "",
    }
    assert fields["status"]["choices"] == ["active", "inactive", "suspended"]
    assert fields["connection_date"]["format"] == "YYYY-MM-DD"
    assert targets["MeterReading"]["required_columns"]["update"] == ["meter_number", "reading_date"]
