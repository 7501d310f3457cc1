"""Meter readings imported with the rules of the guide's "Meter Reading Import"."""

import csv
import datetime as dt
import io
from decimal import Decimal

import pytest

from imports.models import ImportExportLog
from readings.models import MeterReading
from tests.conftest import GUIDE_HEADER
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db

READING_HEADER = "account_number,meter_number,reading_date,reading_value,reading_type,notes"
# The guide's reading template, word for word.
READING_TEMPLATE = (
    f"{READING_HEADER}\n"
    "1234567890,MTR-001234,2024-01-15,12345,manual,Clear access\n"
    "1234567891,MTR-001235,2024-01-15,23456,manual,Dog on premises\n"
)
# The guide's customer template, with the account numbers the reading template names.
CUSTOMER_TEMPLATE = (
    f"{GUIDE_HEADER}\n"
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-001234,1234567890,active,"
    "residential\n"
    "Jane,Smith,jane.smith@example.com,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-001235,1234567891,active,"
    "commercial\n"
)


@pytest.fixture
def customers(company, write_file, run_import):
    job = run_import(write_file("customers.csv", CUSTOMER_TEMPLATE))
    assert job.created_records == 2
    return company.customers.order_by("account_number")


@pytest.fixture
def import_readings(write_file, run_import):
    def run(*rows: str, name="readings.csv", **options):
        return run_import(write_file(name, "\n".join([READING_HEADER, *rows]) + "\n"), target="MeterReading",
                          **options)

    return run


def report_rows(job) -> list[dict]:
    with job.error_report.open("rb") as stored:
        return list(csv.DictReader(io.StringIO(stored.read().decode("utf-8-sig"))))


def readings_of(meter: str) -> list[tuple]:
    return list(
        MeterReading.objects.filter(meter_number=meter).order_by("reading_date")
        .values_list("reading_date", "reading_value", "consumption")
    )


def test_the_guides_reading_template_imports_against_its_customer_template(customers, write_file, run_import):
    job = run_import(write_file("readings.csv", READING_TEMPLATE), target="MeterReading")

    assert (job.job_status, job.created_records, job.failed_records) == ("completed", 2, 0)
    john, jane = customers
    first, second = MeterReading.objects.order_by("meter_number")
    assert (first.customer, first.meter_number, first.reading_date) == (john, "MTR-001234", dt.date(2024, 1, 15))
    assert (first.reading_value, first.reading_type, first.notes) == (Decimal("12345"), "manual", "Clear access")
    assert (second.customer, second.reading_value, second.notes) == (jane, Decimal("23456"), "Dog on premises")
    assert first.consumption is None  # a meter's first reading
    assert not job.error_report


def test_reading_type_defaults_to_manual_and_accepts_the_guides_types(customers, import_readings):
    job = import_readings(
        "1234567890,MTR-001234,2024-01-15,100,,",
        "1234567890,MTR-001234,2024-02-15,200,Automated,",
        "1234567890,MTR-001234,2024-03-15,300,estimated,",
    )
    assert job.created_records == 3
    types = list(MeterReading.objects.order_by("reading_date").values_list("reading_type", flat=True))
    assert types == ["manual", "automated", "estimated"]


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        ("9999999999,MTR-001234,2024-01-15,100,manual,",
         "account_number", "Unknown account number '9999999999': no customer of yours has it"),
        ("1234567890,MTR-001235,2024-01-15,100,manual,",
         "meter_number", "Meter number MTR-001235 is not the meter of account 1234567890 (the customer's meter is "
                         "MTR-001234)"),
        ("1234567890,MTR-001234,2999-01-15,100,manual,",
         "reading_date", "Reading date 2999-01-15 is in the future (today is {today})"),
        ("1234567890,MTR-001234,15/01/2024,100,manual,",
         "reading_date", "Invalid reading date '15/01/2024': use YYYY-MM-DD, e.g. 2024-01-15"),
        ("1234567890,MTR-001234,2024-01-15,twelve,manual,",
         "reading_value", "Invalid reading value 'twelve': use a number such as 12345 or 12345.6"),
        ("1234567890,MTR-001234,2024-01-15,-5,manual,",
         "reading_value", "Invalid reading value '-5': it cannot be negative"),
        ("1234567890,MTR-001234,2024-01-15,100,guessed,",
         "reading_type", "Invalid reading type 'guessed': use one of manual, automated, estimated"),
    ],
)
def test_each_bad_row_fails_with_a_message_naming_its_field(customers, import_readings, row, field, message):
    job = import_readings(row)

    assert (job.created_records, job.failed_records) == (0, 1)
    log = job.logs.get(log_level=ImportExportLog.Level.ERROR, record_number=1)
    expected = message.format(today=job.judged_on.isoformat())
    assert log.message == expected
    assert [detail["field"] for detail in log.details] == [field]
    assert report_rows(job)[0]["error_message"] == expected
    assert not MeterReading.objects.exists()


