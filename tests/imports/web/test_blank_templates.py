"""Blank templates: the header alone, so a template sent back untouched imports nothing; what each column means,
whether it is required, its format and allowed values live where an import never reads them (the workbook's
header comments and drop-down lists, and the column guide page the wizard links to)."""

import csv
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from customers.models import Customer
from imports.declare.targets import all_targets, get_target

pytestmark = pytest.mark.django_db

CUSTOMER_COLUMNS = [
    "first_name", "last_name", "email", "phone", "service_address", "city", "state", "postal_code",
]


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def template(client, target: str, file_format: str) -> bytes:
    response = client.get(reverse("imports:blank_template", args=[target, file_format]))
    assert response.status_code == 200
    return response.content


@pytest.mark.parametrize("target", [target.name for target in all_targets()])
def test_every_csv_template_is_its_header_row_alone(signed_in, target):
    rows = list(csv.reader(io.StringIO(template(signed_in, target, "csv").decode("utf-8-sig"))))

    assert rows == [[field.name for field in get_target(target).fields]]


def test_the_workbook_is_the_header_alone_with_each_columns_guide_in_its_comment(signed_in):
    workbook = load_workbook(io.BytesIO(template(signed_in, "Customer", "xlsx")))

    assert len(workbook.sheetnames) == 1  # sent back, it asks no question about sheets
    sheet = workbook.active
    assert sheet.max_row == 1
    header = [cell.value for cell in sheet[1]]
    assert header[: len(CUSTOMER_COLUMNS)] == CUSTOMER_COLUMNS
    email = sheet.cell(row=1, column=header.index("email") + 1)
    assert email.comment.text.startswith("Email")
    assert "Required: yes." in email.comment.text
    assert "Format: Valid email address." in email.comment.text
    status = sheet.cell(row=1, column=header.index("status") + 1)
    assert "Allowed values: active, inactive" in status.comment.text
    assert sheet.cell(row=1, column=header.index("postal_code") + 1).number_format == "@"
    lists = {str(rule.sqref): rule.formula1 for rule in sheet.data_validations.dataValidation}
    status_column = status.column_letter
    assert lists[f"{status_column}2:{status_column}100001"].startswith('"active,inactive')


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_an_untouched_blank_template_imports_nothing(company, signed_in, run_import, write_file, file_format):
    path = write_file(f"customers.{file_format}", template(signed_in, "Customer", file_format))

    job = run_import(path)

    assert job.job_status == "failed"
    assert job.error_message == "The file has a header row but no data rows."
    assert Customer.objects.count() == 0


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_a_blank_template_filled_in_imports_its_rows(company, signed_in, run_import, tmp_path, file_format):
    row = {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "phone": "555-555-0101",
           "service_address": "9 Elm St", "city": "Springfield", "state": "IL", "postal_code": "02701",
           "meter_number": "MTR-9"}
    path = tmp_path / f"customers.{file_format}"
    if file_format == "csv":
        text = template(signed_in, "Customer", "csv").decode("utf-8-sig")
        header = next(csv.reader(io.StringIO(text)))
        path.write_text(text + ",".join(row.get(name, "") for name in header) + "\r\n", encoding="utf-8")
    else:
        workbook = load_workbook(io.BytesIO(template(signed_in, "Customer", "xlsx")))
        sheet = workbook.active
        sheet.append([row.get(cell.value, "") for cell in sheet[1]])
        workbook.save(path)

    job = run_import(path)

    assert (job.created_records, job.failed_records) == (1, 0)
    assert Customer.objects.get().postal_code == "02701"


def test_the_wizard_links_each_target_to_its_column_guide(signed_in):
    page = signed_in.get(reverse("imports:wizard")).content.decode()

    for target in all_targets():
        assert reverse("imports:column_guide", args=[target.name]) in page


def test_the_column_guide_says_what_each_column_holds_and_its_allowed_values(signed_in):
    response = signed_in.get(reverse("imports:column_guide", args=["Customer"]))

    page = response.content.decode()
    assert response.status_code == 200
    row = page[page.index("<code>status</code>"):]
    row = row[: row.index("</tr>")]
    assert "active, inactive" in row
    email = page[page.index("<code>email</code>"):]
    assert email[: email.index("</tr>")].count("<td>yes</td>") == 1
    assert signed_in.get(reverse("imports:column_guide", args=["Lead"])).status_code == 404
