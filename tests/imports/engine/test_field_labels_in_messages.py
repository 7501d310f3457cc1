"""Messages people read name each field by its label, as the cards show it ("Postal code"), never by its name in
the code (postal_code); the error's `field`, which programs read, keeps the name."""

import re

import pytest

from imports.declare.fields import PostalCodeField, label_in_sentence
from imports.declare.targets import get_target
from imports.engine.value_fixes import value_fixes_parse
from imports.models import ImportExportLog

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number"
MESSY = "\n".join([
    HEADER,
    "Ann,Lee,ann@example.com,617-555-0101,1 Beacon St,Boston,MA,2134,MTR-1",  # a ZIP code Excel shortened
    "Bob,Ray,bob@example.com,617-555-0102,2 Elm St,Springfield,IL,6270,MTR-2",  # a ZIP code of 4 digits
    "Cy,Dow,cy@example.com,,3 Oak St,Springfield,IL,62703,MTR-3",  # no phone
    "Di,Ash,not-an-email,617-555-0104,4 Ash St,Springfield,IL,62704," + "M" * 60,  # bad email, meter too long
]) + "\n"
SNAKE_CASE = re.compile(r"\b[a-z]+_[a-z_]+\b")


def logged(job) -> dict[int, str]:
    logs = job.logs.filter(record_number__isnull=False).exclude(log_level=ImportExportLog.Level.INFO)
    return dict(logs.values_list("record_number", "message"))


def test_row_messages_name_fields_by_their_labels(company, write_file, run_import):
    fixes = value_fixes_parse(get_target("Customer"), pad_zip_codes=True)

    job = run_import(write_file("messy.csv", MESSY), fixes=fixes, dry_run=True)

    messages = logged(job)
    assert messages[1] == "Postal code 2134 read as 02134"
    assert messages[2].startswith("Invalid postal code '6270': use 5 digits")
    assert messages[3] == "Missing required field: Phone"
    assert messages[4] == "Invalid email format; Meter number is too long: 60 characters, at most 50"
    assert not [message for message in messages.values() if SNAKE_CASE.search(message)]


def test_the_error_keeps_the_fields_name_for_programs(company, write_file, run_import):
    job = run_import(write_file("messy.csv", MESSY), dry_run=True)

    details = job.logs.get(record_number=2).details

    assert details[0]["field"] == "postal_code"


@pytest.mark.parametrize(("label", "in_sentence"), [
    ("Postal code", "postal code"), ("Email", "email"), ("ZIP code", "ZIP code"),
    ("Standardized ZIP", "standardized ZIP"),
])
def test_a_label_inside_a_sentence_keeps_its_abbreviations(label, in_sentence):
    assert label_in_sentence(label) == in_sentence
    assert PostalCodeField("billing_zip", label=label).phrase == in_sentence
