"""Utility customers imported with the rules of the FlowTrack customer import guide."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer
from imports.models import ImportExportJob, ImportExportLog
from tests.conftest import GUIDE_CSV, GUIDE_HEADER
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number"


def row(n: int, **changes) -> str:
    """A valid customer row with account number 5000000000+n; keyword arguments replace single cells."""
    cells = {
        "first_name": f"First{n}",
        "last_name": f"Last{n}",
        "email": f"person{n}@example.com",
        "phone": f"555-555-{n:04d}",
        "service_address": f"{n} Main St",
        "city": "Springfield",
        "state": "IL",
        "postal_code": "62701",
        "meter_number": f"MTR-{n:06d}",
        "account_number": f"{5000000000 + n}",
    }
    cells.update(changes)
    return ",".join(cells[name] for name in HEADER.split(","))


def csv_of(*rows: str, header: str = HEADER) -> str:
    return "\n".join([header, *rows]) + "\n"


def messages(job: ImportExportJob) -> dict[int, str]:
    logs = job.logs.filter(log_level=ImportExportLog.Level.ERROR, record_number__isnull=False)
    return dict(logs.values_list("record_number", "message"))


def test_guide_template_imports_both_rows_with_the_guides_defaults(company, write_file, run_import):
    job = run_import(write_file("guide.csv", GUIDE_CSV))

    assert job.job_status == ImportExportJob.Status.COMPLETED
    assert (job.total_records, job.created_records, job.failed_records) == (2, 2, 0)
    john = Customer.objects.get(company=company, email="john.doe@example.com")
    assert john.phone == "+15555555555"
    assert (john.billing_address, john.billing_city, john.billing_state, john.billing_postal_code) == (
        "123 Main St", "Springfield", "IL", "62701"
    )
    assert john.status == "active"
    assert john.customer_type == "residential"
    assert john.rate_code == "RES-1"  # the company's default rate
    assert john.connection_date == timezone.localdate()
    assert Customer.objects.get(email="jane.smith@example.com").customer_type == "commercial"


def test_blank_account_numbers_are_generated_as_tenant_plus_sequence(company, write_file, run_import):
    run_import(write_file("guide.csv", GUIDE_CSV))

    numbers = sorted(Customer.objects.filter(company=company).values_list("account_number", flat=True))
    assert numbers == ["1234000001", "1234000002"]


def test_generated_account_numbers_skip_numbers_already_stored(company, write_file, run_import):
    CustomerFactory(company=company, account_number="1234000001")

    run_import(write_file("guide.csv", GUIDE_CSV))

    generated = Customer.objects.filter(company=company, email__in=["john.doe@example.com", "jane.smith@example.com"])
    assert sorted(generated.values_list("account_number", flat=True)) == ["1234000002", "1234000003"]


def test_generated_account_number_never_equals_a_number_named_in_the_same_batch(company, write_file, run_import):
    job = run_import(write_file("c.csv", csv_of(row(1, account_number=""), row(2, account_number="1234000001"))))

    assert job.failed_records == 0
    assert sorted(Customer.objects.values_list("account_number", flat=True)) == ["1234000001", "1234000002"]


def test_generated_numbers_start_above_numbers_of_that_form_named_later_in_the_file(company, write_file, run_import):
    content = csv_of(row(1, account_number=""), row(2, account_number="1234000007"))

    job = run_import(write_file("c.csv", content), batch_size=1)

    assert (job.created_records, job.failed_records) == (2, 0)
    assert Customer.objects.get(first_name="First1").account_number == "1234000008"
    assert Customer.objects.get(first_name="First2").account_number == "1234000007"


def test_each_kind_of_bad_row_gets_the_guides_exact_message_and_nothing_partial(company, write_file, run_import):
    content = csv_of(
        row(1),
        row(2, email="notanemail"),
        row(3, phone="555-1234"),
        row(4, state="XX"),
        row(5, first_name=""),
        row(6, account_number="5000000001"),
    )

    job = run_import(write_file("bad.csv", content))

    assert messages(job) == {
        2: "Invalid email format",
        3: "Invalid phone number",
        4: "Invalid state code",
        5: "Missing required field: First name",
        6: "Duplicate account number (same as sheet row 2)",
    }
    assert (job.created_records, job.failed_records) == (1, 5)
    assert list(Customer.objects.values_list("account_number", flat=True)) == ["5000000001"]


def test_several_errors_of_one_row_are_joined_in_field_order(company, write_file, run_import):
    job = run_import(write_file("c.csv", csv_of(row(1, state="ZZ", email="bad", last_name=""))))

    assert messages(job) == {1: "Missing required field: Last name; Invalid email format; Invalid state code"}
    log = job.logs.get(record_number=1)
    assert [detail["field"] for detail in log.details] == ["last_name", "email", "state"]
    assert log.details[1] == {"field": "email", "column": "email", "value": "bad", "message": "Invalid email format"}


def test_other_messages_name_the_field_and_value(company, write_file, run_import):
    header = HEADER + ",status,connection_date,billing_state,notes"
    content = csv_of(
        row(1) + ",closed,2024-01-15,IL,",
        row(2) + ",active,01/15/2024,IL,",
        row(3) + ",active,2024-01-15,QQ,",
        row(4, postal_code="1234") + ",active,2024-01-15,IL,",
        row(5) + ",active,2024-01-15,IL," + "x" * 501,
        header=header,
    )

    job = run_import(write_file("c.csv", content))

    assert messages(job) == {
        1: "Invalid status 'closed': use one of active, inactive, suspended",
        2: "Invalid connection date '01/15/2024': use YYYY-MM-DD, e.g. 2024-01-15",
        3: "Invalid state code in billing state",
        4: "Invalid postal code '1234': use 5 digits (62701) or 9 digits (62701-1234); "
        "if Excel dropped a leading zero, format the column as Text",
        5: "Notes is too long: 501 characters, at most 500",
    }


def test_values_are_normalised_before_storing(company, write_file, run_import):
    header = HEADER + ",status,customer_type"
    content = csv_of(
        row(1, email=" Mixed.Case@EXAMPLE.COM ", phone="(555) 555-0101", state="il", postal_code="627011234")
        + ",SUSPENDED,Industrial",
        header=header,
    )

    run_import(write_file("c.csv", content))

    customer = Customer.objects.get()
    assert (customer.email, customer.phone, customer.state, customer.postal_code) == (
        "Mixed.Case@example.com", "+15555550101", "IL", "62701-1234"
    )
    assert (customer.status, customer.customer_type) == ("suspended", "industrial")


def test_missing_required_columns_fail_the_job_before_any_write(company, write_file, run_import):
    content = "first_name,last_name,email\nJohn,Doe,john@example.com\n"

    job = run_import(write_file("c.csv", content))

    assert job.job_status == ImportExportJob.Status.FAILED
    assert job.error_message == (
        "Missing required columns: phone, service_address, city, state, postal_code, meter_number. "
        "Add them to the file or map columns to them."
    )
    assert Customer.objects.count() == 0


class TestModesAndDuplicates:
    def test_reimporting_the_same_file_in_upsert_mode_reports_every_row_unchanged(self, write_file, run_import):
        path = write_file("c.csv", csv_of(row(1), row(2), row(3)))
        run_import(path)
        before = dict(Customer.objects.values_list("account_number", "updated_at"))

        job = run_import(path, mode="upsert")

        assert (job.unchanged_records, job.skipped_records, job.updated_records, job.created_records) == (3, 3, 0, 0)
        assert dict(Customer.objects.values_list("account_number", "updated_at")) == before

    def test_one_edited_row_updates_that_row_alone(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1), row(2), row(3))))
        before = dict(Customer.objects.values_list("account_number", "updated_at"))

        job = run_import(write_file("edited.csv", csv_of(row(1), row(2, city="Shelbyville"), row(3))))

        assert (job.updated_records, job.unchanged_records, job.created_records) == (1, 2, 0)
        assert Customer.objects.get(account_number="5000000002").city == "Shelbyville"
        after = dict(Customer.objects.values_list("account_number", "updated_at"))
        assert after["5000000001"] == before["5000000001"]
        assert after["5000000002"] > before["5000000002"]

    def test_create_mode_skips_existing_keys_by_default(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1))))

        job = run_import(write_file("again.csv", csv_of(row(1, city="Elsewhere"), row(2))), mode="create")

        assert (job.skipped_records, job.unchanged_records, job.created_records) == (1, 0, 1)
        assert Customer.objects.get(account_number="5000000001").city == "Springfield"

    def test_create_mode_with_duplicates_error_fails_existing_keys(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1))))

        job = run_import(write_file("again.csv", csv_of(row(1), row(2))), mode="create", duplicates="error")

        assert messages(job) == {1: "Duplicate account number"}
        assert job.created_records == 1

    def test_create_mode_with_duplicates_update_updates_existing_keys(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1))))

        job = run_import(write_file("again.csv", csv_of(row(1, city="Elsewhere"))), mode="create", duplicates="update")

        assert job.updated_records == 1
        assert Customer.objects.get(account_number="5000000001").city == "Elsewhere"

    def test_create_mode_with_duplicates_create_new_gives_the_row_a_new_account_number(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1))))

        job = run_import(
            write_file("again.csv", csv_of(row(1, meter_number="MTR-NEW"))), mode="create", duplicates="create_new"
        )

        assert job.created_records == 1
        assert sorted(Customer.objects.values_list("account_number", flat=True)) == ["1234000001", "5000000001"]
        assert Customer.objects.get(account_number="1234000001").meter_number == "MTR-NEW"

    def test_update_mode_fails_unknown_keys_and_creates_nothing(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1))))

        job = run_import(
            write_file("u.csv", csv_of(row(1, city="Elsewhere"), row(2), row(3, account_number=""))), mode="update"
        )

        assert messages(job) == {
            2: "Unknown account number '5000000002': no customer has it, and update mode only changes existing records",
            3: "Missing required field: Account number",
        }
        assert job.updated_records == 1
        assert Customer.objects.count() == 1

    def test_update_mode_needs_only_the_key_column_and_changes_only_given_fields(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1))))

        job = run_import(write_file("u.csv", "account_number,phone\n5000000001,555-555-9999\n"), mode="update")

        assert (job.job_status, job.updated_records) == (ImportExportJob.Status.COMPLETED, 1)
        customer = Customer.objects.get()
        assert (customer.phone, customer.city) == ("+15555559999", "Springfield")

    def test_blank_cells_never_overwrite_stored_values_on_update(self, write_file, run_import):
        header = HEADER + ",notes"
        run_import(write_file("c.csv", csv_of(row(1) + ",gate code 1234", header=header)))

        job = run_import(write_file("again.csv", csv_of(row(1) + ",", header=header)))

        assert job.unchanged_records == 1
        assert Customer.objects.get().notes == "gate code 1234"

    def test_seed_mode_names_are_accepted_as_aliases(self, write_file, run_import):
        path = write_file("c.csv", csv_of(row(1)))

        assert run_import(path, mode="create_only").import_mode == "create"
        assert run_import(path, mode="update_only").import_mode == "update"
        assert run_import(path, mode="create_update").import_mode == "upsert"


class TestMeterNumbers:
    def test_a_meter_of_another_active_customer_fails_the_row(self, company, write_file, run_import):
        CustomerFactory(company=company, account_number="7000000001", meter_number="MTR-000001")

        job = run_import(write_file("c.csv", csv_of(row(1))))

        assert messages(job) == {1: "Meter number MTR-000001 already belongs to active customer 7000000001"}

    def test_a_meter_of_an_inactive_customer_can_be_reused(self, company, write_file, run_import):
        CustomerFactory(company=company, meter_number="MTR-000001", status="inactive")

        job = run_import(write_file("c.csv", csv_of(row(1))))

        assert job.created_records == 1

    def test_a_meter_of_another_company_does_not_count(self, other_company, write_file, run_import):
        CustomerFactory(company=other_company, meter_number="MTR-000001")

        assert run_import(write_file("c.csv", csv_of(row(1)))).created_records == 1

    def test_a_meter_twice_in_the_file_fails_the_later_row(self, write_file, run_import):
        job = run_import(write_file("c.csv", csv_of(row(1), row(2, meter_number="MTR-000001"))), batch_size=1)

        assert messages(job) == {2: "Meter number MTR-000001 is also on sheet row 2 for an active customer"}

    def test_updating_a_customer_keeps_its_own_meter(self, write_file, run_import):
        run_import(write_file("c.csv", csv_of(row(1))))

        assert run_import(write_file("u.csv", csv_of(row(1, city="Elsewhere")))).updated_records == 1


def test_a_key_twice_in_the_file_fails_the_later_rows_with_the_first_rows_number(write_file, run_import):
    content = csv_of(row(1), row(2), row(3, account_number="5000000001"), row(4, account_number="5000000001"))

    job = run_import(write_file("c.csv", content), batch_size=2)

    assert messages(job) == {
        3: "Duplicate account number (same as sheet row 2)",
        4: "Duplicate account number (same as sheet row 2)",
    }


def test_extra_cells_beyond_the_header_fail_the_row_and_keep_its_cells(write_file, run_import):
    job = run_import(write_file("c.csv", csv_of(row(1), row(2) + ",Apt 4")))

    assert messages(job) == {
        2: "Row has 11 cells but the header has 10 columns: a value probably contains the delimiter without quotes"
    }
    assert job.logs.get(record_number=2).record_data["_extra"] == ["Apt 4"]


def test_dry_run_writes_nothing_and_predicts_the_real_run(company, write_file, run_import):
    CustomerFactory(company=company, account_number="5000000001", first_name="Old", meter_number="MTR-000001",
                    email="person1@example.com")
    path = write_file("c.csv", csv_of(row(1), row(2), row(3, email="bad"), row(4, account_number="")))

    dry = run_import(path, dry_run=True)

    assert Customer.objects.count() == 1
    assert Customer.objects.get().first_name == "Old"
    real = run_import(path)
    counts = ("created_records", "updated_records", "unchanged_records", "skipped_records", "failed_records")
    assert [getattr(dry, name) for name in counts] == [getattr(real, name) for name in counts] == [2, 1, 0, 0, 1]
    assert messages(dry) == messages(real)


def test_excel_style_title_rows_and_synonym_headers_import(write_file, run_import):
    content = (
        "Customer list,,,,,,,,\n"
        "Exported 2024-01-02,,,,,,,,\n"
        "\n"
        "First Name,Last Name,E-mail,Phone Number,Address,City,State,Zip,Meter\n"
        "John,Doe,john@example.com,555-555-5555,1 Main St,Springfield,IL,62701,MTR-1\n"
    )

    job = run_import(write_file("c.csv", content))

    assert job.created_records == 1
    assert job.field_mapping == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "E-mail": "email",
        "Phone Number": "phone",
        "Address": "service_address",
        "City": "city",
        "State": "state",
        "Zip": "postal_code",
        "Meter": "meter_number",
    }


def test_a_json_mapping_overrides_header_matching(write_file, run_import):
    content = (
        "Given,Family,Mail,Tel,Street,Town,St,ZIP5,Meter ID\n"
        "Jo,Do,jo@example.com,5555555555,1 A St,X,IL,62701,M1\n"
    )
    mapping = {"Given": "first_name", "Family": "last_name", "Mail": "email", "Tel": "phone", "Street":
               "service_address", "Town": "city", "St": "state", "ZIP5": "postal_code"}

    job = run_import(write_file("c.csv", content), mapping=mapping)

    assert job.created_records == 1
    assert Customer.objects.get().meter_number == "M1"


def test_connection_date_from_a_real_excel_date_cell(write_file, run_import, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([*HEADER.split(","), "connection_date"])
    sheet.append(["Jo", "Do", "jo@example.com", 5555555555, "1 A St", "X", "IL", 62701, "M1", 5000000001,
                  dt.datetime(2024, 1, 15)])
    workbook.save(tmp_path / "c.xlsx")

    job = run_import(tmp_path / "c.xlsx")

    customer = Customer.objects.get()
    assert (job.file_format, customer.connection_date, customer.postal_code, customer.account_number) == (
        "excel", dt.date(2024, 1, 15), "62701", "5000000001"
    )


def test_queries_grow_with_batches_not_with_rows(write_file, run_import):
    """Look-ups run once per batch and writes are one bulk statement each: ten times the rows in the same number
    of batches costs exactly the same queries."""

    def queries_for(count: int, batch_size: int) -> list[str]:
        content = csv_of(*(row(n, account_number="" if n % 3 == 0 else f"{5000000000 + n}") for n in range(count)))
        Customer.objects.all().delete()
        path = write_file(f"c{count}.csv", content)
        with CaptureQueriesContext(connection) as context:
            job = run_import(path, batch_size=batch_size)
        assert job.created_records == count
        return [query["sql"] for query in context.captured_queries]

    queries_for(10, 5)  # the first import of a company also creates its account-number sequence
    small, large = queries_for(40, 20), queries_for(400, 200)

    assert len(large) == len(small)


def test_header_without_data_rows_fails_the_job(write_file, run_import):
    job = run_import(write_file("c.csv", GUIDE_HEADER + "\n\n"))

    assert job.job_status == ImportExportJob.Status.FAILED
    assert job.error_message == "The file has a header row but no data rows."
