"""import_data's validation rules: a template's come with --template, --rules FILE.json adds the command's own
(replacing a template's rules of the same field), and a bad rules file stops the command in one sentence."""

import json

import pytest

from imports.models import DataTemplate, ImportExportJob

pytestmark = pytest.mark.django_db

FILE = (
    "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number\n"
    "Ann,Lee,ann@example.com,617-555-0101,1 Beacon St,Boston,MA,02134,MTR-1\n"
    "Bob,Ray,bob@example.com,617-555-0102,2 Elm St,Springfield,IL,62701,MTR-2\n"
)


def imported(command, write_file, *flags):
    return command("import_data", "--model", "Customer", "--file", str(write_file("c.csv", FILE)), *flags)


def test_a_templates_rules_fail_the_rows_that_break_them(company, command, write_file):
    DataTemplate.objects.create(company=company, template_name="Boston", target_model="Customer",
                                validation_rules={"city": [{"rule": "allowed", "values": ["Boston"],
                                                            "message": "Boston customers only"}]})

    result = imported(command, write_file, "--template", "Boston")

    job = ImportExportJob.objects.get()
    assert (job.created_records, job.failed_records) == (1, 1), result.stderr
    assert job.logs.filter(record_number=2, message__contains="Boston customers only").exists()


def test_a_rules_file_replaces_the_templates_rules_of_its_fields(company, command, write_file):
    DataTemplate.objects.create(company=company, template_name="Boston", target_model="Customer",
                                validation_rules={"city": [{"rule": "allowed", "values": ["Boston"]}]})
    rules = write_file("rules.json", json.dumps({"city": [{"rule": "pattern", "pattern": "[A-Z][a-z]+"}]}))

    result = imported(command, write_file, "--template", "Boston", "--rules", str(rules))

    assert result.status == 0, result.stderr
    assert ImportExportJob.objects.get().validation_rules == {"city": [{"rule": "pattern", "pattern": "[A-Z][a-z]+"}]}


def test_a_bad_rules_file_stops_the_command_with_one_sentence(company, command, write_file):
    rules = write_file("rules.json", json.dumps({"city": [{"rule": "min", "value": "3"}]}))

    result = imported(command, write_file, "--rules", str(rules))

    assert result.status != 0
    assert f"{rules}: City is text: a min rule applies to numbers and dates." in result.stderr
    assert not ImportExportJob.objects.exists()
