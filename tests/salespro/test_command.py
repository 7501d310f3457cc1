"""`manage.py csv_salespro_appointments`: a SalesPro export from the command line, with its sync history."""

import json
from pathlib import Path

import pytest

from imports import cli
from imports.models import ImportExportJob
from salespro.models import SalesProAppointment, SalesProSyncHistory

from .conftest import appointment

pytestmark = pytest.mark.django_db

COMMAND = "csv_salespro_appointments"
MIXED = [appointment("A1"), appointment("A2", _created_at="invalid_date"), appointment("A3", saleAmount="$99.00")]


def only_sync() -> SalesProSyncHistory:
    return SalesProSyncHistory.objects.get()


def test_an_export_imports_with_a_summary_and_a_completed_sync(company, command, write_export):
    path = write_export([appointment("A1"), appointment("A2")])

    result = command(COMMAND, str(path))

    assert result.status == 0, result.stderr
    assert "SalesPro2025-06-18.csv into SalesProAppointment" in result.stdout
    assert "created 2, updated 0, unchanged 0, skipped 0, failed 0" in result.stdout
    sync = only_sync()
    assert f"Sync history: {sync.pk} (completed)" in result.stdout
    assert (sync.company, sync.sync_type, sync.status, sync.file_path) == (
        company, "csv_appointments", "completed", str(path)
    )
    assert (sync.records_processed, sync.records_created, sync.records_updated, sync.records_skipped,
            sync.records_failed, sync.error_message) == (2, 2, 0, 0, 0, "")
    assert sync.completed_at >= sync.started_at
    assert sync.job == ImportExportJob.objects.get()


def test_the_second_import_of_an_export_reports_every_row_unchanged_and_none_skipped(company, command, write_export):
    path = write_export([appointment("A1"), appointment("A2")])
    command(COMMAND, str(path))

    result = command(COMMAND, str(path), "--json")

    output = json.loads(result.stdout)
    assert (result.status, output["created"], output["updated"], output["unchanged"], output["skipped"]) == (
        0, 0, 0, 2, 0
    )
    latest = SalesProSyncHistory.objects.order_by("-started_at").first()
    assert (latest.records_processed, latest.records_skipped, latest.records_created) == (2, 2, 0)


def test_json_is_one_object_like_import_data_and_rows_failing_exit_1(company, command, write_export):
    result = command(COMMAND, str(write_export(MIXED)), "--json")

    output = json.loads(result.stdout)
    job = ImportExportJob.objects.get()
    assert result.status == 1
    assert output == {
        "job_id": str(job.pk), "status": "completed", "dry_run": False, "total": 3, "created": 2, "updated": 0,
        "unchanged": 0, "skipped": 0, "failed": 1, "error_report": job.error_report.path,
        "errors": [{"row": 2, "sheet_row": 3, "message": "Could not parse datetime: invalid_date (_created_at needs "
                                                         "an ISO 8601 timestamp such as 2025-06-18T14:30:00Z)"}],
    }
    sync = only_sync()
    assert (sync.status, sync.records_created, sync.records_failed) == ("completed", 2, 1)
    assert sync.error_message == f"1 of 3 rows failed: see the error report {job.error_report.path}"


def test_failed_rows_are_in_the_error_report_and_the_error_log(company, command, write_export, settings):
    result = command(COMMAND, str(write_export(MIXED)))

    report = ImportExportJob.objects.get().error_report.path
    logs = list(Path(settings.IMPORT_LOG_DIR).glob("import_errors_SalesProAppointment_*.log"))
    assert f"Error report: {report}" in result.stdout
    assert len(logs) == 1
    assert f"Error log: {logs[0]}" in result.stdout
    assert "Row 2, sheet row 3: Could not parse datetime: invalid_date" in logs[0].read_text()


