"""Rows named as a person finds them in their spreadsheet: "row 5, sheet row 10" in every message about a row (the
job's log and page, the error report, the command line), however many title and blank rows the file has, across
chunks and when an import is continued part way."""

import csv
import io
import json
from pathlib import Path

import pytest
from django.core.files import File
from django.urls import reverse
from openpyxl import Workbook

from customers.models import Customer
from imports.engine.options import ImportOptions
from imports.engine.readers.table import Table
from imports.jobs.inprocess import job_run
from imports.jobs.resuming import job_resume
from imports.jobs.retrying import failed_rows_retry
from imports.jobs.services import job_create
from imports.jobs.stopping import job_cancel
from imports.models import ImportExportJob, ImportExportLog
from tests.customers.test_customer_import import HEADER, row

TITLED_CSV = "\n".join([
    "Springfield customers,,,",  # sheet row 1: a title
    "Exported 2026-12-01",  # 2
    "",  # 3
    HEADER,  # 4
    row(1),  # 5: data row 1
    "",  # 6
    row(2, email="not-an-email"),  # 7: data row 2
    row(3),  # 8
    ",,,,,,,,,",  # 9: blank, only delimiters
    "",  # 10
    row(4, phone="555-5557"),  # 11: data row 4
]) + "\n"


def report_lines(job: ImportExportJob) -> list[list[str]]:
    with job.error_report.open("rb") as stored:
        return list(csv.reader(io.StringIO(stored.read().decode("utf-8-sig"))))


@pytest.mark.django_db
def test_the_log_and_the_error_report_give_each_failed_row_its_sheet_row(company, run_import, write_file):
    job = run_import(write_file("titled.csv", TITLED_CSV))

    assert (job.created_records, job.failed_records) == (2, 2)
    logs = list(job.logs.filter(log_level=ImportExportLog.Level.ERROR).order_by("record_number"))
    assert [log.row_label for log in logs] == ["row 2, sheet row 7", "row 4, sheet row 11"]
    lines = report_lines(job)
    assert lines[0] == ["row_number", "error_message", "sheet_row", *HEADER.split(",")]
    assert [line[:3] for line in lines[1:]] == [
        ["2", "Invalid email format", "7"], ["4", "Invalid phone number", "11"],
    ]
    assert lines[1][3:] == row(2, email="not-an-email").split(",")


