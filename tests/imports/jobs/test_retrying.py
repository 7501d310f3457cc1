"""Retrying the failed rows of an import: as they are once their cause is fixed, or from the corrected error report;
a new import of the same options and mapping, linked to the first."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from customers.models import Customer
from imports.declare.errors import ImportFileError
from imports.jobs.inprocess import job_run
from imports.jobs.retrying import (
    RetryRefused,
    RetryUnderWay,
    failed_rows_retry,
    is_retry,
    job_retries,
    retry_refusal,
)
from imports.jobs.status import job_transition
from imports.models import ImportExportJob
from readings.models import MeterReading
from tests.customers.test_customer_import import HEADER, row
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

READING_HEADER = "Account,Meter,Date,Value,reading_type,notes"
MAPPING = {"Account": "account_number", "Meter": "meter_number", "Date": "reading_date", "Value": "reading_value"}


@pytest.fixture
def known_customer(company):
    return CustomerFactory(company=company, account_number="1234567890", meter_number="MTR-001234")


@pytest.fixture
def readings_job(known_customer, write_file, run_import):
    """A readings import (in create mode, batches of 2, with an explicit mapping) whose rows 2 and 4 name a
    customer who does not exist yet."""
    rows = [
        "1234567890,MTR-001234,2024-01-15,100,manual,first",
        '5550000001,MTR-NEW-1,2024-01-15,200,manual,"=HYPERLINK(""x"")"',
        "1234567890,MTR-001234,2024-02-15,150,manual,",
        "5550000001,MTR-NEW-1,2024-02-15,260,manual,'=already escaped",
    ]
    path = write_file("readings.csv", "\n".join([READING_HEADER, *rows]) + "\n")
    job = run_import(path, target="MeterReading", mode="create", mapping=MAPPING, batch_size=2)
    assert (job.job_status, job.created_records, job.failed_records) == ("completed", 2, 2)
    return job


def report_of(job: ImportExportJob) -> list[dict]:
    with job.error_report.open("rb") as stored:
        return list(csv.DictReader(io.StringIO(stored.read().decode("utf-8-sig"))))


def test_the_failed_rows_import_as_they_are_once_their_cause_is_fixed(company, user, readings_job):
    CustomerFactory(company=company, account_number="5550000001", meter_number="MTR-NEW-1")

    retry = job_run(job=failed_rows_retry(readings_job, user=user, enqueue=False))

    assert retry.parent == readings_job
    assert is_retry(retry)
    assert not is_retry(readings_job)
    assert list(job_retries(readings_job)) == [retry]
    assert (retry.job_status, retry.total_records, retry.created_records, retry.failed_records) == (
        "completed", 2, 2, 0
    )
    assert (retry.target_model, retry.company, retry.created_by) == ("MeterReading", company, user)
    assert not retry.dry_run
    assert (retry.import_mode, retry.duplicate_handling) == (readings_job.import_mode, readings_job.duplicate_handling)
    assert retry.options["batch_size"] == 2
    assert retry.field_mapping == readings_job.field_mapping
    assert retry.source_columns == readings_job.source_columns
    assert retry.file_name == "readings_failed_rows.csv"
    notes = dict(MeterReading.objects.filter(meter_number="MTR-NEW-1").values_list("reading_date__month", "notes"))
    # Each value as the first import would have read it: an escaped formula unescaped once, no more.
    assert notes == {1: '=HYPERLINK("x")', 2: "=already escaped"}
    assert MeterReading.objects.count() == 4
    assert readings_job.logs.filter(message=f"Its failed rows are retried as job {retry.pk}.").exists()
    assert retry.logs.filter(message=f"Retries the failed rows of job {readings_job.pk}.").exists()


def test_the_failed_rows_file_is_formula_safe_and_keeps_the_first_files_columns(company, readings_job):
    retry = failed_rows_retry(readings_job, enqueue=False)

    with retry.file.open("rb") as stored:
        text = stored.read().decode("utf-8")
    assert text.splitlines() == [
        READING_HEADER,
        "5550000001,MTR-NEW-1,2024-01-15,200,manual,\"'=HYPERLINK(\"\"x\"\")\"",
        "5550000001,MTR-NEW-1,2024-02-15,260,manual,'=already escaped",
    ]


def test_rows_still_failing_are_reported_against_the_retrys_own_file(company, readings_job):
    retry = job_run(job=failed_rows_retry(readings_job, enqueue=False))

    assert (retry.created_records, retry.failed_records) == (0, 2)
    assert [(r["row_number"], r["Account"]) for r in report_of(retry)] == [("1", "5550000001"), ("2", "5550000001")]


def test_the_corrected_error_report_imports_its_fixed_rows(company, write_file, run_import):
    path = write_file("customers.csv", "\n".join([
        HEADER, row(1), row(2, email="not-an-email"), row(3), row(4, state="ZZ"), row(5, email="also bad"),
    ]) + "\n")
    first = run_import(path, mode="create", all_or_nothing=False)
    assert (first.created_records, first.failed_records) == (2, 3)

    with first.error_report.open("rb") as stored:
        lines = list(csv.reader(io.StringIO(stored.read().decode("utf-8-sig"))))
    header, rows = lines[0], lines[1:]
    assert header[:2] == ["row_number", "error_message"]
    fixes = {"2": ("email", "two@example.com"), "4": ("state", "IL")}
    for cells in rows:
        if cells[0] in fixes:
            column, value = fixes[cells[0]]
            cells[header.index(column)] = value
    corrected = io.StringIO()
    csv.writer(corrected).writerows([header, *rows])
    upload = SimpleUploadedFile("customers_errors_fixed.csv", ("\ufeff" + corrected.getvalue()).encode())

    retry = job_run(job=failed_rows_retry(first, upload=upload, enqueue=False))

    assert retry.parent == first
    assert retry.file_name == "customers_errors_fixed.csv"
    assert (retry.total_records, retry.created_records, retry.failed_records) == (3, 2, 1)
    assert "error_message" not in retry.field_mapping
    assert "row_number" not in retry.field_mapping
    assert Customer.objects.filter(company=company, account_number="5000000002").get().email == "two@example.com"
    assert Customer.objects.filter(company=company, account_number="5000000004").get().state == "IL"
    assert [(r["row_number"], r["email"]) for r in report_of(retry)] == [("3", "also bad")]
    assert retry.logs.filter(
        message=f"Retries the failed rows, corrected in customers_errors_fixed.csv, of job {first.pk}."
    ).exists()


def test_an_error_column_moved_in_the_corrected_report_is_still_ignored(company, write_file, run_import):
    first = run_import(write_file("c.csv", "\n".join([HEADER, row(1, email="bad")]) + "\n"))
    fixed = f"{HEADER},error_message\n{row(1)},Invalid email format\n"

    retry = job_run(job=failed_rows_retry(first, upload=SimpleUploadedFile("fixed.csv", fixed.encode()),
                                          enqueue=False))

    assert (retry.created_records, retry.failed_records) == (1, 0)
    assert retry.field_mapping["error_message"] is None


def test_a_corrected_file_is_checked_like_any_upload(company, write_file, run_import, settings):
    first = run_import(write_file("c.csv", "\n".join([HEADER, row(1, email="bad")]) + "\n"))

    with pytest.raises(ImportFileError, match="The file is empty"):
        failed_rows_retry(first, upload=SimpleUploadedFile("fixed.csv", b""))
    with pytest.raises(ImportFileError, match="no data rows"):
        failed_rows_retry(first, upload=SimpleUploadedFile("fixed.csv", HEADER.encode() + b"\n"))
    settings.IMPORT_MAX_FILE_MB = 0
    with pytest.raises(ImportFileError, match="the limit is 0 MB"):
        failed_rows_retry(first, upload=SimpleUploadedFile("fixed.csv", f"{HEADER}\n{row(1)}\n".encode()))
    assert not job_retries(first).exists()


def test_every_failed_row_is_retried_not_only_the_first_hundred(company, write_file, run_import):
    lines = [row(n, email="bad" if n % 2 else f"p{n}@example.com") for n in range(1, 301)]
    first = run_import(write_file("c.csv", "\n".join([HEADER, *lines]) + "\n"))
    assert first.failed_records == 150

    retry = failed_rows_retry(first, enqueue=False)

    with retry.file.open("rb") as stored:
        rows = list(csv.DictReader(io.StringIO(stored.read().decode("utf-8"))))
    assert [r["account_number"] for r in rows] == [str(5000000000 + n) for n in range(1, 301, 2)]


class TestRefusals:
    def test_a_dry_run(self, company, write_file, run_import):
        dry = run_import(write_file("c.csv", f"{HEADER}\n{row(1, email='bad')}\n"), dry_run=True)

        with pytest.raises(RetryRefused, match="was a dry run: it wrote nothing"):
            failed_rows_retry(dry)

    @pytest.mark.parametrize("status", ["pending", "running"])
    def test_a_job_that_has_not_ended(self, readings_job, status):
        job_transition(readings_job, status)
        readings_job.refresh_from_db()

        with pytest.raises(RetryRefused, match=f"is {status}: retry its failed rows once it has ended"):
            failed_rows_retry(readings_job)

    def test_a_job_without_failed_rows(self, company, write_file, run_import):
        clean = run_import(write_file("c.csv", f"{HEADER}\n{row(1)}\n"))

        with pytest.raises(RetryRefused, match="has no failed rows to retry"):
            failed_rows_retry(clean)
        # A corrected file may still be brought to it: it needs no failed rows.
        assert retry_refusal(clean, as_they_are=False) is None

    def test_an_all_or_nothing_import_that_wrote_nothing(self, company, write_file, run_import):
        job = run_import(write_file("c.csv", f"{HEADER}\n{row(1)}\n{row(2, email='bad')}\n"), all_or_nothing=True)
        assert (job.job_status, job.created_records) == ("failed", 0)

        with pytest.raises(RetryRefused, match="imported nothing: it was all or nothing"):
            failed_rows_retry(job)

    def test_a_second_retry_while_the_first_has_not_ended(self, readings_job):
        first = failed_rows_retry(readings_job, enqueue=False)  # pending: not run yet

        with pytest.raises(RetryUnderWay, match=f"already being retried as job {first.pk}") as refused:
            failed_rows_retry(readings_job, enqueue=False)
        assert refused.value.retry == first
        assert list(job_retries(readings_job)) == [first]
        assert retry_refusal(readings_job) == str(refused.value)  # the page offers no Retry button meanwhile

        job_run(job=first)  # once it has ended, its parent's failed rows may be retried again
        assert retry_refusal(readings_job) is None
        assert failed_rows_retry(readings_job, enqueue=False).parent == readings_job

    def test_nothing_is_created_when_refused(self, company, write_file, run_import):
        clean = run_import(write_file("c.csv", f"{HEADER}\n{row(1)}\n"))

        with pytest.raises(RetryRefused):
            failed_rows_retry(clean)
        assert ImportExportJob.objects.count() == 1


def test_a_cancelled_import_can_be_retried(readings_job):
    job_transition(readings_job, ImportExportJob.Status.CANCELLED)
    readings_job.refresh_from_db()

    assert failed_rows_retry(readings_job, enqueue=False).parent == readings_job
