"""`manage.py import_customers`: the operator's face of the import core."""

import csv
import json
from pathlib import Path

import pytest
from openpyxl import Workbook

from customers.models import Customer
from imports.cli import summary_lines
from imports.models import DataTemplate, ImportExportJob
from tests.conftest import GUIDE_CSV, GUIDE_HEADER
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

BAD_CSV = (
    GUIDE_HEADER + "\n"
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-1,,active,residential\n"
    "Bad,Email,notanemail,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-2,,active,residential\n"
    "=HYPERLINK(\"x\"),Phone,p@example.com,555-5557,1 A St,Springfield,IL,62702,MTR-3,,active,residential\n"
)


def test_the_summary_counts_read_as_on_the_pages(company):
    job = ImportExportJob(company=company, file_name="big.csv", target_model="Customer", total_records=12_345,
                          created_records=12_000, updated_records=1_001, failed_records=1_344)
    one = ImportExportJob(company=company, file_name="one.csv", target_model="Customer", total_records=1,
                          created_records=1)

    lines = summary_lines(job)

    assert lines[0].endswith("): 12,345 rows")
    assert lines[1] == "  created 12,000, updated 1,001, unchanged 0, skipped 0, failed 1,344"
    assert summary_lines(one)[0].endswith("): 1 row")


def test_guide_template_imports_both_rows_with_exit_status_0(company, command, write_file):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("guide.csv", GUIDE_CSV)))

    assert result.status == 0
    assert Customer.objects.filter(company=company).count() == 2
    assert "guide.csv into Customer" in result.stdout
    assert "created 2, updated 0, unchanged 0, skipped 0, failed 0" in result.stdout


def test_json_output_is_one_object_with_the_documented_keys(company, command, write_file):
    result = command(
        "import_customers", "--model", "customer", "--file", str(write_file("bad.csv", BAD_CSV)), "--json"
    )

    assert result.status == 1
    output = json.loads(result.stdout)
    job = ImportExportJob.objects.get()
    assert output == {
        "job_id": str(job.pk),
        "status": "completed",
        "dry_run": False,
        "total": 3,
        "created": 1,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "failed": 2,
        "error_report": job.error_report.path,
        "errors": [{"row": 2, "sheet_row": 3, "message": "Invalid email format"},
                   {"row": 3, "sheet_row": 4, "message": "Invalid phone number"}],
    }


def test_error_report_lists_failed_rows_with_original_columns_and_escaped_formulas(company, command, write_file):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("bad.csv", BAD_CSV)),
                     "--json")

    report = Path(json.loads(result.stdout)["error_report"])
    with open(report, encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[0] == ["row_number", "error_message", "sheet_row", *GUIDE_HEADER.split(",")]
    assert lines[1] == ["2", "Invalid email format", "3", "Bad", "Email", "notanemail", "555-555-5556", "456 Oak Ave",
                        "Springfield", "IL", "62702", "MTR-2", "", "active", "residential"]
    assert lines[2][:5] == ["3", "Invalid phone number", "4", "'=HYPERLINK(\"x\")", "Phone"]
    assert len(lines) == 3


def test_fixed_error_report_imports_directly(company, command, write_file):
    first = command("import_customers", "--model", "Customer", "--file", str(write_file("bad.csv", BAD_CSV)),
                    "--json")
    report = Path(json.loads(first.stdout)["error_report"])
    fixed = report.read_text(encoding="utf-8-sig").replace("notanemail", "bad.email@example.com")
    fixed = fixed.replace("555-5557", "555-555-5557")

    second = command("import_customers", "--model", "Customer", "--file", str(write_file("fixed.csv", fixed)),
                     "--json")

    assert second.status == 0
    assert json.loads(second.stdout)["created"] == 2
    assert Customer.objects.filter(first_name='=HYPERLINK("x")').exists()


def test_seed_log_file_records_row_number_data_and_message(company, command, write_file, settings):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("bad.csv", BAD_CSV)))

    logs = list(Path(settings.IMPORT_LOG_DIR).glob("import_errors_Customer_*.log"))
    assert len(logs) == 1
    assert f"Error log: {logs[0]}" in result.stdout
    text = logs[0].read_text()
    assert ('Row 2, sheet row 3: Invalid email format | data: {"first_name": "Bad", "last_name": "Email", '
            '"email": "notanemail"') in text
    assert "Row 3, sheet row 4: Invalid phone number" in text


