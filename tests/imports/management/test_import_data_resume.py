"""`manage.py import_data --resume JOB_ID`: a cancelled or failed import continues in the command's process."""

import json

import pytest

from customers.models import Customer
from imports.jobs.stopping import job_cancel
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

pytestmark = pytest.mark.django_db


@pytest.fixture
def cancelled(company, command, write_file, settings, monkeypatch) -> ImportExportJob:
    """An import cancelled after its first batch of two rows: one batch of the guide's file written."""
    from imports.jobs import import_kind

    real = import_kind.batch_write
    calls = []

    def cancel_after_the_first_batch(**kwargs):
        if calls:
            job_cancel(kwargs["job"], "Cancelled by the operator.")
        calls.append(1)
        return real(**kwargs)

    monkeypatch.setattr(import_kind, "batch_write", cancel_after_the_first_batch)
    path = write_file("guide.csv", GUIDE_CSV.rstrip("\n") + "\n" + GUIDE_CSV.splitlines()[1].replace(
        "MTR-001234", "MTR-9").replace("john.doe", "third") + "\n")
    command("import_data", "--model", "Customer", "--file", str(path), "--batch-size", "1")
    monkeypatch.setattr(import_kind, "batch_write", real)
    job = ImportExportJob.objects.get()
    assert (job.job_status, job.processed_records) == ("cancelled", 1)
    return job


def test_a_cancelled_import_continues_and_prints_its_summary(company, command, cancelled):
    result = command("import_data", "--resume", str(cancelled.pk))

    assert result.status == 0, result.stderr
    cancelled.refresh_from_db()
    assert (cancelled.job_status, cancelled.processed_records, cancelled.created_records) == ("completed", 3, 3)
    assert Customer.objects.filter(company=company).count() == 3
    assert "guide.csv into Customer" in result.stdout
    assert "created 3, updated 0, unchanged 0, skipped 0, failed 0" in result.stdout


def test_with_json_the_continued_job_is_one_object(command, cancelled):
    result = command("import_data", "--resume", str(cancelled.pk), "--json", "--company", "acme")

    output = json.loads(result.stdout)
    assert (result.status, output["job_id"], output["status"], output["created"]) == (
        0, str(cancelled.pk), "completed", 3
    )


def test_a_completed_job_is_refused_with_exit_status_2(command, cancelled):
    command("import_data", "--resume", str(cancelled.pk))

    result = command("import_data", "--resume", str(cancelled.pk))

    assert result.status == 2
    assert result.stderr.strip() == "The import has completed: there is nothing left to continue."


@pytest.mark.parametrize(("extra", "named"), [
    (("--file", "other.csv"), "--file"),
    (("--mapping", "m.json", "--mode", "create"), "--mapping, --mode"),
    (("--model", "Customer", "--dry-run"), "--model, --dry-run"),
])
def test_options_of_a_new_import_are_refused_beside_resume(command, cancelled, extra, named):
    result = command("import_data", "--resume", str(cancelled.pk), *extra)

    assert result.status == 2
    assert result.stderr.strip() == (
        f"--resume continues a job with its own file, mapping and options: leave out {named}."
    )
    cancelled.refresh_from_db()
    assert cancelled.job_status == "cancelled"


def test_an_unknown_job_or_another_companys_is_refused(command, cancelled, other_company):
    unknown = command("import_data", "--resume", "0b9f6d4e-3c1a-4f0e-9a57-2f1d5a6b7c8d")
    elsewhere = command("import_data", "--resume", str(cancelled.pk), "--company", "globex")

    assert (unknown.status, unknown.stderr.strip()) == (2, "No import job 0b9f6d4e-3c1a-4f0e-9a57-2f1d5a6b7c8d.")
    assert (elsewhere.status, elsewhere.stderr.strip()) == (
        2, f"No import job {cancelled.pk} of company 'globex'."
    )


def test_without_resume_the_file_and_model_are_still_needed(command, company):
    result = command("import_data", "--model", "Customer")

    assert (result.status, result.stderr.strip()) == (
        2, "Give --file (the file to import and what it holds), --resume JOB_ID or --retry-failed JOB_ID."
    )