@pytest.mark.parametrize("chunk_rows", [50_000, 1], ids=["one chunk", "a chunk a row"])
def test_a_second_reading_of_a_meter_on_one_day_in_a_file_fails_and_names_the_first(customers, import_readings,
                                                                                    settings, chunk_rows):
    settings.IMPORT_CHUNK_ROWS = chunk_rows  # repeats are found across chunks, before any of them runs
    job = import_readings(
        "1234567890,MTR-001234,2024-01-15,100,manual,",
        "1234567891,MTR-001235,2024-01-15,100,manual,",
        "1234567890,MTR-001234,2024-01-15,105,manual,second visit",
    )
    assert (job.created_records, job.failed_records) == (2, 1)
    log = job.logs.get(log_level=ImportExportLog.Level.ERROR)
    assert log.record_number == 3
    assert log.message == "Duplicate reading for this meter number and reading date (same as sheet row 2)"
    assert log.details[0]["field"] == "reading_date"


class TestModes:
    """A stored reading of the same meter and day is handled by the mode and duplicate options like any key."""

    @pytest.fixture(autouse=True)
    def stored(self, customers, import_readings):
        job = import_readings("1234567890,MTR-001234,2024-01-15,100,manual,first")
        assert job.created_records == 1

    def test_create_mode_skips_it_by_default(self, import_readings):
        job = import_readings("1234567890,MTR-001234,2024-01-15,150,manual,again", mode="create")
        assert (job.skipped_records, job.failed_records) == (1, 0)
        assert readings_of("MTR-001234") == [(dt.date(2024, 1, 15), Decimal("100"), None)]

    def test_create_mode_with_duplicates_error_fails_it(self, import_readings):
        job = import_readings("1234567890,MTR-001234,2024-01-15,150,manual,", mode="create", duplicates="error")
        assert job.failed_records == 1
        assert job.logs.get(log_level="error").message == "Duplicate reading for this meter number and reading date"

    def test_upsert_updates_it(self, import_readings):
        job = import_readings("1234567890,MTR-001234,2024-01-15,150.5,manual,corrected")
        assert (job.updated_records, job.created_records) == (1, 0)
        reading = MeterReading.objects.get()
        assert (reading.reading_value, reading.notes) == (Decimal("150.5"), "corrected")

    def test_reimporting_the_same_reading_changes_nothing(self, import_readings):
        job = import_readings("1234567890,MTR-001234,2024-01-15,100,manual,first")
        assert (job.unchanged_records, job.updated_records, job.created_records) == (1, 0, 0)

    def test_update_mode_fails_a_reading_that_is_not_stored(self, import_readings):
        job = import_readings("1234567890,MTR-001234,2024-02-15,150,manual,", mode="update")
        assert job.failed_records == 1
        assert job.logs.get(log_level="error").message == (
            "No reading of meter MTR-001234 on 2024-02-15 to update: update mode only changes existing readings"
        )


def test_a_drop_below_the_previous_reading_is_imported_with_a_warning_in_the_log_and_report(customers, import_readings):
    import_readings("1234567890,MTR-001234,2024-01-15,99950,manual,")

    job = import_readings(
        "1234567890,MTR-001234,2024-02-15,120,manual,new dial",
        "1234567891,MTR-001235,2024-02-15,500,manual,",
    )

    assert (job.job_status, job.created_records, job.failed_records) == ("completed", 2, 0)
    message = (
        "reading_value 120 is lower than the meter's previous reading 99950 on 2024-01-15: possible meter roll-over "
        "or misread (imported, consumption -99830)"
    )
    warning = job.logs.get(log_level=ImportExportLog.Level.WARNING)
    assert (warning.record_number, warning.message) == (1, message)
    assert [(row["row_number"], row["error_message"]) for row in report_rows(job)] == [("1", f"Warning: {message}")]
    assert readings_of("MTR-001234")[-1] == (dt.date(2024, 2, 15), Decimal("120"), Decimal("-99830"))


def test_each_reading_stores_its_consumption_since_the_previous_one(customers, import_readings):
    import_readings("1234567890,MTR-001234,2024-01-15,1000,manual,")
    import_readings("1234567890,MTR-001234,2024-02-15,1250.5,manual,", "1234567890,MTR-001234,2024-03-15,1300,,")

    assert readings_of("MTR-001234") == [
        (dt.date(2024, 1, 15), Decimal("1000"), None),
        (dt.date(2024, 2, 15), Decimal("1250.5"), Decimal("250.5")),
        (dt.date(2024, 3, 15), Decimal("1300"), Decimal("49.5")),
    ]


