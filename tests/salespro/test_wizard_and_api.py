"""SalesPro appointments in the browser wizard and the generic API, with nothing of their own there."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.declare.targets import get_target
from imports.jobs.inprocess import job_run
from imports.models import ImportUpload
from imports.web.blank_templates import template_csv
from salespro.models import SalesProAppointment
from tests.imports.api.conftest import IMPORTS_URL, job_of, token_client, upload

from .conftest import EXPORT_COLUMNS, appointment, export_text

pytestmark = pytest.mark.django_db

FIELDS = [
    "salespro_id", "salespro_created_at", "salespro_updated_at", "is_sale", "result_full_string",
    "customer_last_name", "customer_first_name", "customer_estimate_name", "salesrep_email", "salesrep_first_name",
    "salesrep_last_name", "sale_amount",
]


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def api(user):
    """An API client with the token of `user`, of company `company`."""
    return token_client(user)


def test_the_wizard_offers_salespro_appointments_with_a_blank_template(signed_in):
    page = signed_in.get(reverse("imports:wizard")).content.decode()
    assert reverse("imports:blank_template", args=["SalesProAppointment", "csv"]) in page

    template = signed_in.get(reverse("imports:blank_template", args=["SalesProAppointment", "csv"]))

    assert template.status_code == 200
    rows = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert rows == [FIELDS]
    workbook = signed_in.get(reverse("imports:blank_template", args=["SalesProAppointment", "xlsx"]))
    assert workbook.status_code == 200


def test_the_guides_example_rows_import_as_they_are(company, write_file, run_import):
    examples = template_csv(get_target("SalesProAppointment"), examples=True)

    job = run_import(write_file("examples.csv", examples), target="SalesProAppointment")

    assert (job.created_records, job.failed_records) == (2, 0)


def test_the_wizard_maps_the_exports_dotted_columns_by_itself(signed_in):
    content = export_text([appointment("A1")]).encode()

    response = signed_in.post(reverse("imports:wizard_upload", args=["SalesProAppointment"]),
                              {"file": SimpleUploadedFile("SalesPro2025-06-18.csv", content)})

    assert response.status_code == 302, response.content
    assert ImportUpload.objects.get().mapping == dict(zip(EXPORT_COLUMNS, FIELDS, strict=True))


def test_an_api_upload_names_the_salespro_target_and_imports(api, company):
    content = export_text([appointment("A1"), appointment("A2", saleAmount="oops")])

    response = upload(api, IMPORTS_URL, content, name="SalesPro2025-06-18.csv", target="salesproappointment")

    assert response.status_code == 202, response.content
    assert response.json()["target"] == "SalesProAppointment"
    job_run(job=job_of(response))
    body = api.get(response.json()["url"]).json()
    assert (body["status"], body["successful_rows"], body["failed_rows"]) == ("completed", 1, 1)
    assert list(SalesProAppointment.objects.filter(company=company).values_list("salespro_id", flat=True)) == ["A1"]


def test_the_api_lists_the_target_with_its_columns(api):
    targets = {target["name"]: target for target in api.get("/api/imports/targets").json()}

    salespro = targets["SalesProAppointment"]
    assert salespro["required_columns"]["create"] == ["salespro_id"]
    fields = {field["name"]: field for field in salespro["fields"]}
    assert fields["salespro_id"]["synonyms"] == ["_id"]
    assert fields["customer_last_name"]["synonyms"] == ["customer.nameLast"]
    assert fields["sale_amount"]["format"] == "Amount, e.g. 1234.50 or $1,234.50"
