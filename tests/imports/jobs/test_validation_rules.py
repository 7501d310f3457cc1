"""A job runs with the company's own validation rules: its template's, copied onto the job when it is asked for, so
a dry run and the import judge the same rows alike, `unique` across chunks, and the job (and a retry of its failed
rows) keeps the rules it was asked with whatever becomes of the template."""

import pytest
from django.core.files.base import ContentFile

from customers.models import Customer
from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine.options import ImportOptions
from imports.engine.validation_rules import validation_rules_parse
from imports.jobs.retrying import failed_rows_retry
from imports.jobs.services import job_create, template_rules
from imports.models import DataTemplate, ImportExportJob
from tests.customers.test_customer_import import HEADER, row

pytestmark = pytest.mark.django_db

RULES = {
    "city": [{"rule": "allowed", "values": ["Springfield"], "message": "We serve Springfield only"}],
    "phone": [{"rule": "unique", "message": "One customer per phone"}],
}
FILE = "\n".join([
    HEADER, row(1), row(2), row(3, city="Shelbyville"), row(4), row(5, phone="555-555-0002"), row(6),
    row(7, phone="555-555-0001"),
]) + "\n"


@pytest.fixture
def small_chunks(settings):
    settings.IMPORT_CHUNK_ROWS = 3  # rows 1-3, 4-6, 7: repeats across chunks
    settings.IMPORT_BATCH_SIZE = 2


@pytest.fixture
def template(company):
    return DataTemplate.objects.create(company=company, template_name="Springfield", target_model="Customer",
                                       validation_rules=RULES)


def failures(job) -> dict[int, list[str]]:
    by_row: dict[int, list[str]] = {}
    for log in job.logs.filter(record_number__isnull=False, log_level="error").order_by("record_number"):
        by_row.setdefault(log.record_number, []).append(log.message)
    return by_row


def test_a_dry_run_and_the_import_fail_the_same_rows_with_the_rules_messages(
    company, template, small_chunks, run_import, write_file
):
    path = write_file("customers.csv", FILE)

    dry = run_import(path, dry_run=True, template_name="Springfield")
    real = run_import(path, template_name="Springfield")

    assert dry.validation_rules == real.validation_rules == RULES
    assert real.chunks.count() == 3
    assert (dry.created_records, dry.failed_records) == (real.created_records, real.failed_records) == (4, 3)
    assert Customer.objects.filter(company=company).count() == 4
    messages = failures(real)
    assert sorted(messages) == [3, 5, 7]
    assert any("We serve Springfield only" in message for message in messages[3])
    assert any("One customer per phone (same as sheet row 3)" in message for message in messages[5])
    assert any("One customer per phone (same as sheet row 2)" in message for message in messages[7])
    assert failures(dry).keys() == messages.keys()


def test_the_job_keeps_its_rules_when_the_template_changes_and_a_retry_keeps_them_too(
    company, template, run_import, write_file
):
    job = run_import(write_file("customers.csv", FILE), template_name="Springfield")
    template.validation_rules = {}
    template.save()

    job.refresh_from_db()
    retry = failed_rows_retry(job, enqueue=False)

    assert job.validation_rules == RULES
    assert retry.validation_rules == RULES


def test_rules_given_with_the_options_replace_the_templates_rules_of_their_fields(company, template):
    given = validation_rules_parse(get_target("Customer"), {"city": [{"rule": "required"}]})

    job = job_create(company=company, target_name="Customer", file=ContentFile(FILE.encode(), name="c.csv"),
                     file_name="c.csv", options=ImportOptions(rules=given), template_name="Springfield")

    assert job.validation_rules == {"phone": RULES["phone"], "city": [{"rule": "required"}]}


def test_the_wizards_rules_are_those_of_the_template_still_saved(company, template):
    assert template_rules(company=company, target_name="Customer", name="Springfield").as_dict() == RULES
    template.is_active = False
    template.save()

    assert not template_rules(company=company, target_name="Customer", name="Springfield")
    assert not template_rules(company=company, target_name="Customer", name=None)


def test_a_templates_rule_the_target_no_longer_fits_refuses_the_job_in_one_sentence(company, template):
    template.validation_rules = {**RULES, "fax": [{"rule": "required"}]}
    template.save()

    with pytest.raises(ImportFileError, match=r"^A validation rule names 'fax', which is no field of Customer\.$"):
        job_create(company=company, target_name="Customer", file=ContentFile(FILE.encode(), name="c.csv"),
                   file_name="c.csv", options=ImportOptions(), template_name="Springfield")
    assert not ImportExportJob.objects.exists()


def test_a_unique_rule_names_the_earlier_row_as_the_sheet_shows_it_below_blank_rows(
    company, template, small_chunks, run_import, write_file
):
    """Blank rows push the first row down the sheet: the merge keeps its sheet row beside the rule's repeat."""
    lines = [HEADER, row(1), "", "", row(2, phone="555-555-0009"), row(3), row(4), row(5, phone="555-555-0009")]
    path = write_file("customers.csv", "\n".join(lines) + "\n")

    job = run_import(path, template_name="Springfield")

    assert failures(job) == {5: ["One customer per phone (same as sheet row 5)"]}
