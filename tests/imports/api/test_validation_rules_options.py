"""The API's validation rules: `validationRules` in `options` and a template's rules, applied to the job's rows and
shown on the job; each mistake a 400 in one sentence."""

import pytest

from imports.jobs.inprocess import job_run
from imports.models import DataTemplate

from .conftest import CUSTOMERS_URL, job_of, upload

pytestmark = pytest.mark.django_db

FILE = (
    "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number\n"
    "Ann,Lee,ann@example.com,617-555-0101,1 Beacon St,Boston,MA,02134,MTR-1\n"
    "Bob,Ray,bob@example.com,617-555-0101,2 Elm St,Springfield,IL,62701,MTR-2\n"
)
UNIQUE_PHONE = {"phone": [{"rule": "unique", "message": "One customer per phone"}]}


def test_rules_in_the_options_fail_the_rows_that_break_them_and_are_shown_on_the_job(api):
    response = upload(api, CUSTOMERS_URL, FILE, options={"validateOnly": True, "validationRules": UNIQUE_PHONE})

    assert response.status_code == 202, response.content
    assert response.json()["validation_rules"] == UNIQUE_PHONE
    job = job_run(job=job_of(response))
    assert (job.created_records, job.failed_records) == (1, 1)
    assert job.logs.filter(record_number=2, message__contains="One customer per phone (same as sheet row 2)").exists()


def test_a_templates_rules_come_with_it_and_the_options_replace_those_of_their_fields(api, company):
    DataTemplate.objects.create(company=company, template_name="Ours", target_model="Customer",
                                validation_rules={**UNIQUE_PHONE, "city": [{"rule": "allowed", "values": ["Boston"]}]})

    response = upload(api, CUSTOMERS_URL, FILE, template="Ours",
                      options={"validation_rules": {"city": [{"rule": "required"}]}})

    assert job_of(response).validation_rules == {**UNIQUE_PHONE, "city": [{"rule": "required"}]}


@pytest.mark.parametrize(("rules", "message"), [
    ({"colour": [{"rule": "required"}]}, "A validation rule names 'colour', which is no field of Customer."),
    ({"city": [{"rule": "between"}]},
     "Unknown validation rule 'between' for City: use required, pattern, allowed, min, max, unique."),
    ({"meter_number": [{"rule": "pattern", "pattern": "(x+)*"}]},
     "The pattern of Meter number repeats a repeat, which could take too long on some values: write it more "
     "simply."),
    (["unique"], 'Validation rules must be an object of field -> rules, e.g. {"phone": [{"rule": "unique"}]}.'),
])
def test_a_wrong_rule_is_a_400_in_one_sentence(api, rules, message):
    response = upload(api, CUSTOMERS_URL, FILE, options={"validationRules": rules})

    assert response.status_code == 400
    assert response.json()["detail"] == message
