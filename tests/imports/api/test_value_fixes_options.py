"""The API's value fixes: dateFormats, valueMaps and padZipCodes in `options`, each mistake a 400."""

import datetime as dt

import pytest

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob

from .conftest import CUSTOMERS_URL, job_of, upload

pytestmark = pytest.mark.django_db

US_FILE = (
    "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,status,connection_date\n"
    "Ann,Lee,ann@example.com,(617) 555-0101 ext 2,1 Beacon St,Boston,MA,2134,MTR-1,Closed,03/15/2024\n"
    "Bob,Ray,bob@example.com,617-555-0102,2 Elm St,Springfield,IL,62701,MTR-2,Active,4/5/2024\n"
)


def test_fixes_in_the_options_import_the_us_file(api):
    options = {"dateFormats": {"connection_date": "mdy"}, "valueMaps": {"status": {"Closed": "inactive"}}}

    job = job_run(job=job_of(upload(api, CUSTOMERS_URL, US_FILE, options=options)))

    assert (job.created_records, job.failed_records) == (2, 0)
    ann = Customer.objects.get(meter_number="MTR-1")
    assert (ann.phone, ann.postal_code, ann.status, ann.connection_date) == (
        "+16175550101 x2", "02134", "inactive", dt.date(2024, 3, 15)
    )


def test_the_snake_case_spellings_are_read_too(api):
    options = {"date_formats": {"connection_date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}},
               "pad_zip_codes": False}

    job = job_of(upload(api, CUSTOMERS_URL, US_FILE, options=options))

    assert job.options["value_fixes"] == {
        "date_formats": {"connection_date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}},
        "pad_zip_codes": False,
    }


@pytest.mark.parametrize(("options", "message"), [
    ({"dateFormats": {"connection_date": "american"}},
     "Unknown date format 'american' for connection_date: use iso (YYYY-MM-DD), mdy (MM/DD/YYYY), mdy2 (M/D/YY), "
     "dmy (DD/MM/YYYY), excel (Excel serial number)."),
    ({"date_formats": "mdy"},
     'dateFormats must be an object of date field or column to format: {"dateFormats": {"connection_date": "mdy"}, '
     '"valueMaps": {"status": {"Closed": "inactive"}}}.'),
    ({"valueMaps": {"status": {"Closed": "shut"}}},
     "The value map of status sends 'Closed' to 'shut': use one of active, inactive, suspended."),
    ({"valueMaps": {"nope": {"a": "b"}}}, "A value map names 'nope', which is no field of Customer."),
    ({"padZipCodes": "yes"}, 'padZipCodes must be true or false, not "yes".'),
])
def test_a_wrong_fix_is_a_400_that_says_what_is_allowed(api, options, message):
    response = upload(api, CUSTOMERS_URL, US_FILE, options=options)

    assert response.status_code == 400, response.content
    assert response.json()["detail"] == message
    assert not ImportExportJob.objects.exists()


def test_a_template_named_on_the_upload_brings_its_value_fixes_the_options_winning(api, company):
    from imports.models import DataTemplate

    DataTemplate.objects.create(
        company=company, target_model="Customer", template_name="US billing", field_mapping={},
        value_fixes={"date_formats": {"connection_date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}}},
    )

    job = job_run(job=job_of(upload(api, CUSTOMERS_URL, US_FILE, template="US billing")))
    overridden = job_of(upload(api, CUSTOMERS_URL, US_FILE, template="US billing", name="again.csv",
                               options={"dateFormats": {"connection_date": "dmy"}}))

    assert (job.created_records, job.failed_records) == (2, 0)
    assert Customer.objects.get(meter_number="MTR-1").status == "inactive"
    assert overridden.options["value_fixes"]["date_formats"] == {"connection_date": "dmy"}
    assert overridden.options["value_fixes"]["value_maps"] == {"status": {"Closed": "inactive"}}
