"""Meter readings go through the same wizard as customers: template, upload, mapping preview, job."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.models import ImportUpload
from readings.models import MeterReading
from tests.readings.test_reading_import import CUSTOMER_TEMPLATE

pytestmark = pytest.mark.django_db


@pytest.fixture
def signed_in(client, user, write_file, run_import):
    run_import(write_file("customers.csv", CUSTOMER_TEMPLATE))
    MeterReading.objects.create(
        company=user.company, customer=user.company.customers.get(account_number="1234567890"),
        meter_number="MTR-001234", reading_date="2024-01-01", reading_value=90000, reading_key="MTR-001234@2024-01-01",
    )
    client.force_login(user)
    return client


def test_the_wizard_offers_meter_readings_with_the_guides_template(signed_in):
    page = signed_in.get(reverse("imports:wizard")).content.decode()
    assert reverse("imports:blank_template", args=["MeterReading", "csv"]) in page

    template = signed_in.get(reverse("imports:blank_template", args=["MeterReading", "csv"]))
    rows = list(csv.reader(io.StringIO(template.content.decode("utf-8-sig"))))
    assert rows == [["account_number", "meter_number", "reading_date", "reading_value", "reading_type", "notes"]]
    guide = signed_in.get(reverse("imports:column_guide", args=["MeterReading"])).content.decode()
    assert "<td>Clear access</td>" in guide  # the guide's example, where it cannot be imported by mistake


def test_the_mapping_preview_shows_row_errors_and_the_roll_over_warning(signed_in):
    content = (
        "Account,Meter,Date,Reading,Type,Notes\n"
        "1234567890,MTR-001234,2024-01-15,12345,manual,below the last read\n"
        "1234567891,MTR-001235,2024-01-15,-3,manual,\n"
    )
    response = signed_in.post(reverse("imports:wizard_upload", args=["MeterReading"]),
                              {"file": SimpleUploadedFile("readings.csv", content.encode())})
    assert response.status_code == 302, response.content
    upload = ImportUpload.objects.get()
    assert upload.mapping == {
        "Account": "account_number", "Meter": "meter_number", "Date": "reading_date", "Reading": "reading_value",
        "Type": "reading_type", "Notes": "notes",
    }

    page = signed_in.get(reverse("imports:wizard_mapping", args=[upload.pk])).content.decode()

    assert ("Warning: reading_value 12345 is lower than the meter&#x27;s previous reading 90000 on 2024-01-01: "
            "possible meter roll-over or misread") in page
    assert "Invalid reading value &#x27;-3&#x27;: it cannot be negative" in page


def test_the_records_page_lists_readings_with_their_account_and_consumption(signed_in, user, write_file, run_import):
    run_import(write_file("readings.csv", "account_number,meter_number,reading_date,reading_value\n"
                          "1234567890,MTR-001234,2024-02-01,90250.5\n"), target="MeterReading")

    page = signed_in.get(reverse("imports:records", args=["MeterReading"])).content.decode()

    assert "<th scope=\"col\">Consumption</th>" in page
    reading = MeterReading.objects.get(reading_date="2024-02-01")
    assert (f'<td><a href="/records/MeterReading/{reading.pk}/">1234567890</a></td><td>MTR-001234</td>'
            "<td>2024-02-01</td><td>90250.5</td>") in page
    assert "<td>250.5</td>" in page