def test_a_dry_run_reports_what_would_happen_and_writes_nothing_not_even_a_sync(company, command, write_export):
    command(COMMAND, str(write_export([appointment("A1")], "first.csv")))
    rows = [appointment("A1", _updated_at="2026-01-01T00:00:00Z", resultFullString="Changed"), *MIXED[1:]]

    result = command(COMMAND, str(write_export(rows, "second.csv")), "--dry-run")

    assert result.status == 1
    assert "Dry run of second.csv into SalesProAppointment (job " in result.stdout
    assert "would be created 1, would be updated 1, unchanged 0, skipped 0, failed 1" in result.stdout
    assert "Sync history" not in result.stdout
    assert SalesProSyncHistory.objects.count() == 1
    assert list(SalesProAppointment.objects.values_list("salespro_id", "result_full_string")) == [
        ("A1", "Sale - Windows")
    ]


def test_a_missing_file_is_one_line_exit_2_and_a_failed_sync(company, command):
    result = command(COMMAND, "/nonexistent/SalesPro.csv")

    assert (result.status, result.stderr.strip(), result.stdout) == (2, "File not found: /nonexistent/SalesPro.csv", "")
    sync = only_sync()
    assert (sync.status, sync.error_message, sync.file_path) == (
        "failed", "File not found: /nonexistent/SalesPro.csv", "/nonexistent/SalesPro.csv"
    )
    assert sync.completed_at is not None
    assert not ImportExportJob.objects.exists()


def test_a_file_without_an_id_column_is_one_line_exit_2_and_a_failed_sync(company, command, write_export):
    columns = ["_created_at", "customer.nameLast", "salesrep.email"]

    result = command(COMMAND, str(write_export([appointment("A1")], columns=columns)), "--json")

    message = "missing required column: _id (the file's columns are: _created_at, customer.nameLast, salesrep.email)"
    assert (result.status, result.stderr.strip()) == (2, message)
    assert json.loads(result.stdout)["error"] == message
    assert (only_sync().status, only_sync().error_message) == ("failed", message)
    assert not ImportExportJob.objects.exists()
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"", "The file is empty."), (b"_id,_created_at\n", "The file has a header row but no data rows.")],
)
def test_files_the_core_refuses_fail_the_sync_with_its_sentence(company, command, write_file, content, message):
    result = command(COMMAND, str(write_file("export.csv", content)))

    assert (result.status, result.stderr.strip()) == (2, message)
    assert (only_sync().status, only_sync().error_message) == ("failed", message)


def test_the_company_is_chosen_by_slug_when_there_are_several(company, other_company, command, write_export):
    path = str(write_export([appointment("A1")]))

    unnamed = command(COMMAND, path)
    unknown = command(COMMAND, path, "--company", "nope")
    named = command(COMMAND, path, "--company", "globex")

    assert (unnamed.status, unnamed.stderr.strip()) == (
        2, "Several companies exist (acme, globex): choose one with --company."
    )
    assert (unknown.status, unknown.stderr.strip()) == (2, "Unknown company 'nope'.")
    assert named.status == 0
    assert SalesProAppointment.objects.get().company == other_company
    assert SalesProSyncHistory.objects.get().company == other_company  # no company, no sync to record


def test_batch_size_comes_from_the_option_then_the_environment_then_500(company, command, write_export,
                                                                         settings):
    path = str(write_export([appointment("A1")]))

    command(COMMAND, path, "--dry-run")
    settings.SALESPRO_BATCH_SIZE = "250"  # BATCH_SIZE in the environment
    command(COMMAND, path, "--dry-run")
    command(COMMAND, path, "--dry-run", "--batch-size", "7")

    sizes = [job.options["batch_size"] for job in ImportExportJob.objects.order_by("created_at")]
    assert sizes == [500, 250, 7]


@pytest.mark.parametrize(
    ("args", "environment", "message"),
    [(["--batch-size", "0"], None, "--batch-size must be at least 1."),
     ([], "lots", "BATCH_SIZE must be a whole number of at least 1, not 'lots'."),
     ([], "-5", "BATCH_SIZE must be a whole number of at least 1, not '-5'.")],
)
def test_a_bad_batch_size_is_one_line_exit_2(company, command, write_export, settings, args, environment,
                                            message):
    if environment is not None:
        settings.SALESPRO_BATCH_SIZE = environment  # BATCH_SIZE in the environment

    result = command(COMMAND, str(write_export([appointment("A1")])), *args)

    assert (result.status, result.stderr.strip()) == (2, message)
    assert not SalesProAppointment.objects.exists()


