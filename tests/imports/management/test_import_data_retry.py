"""`import_data --retry-failed JOB_ID [FILE]`: the failed rows of an import retried in this process, with the usual
summary and exit status; a refusal is one line on stderr and exit status 2."""

import json

import pytest

from customers.models import Customer
from imports.models import ImportExportJob
from tests.customers.test_customer_import import HEADER, row
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def first(company, write_file, run_import) -> ImportExportJob:
    rows = [row(1), row(2, email="not-an-email"), row(3, email="also bad")]
    job = run_import(write_file("customers.csv", "\n".join([HEADER, *rows]) + "\n"), mode="create",
                     duplicates="error")
    assert (job.created_records, job.failed_records) == (1, 2)
    return job


def test_the_failed_rows_are_retried_as_they_are(command, first):
    result = command("import_data", "--retry-failed", str(first.pk))

    retry = ImportExportJob.objects.get(parent=first)
    assert result.status == 1  # the rows still fail: nothing was fixed
    assert f"Imported customers_failed_rows.csv into Customer (job {retry.pk}): 2 rows" in result.stdout
    assert (retry.job_status, retry.failed_records, retry.created_by) == ("completed", 2, None)
    assert (retry.import_mode, retry.duplicate_handling) == ("create", "error")
    assert "Error report: " in result.stdout


def test_a_corrected_file_is_imported_with_the_first_jobs_mapping(command, company, first, write_file):
    fixed = write_file("fixed.csv", f"row_number,error_message,{HEADER}\n2,x,{row(2)}\n3,y,{row(3)}\n")

    result = command("import_data", "--retry-failed", str(first.pk), str(fixed), "--company", "acme", "--json")

    output = json.loads(result.stdout)
    assert result.status == 0
    assert (output["status"], output["total"], output["created"], output["failed"]) == ("completed", 2, 2, 0)
    assert ImportExportJob.objects.get(pk=output["job_id"]).parent == first
    assert Customer.objects.filter(company=company).count() == 3


def test_refusals_exit_2_with_one_line(command, company, other_company, first, write_file, run_import):
    clean = run_import(write_file("clean.csv", f"{HEADER}\n{row(9)}\n"))
    CustomerFactory(company=other_company)

    cases = [
        (["--retry-failed", str(clean.pk)], f"Job {clean.pk} has no failed rows to retry."),
        (["--retry-failed", "not-a-job"], "No import job not-a-job."),
        (["--retry-failed", str(first.pk), "--company", "globex"], f"No import job {first.pk} of company 'globex'."),
        (["--retry-failed", str(first.pk), "/nonexistent.csv"], "File not found: /nonexistent.csv"),
        (["--retry-failed", str(first.pk), "a", "b"],
         "--retry-failed takes a job id and, optionally, the corrected file: nothing more."),
        ([], "Give --model and --file (the file to import and what it holds), --resume JOB_ID or --retry-failed "
             "JOB_ID."),
        # A retry imports as the first job did: a rehearsal or other rules asked for here would be ignored.
        (["--retry-failed", str(first.pk), "--dry-run", "--rules", "rules.json"],
         "--retry-failed imports with the first job's mapping, options and validation rules: leave out --dry-run, "
         "--rules."),
    ]
    for arguments, message in cases:
        result = command("import_data", *arguments)
        assert (result.status, result.stderr.strip()) == (2, message), arguments
    assert not ImportExportJob.objects.filter(parent__isnull=False).exists()


def test_a_corrected_file_with_no_rows_exits_2(command, first, write_file):
    result = command("import_data", "--retry-failed", str(first.pk), str(write_file("h.csv", HEADER + "\n")))

    assert (result.status, result.stderr.strip()) == (2, "The file has a header row but no data rows.")
