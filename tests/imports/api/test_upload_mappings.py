"""An API upload names how its columns map: an explicit `mapping` (column to field, null to skip) or a saved
`template`, checked before any job exists, each refusal naming the column, field or template at fault."""

import json

import pytest

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import DataTemplate, ImportExportJob

from .conftest import CUSTOMERS_URL, IMPORTS_URL, job_of, upload

pytestmark = pytest.mark.django_db

# The office's own headers: "Mail To" and "Premises" match no field by name or synonym, "Notes" would be imported.
OFFICE_CSV = (
    "first_name,last_name,Mail To,phone,Premises,city,state,postal_code,meter_number,Notes\n"
    "John,Doe,john@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-1,call first\n"
)
OFFICE_MAPPING = {"Mail To": "email", "Premises": "service_address", "Notes": None}


def refusal(response) -> str:
    assert response.status_code == 400, response.content
    assert ImportExportJob.objects.count() == 0  # refused before any job exists
    return response.json()["detail"]


def test_an_explicit_mapping_maps_the_columns_and_null_skips_one(api):
    response = upload(api, CUSTOMERS_URL, OFFICE_CSV, mapping=json.dumps(OFFICE_MAPPING))

    assert response.status_code == 202, response.content
    job = job_of(response)
    job_run(job=job)
    job.refresh_from_db()
    customer = Customer.objects.get()
    assert (customer.email, customer.service_address, customer.notes) == ("john@example.com", "123 Main St", "")
    assert job.field_mapping["Mail To"] == "email"
    assert job.field_mapping["Notes"] is None
    assert job.field_mapping["first_name"] == "first_name"  # the columns it leaves out are matched by name


def test_a_saved_template_maps_the_columns_by_its_name(api, company):
    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Office export",
                                field_mapping=OFFICE_MAPPING)

    response = upload(api, IMPORTS_URL, OFFICE_CSV, target="Customer", template="Office export")

    assert response.status_code == 202, response.content
    job = job_of(response)
    job_run(job=job)
    job.refresh_from_db()
    assert job.options["template"] == "Office export"
    assert Customer.objects.get().email == "john@example.com"


def test_the_mapping_wins_over_the_template_for_the_columns_and_fields_it_names(api, company):
    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Office export",
                                field_mapping=OFFICE_MAPPING)

    response = upload(api, CUSTOMERS_URL, OFFICE_CSV, template="Office export",
                      mapping=json.dumps({"Notes": "notes", "Premises": None, "Mail To": "service_address"}))

    assert response.status_code == 202, response.content
    assert job_of(response).options["mapping"] == {"Notes": "notes", "Premises": None, "Mail To": "service_address"}


def test_an_unknown_field_is_400_naming_the_column_and_the_field(api):
    detail = refusal(upload(api, CUSTOMERS_URL, OFFICE_CSV, mapping=json.dumps({"Mail To": "e_mail"})))

    assert detail.startswith("mapping sends column 'Mail To' to 'e_mail': Customer has no such field. Fields are: ")
    assert "email" in detail


def test_a_column_the_file_does_not_have_is_400_naming_it_and_the_files_columns(api):
    detail = refusal(upload(api, CUSTOMERS_URL, OFFICE_CSV, mapping=json.dumps({"E-mail": "email"})))

    assert detail == (
        "mapping names column 'E-mail', which the file does not have. Its columns are: first_name, last_name, "
        "Mail To, phone, Premises, city, state, postal_code, meter_number, Notes."
    )


def test_a_column_written_differently_is_the_files_column(api):
    written_differently = {"mail_to": "email", "PREMISES": "service_address"}

    response = upload(api, CUSTOMERS_URL, OFFICE_CSV, mapping=json.dumps(written_differently))

    assert response.status_code == 202, response.content


def test_two_columns_for_one_field_is_400_naming_both(api):
    detail = refusal(upload(api, CUSTOMERS_URL, OFFICE_CSV,
                            mapping=json.dumps({"Mail To": "email", "Notes": "email"})))

    assert detail == "mapping sends columns 'Mail To' and 'Notes' to email: a field takes one column. Send null " \
                     "for the one to skip."


def test_an_unknown_template_is_400_naming_it_and_the_saved_ones(api, company, other_company):
    DataTemplate.objects.create(company=company, target_model="Customer", template_name="Office export",
                                field_mapping=OFFICE_MAPPING)
    DataTemplate.objects.create(company=other_company, target_model="Customer", template_name="Theirs",
                                field_mapping=OFFICE_MAPPING)

    detail = refusal(upload(api, CUSTOMERS_URL, OFFICE_CSV, template="Theirs"))

    assert detail == "No import template named 'Theirs' for Customer. Your Customer templates: Office export."


def test_an_unknown_template_without_any_saved_says_how_to_save_one(api):
    detail = refusal(upload(api, CUSTOMERS_URL, OFFICE_CSV, template="Office export"))

    assert detail == ("No import template named 'Office export' for Customer. You have no Customer templates: save "
                      "one in the wizard's mapping step.")


@pytest.mark.parametrize(("mapping", "sentence"), [
    ("{not json", "mapping is not valid JSON (Expecting property name enclosed in double quotes at character 2)"),
    ('["email"]', "mapping must be a JSON object of file column to field, such as"),
    ('{"Mail To": 5}', "mapping sends column 'Mail To' to 5: give a field name, or null to skip the column."),
    ('{"Mail To": {"field": "email"}}', "mapping sends column 'Mail To' to {\"field\": \"email\"}: give a field"),
])
def test_a_mapping_that_is_not_an_object_of_column_to_field_is_400(api, mapping, sentence):
    assert refusal(upload(api, CUSTOMERS_URL, OFFICE_CSV, mapping=mapping)).startswith(sentence)


def test_a_blank_mapping_and_template_are_left_out(api):
    response = upload(api, CUSTOMERS_URL, OFFICE_CSV, mapping="", template=" ")

    assert response.status_code == 202, response.content
    assert job_of(response).options["mapping"] == {}


def test_a_claims_file_without_a_header_is_not_repeated_in_the_refusal(api):
    """Its first row stands where the header should be: a patient's name must not reach the sentence."""
    no_header = "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"

    detail = refusal(upload(api, "/api/claims/import", no_header, name="claims.csv",
                            mapping=json.dumps({"Claim No": "claim_number"})))

    assert detail == "mapping names column 'Claim No', which the file does not have."
    assert "CHANTAL" not in detail
