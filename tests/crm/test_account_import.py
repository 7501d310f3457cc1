"""Accounts imported with the customer data import command's rules: its usage, modes and mapping file, required
columns, customer groups, websites and generated account numbers. (Parent accounts: test_parent_accounts.py.)"""

import json

import pytest

from crm.models import Account
from imports.models import ImportExportJob

from .conftest import ACCOUNT_COLUMNS, business, csv_text, report_rows

pytestmark = pytest.mark.django_db

# The mapping file of the command's documentation, word for word.
SEED_MAPPING = """{
  "name": "name",
  "legal_name": "legal_name",
  "account_number": "account_number",
  "customer_group": "customer_group"
}
"""


@pytest.fixture
def import_command(groups, command, write_file):
    """Run `import_data --model Account --file <rows> ... --json`; the exit status and the JSON result."""

    def run(rows: list[dict], *args, columns=ACCOUNT_COLUMNS):
        path = write_file("accounts.csv", csv_text(columns, rows))
        result = command("import_data", "--model", "Account", "--file", str(path), *args, "--json")
        return result.status, json.loads(result.stdout)

    return run


def counts(result: dict) -> tuple[int, int, int, int, int]:
    return result["created"], result["updated"], result["unchanged"], result["skipped"], result["failed"]


def test_the_documented_mapping_file_works_as_written(groups, command, write_file):
    path = write_file("accounts.csv", "name,legal_name,account_number,customer_group\n"
                                      "Acme,Acme Inc.,A-1,Businesses\nJane Doe,,A-2,Individuals\n")
    mapping = write_file("mapping.json", SEED_MAPPING)

    result = command("import_data", "--model", "Account", "--file", str(path), "--mapping", str(mapping))

    assert result.status == 0, result.stderr
    assert list(Account.objects.order_by("account_number").values_list(
        "account_number", "name", "legal_name", "customer_group__name"
    )) == [("A-1", "Acme", "Acme Inc.", "Businesses"), ("A-2", "Jane Doe", "", "Individuals")]


def test_a_mapping_file_maps_the_files_own_column_names(groups, command, write_file):
    path = write_file("accounts.csv", "Company,Number,Segment\nAcme,A-1,Businesses\n")
    mapping = write_file("mapping.json", '{"Company": "name", "Number": "account_number", "Segment": "customer_group"}')

    result = command("import_data", "--model", "Account", "--file", str(path), "--mapping", str(mapping))

    assert result.status == 0, result.stderr
    assert Account.objects.get().customer_group.name == "Businesses"


def test_a_mapping_naming_a_field_accounts_lack_stops_before_anything_runs(groups, command, write_file):
    path = write_file("accounts.csv", "name,customer_group,fax\nAcme,Businesses,555\n")
    mapping = write_file("mapping.json", '{"name": "name", "customer_group": "customer_group", "fax": "fax_number"}')

    result = command("import_data", "--model", "Account", "--file", str(path), "--mapping", str(mapping))

    assert result.status == 2
    assert result.stderr.strip().startswith("The mapping names fields Account does not have: fax_number. Fields are: "
                                            "name, legal_name, account_number, customer_group, parent_account,")
    assert not ImportExportJob.objects.exists()
    assert not Account.objects.exists()


def test_create_only_imported_twice_creates_then_skips_and_changes_nothing(import_command):
    rows = [business("A-1", industry="Retail"), business("A-2")]
    first_status, first = import_command(rows, "--mode", "create_only")
    rows[0]["industry"] = "Mining"
    second_status, second = import_command(rows, "--mode", "create_only")

    assert (first_status, counts(first)) == (0, (2, 0, 0, 0, 0))
    assert (second_status, counts(second)) == (0, (0, 0, 0, 2, 0))
    assert Account.objects.get(account_number="A-1").industry == "Retail"


def test_create_update_imported_twice_creates_then_finds_everything_unchanged(import_command):
    rows = [business("A-1", website="acme.example.com"), business("A-2", "A-1")]

    assert counts(import_command(rows)[1]) == (2, 0, 0, 0, 0)  # create_update is the default
    assert counts(import_command(rows, "--mode", "create_update")[1]) == (0, 0, 2, 0, 0)  # unchanged, not skipped
    assert Account.objects.count() == 2


def test_update_only_imported_twice_updates_then_finds_everything_unchanged(import_command):
    import_command([business("A-1"), business("A-2")])
    rows = [business("A-1", industry="Mining"), business("A-2"), business("A-404"), business("")]

    first_status, first = import_command(rows, "--mode", "update_only")
    second_status, second = import_command(rows, "--mode", "update_only")

    assert (first_status, counts(first)) == (1, (0, 1, 1, 0, 2))
    assert (second_status, counts(second)) == (1, (0, 0, 2, 0, 2))
    assert [error["message"] for error in second["errors"]] == [
        "Unknown account number 'A-404': no account has it, and update mode only changes existing records",
        "Missing required field: Account number",
    ]
    assert Account.objects.get(account_number="A-1").industry == "Mining"
    assert not Account.objects.filter(account_number="A-404").exists()


