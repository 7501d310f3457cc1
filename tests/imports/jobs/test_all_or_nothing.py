"""All or nothing: every row is validated before any is written, and nothing is written when one fails."""

import csv
import json

import pytest
from django.core.files import File

from customers.models import Customer
from imports.engine.options import ImportOptions
from imports.jobs import tasks
from imports.jobs.services import job_create
from imports.models import ImportExportJob
from tests.customers.test_customer_import import HEADER, row

pytestmark = pytest.mark.django_db


def customers_file(write_file, rows: int, *, bad: tuple[int, ...] = ()):
    lines = [row(n, email="not-an-email") if n in bad else row(n) for n in range(1, rows + 1)]
    return write_file("customers.csv", "\n".join([HEADER, *lines]) + "\n")


def import_command(command, path, *extra):
    result = command("import_data", "--model", "Customer", "--file", str(path), "--json", "--all-or-nothing",
                     *extra)
    return result, json.loads(result.stdout)


def test_one_bad_row_imports_nothing_and_reports_the_bad_row(company, command, write_file, settings):
    settings.IMPORT_CHUNK_ROWS = 10
    result, output = import_command(command, customers_file(write_file, 30, bad=(27,)))

    job = ImportExportJob.objects.get()
    assert result.status == 2
    assert Customer.objects.count() == 0
    assert (job.job_status, job.total_records, job.failed_records, job.created_records) == ("failed", 30, 1, 0)
    assert job.error_message.startswith("Nothing was imported: 1 of 30 rows failed")
    with job.error_report.open("rb") as report:
        rows = list(csv.DictReader(report.read().decode("utf-8-sig").splitlines()))
    assert [(r["row_number"], r["email"]) for r in rows] == [("27", "not-an-email")]
    assert output["failed"] == 1
    assert output["error_report"] == job.error_report.path
    assert f"Error report: {job.error_report.path}" in result.stderr


def test_a_clean_file_is_validated_then_written_once(company, command, write_file, settings):
    settings.IMPORT_CHUNK_ROWS = 10
    result, output = import_command(command, customers_file(write_file, 30))

    job = ImportExportJob.objects.get()
    assert result.status == 0
    assert Customer.objects.filter(company=company).count() == 30
    assert (job.job_status, job.processed_records, job.created_records, job.failed_records) == ("completed", 30, 30, 0)
    assert job.logs.filter(message="All 30 rows are valid; writing them now.").exists()
    assert output["created"] == 30


def test_without_the_option_the_good_rows_of_the_same_file_are_imported(company, command, write_file):
    result = command("import_data", "--model", "Customer", "--file",
                     str(customers_file(write_file, 30, bad=(27,))))

    assert result.status == 1
    assert Customer.objects.count() == 29


def test_on_the_workers_the_chunks_are_queued_again_to_be_written(company, write_file, settings, monkeypatch):
    """The task path: whichever run finishes validating the last chunk queues every chunk again."""
    settings.IMPORT_CHUNK_ROWS = 10
    queue = []
    monkeypatch.setattr(tasks.chunk_step, "apply_async", lambda args: queue.append(args))
    with open(customers_file(write_file, 30), "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name="c.csv"),
                         file_name="c.csv", options=ImportOptions(), all_or_nothing=True)

    tasks.job_step.apply(args=[str(job.pk), "prepare"]).get()
    results, phases = [], []
    while queue:
        chunk_id, phase = queue.pop(0)
        phases.append(phase)
        results.append(tasks.chunk_step.apply(args=[chunk_id, phase]).get())

    job.refresh_from_db()
    assert phases == ["scan"] * 3 + ["run"] * 3 + ["run"] * 3  # validated, then written
    assert results[-1] == "completed"
    assert [name for name in results if name == "not ours"] == []
    assert (job.job_status, job.created_records, job.processed_records) == ("completed", 30, 30)
    assert Customer.objects.count() == 30
