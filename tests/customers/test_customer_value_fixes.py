"""A messy US customer file (US dates, ZIP codes Excel shortened, words of its own for a status, a phone with an
extension) imported whole with value fixes, in a dry run and an import alike."""

import csv
import datetime as dt
import io

import pytest

from customers.models import Customer
from imports.declare.targets import get_target
from imports.engine.value_fixes import value_fixes_parse

pytestmark = pytest.mark.django_db

US_FILE = (
    "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,status,Start Date\n"
    "Ann,Lee,ann@example.com,(617) 555-0101 ext 2,1 Beacon St,Boston,MA,2134,MTR-1,Closed,03/15/2024\n"
    "Bob,Ray,bob@example.com,617-555-0102,2 Elm St,Springfield,IL,62701,MTR-2,Active,4/5/2024\n"
    "Cy,Dow,cy@example.com,617-555-0103 x14,3 Oak St,Hartford,CT,6103,MTR-3,closed,12/31/2023\n"
)
FIXES = {"date_formats": {"Start Date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}}}


def report_rows(job) -> list[dict]:
    with job.error_report.open("rb") as stored:
        return list(csv.DictReader(io.StringIO(stored.read().decode("utf-8-sig"))))


def test_every_row_of_the_us_file_imports_with_the_fixes(company, write_file, run_import):
    fixes = value_fixes_parse(get_target("Customer"), **FIXES)

    job = run_import(write_file("us.csv", US_FILE), fixes=fixes, mapping={"Start Date": "connection_date"})

    assert (job.created_records, job.failed_records) == (3, 0)
    stored = {c.meter_number: (c.phone, c.postal_code, c.status, c.connection_date) for c in Customer.objects.all()}
    assert stored == {
        "MTR-1": ("+16175550101 x2", "02134", "inactive", dt.date(2024, 3, 15)),
        "MTR-2": ("+16175550102", "62701", "active", dt.date(2024, 4, 5)),
        "MTR-3": ("+16175550103 x14", "06103", "inactive", dt.date(2023, 12, 31)),
    }
    assert [(row["row_number"], row["error_message"], row["postal_code"]) for row in report_rows(job)] == [
        ("1", "Warning: Postal code 2134 read as 02134", "2134"),
        ("3", "Warning: Postal code 6103 read as 06103", "6103"),
    ]


def test_the_dry_run_predicts_the_import_and_writes_nothing(company, write_file, run_import):
    fixes = value_fixes_parse(get_target("Customer"), **FIXES)

    job = run_import(write_file("us.csv", US_FILE), fixes=fixes, dry_run=True,
                     mapping={"Start Date": "connection_date"})

    assert (job.created_records, job.failed_records) == (3, 0)
    assert not Customer.objects.exists()


def test_without_fixes_the_same_file_fails_where_it_did(company, write_file, run_import):
    fixes = value_fixes_parse(get_target("Customer"), pad_zip_codes=False)

    job = run_import(write_file("us.csv", US_FILE), fixes=fixes, mapping={"Start Date": "connection_date"})

    assert (job.created_records, job.failed_records) == (0, 3)
    messages = [row["error_message"] for row in report_rows(job)]
    assert "Invalid connection date '03/15/2024': use YYYY-MM-DD, e.g. 2024-01-15" in messages[0]
    assert "Invalid status 'Closed'" in messages[0]
    assert "Invalid postal code '2134'" in messages[0]


def test_a_retry_of_the_failed_rows_reads_their_values_with_the_first_jobs_fixes(company, write_file, run_import):
    from imports.jobs.inprocess import job_run
    from imports.jobs.retrying import failed_rows_retry

    fixes = value_fixes_parse(get_target("Customer"), date_formats={"Start Date": "mdy"})
    first = run_import(write_file("us.csv", US_FILE), fixes=fixes, mapping={"Start Date": "connection_date"})
    assert (first.created_records, first.failed_records) == (1, 2)  # the statuses no map reads yet

    retry = failed_rows_retry(first, enqueue=False)

    assert retry.options["value_fixes"]["date_formats"] == {"connection_date": "mdy"}  # by field now
    retry = job_run(job=retry)
    assert retry.failed_records == 2  # still the statuses, not the dates
    assert all("connection_date" not in row["error_message"] for row in report_rows(retry))
