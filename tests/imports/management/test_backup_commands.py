"""`manage.py backup_company` and `restore_company`: the same jobs as the page and the API, run in this process,
with what came of each file printed, and the exit statuses of the other commands."""

import json
import zipfile

import pytest

from imports.models import AuditEvent, ImportExportJob
from tests.backup_company import company_fill, company_records
from tests.hostile.archives import manifest

pytestmark = pytest.mark.django_db


@pytest.fixture
def archive(company, other_company, command, tmp_path):
    company_fill(company)
    output = tmp_path / "acme.zip"
    result = command("backup_company", "--company", "acme", "--output", str(output))
    assert result.status == 0, result.stderr
    return output


def test_backup_company_writes_the_archive_and_says_what_it_holds(company, archive, command):
    job = ImportExportJob.objects.get(job_type="backup")

    with zipfile.ZipFile(archive) as written:
        names = set(written.namelist())
    assert names == {"manifest.json", "claims.csv", "customers.csv", "customer-groups.csv", "accounts.csv",
                     "contacts.csv", "meter-readings.csv", "salespro-appointments.csv"}
    event = AuditEvent.objects.get()
    assert (event.action, event.via, event.job) == ("download", "cli", job)


def test_backup_company_prints_each_file_and_its_rows(company, other_company, command, tmp_path):
    company_fill(company)
    output = tmp_path / "acme.zip"

    result = command("backup_company", "--company", "acme", "--output", str(output))

    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"Backed up 25 records of Acme Water to {output} (job ")
    assert "  customers.csv: 3 rows" in lines
    assert "  contacts.csv: 5 rows" in lines


def test_backup_company_into_a_missing_folder_writes_nothing(company, command, tmp_path):
    result = command("backup_company", "--company", "acme", "--output", str(tmp_path / "nowhere" / "acme.zip"))

    assert result.status == 2
    assert result.stderr.strip() == f"Folder not found: {tmp_path / 'nowhere'}"
    assert not ImportExportJob.objects.exists()


def test_a_dry_run_prints_what_the_restore_would_do_as_json_and_writes_nothing(archive, other_company, command):
    result = command("restore_company", str(archive), "--company", "globex", "--dry-run", "--json")

    assert result.status == 0, result.stderr
    outcome = json.loads(result.stdout)
    assert (outcome["status"], outcome["dry_run"], outcome["created"], outcome["failed"]) == (
        "completed", True, 25, 0)
    files = {file["file"]: (file["created"], file["status"]) for file in outcome["files"]}
    assert files["contacts.csv"] == (5, "completed")
    assert all(not rows for rows in company_records(other_company).values())


def test_restore_company_restores_into_the_company_named_and_says_so_for_each_file(
    company, archive, other_company, command
):
    result = command("restore_company", str(archive), "--company", "globex")

    assert result.status == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("Restored: acme.zip into Globex Power (job ")
    assert ("  meter readings (meter-readings.csv): 4 rows, created 4, updated 0, unchanged 0, skipped 0, "
            "failed 0") in lines
    assert lines[-1] == "  In all: 25 rows, created 25, updated 0, unchanged 0, skipped 0, failed 0"
    assert company_records(other_company) == company_records(company)


def test_rows_that_fail_are_listed_and_end_with_status_1(company, command, tmp_path):
    path = tmp_path / "contacts.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("contacts.csv", "first_name,last_name,email,account\r\nAda,Lee,ada@example.com,ACC-9\r\n")
        archive.writestr("manifest.json", manifest(("Contact", "contacts.csv", 1)))

    result = command("restore_company", str(path), "--company", "acme")

    assert result.status == 1
    assert "    row 1: Unknown account 'ACC-9': no account of yours has this account number" in result.stdout
    assert "    Error report: " in result.stdout


def test_ctrl_c_during_a_dry_run_cancels_it_and_says_nothing_was_written(archive, other_company, command):
    from unittest import mock

    with mock.patch("imports.cli.backups.job_run", side_effect=KeyboardInterrupt):
        result = command("restore_company", str(archive), "--company", "globex", "--dry-run")

    assert result.status == 130
    assert result.stderr.strip() == "Stopped; the dry run wrote nothing (job cancelled)."
    assert ImportExportJob.objects.get(job_type="restore").job_status == "cancelled"


def test_a_refused_archive_is_one_line_and_no_job(company, command, tmp_path):
    path = tmp_path / "notes.zip"
    path.write_text("not a zip")

    result = command("restore_company", str(path), "--company", "acme", "--json")

    assert result.status == 2
    assert result.stderr.strip() == (
        "The file is not a backup archive: it is no ZIP file. Upload the .zip file a company backup made."
    )
    assert json.loads(result.stdout)["error"] == result.stderr.strip()
    assert not ImportExportJob.objects.exists()


@pytest.mark.parametrize(("arguments", "message"), [
    (["--company", "nope"], "Unknown company 'nope'."),
    (["--company", "acme", "--dry-run"], "File not found: "),
])
def test_restore_company_without_a_company_or_file_runs_nothing(company, command, tmp_path, arguments, message):
    result = command("restore_company", str(tmp_path / "missing.zip"), *arguments)

    assert result.status == 2
    assert result.stderr.startswith(message)
