"""`manage.py export_data`: a company's records out, in columns that import back unchanged."""

import csv
import json
import tracemalloc

import pytest

from customers.models import Customer
from imports.declare.targets import get_target
from imports.engine.exporting import records_export
from imports.models import ImportExportJob
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

FIELDS = [field.name for field in get_target("Customer").fields]


def test_csv_export_has_the_targets_field_names_and_escapes_formulas(company, other_company, command, tmp_path):
    CustomerFactory(company=company, account_number="1", first_name="=cmd|' /C calc'!A0", phone="+15555550100",
                    notes="")
    CustomerFactory(company=other_company, account_number="2")
    output = tmp_path / "out.csv"

    result = command("export_data", "--model", "Customer", "--format", "csv", "--output", str(output),
                     "--company", "acme")

    assert result.status == 0
    assert result.stdout.strip() == f"Exported 1 customers to {output}"
    with open(output, encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == FIELDS
    record = dict(zip(rows[0], rows[1], strict=True))
    assert (record["first_name"], record["phone"], record["notes"]) == ("'=cmd|' /C calc'!A0", "+15555550100", "")
    assert len(rows) == 2
    job = ImportExportJob.objects.get()
    assert (job.job_type, job.job_status, job.total_records) == ("export", "completed", 1)


def test_json_export_is_one_array_of_objects(company, command, tmp_path):
    CustomerFactory(company=company, account_number="1", notes="")
    CustomerFactory(company=company, account_number="2", notes="café")
    output = tmp_path / "out.json"

    command("export_data", "--model", "Customer", "--format", "json", "--output", str(output))

    records = json.loads(output.read_text(encoding="utf-8"))
    assert [record["account_number"] for record in records] == ["1", "2"]
    assert list(records[0]) == FIELDS
    assert (records[0]["notes"], records[1]["notes"], records[0]["connection_date"]) == (None, "café", None)


def test_an_empty_json_export_is_an_empty_array(company, command, tmp_path):
    command("export_data", "--model", "Customer", "--format", "json", "--output", str(tmp_path / "out.json"))

    assert json.loads((tmp_path / "out.json").read_text()) == []


@pytest.mark.parametrize("file_format", ["csv", "json"])
def test_an_export_imports_back_unchanged(company, command, run_import, write_file, tmp_path, file_format):
    run_import(write_file("in.csv", (
        "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,connection_date,notes\n"
        "Zoë,O'Brien,zoe@example.com,+44 20 7946 0958,1 High St,Springfield,IL,62701-1234,-M1,2020-02-29,\"a, b\"\n"
        "Sam,Lee,sam@example.com,555-555-0101,2 High St,Springfield,IL,62701,M2,,@note\n"
    )))
    before = list(Customer.objects.order_by("pk").values())
    output = tmp_path / f"out.{file_format}"
    command("export_data", "--model", "Customer", "--format", file_format, "--output", str(output))

    job = run_import(output)

    assert (job.unchanged_records, job.created_records, job.updated_records, job.failed_records) == (2, 0, 0, 0)
    assert list(Customer.objects.order_by("pk").values()) == before


def test_unknown_model_or_missing_folder_exits_2(company, command, tmp_path):
    unknown = command("export_data", "--model", "Lead", "--format", "csv", "--output", str(tmp_path / "x.csv"))
    no_folder = command("export_data", "--model", "Customer", "--format", "csv", "--output", "/nope/x.csv")

    assert (unknown.status, unknown.stderr.strip()) == (
        2,
        "Unknown model 'Lead': choose one of Account, Claim, Contact, Customer, CustomerGroup, MeterReading, "
        "SalesProAppointment.",
    )
    assert (no_folder.status, no_folder.stderr.strip()) == (2, "Folder not found: /nope")


def test_export_memory_stays_flat_as_records_grow(company, tmp_path):
    """Records are read in chunks of 2,000: exporting five times the records does not take more memory."""
    target = get_target("Customer")
    sample = {name: getattr(CustomerFactory.build(company=company), name) for name in FIELDS}

    def peak_bytes_exporting(count: int) -> int:
        Customer.objects.all().delete()
        Customer.objects.bulk_create(
            Customer(**{**sample, "account_number": str(n), "meter_number": f"M{n}"}, company=company)
            for n in range(count)
        )
        with open(tmp_path / "out.csv", "w", encoding="utf-8") as stream:
            tracemalloc.start()
            records_export(target=target, company=company, file_format="csv", stream=stream)
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
        return peak

    small, large = peak_bytes_exporting(4_000), peak_bytes_exporting(20_000)

    assert large < small * 1.25