@pytest.mark.parametrize("batch_size", [1000, 1], ids=["one batch", "a batch a row"])
def test_rows_out_of_date_order_are_judged_against_the_right_previous_reading(customers, import_readings,
                                                                             batch_size):
    job = import_readings(
        "1234567890,MTR-001234,2024-03-15,300,manual,",
        "1234567890,MTR-001234,2024-01-15,100,manual,",
        "1234567890,MTR-001234,2024-02-15,250,manual,",
        batch_size=batch_size,
    )

    assert (job.created_records, job.failed_records) == (3, 0)
    assert readings_of("MTR-001234") == [
        (dt.date(2024, 1, 15), Decimal("100"), None),
        (dt.date(2024, 2, 15), Decimal("250"), Decimal("150")),
        (dt.date(2024, 3, 15), Decimal("300"), Decimal("50")),
    ]
    if batch_size == 1000:  # judged together: March follows February (250 -> 300), no drop anywhere
        assert not job.logs.filter(log_level=ImportExportLog.Level.WARNING).exists()


def test_out_of_order_rows_warn_on_the_reading_that_really_drops(customers, import_readings):
    job = import_readings(
        "1234567890,MTR-001234,2024-03-15,300,manual,",
        "1234567890,MTR-001234,2024-01-15,100,manual,",
        "1234567890,MTR-001234,2024-02-15,350,manual,",
    )

    warnings = job.logs.filter(log_level=ImportExportLog.Level.WARNING)
    assert [(log.record_number, log.message.split(":")[0]) for log in warnings] == [
        (1, "reading_value 300 is lower than the meter's previous reading 350 on 2024-02-15")
    ]
    assert readings_of("MTR-001234")[-1] == (dt.date(2024, 3, 15), Decimal("300"), Decimal("-50"))


def test_a_reading_dated_before_a_stored_one_changes_that_ones_consumption(customers, import_readings):
    import_readings("1234567890,MTR-001234,2024-01-15,100,manual,", "1234567890,MTR-001234,2024-03-15,400,,")
    assert readings_of("MTR-001234")[-1][2] == Decimal("300")

    import_readings("1234567890,MTR-001234,2024-02-15,250,manual,late entry")

    assert [consumption for _day, _value, consumption in readings_of("MTR-001234")] == [
        None, Decimal("150"), Decimal("150")
    ]


def test_a_dry_run_predicts_the_warning_and_writes_nothing(customers, import_readings):
    import_readings("1234567890,MTR-001234,2024-01-15,500,manual,")

    job = import_readings("1234567890,MTR-001234,2024-02-15,20,manual,", dry_run=True)

    assert (job.created_records, job.dry_run) == (1, True)
    assert job.logs.filter(log_level=ImportExportLog.Level.WARNING, record_number=1).exists()
    assert MeterReading.objects.count() == 1


def test_another_companys_customer_is_an_unknown_account(customers, other_company, import_readings, write_file,
                                                         run_import):
    CustomerFactory(company=other_company, account_number="5550000001", meter_number="MTR-OTHER")

    job = import_readings("5550000001,MTR-OTHER,2024-01-15,100,manual,")

    assert job.failed_records == 1
    assert job.logs.get(log_level="error").message.startswith("Unknown account number '5550000001'")


def test_a_meter_number_in_other_case_is_taken_as_the_customers_meter(customers, import_readings):
    job = import_readings("1234567890,mtr-001234,2024-01-15,100,manual,")
    assert job.created_records == 1
    assert MeterReading.objects.get().meter_number == "MTR-001234"


def test_the_command_line_imports_readings_like_customers(customers, company, write_file, command):
    path = write_file("readings.csv", READING_TEMPLATE)

    result = command("import_data", "--model", "MeterReading", "--file", str(path), "--company", "acme")

    assert result.status == 0, result.stderr
    assert "created 2, updated 0, unchanged 0, skipped 0, failed 0" in result.stdout
    assert MeterReading.objects.filter(company=company).count() == 2


def test_a_date_format_applies_to_the_key_so_two_spellings_of_one_day_are_one_reading(customers, import_readings):
    from imports.declare.targets import get_target
    from imports.engine.value_fixes import value_fixes_parse

    fixes = value_fixes_parse(get_target("MeterReading"), date_formats={"reading_date": "mdy"})

    job = import_readings("1234567890,MTR-001234,01/15/2024,12345,manual,", "1234567890,MTR-001234,1/15/2024,12350,,",
                          fixes=fixes)

    assert (job.created_records, job.failed_records) == (1, 1)
    assert report_rows(job)[0]["error_message"].startswith("Duplicate reading")
    assert readings_of("MTR-001234") == [(dt.date(2024, 1, 15), Decimal(12345), None)]