def test_ctrl_c_keeps_the_committed_batches_and_cancels_job_and_sync(company, command, write_export, monkeypatch):
    def interrupted_after_first_batch(bar, job):
        raise KeyboardInterrupt

    monkeypatch.setattr(cli.ProgressBar, "__call__", interrupted_after_first_batch)
    path = write_export([appointment(f"A{n}") for n in range(5)])

    result = command(COMMAND, str(path), "--batch-size", "2")

    message = "Stopped after 2 of 5 rows; the rows saved until then stay saved (job cancelled)."
    assert (result.status, result.stderr.strip()) == (cli.EXIT_INTERRUPTED, message)
    assert SalesProAppointment.objects.count() == 2
    assert ImportExportJob.objects.get().job_status == "cancelled"
    sync = only_sync()
    assert (sync.status, sync.error_message, sync.records_processed, sync.records_created) == (
        "cancelled", message, 2, 2
    )


def test_a_running_sync_already_names_its_job(company, command, write_export, monkeypatch):
    seen = []
    monkeypatch.setattr(cli.ProgressBar, "__call__", lambda bar, job: seen.append(
        SalesProSyncHistory.objects.values_list("status", "job_id").get()
    ))

    command(COMMAND, str(write_export([appointment("A1"), appointment("A2")])), "--batch-size", "1")

    assert seen == [("running", ImportExportJob.objects.get().pk)] * 2


def test_losing_the_database_is_one_line_and_exit_2(company, command, write_export, monkeypatch):
    from django.db import OperationalError

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("imports.cli.job_run", database_gone)

    result = command(COMMAND, str(write_export([appointment("A1")])), "--json")

    assert result.status == 2
    assert result.stderr.startswith("The database stopped answering (server closed the connection unexpectedly).")
    assert json.loads(result.stdout)["status"] == "failed"
    assert only_sync().status == "failed"  # the database answers again here, so the sync says how it ended


SEED_IMPORT_HISTORY = """\
from salespro.models import SalesProSyncHistory

# View recent imports
recent_syncs = SalesProSyncHistory.objects.filter(
    sync_type='csv_appointments'
).order_by('-started_at')[:5]

for sync in recent_syncs:
    print(f"{sync.started_at}: {sync.status} - {sync.records_processed} processed")
"""

SEED_SYNC_STATUS = """\
from salespro.models import SalesProSyncHistory

# Check latest sync status
latest_sync = SalesProSyncHistory.objects.filter(
    sync_type='csv_appointments'
).order_by('-started_at').first()

if latest_sync:
    print(f"Status: {latest_sync.status}")
    print(f"Records: {latest_sync.records_processed}")
    if latest_sync.error_message:
        print(f"Error: {latest_sync.error_message}")
"""


def test_the_seeds_check_import_history_snippet_lists_recent_syncs(company, command, write_export, capsys):
    command(COMMAND, str(write_export([appointment("A1"), appointment("A2")])))
    command(COMMAND, "/nonexistent/SalesPro.csv")
    first, second = SalesProSyncHistory.objects.order_by("started_at")
    capsys.readouterr()

    exec(SEED_IMPORT_HISTORY, {})

    assert capsys.readouterr().out.splitlines() == [
        f"{second.started_at}: failed - 0 processed",
        f"{first.started_at}: completed - 2 processed",
    ]


def test_the_seeds_checking_sync_status_snippet_shows_the_latest_sync(company, command, write_export, capsys):
    command(COMMAND, str(write_export([appointment("A1")])))
    command(COMMAND, str(write_export(MIXED, "mixed.csv")))
    report = ImportExportJob.objects.order_by("-created_at").first().error_report.path
    capsys.readouterr()

    exec(SEED_SYNC_STATUS, {})

    assert capsys.readouterr().out.splitlines() == [
        "Status: completed",
        "Records: 3",
        f"Error: 1 of 3 rows failed: see the error report {report}",
    ]