def test_update_only_needs_an_account_number_column(import_command):
    status, result = import_command([{"name": "Acme", "customer_group": "Businesses"}], "--mode", "update_only",
                                    columns=["name", "customer_group"])

    assert status == 2
    assert result["error"] == ("Missing required columns: account_number. Add them to the file or map columns to "
                               "them.")


def test_failed_rows_go_to_the_error_log_with_their_data(import_command, settings):
    status, result = import_command([business("A-1"), business("A-2", customer_group="Partners")])

    log = next(settings.IMPORT_LOG_DIR.glob("import_errors_Account_*.log")).read_text()
    assert status == 1
    assert result["errors"] == [{"row": 2, "sheet_row": 3,
                                 "message": "Unknown customer group 'Partners': no customer group of yours has this "
                                            "name (create it first, e.g. by importing customer groups)"}]
    assert 'Row 2, sheet row 3: Unknown customer group \'Partners\'' in log
    assert '"account_number": "A-2"' in log


def test_name_and_customer_group_are_required_to_create(import_accounts):
    job = import_accounts({"account_number": "A-1"}, {"account_number": "A-2", "name": "Acme"})

    assert [row["error_message"] for row in report_rows(job)] == [
        "Missing required field: Name; Missing required field: Customer group",
        "Missing required field: Customer group",
    ]
    assert not Account.objects.exists()


def test_the_customer_group_is_matched_by_name_in_any_case(import_accounts, groups):
    job = import_accounts(business("A-1", customer_group="BUSINESSES"), business("A-2", customer_group="individuals"))

    assert job.created_records == 2
    assert list(Account.objects.order_by("account_number").values_list("customer_group", flat=True)) == [
        groups["business"].pk, groups["individual"].pk,
    ]


def test_another_companys_group_is_unknown(import_accounts, other_company):
    other_company.customer_groups.create(name="Partners", group_type="BUSINESS")

    job = import_accounts(business("A-1", customer_group="Partners"))

    assert job.failed_records == 1
    assert report_rows(job)[0]["error_message"].startswith("Unknown customer group 'Partners'")


def test_a_website_is_a_web_address_and_a_bare_host_means_its_https_address(import_accounts):
    job = import_accounts(
        business("A-1", website="example.com"),
        business("A-2", website="http://shop.example.com/stores?city=x"),
        business("A-3", website="not a website"),
    )

    assert dict(Account.objects.values_list("account_number", "website")) == {
        "A-1": "https://example.com", "A-2": "http://shop.example.com/stores?city=x",
    }
    assert report_rows(job)[0]["error_message"] == (
        "Invalid website 'not a website': use a web address such as https://example.com or example.com"
    )


def test_blank_account_numbers_are_generated_from_the_tenant_number_and_a_sequence(import_accounts, company):
    job = import_accounts(business(""), business("ACC-1234-0000007"), business(""))

    assert job.created_records == 3
    assert sorted(Account.objects.values_list("account_number", flat=True)) == [
        "ACC-1234-0000007", "ACC-1234-0000008", "ACC-1234-0000009",
    ]  # above the highest number of that form the file names


def test_an_updated_account_keeps_what_blank_cells_leave_out(import_accounts):
    import_accounts(business("A-1", legal_name="Acme Inc.", website="acme.example.com", industry="Retail"))

    job = import_accounts({"account_number": "A-1", "name": "Acme Renamed"}, mode="update")

    account = Account.objects.get()
    assert job.updated_records == 1
    assert (account.name, account.legal_name, account.website, account.industry) == (
        "Acme Renamed", "Acme Inc.", "https://acme.example.com", "Retail",
    )
    assert account.customer_group.name == "Businesses"


def test_changing_the_group_of_an_account_is_an_update(import_accounts, groups):
    import_accounts(business("A-1"))

    job = import_accounts(business("A-1", customer_group="Individuals"))

    assert job.updated_records == 1
    assert Account.objects.get().customer_group == groups["individual"]


def test_another_companys_account_is_no_parent(import_accounts, other_company):
    group = other_company.customer_groups.create(name="Businesses", group_type="BUSINESS")
    Account.objects.create(company=other_company, account_number="G-1", name="Globex", customer_group=group)

    job = import_accounts(business("A-1", "G-1"))

    assert job.failed_records == 1
    assert report_rows(job)[0]["error_message"] == (
        "Unknown parent account 'G-1': no row of this file and no stored account has this account number"
    )


def test_a_group_name_that_differs_from_two_groups_only_in_case_is_unknown(import_accounts, company):
    company.customer_groups.create(name="vip", group_type="BUSINESS")
    company.customer_groups.create(name="VIP", group_type="INDIVIDUAL")

    job = import_accounts(business("A-1", customer_group="Vip"), business("A-2", customer_group="vip"))

    assert report_rows(job)[0]["error_message"].startswith("Unknown customer group 'Vip'")
    assert Account.objects.get().customer_group.name == "vip"
