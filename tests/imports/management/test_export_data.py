"""`manage.py export_data`: a company's records out as an export job run in this process, in the columns, filters
and format asked for (or an export template's), the file copied to --output; one clear line and exit status 2 when
nothing could run."""

import csv
import json
from datetime import date

import openpyxl
import pytest
from django.core.management import CommandError

from customers.models import Customer
from imports.declare.targets import get_target
from imports.engine.exports import rows as export_rows
from imports.jobs.export_services import export_template_save
from imports.models import AuditEvent, ImportExportJob
from tests.factories import CustomerFactory
from tests.memory import peak_bytes

pytestmark = pytest.mark.django_db

FIELDS = [field.name for field in get_target("Customer").fields]


def csv_rows(path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture
def export(command, tmp_path):
    """Run export_data for company acme into out.<extension>; return the result and the file's path."""

    def run(*args, extension: str = "csv"):
        output = tmp_path / f"out.{extension}"
        return command("export_data", "--company", "acme", "--output", str(output), *args), output

    return run


@pytest.fixture
def customers(company, other_company):
    """Three customers of Acme, one of Globex."""
    CustomerFactory(company=company, account_number="1001", status="active", email="ann@example.com",
                    connection_date=date(2023, 5, 1), postal_code="02134")
    CustomerFactory(company=company, account_number="1002", status="inactive", email="bob@example.org",
                    connection_date=date(2024, 2, 1))
    CustomerFactory(company=company, account_number="1003", status="suspended", email="cy@example.com",
                    connection_date=date(2024, 9, 1))
    CustomerFactory(company=other_company, account_number="9001", status="active")


def test_csv_export_holds_the_import_columns_escapes_formulas_and_records_the_copy(company, export):
    CustomerFactory(company=company, account_number="1", first_name="=cmd|' /C calc'!A0", notes="")
    result, output = export("--model", "Customer", "--format", "csv")

    assert result.status == 0, result.stderr
    job = ImportExportJob.objects.get()
    assert result.stdout.strip() == f"Exported 1 customers to {output} (job {job.pk})"
    rows = csv_rows(output)
    assert list(rows[0]) == FIELDS
    assert (rows[0]["first_name"], rows[0]["phone"], rows[0]["notes"]) == ("'=cmd|' /C calc'!A0", "+15555550100", "")
    assert (job.job_type, job.job_status, job.total_records, job.options["via"]) == ("export", "completed", 1, "cli")
    event = AuditEvent.objects.get()
    assert (event.action, event.via, event.job) == (AuditEvent.Action.DOWNLOAD, "cli", job)


def test_another_companys_records_never_appear(customers, export):
    result, output = export("--model", "Customer")

    assert result.status == 0
    assert [row["account_number"] for row in csv_rows(output)] == ["1001", "1002", "1003"]


def test_json_export_is_one_array_of_objects(company, export):
    CustomerFactory(company=company, account_number="1", connection_date=None)
    CustomerFactory(company=company, account_number="2", notes="café")

    result, output = export("--model", "Customer", "--format", "JSON", extension="json")

    records = json.loads(output.read_text(encoding="utf-8"))
    assert result.status == 0
    assert [record["account_number"] for record in records] == ["1", "2"]
    assert list(records[0]) == FIELDS
    assert (records[0]["connection_date"], records[1]["notes"]) == (None, "café")


def test_an_empty_json_export_is_an_empty_array(company, export):
    result, output = export("--model", "Customer", "--format", "json", extension="json")

    assert result.status == 0
    assert json.loads(output.read_text()) == []


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


def test_columns_come_in_the_order_asked_and_may_be_read_only_ones(customers, export):
    result, output = export("--model", "Customer", "--columns", "postal_code, account_number,address_status")

    assert result.status == 0
    assert csv_rows(output)[0] == {"postal_code": "02134", "account_number": "1001", "address_status": "pending"}


def test_xlsx_is_stored_as_excel_and_written_as_a_workbook(customers, export):
    result, output = export("--model", "Customer", "--columns", "account_number,postal_code", "--format", "xlsx",
                            extension="xlsx")

    assert result.status == 0, result.stderr
    assert ImportExportJob.objects.get().file_format == "excel"
    sheet = openpyxl.load_workbook(output).active
    assert [cell.value for cell in sheet[2]] == ["1001", "02134"]


def test_pdf_is_a_report_of_the_records(customers, export):
    result, output = export("--model", "Customer", "--columns", "account_number,email", "--format", "pdf",
                            "--filter", "status=active", extension="pdf")

    assert result.status == 0, result.stderr
    assert output.read_bytes().startswith(b"%PDF")
    assert ImportExportJob.objects.get().total_records == 1


def test_import_compatible_picks_exactly_the_import_columns(customers, export):
    result, output = export("--model", "Customer", "--columns", "email", "--import-compatible")

    assert result.status == 0
    assert list(csv_rows(output)[0]) == FIELDS


@pytest.mark.parametrize(("filters", "accounts"), [
    (["status=ACTIVE"], ["1001"]),
    (["status=active|suspended"], ["1001", "1003"]),
    (["status=inactive, suspended"], ["1002", "1003"]),
    (["email~example.com"], ["1001", "1003"]),
    (["connection_date>=2024-01-01"], ["1002", "1003"]),
    (["connection_date<=2024-02-01"], ["1001", "1002"]),
    (["connection_date>=2024-01-01", "connection_date<=2024-02-01"], ["1002"]),
    (["email=ANN@example.com"], ["1001"]),
])
def test_filters_pick_the_records(customers, export, filters, accounts):
    flags = [part for text in filters for part in ("--filter", text)]

    result, output = export("--model", "Customer", "--columns", "account_number", *flags)

    assert result.status == 0, result.stderr
    assert [row["account_number"] for row in csv_rows(output)] == accounts


def test_an_import_job_filter_picks_what_that_import_wrote(company, export, run_import, write_file, customers):
    job = run_import(write_file("in.csv", (
        "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number\n"
        "Zoë,Ng,zoe@example.com,555-555-0101,1 High St,Springfield,IL,62701,M-77,7777\n"
    )))

    result, output = export("--model", "Customer", "--columns", "account_number", "--filter", f"import_job={job.pk}")

    assert result.status == 0, result.stderr
    assert [row["account_number"] for row in csv_rows(output)] == ["7777"]


def test_a_template_gives_its_export_without_model_and_options_replace_its_own(company, customers, export):
    template = export_template_save(
        {"target": "Customer", "columns": ["account_number", "status"],
         "filters": [{"field": "status", "op": "in", "value": ["active", "suspended"]}], "format": "json"},
        company=company, name="Open accounts",
    )

    saved, saved_output = export("--template", "Open accounts", extension="json")
    replaced, replaced_output = export("--template", "Open accounts", "--format", "csv", "--columns",
                                       "account_number", "--filter", "status=inactive")

    assert saved.status == replaced.status == 0
    assert json.loads(saved_output.read_text()) == [{"account_number": "1001", "status": "active"},
                                                    {"account_number": "1003", "status": "suspended"}]
    assert csv_rows(replaced_output) == [{"account_number": "1002"}]
    assert set(ImportExportJob.objects.values_list("template", flat=True)) == {template.pk}


def test_model_picks_the_template_among_same_named_ones_of_several_targets(company, customers, export):
    export_template_save({"target": "Customer", "columns": ["account_number"]}, company=company, name="Everything")
    export_template_save({"target": "MeterReading"}, company=company, name="Everything")

    unsure, _output = export("--template", "Everything")
    picked, output = export("--template", "Everything", "--model", "Customer")

    assert unsure.status == 2
    assert "Several export templates are named 'Everything' (Customer, MeterReading)" in unsure.stderr
    assert picked.status == 0
    assert [row["account_number"] for row in csv_rows(output)] == ["1001", "1002", "1003"]


@pytest.mark.parametrize(("args", "message"), [
    (["--model", "Lead"], "Unknown model 'Lead': choose one of Account, Claim, Contact, Customer, CustomerGroup, "
                          "MeterReading, SalesProAppointment."),
    ([], "Name what to export with --model, or an export template with --template."),
    (["--template", "Nope"], "--template: No export template named 'Nope'."),
    (["--model", "Customer", "--columns", "email,shoe_size"], "--columns: Unknown column 'shoe_size' for customers"),
    (["--model", "Customer", "--columns", " , "], "--columns names no column: give them as a,b,c."),
    (["--model", "Customer", "--filter", "status"], "--filter 'status' is not FIELD=VALUE, FIELD~VALUE, "
                                                    "FIELD>=VALUE or FIELD<=VALUE."),
    (["--model", "Customer", "--filter", "shoe_size=9"], "--filter: Unknown filter field 'shoe_size'"),
    (["--model", "Customer", "--filter", "status=asleep"], "--filter: The filter on Status: Invalid status 'asleep'"),
    (["--model", "Customer", "--filter", "connection_date>=15/01/2024"], "use YYYY-MM-DD"),
    (["--model", "Customer", "--filter", "email=a|b"], "The filter on Email cannot use 'in': use contains or equals."),
    (["--model", "Customer", "--filter", "import_job=123"], "'123' is not the id of an import job."),
])
def test_a_bad_request_exits_2_with_one_line_and_no_job(customers, export, args, message):
    result, output = export(*args)

    assert result.status == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not ImportExportJob.objects.exists()
    assert not output.exists()


def test_a_missing_folder_or_company_exits_2(customers, command):
    no_folder = command("export_data", "--model", "Customer", "--output", "/nope/x.csv", "--company", "acme")
    no_company = command("export_data", "--model", "Customer", "--output", "x.csv", "--company", "initech")

    assert (no_folder.status, no_folder.stderr.strip()) == (2, "Folder not found: /nope")
    assert (no_company.status, no_company.stderr.strip()) == (2, "Unknown company 'initech'.")


def test_a_pdf_over_its_row_cap_is_refused(customers, export, settings):
    settings.EXPORT_PDF_MAX_ROWS = 2

    result, _output = export("--model", "Customer", "--format", "pdf", extension="pdf")

    assert result.status == 2
    assert "A PDF holds at most 2 rows and this export has 3" in result.stderr


def test_an_unknown_format_is_refused_by_the_options(customers, export):
    with pytest.raises(CommandError, match="invalid choice: 'docx'"):
        export("--model", "Customer", "--format", "docx")


def test_an_output_that_cannot_be_written_exits_2(customers, command, tmp_path):
    folder = tmp_path / "taken"
    folder.mkdir()

    result = command("export_data", "--model", "Customer", "--output", str(folder), "--company", "acme")

    assert result.status == 2
    assert result.stderr.strip().startswith(f"Could not write {folder}: ")


def test_ctrl_c_cancels_the_export_and_writes_no_file(customers, export, monkeypatch):
    from imports.management.commands import export_data

    def interrupted(*, job, on_progress):
        raise KeyboardInterrupt

    monkeypatch.setattr(export_data, "job_run", interrupted)

    result, output = export("--model", "Customer")

    assert result.status == 130
    assert "no file was written" in result.stderr
    assert ImportExportJob.objects.get().job_status == ImportExportJob.Status.CANCELLED
    assert not output.exists()


def test_export_memory_stays_flat_as_records_grow(company, export, monkeypatch, settings):
    """Rows are read a page at a time and written a block at a time: four times the records, each run many pages
    long (pages of 500 rows here, to keep the test quick), take no more memory. Progress is reported after every
    page in both runs (on a slow machine only the longer run would otherwise reach its first report, whose first
    use of that code allocates). A first run as long as the longest measured leaves out what exports allocate once
    and keep (caches that fill up to their size as pages go by, in a process that has run other tests)."""
    monkeypatch.setattr(export_rows, "PAGE_ROWS", 500)
    settings.EXPORT_PROGRESS_SECONDS = 0
    sample = {name: getattr(CustomerFactory.build(company=company), name) for name in FIELDS}

    def peak_bytes_exporting(count: int) -> int:
        Customer.objects.all().delete()
        Customer.objects.bulk_create(
            Customer(**{**sample, "account_number": str(n), "meter_number": f"M{n}"}, company=company)
            for n in range(count)
        )
        (result, _output), peak = peak_bytes(lambda: export("--model", "Customer"))
        assert result.status == 0
        return peak

    peak_bytes_exporting(12_000)
    small, large = peak_bytes_exporting(3_000), peak_bytes_exporting(12_000)

    assert large < small * 1.25