def test_dry_run_reports_predictions_and_writes_nothing(company, command, write_file):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("bad.csv", BAD_CSV)),
                     "--dry-run", "--json")

    output = json.loads(result.stdout)
    assert (result.status, output["dry_run"], output["created"], output["failed"]) == (1, True, 1, 2)
    assert Customer.objects.count() == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "Lead", "--file", "{guide}"],
         "Unknown model 'Lead': choose one of Account, Claim, Contact, Customer, CustomerGroup, MeterReading, "
         "SalesProAppointment."),
        (["--model", "Customer", "--file", "{guide}", "--company", "nope"], "Unknown company 'nope'."),
        (["--model", "Customer", "--file", "/nonexistent/file.csv"], "File not found: /nonexistent/file.csv"),
        (["--model", "Customer", "--file", "{guide}", "--template", "Missing"],
         "No import template named 'Missing' for Customer."),
    ],
)
def test_bad_invocations_exit_2_with_one_line_and_write_nothing(company, command, write_file, args, message):
    guide = str(write_file("guide.csv", GUIDE_CSV))

    result = command("import_customers", *(arg.replace("{guide}", guide) for arg in args))

    assert result.status == 2
    assert result.stderr.strip() == message
    assert Customer.objects.count() == 0
    assert ImportExportJob.objects.count() == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "The file is empty."),
        (b"%PDF-1.4 binary", "This file is a PDF document, not a spreadsheet: upload a CSV, Excel (.xlsx, .xls) or "
                             "JSON file."),
        (b"first_name,last_name\nJohn,Doe\n", "Missing required columns: email, phone, service_address, city, "
                                              "state, postal_code, meter_number. Add them to the file or map columns "
                                              "to them."),
        (GUIDE_HEADER.encode() + b"\n", "The file has a header row but no data rows."),
    ],
)
def test_files_that_cannot_run_exit_2_with_one_clear_line(company, command, write_file, content, message):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("f.csv", content)))

    assert (result.status, result.stderr.strip()) == (2, message)
    assert Customer.objects.count() == 0


def test_exit_2_with_json_still_prints_one_json_object(company, command, write_file):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("f.csv", b"")), "--json")

    assert result.status == 2
    output = json.loads(result.stdout)
    assert (output["status"], output["error"], output["created"]) == ("failed", "The file is empty.", 0)


def test_a_file_over_the_size_limit_exits_2(company, command, write_file, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    big = GUIDE_CSV + ("x" * 1023 + "\n") * 1100

    result = command("import_customers", "--model", "Customer", "--file", str(write_file("big.csv", big)))

    assert result.status == 2
    assert result.stderr.strip() == "The file is 1.1 MB; the limit is 1 MB."
    assert ImportExportJob.objects.count() == 0


def test_a_file_over_the_row_limit_exits_2_before_any_write(company, command, write_file, settings):
    settings.IMPORT_MAX_ROWS = 1

    result = command("import_customers", "--model", "Customer", "--file", str(write_file("guide.csv", GUIDE_CSV)))

    assert result.status == 2
    assert result.stderr.strip() == (
        "The file has more than 1 rows, the limit (IMPORT_MAX_ROWS). Split it into smaller files."
    )
    assert Customer.objects.count() == 0


def test_company_may_be_left_out_only_when_exactly_one_exists(company, command, write_file):
    path = str(write_file("guide.csv", GUIDE_CSV))
    CompanyFactory(slug="zeta")

    ambiguous = command("import_customers", "--model", "Customer", "--file", path)
    chosen = command("import_customers", "--model", "Customer", "--file", path, "--company", "zeta")

    assert ambiguous.status == 2
    assert ambiguous.stderr.strip() == "Several companies exist (acme, zeta): choose one with --company."
    assert chosen.status == 0
    assert Customer.objects.get(email="john.doe@example.com").company.slug == "zeta"


def test_no_company_at_all_says_how_to_create_one(db, command, write_file):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("g.csv", GUIDE_CSV)))

    assert (result.status, result.stderr.strip()) == (
        2, "No company exists yet: create one with `manage.py create_company`."
    )


class TestMappingFile:
    def test_a_json_mapping_file_maps_columns(self, company, command, write_file):
        content = GUIDE_CSV.replace("first_name", "Given Name Here", 1)
        mapping = write_file("mapping.json", json.dumps({"Given Name Here": "first_name"}))

        result = command("import_customers", "--model", "Customer", "--file", str(write_file("c.csv", content)),
                         "--mapping", str(mapping))

        assert result.status == 0
        assert Customer.objects.filter(first_name="John").exists()

    @pytest.mark.parametrize(
        ("mapping", "message"),
        [
            ('{"x": "shoe_size"}', "The mapping names fields Customer does not have: shoe_size."),
            ('["first_name"]', 'The mapping must be a JSON object like {"file column": "field"}.'),
            ("{not json", "is not valid JSON"),
        ],
    )
    def test_a_bad_mapping_file_exits_2_before_anything_runs(self, company, command, write_file, mapping, message):
        path = write_file("mapping.json", mapping)

        result = command("import_customers", "--model", "Customer", "--file", str(write_file("g.csv", GUIDE_CSV)),
                         "--mapping", str(path))

        assert result.status == 2
        assert message in result.stderr
        assert ImportExportJob.objects.count() == 0