@pytest.mark.django_db
def test_a_workbook_row_is_named_by_its_row_in_the_sheet(company, run_import, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Springfield customers"])  # sheet row 1
    sheet.append([])  # 2
    sheet.append(HEADER.split(","))  # 3
    sheet.append(row(1).split(","))  # 4
    sheet.cell(row=7, column=1, value="First2")  # rows 5 and 6 left out of the sheet: blank
    for column, value in enumerate(row(2, email="broken").split(",")[1:], start=2):
        sheet.cell(row=7, column=column, value=value)
    path = tmp_path / "titled.xlsx"
    workbook.save(path)

    job = run_import(path)

    assert [log.row_label for log in job.logs.filter(log_level=ImportExportLog.Level.ERROR)] == [
        "row 2, sheet row 7"
    ]
    assert [line[:3] for line in report_lines(job)[1:]] == [["2", "Invalid email format", "7"]]


@pytest.mark.django_db
def test_the_command_line_names_sheet_rows_in_its_json_and_its_error_log(company, command, write_file, settings):
    result = command("import_data", "--model", "Customer", "--file", str(write_file("titled.csv", TITLED_CSV)),
                     "--json")

    assert json.loads(result.stdout)["errors"] == [
        {"row": 2, "sheet_row": 7, "message": "Invalid email format"},
        {"row": 4, "sheet_row": 11, "message": "Invalid phone number"},
    ]
    log = next(Path(settings.IMPORT_LOG_DIR).glob("import_errors_Customer_*.log")).read_text()
    assert "Row 2, sheet row 7: Invalid email format | data: " in log
    assert "Row 4, sheet row 11: Invalid phone number | data: " in log


@pytest.mark.django_db
def test_the_job_page_shows_the_sheet_row_beside_the_row(company, user, client, run_import, write_file):
    job = run_import(write_file("titled.csv", TITLED_CSV))
    client.force_login(user)

    page = client.get(reverse("imports:job_detail", args=[job.pk])).content.decode()

    assert '<td class="row-label">row 2, sheet row 7</td>' in page
    assert '<td class="row-label">row 4, sheet row 11</td>' in page


@pytest.mark.django_db
def test_the_error_report_imports_back_as_it_is_its_own_three_columns_ignored(company, run_import, write_file):
    first = run_import(write_file("titled.csv", TITLED_CSV))
    with first.error_report.open("rb") as stored:
        report = stored.read().decode("utf-8-sig")
    path = write_file("fixed.csv", report.replace("not-an-email", "fixed@example.com").replace(
        "555-5557", "555-555-5557"))

    with Table(path) as table:
        assert table.columns == HEADER.split(",")
    second = run_import(path)

    assert (second.created_records, second.failed_records) == (2, 0)
    assert set(second.field_mapping) == set(HEADER.split(","))
    assert Customer.objects.filter(company=company, email="fixed@example.com").exists()


@pytest.mark.django_db
def test_a_retry_reads_the_corrected_report_and_names_the_rows_of_its_own_file(
    company, run_import, write_file
):
    first = run_import(write_file("titled.csv", TITLED_CSV))
    with first.error_report.open("rb") as stored:
        report = stored.read().decode("utf-8-sig")
    fixed = report.replace("not-an-email", "fixed@example.com").replace("555-5557", "555-555-5557")

    retry = job_run(job=failed_rows_retry(first, upload=File(io.BytesIO(fixed.encode()), name="fixed.csv"),
                                          enqueue=False))

    assert (retry.job_status, retry.created_records, retry.failed_records) == ("completed", 2, 0)
    # As they are, the rows fail again, named by the rows of the retry's own file (its header, then the rows).
    again = job_run(job=failed_rows_retry(first, enqueue=False))
    assert (again.job_status, again.failed_records) == ("completed", 2)
    assert [log.row_label for log in again.logs.filter(log_level=ImportExportLog.Level.ERROR)] == [
        "row 1, sheet row 2", "row 2, sheet row 3",
    ]


@pytest.mark.django_db
def test_a_report_of_an_earlier_version_with_two_columns_of_its_own_still_imports(company, run_import, write_file):
    path = write_file("old_report.csv", "row_number,error_message," + HEADER + "\n"
                      "2,Invalid email format," + row(2) + "\n")

    job = run_import(path)

    assert (job.created_records, job.failed_records) == (1, 0)


# --- Across chunks, and a job continued part way ---------------------------------------------------------------

ROWS = 400


def scattered_csv(write_file) -> tuple[Path, dict[int, int]]:
    """Title rows, then rows with blank rows scattered among them and every tenth row failing; returns the file
    and the sheet row of each failing data row."""
    lines = ["Customers of Springfield", "", HEADER]
    expected = {}
    for n in range(1, ROWS + 1):
        if n % 7 == 0:
            lines.append("")
        if n % 10 == 0:
            lines.append(row(n, email="not-an-email"))
            expected[n] = len(lines)
        else:
            lines.append(row(n))
    return write_file("scattered.csv", "\n".join(lines) + "\n"), expected


def new_job(company, path: Path) -> ImportExportJob:
    with open(path, "rb") as handle:
        return job_create(company=company, target_name="Customer", file=File(handle, name=path.name),
                          file_name=path.name, options=ImportOptions(), batch_size=20)


def logged_sheet_rows(job: ImportExportJob) -> dict[int, int]:
    logs = job.logs.filter(log_level=ImportExportLog.Level.ERROR)
    return {log.record_number: log.sheet_row for log in logs}


@pytest.mark.django_db(transaction=True)
def test_sheet_rows_stay_right_across_chunks_and_when_an_import_is_continued(company, write_file, settings):
    settings.IMPORT_CHUNK_ROWS = 64
    path, expected = scattered_csv(write_file)

    def cancel_part_way(job):
        if job.processed_records >= ROWS * 0.3 and not job.is_finished:
            job_cancel(job, "Cancelled by the test.")

    job = job_run(job=new_job(company, path), on_progress=cancel_part_way)
    assert job.job_status == "cancelled"
    assert 0 < job.processed_records < ROWS
    assert job.chunks.filter(checkpoint_row__gt=0).exclude(checkpoint_row=ROWS).exists()

    job = job_run(job=job_resume(job, enqueue=False))

    assert job.job_status == "completed"
    assert logged_sheet_rows(job) == expected
    assert {int(line[0]): int(line[2]) for line in report_lines(job)[1:]} == expected


# Data rows 1-9 in chunks of two: the second chunk holds a blank row, so the sheet rows of its rows cannot be
# worked out from where it starts, and pushes down those of the chunks after it; the last rows repeat a row of
# each kind of chunk.
REPEATS_CSV = "\n".join([
    "Springfield customers",  # sheet row 1
    HEADER,  # 2
    row(1),  # 3: data row 1
    row(2),  # 4
    row(3),  # 5: data row 3, first of the second chunk
    "",  # 6
    row(4),  # 7: data row 4
    row(5),  # 8: data row 5
    row(6),  # 9
    row(7, account_number="5000000001", meter_number="MTR-7"),  # 10: repeats data row 1
    row(8, account_number="5000000004", meter_number="MTR-8"),  # 11: repeats data row 4
    row(9, account_number="5000000005", meter_number="MTR-9"),  # 12: repeats data row 5
]) + "\n"


@pytest.mark.django_db
@pytest.mark.parametrize("chunk_rows", [2, 64], ids=["five chunks", "one chunk"])
def test_a_repeated_row_names_the_earlier_row_by_its_sheet_row(company, run_import, write_file, settings,
                                                                chunk_rows):
    settings.IMPORT_CHUNK_ROWS = chunk_rows

    job = run_import(write_file("repeats.csv", REPEATS_CSV))

    assert job.chunks.count() == (5 if chunk_rows == 2 else 1)
    errors = job.logs.filter(log_level=ImportExportLog.Level.ERROR).order_by("record_number")
    assert [(log.row_label, log.message) for log in errors] == [
        ("row 7, sheet row 10", "Duplicate account number (same as sheet row 3)"),
        ("row 8, sheet row 11", "Duplicate account number (same as sheet row 7)"),
        ("row 9, sheet row 12", "Duplicate account number (same as sheet row 8)"),
    ]


@pytest.mark.django_db
def test_a_repeated_row_of_a_json_file_names_the_earlier_data_row(company, run_import, write_file):
    records = [dict(zip(HEADER.split(","), row(n).split(","), strict=True)) for n in (1, 2)]
    records.append({**records[0], "meter_number": "MTR-9"})

    job = run_import(write_file("repeats.json", json.dumps(records)))

    error = job.logs.get(log_level=ImportExportLog.Level.ERROR)
    assert (error.row_label, error.message) == ("row 3", "Duplicate account number (same as row 1)")
