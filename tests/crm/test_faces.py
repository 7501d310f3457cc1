"""CRM targets through every face of the import core, with no page or route of their own: the command line, the
wizard's cards and blank templates, the records page, exports, and the API."""

import csv
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from crm.models import Account, Contact, CustomerGroup
from imports.declare.targets import get_target
from imports.jobs.inprocess import job_run
from imports.models import ImportUpload
from imports.web.blank_templates import template_csv
from imports.web.uploads import upload_preview
from tests.imports.api.conftest import IMPORTS_URL, job_of, upload

from .conftest import business, person

pytestmark = pytest.mark.django_db

CRM_TARGETS = ("CustomerGroup", "Account", "Contact")


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def blank_template(client, target: str) -> str:
    response = client.get(reverse("imports:blank_template", args=[target, "csv"]))
    assert response.status_code == 200
    return response.content.decode("utf-8-sig")


def test_a_company_is_set_up_from_the_guides_examples_alone(company, command, write_file):
    for target in CRM_TARGETS:
        examples = template_csv(get_target(target), examples=True)  # shown on the column guide, not in templates
        path = write_file(f"{target}.csv", examples)
        result = command("import_data", "--model", target, "--file", str(path))
        assert result.status == 0, (target, result.stdout, result.stderr)

    assert dict(CustomerGroup.objects.values_list("name", "group_type")) == {
        "Individuals": "INDIVIDUAL", "Businesses": "BUSINESS",
    }
    assert list(Account.objects.order_by("pk").values_list("name", "parent_account__account_number", "website")) == [
        ("Acme Holdings", None, "https://acme.example.com"),
        ("Acme Springfield", "ACC-1001", "https://springfield.acme.example.com"),
        ("Jane Smith", None, ""),
    ]
    assert sorted(Contact.objects.values_list("first_name", "account__name", "is_primary")) == [
        ("Jane", "Jane Smith", True), ("John", "Acme Holdings", True), ("Mary", "Acme Holdings", False),
    ]


def test_the_blank_templates_list_every_column_of_the_command(signed_in):
    header = next(csv.reader(io.StringIO(blank_template(signed_in, "Account"))))
    contact_header = next(csv.reader(io.StringIO(blank_template(signed_in, "Contact"))))

    assert header == [
        "name", "legal_name", "account_number", "customer_group", "parent_account", "website", "industry",
        "description", "primary_contact_first_name", "primary_contact_last_name", "primary_contact_email",
        "primary_contact_phone",
    ]
    assert contact_header == [
        "first_name", "last_name", "email", "phone", "account", "job_title", "department", "is_primary",
    ]
    workbook = signed_in.get(reverse("imports:blank_template", args=["Contact", "xlsx"]))
    assert workbook.status_code == 200
    assert workbook["Content-Disposition"] == 'attachment; filename="contacts_template.xlsx"'


def test_the_wizard_offers_a_card_for_each_crm_target_with_its_templates(signed_in):
    page = signed_in.get(reverse("imports:wizard")).content.decode()

    for target in CRM_TARGETS:
        assert reverse("imports:wizard_upload", args=[target]) in page
        assert reverse("imports:blank_template", args=[target, "csv"]) in page


def test_the_wizard_preview_shows_groups_and_parents_as_the_file_names_them(signed_in, groups):
    response = signed_in.post(reverse("imports:wizard_upload", args=["Account"]), {
        "file": SimpleUploadedFile("accounts.csv", b"name,account_number,customer_group,parent_account\n"
                                                   b"Acme,A-1,businesses,A-2\nParent,A-2,Businesses,\n"),
    })

    preview = upload_preview(ImportUpload.objects.get())

    assert response.status_code == 302
    assert preview.fields == ["name", "account_number", "customer_group", "parent_account"]
    assert [[cell.text for cell in row.cells] for row in preview.rows] == [
        ["Acme", "A-1", "Businesses", "A-2"],  # the stored group's own spelling, not its id
        ["Parent", "A-2", "Businesses", ""],
    ]
    assert [row.outcome for row in preview.rows] == ["created", "created"]


def test_the_records_page_shows_accounts_as_files_give_them(signed_in, import_accounts):
    import_accounts(business("A-1"), business("A-2", "A-1"), person("P-1", "Pat", "Lee", "pat@example.com"))

    page = signed_in.get(reverse("imports:records", args=["Account"])).content.decode()

    assert "<td>Businesses</td>" in page
    assert "<td>A-1</td>" in page  # A-2's parent
    assert "<td>Pat</td>" in page  # P-1's primary contact


def test_accounts_export_in_columns_that_import_back_unchanged(import_accounts, command, tmp_path):
    import_accounts(business("A-2", "A-1", website="acme.example.com"), business("A-1"),
                    person("P-1", "Pat", "Lee", "pat@example.com", "555-555-0100"))
    output = tmp_path / "accounts.csv"

    command("export_data", "--model", "Account", "--format", "csv", "--output", str(output))
    again = command("import_data", "--model", "Account", "--file", str(output))

    rows = {row["account_number"]: row for row in csv.DictReader(io.StringIO(output.read_text("utf-8-sig")))}
    assert (rows["A-2"]["customer_group"], rows["A-2"]["parent_account"]) == ("Businesses", "A-1")
    assert rows["P-1"]["primary_contact_email"] == "pat@example.com"
    assert rows["A-1"]["primary_contact_email"] == ""
    assert again.status == 0
    assert "created 0, updated 0, unchanged 3" in again.stdout


def test_an_accounts_file_posted_to_the_generic_api_is_imported(api, groups):
    response = upload(api, IMPORTS_URL, "name,account_number,customer_group,parent_account\n"
                                        "Child,A-2,Businesses,A-1\nParent,A-1,Businesses,\n",
                      name="accounts.csv", target="Account", options={"mode": "create"})
    job = job_of(response)
    job_run(job=job)

    assert response.status_code == 202
    assert response.json()["target"] == "Account"
    body = api.get(f"/api/imports/{job.pk}").json()
    assert (body["status"], body["successful_rows"], body["failed_rows"]) == ("completed", 2, 0)
    assert Account.objects.get(account_number="A-2").parent_account.account_number == "A-1"


def test_the_api_lists_the_crm_targets_with_their_required_columns(api):
    targets = {target["name"]: target for target in api.get("/api/imports/targets").json()}

    assert targets["Account"]["required_columns"] == {
        "create": ["name", "customer_group"], "update": ["account_number"], "upsert": ["name", "customer_group"],
    }
    assert targets["Contact"]["required_columns"]["update"] == ["account", "email"]
    assert targets["CustomerGroup"]["required_columns"]["create"] == ["name", "group_type"]