def test_a_saved_template_maps_columns(company, command, write_file):
    DataTemplate.objects.create(company=company, template_name="Legacy CRM", target_model="Customer",
                                field_mapping={"Given Name Here": "first_name"})
    content = GUIDE_CSV.replace("first_name", "Given Name Here", 1)

    result = command("import_customers", "--model", "Customer", "--file", str(write_file("c.csv", content)),
                     "--template", "Legacy CRM")

    assert result.status == 0
    assert ImportExportJob.objects.get().field_mapping["Given Name Here"] == "first_name"


def test_a_named_sheet_of_a_workbook_is_imported(company, command, tmp_path):
    workbook = Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["nothing to import here"])
    sheet = workbook.create_sheet("Customers")
    for line in GUIDE_CSV.splitlines():
        sheet.append(line.split(","))
    workbook.save(tmp_path / "customers.xlsx")

    wrong = command("import_customers", "--model", "Customer", "--file", str(tmp_path / "customers.xlsx"),
                    "--sheet", "Missing")
    right = command("import_customers", "--model", "Customer", "--file", str(tmp_path / "customers.xlsx"),
                    "--sheet", "Customers")

    assert (wrong.status, wrong.stderr.strip()) == (2, "Sheet 'Missing' not found; the workbook has: Notes, Customers.")
    assert right.status == 0
    assert Customer.objects.count() == 2


@pytest.mark.parametrize(
    ("mode", "duplicates", "expected"),
    [
        ("upsert", "skip", {"unchanged": 2, "created": 0, "failed": 0}),
        ("create", "skip", {"skipped": 2, "created": 0, "failed": 0}),
        ("create", "error", {"failed": 2, "created": 0}),
        ("update", "skip", {"unchanged": 2, "failed": 0}),
    ],
)
def test_modes_on_a_file_imported_twice(company, command, write_file, mode, duplicates, expected):
    content = GUIDE_CSV.replace(",,active", ",{n},active")
    content = content.replace("{n}", "1111111111", 1).replace("{n}", "2222222222", 1)
    path = str(write_file("c.csv", content))
    command("import_customers", "--model", "Customer", "--file", path)

    result = command("import_customers", "--model", "Customer", "--file", path, "--mode", mode,
                     "--duplicates", duplicates, "--json")

    output = json.loads(result.stdout)
    assert {key: output[key] for key in expected} == expected
    assert Customer.objects.count() == 2


def test_ctrl_c_cancels_the_job_and_keeps_the_committed_batches(company, command, write_file, monkeypatch):
    from imports.jobs import import_kind

    real_write = import_kind.batch_write
    writes = {"count": 0}

    def interrupted_after_the_first_batch(**kwargs):
        writes["count"] += 1
        if writes["count"] == 2:
            raise KeyboardInterrupt
        return real_write(**kwargs)

    monkeypatch.setattr(import_kind, "batch_write", interrupted_after_the_first_batch)
    path = write_file("guide.csv", GUIDE_CSV)

    result = command("import_customers", "--model", "Customer", "--file", str(path), "--batch-size", "1")

    job = ImportExportJob.objects.get()
    assert result.status == 130
    assert result.stderr.strip() == "Stopped after 1 of 2 rows; the rows saved until then stay saved (job cancelled)."
    assert (job.job_status, job.created_records) == ("cancelled", 1)
    assert set(job.chunks.values_list("status", flat=True)) == {"cancelled"}
    assert Customer.objects.count() == 1


def test_a_lost_database_connection_is_one_line_not_a_traceback(company, command, write_file, monkeypatch):
    from django.db import OperationalError

    from imports.jobs import import_kind

    def database_gone(**kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(import_kind, "batch_write", database_gone)

    result = command("import_customers", "--model", "Customer", "--file", str(write_file("g.csv", GUIDE_CSV)))

    assert result.status == 2
    assert result.stderr.strip() == (
        "The database stopped answering (server closed the connection unexpectedly). Rows saved until then stay "
        "saved; run the same command again to finish (rows already imported come out unchanged)."
    )
