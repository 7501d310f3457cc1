"""`manage.py undo_import`: the undo run in this process, what it did printed with every record it kept, and its
exit statuses (0 all taken back, 1 records kept, 2 refused)."""

import json
import uuid

import pytest

from customers.models import Customer
from imports.models import ImportExportJob
from tests.imports.jobs.test_undo import customers_file, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def imported(company, run_import, write_file, settings):
    """Twenty customers stored, then an import that updates ten of them and creates ten; returns the import and
    the customers as they were before it."""
    settings.IMPORT_BATCH_SIZE = 7
    run_import(customers_file(write_file, range(1, 21), name="first.csv"))
    before = snapshot(company)
    job = run_import(customers_file(write_file, range(11, 31), city="Shelbyville"))
    assert (job.created_records, job.updated_records) == (10, 10)
    return job, before


def edit(account_number: str, city: str) -> Customer:
    customer = Customer.objects.get(account_number=account_number)
    customer.city = city
    customer.save()
    return customer


def test_undo_import_takes_everything_back_and_exits_0(company, imported, command):
    job, before = imported

    result = command("undo_import", str(job.pk))

    assert result.status == 0, result.stderr
    assert "Undid the import of 20 changes: 10 deleted, 10 restored, 0 kept." in result.stdout
    assert snapshot(company) == before
    job.refresh_from_db()
    assert job.undone_at is not None


def test_undo_import_exits_1_and_lists_a_record_changed_since(company, imported, command):
    job, before = imported
    edit("5000000013", "Capital City")

    result = command("undo_import", str(job.pk))

    assert result.status == 1, result.stderr
    assert "10 deleted, 9 restored, 1 kept (listed below)." in result.stdout
    assert "  row 3: 5000000013 kept: changed since the import" in result.stdout
    assert "City is now 'Capital City' (the import set 'Shelbyville')" in result.stdout
    assert Customer.objects.get(account_number="5000000013").city == "Capital City"
    assert len(snapshot(company)) == len(before)


def test_undo_import_dry_run_prints_the_would_be_counts_and_changes_nothing(company, imported, command):
    job, _before = imported
    edit("5000000013", "Capital City")
    ahead = snapshot(company)

    result = command("undo_import", str(job.pk), "--dry-run")

    assert result.status == 1, result.stderr
    assert ("Dry run of the undo of 20 changes: 10 would be deleted, 9 would be restored, 1 would be kept "
            "(listed below).") in result.stdout
    assert "  row 3: 5000000013 kept" in result.stdout
    assert snapshot(company) == ahead
    job.refresh_from_db()
    assert job.undone_at is None


def test_undo_import_json_says_what_the_undo_did(company, imported, command):
    job, _before = imported
    kept = edit("5000000013", "Capital City")

    result = command("undo_import", str(job.pk), "--json")

    assert result.status == 1, result.stderr
    printed = json.loads(result.stdout)
    undo = ImportExportJob.objects.get(job_type=ImportExportJob.JobType.UNDO)
    assert printed == {
        "undo_job_id": str(undo.pk), "import_job_id": str(job.pk), "dry_run": False, "status": "completed",
        "changes": 20, "deleted": 10, "restored": 9,
        "kept": [{"row": 3, "record_id": kept.pk, "message": printed["kept"][0]["message"]}],
        "error": None,
    }
    assert printed["kept"][0]["message"].startswith("5000000013 kept: changed since the import")


def test_undo_import_force_takes_a_changed_record_back_too(company, imported, command):
    job, before = imported
    edit("5000000013", "Capital City")

    result = command("undo_import", str(job.pk), "--force")

    assert result.status == 0, result.stderr
    assert "10 deleted, 10 restored, 0 kept." in result.stdout
    assert snapshot(company) == before


@pytest.mark.parametrize("as_json", [False, True])
def test_undo_import_of_an_unknown_job_exits_2(company, command, as_json):
    missing = str(uuid.uuid4())

    result = command("undo_import", missing, *(["--json"] if as_json else []))

    assert result.status == 2
    assert result.stderr.strip() == f"No import job {missing}."
    if as_json:
        assert json.loads(result.stdout) == {"error": f"No import job {missing}."}
    assert command("undo_import", "not-a-job-id").stderr.strip() == "No import job not-a-job-id."


def test_undo_import_of_an_import_already_undone_exits_2(company, imported, command):
    job, _before = imported
    assert command("undo_import", str(job.pk)).status == 0
    after_first = snapshot(company)

    result = command("undo_import", str(job.pk))

    assert result.status == 2
    assert "This import was already undone on " in result.stderr
    assert result.stderr.strip().endswith("it cannot be undone twice.")
    assert snapshot(company) == after_first
    assert ImportExportJob.objects.filter(job_type=ImportExportJob.JobType.UNDO).count() == 1


def test_undo_import_of_a_dry_run_import_exits_2(company, imported, run_import, write_file, command):
    rehearsal = run_import(customers_file(write_file, range(40, 45), name="rehearsal.csv"), dry_run=True)

    result = command("undo_import", str(rehearsal.pk))

    assert result.status == 2
    assert result.stderr.strip() == "This was a dry run: it wrote nothing, so there is nothing to undo."
    assert not ImportExportJob.objects.filter(job_type=ImportExportJob.JobType.UNDO).exists()
