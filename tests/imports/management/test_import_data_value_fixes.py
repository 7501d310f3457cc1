"""import_data's value fixes: --date-format, --value-map and --no-zip-padding, read as the API and the wizard read
the same fixes."""

import datetime as dt

import pytest

from customers.models import Customer
from imports.models import DataTemplate, ImportExportJob

pytestmark = pytest.mark.django_db

US_FILE = (
    "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,status,Start Date\n"
    "Ann,Lee,ann@example.com,(617) 555-0101 ext 2,1 Beacon St,Boston,MA,2134,MTR-1,Closed,03/15/2024\n"
    "Bob,Ray,bob@example.com,617-555-0102,2 Elm St,Springfield,IL,62701,MTR-2,Active,4/5/2024\n"
)


def imported(command, write_file, *flags):
    path = write_file("us.csv", US_FILE)
    mapping = write_file("mapping.json", '{"Start Date": "connection_date"}')
    return command("import_data", "--model", "Customer", "--file", str(path), "--mapping", str(mapping), *flags)


def stored() -> dict:
    return {c.meter_number: (c.postal_code, c.status, c.connection_date) for c in Customer.objects.all()}


def test_a_date_format_for_every_column_and_a_value_map_import_the_us_file(company, command, write_file):
    result = imported(command, write_file, "--date-format", "mdy", "--value-map", "status:Closed=inactive")

    assert result.status == 0, result.stderr
    assert stored() == {
        "MTR-1": ("02134", "inactive", dt.date(2024, 3, 15)),
        "MTR-2": ("62701", "active", dt.date(2024, 4, 5)),
    }
    job = ImportExportJob.objects.get()
    assert job.options["value_fixes"] == {
        "date_formats": {"connection_date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}},
        "pad_zip_codes": True,
    }
    assert job.logs.get(record_number=1).message == "Postal code 2134 read as 02134"


def test_a_date_format_per_column_wins_over_the_one_for_every_column(company, command, write_file):
    result = imported(command, write_file, "--date-format", "dmy", "--date-format", "Start Date=mdy",
                      "--value-map", "status:closed=INACTIVE")

    assert result.status == 0, result.stderr
    assert stored()["MTR-2"][2] == dt.date(2024, 4, 5)


def test_no_zip_padding_reads_the_short_code_as_it_is(company, command, write_file):
    result = imported(command, write_file, "--date-format", "mdy", "--value-map", "status:Closed=inactive",
                      "--no-zip-padding")

    assert result.status == 1
    assert ImportExportJob.objects.get().logs.get(record_number=1).message.startswith("Invalid postal code '2134'")
    assert set(stored()) == {"MTR-2"}


def test_a_templates_fixes_come_with_its_mapping(company, command, write_file):
    DataTemplate.objects.create(
        company=company, target_model="Customer", template_name="US office", field_mapping={},
        value_fixes={"date_formats": {"Start Date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}}},
    )

    result = imported(command, write_file, "--template", "US office")

    assert result.status == 0, result.stderr
    assert stored()["MTR-1"] == ("02134", "inactive", dt.date(2024, 3, 15))


@pytest.mark.parametrize(("flags", "message"), [
    (("--date-format", "us"), "--date-format us: unknown format; use iso, mdy, mdy2, dmy, excel"),
    (("--date-format", "Start Date=yyyy"), "Unknown date format 'yyyy' for Start Date"),
    (("--value-map", "status=inactive"), "--value-map status=inactive: write FIELD:VALUE=CHOICE"),
    (("--value-map", "status:Closed=gone"), "The value map of status sends 'Closed' to 'gone'"),
    (("--value-map", "city:Boston=x"), "city takes no value map"),
])
def test_a_wrong_flag_is_one_sentence_and_nothing_runs(company, command, write_file, flags, message):
    result = imported(command, write_file, *flags)

    assert result.status == 2
    assert message in result.stderr
    assert not ImportExportJob.objects.exists()


def test_resume_refuses_value_fix_flags(company, command):
    result = command("import_data", "--resume", "0" * 32, "--date-format", "mdy")

    assert result.status == 2
    assert "leave out --date-format" in result.stderr
