"""Contacts imported with the customer data import command's rules: found by account and email, primary or not,
with emails and phones read as for utility customers."""

import json

import pytest

from crm.models import Account, Contact

from .conftest import CONTACT_COLUMNS, business, csv_text, report_rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def accounts(import_accounts):
    import_accounts(business("A-1"), business("A-2"))
    return {account.account_number: account for account in Account.objects.all()}


def contact(first: str, email: str = "", account: str = "A-1", **cells) -> dict:
    return {"first_name": first, "last_name": "Lee", "email": email, "account": account, **cells}


def primaries() -> dict[str, str]:
    """Each account's primary contact's first name."""
    return dict(Contact.objects.filter(is_primary=True).values_list("account__account_number", "first_name"))


def test_the_documented_columns_import(accounts, import_contacts):
    job = import_contacts(contact("Sam", "Sam.Lee@EXAMPLE.com", phone="(555) 555-0101", job_title="Buyer",
                                  department="Purchasing", is_primary="Yes"))

    assert (job.created_records, job.failed_records) == (1, 0)
    stored = Contact.objects.get()
    assert (stored.account, stored.first_name, stored.last_name) == (accounts["A-1"], "Sam", "Lee")
    assert (stored.email, stored.phone) == ("Sam.Lee@example.com", "+15555550101")  # as for utility customers
    assert (stored.job_title, stored.department, stored.is_primary) == ("Buyer", "Purchasing", True)
    assert stored.company == accounts["A-1"].company


@pytest.mark.parametrize(
    ("text", "stored"),
    [("true", True), ("YES", True), ("1", True), ("False", False), ("no", False), ("0", False), ("", False)],
)
def test_is_primary_reads_true_yes_1_and_false_no_0_in_any_case(accounts, import_contacts, text, stored):
    import_contacts(contact("Sam", "sam@example.com", is_primary=text))

    assert Contact.objects.get().is_primary is stored


def test_is_primary_in_other_words_fails_the_row(accounts, import_contacts):
    job = import_contacts(contact("Sam", "sam@example.com", is_primary="maybe"))

    assert report_rows(job)[0]["error_message"] == "Invalid primary contact 'maybe': use true, yes, 1, false, no or 0"
    assert not Contact.objects.exists()


def test_first_name_last_name_and_account_are_required(accounts, import_contacts):
    job = import_contacts({"email": "x@example.com"}, {"first_name": "Sam", "last_name": "Lee", "account": "A-404"})

    assert [row["error_message"] for row in report_rows(job)] == [
        "Missing required field: First name; Missing required field: Last name; Missing required field: Account",
        "Unknown account 'A-404': no account of yours has this account number",
    ]


def test_bad_emails_and_phones_fail_with_the_customer_imports_messages(accounts, import_contacts):
    job = import_contacts(contact("Sam", "notanemail", phone="123"))

    assert report_rows(job)[0]["error_message"] == "Invalid email format; Invalid phone number"


def test_the_email_finds_the_contact_of_its_account_to_update(accounts, import_contacts):
    import_contacts(contact("Sam", "sam@example.com"), contact("Sam", "sam@example.com", account="A-2"))

    job = import_contacts(contact("Samuel", "sam@example.com", job_title="Owner"), mode="update_only")

    assert (job.updated_records, Contact.objects.count()) == (1, 2)
    assert dict(Contact.objects.values_list("account__account_number", "first_name")) == {"A-1": "Samuel", "A-2": "Sam"}


def test_create_only_imported_twice_creates_then_skips(accounts, import_contacts):
    rows = [contact("Sam", "sam@example.com"), contact("Kim", "kim@example.com", account="A-2")]

    first = import_contacts(*rows, mode="create_only")
    rows[0]["job_title"] = "Owner"
    second = import_contacts(*rows, mode="create_only")

    assert (first.created_records, second.created_records, second.skipped_records) == (2, 0, 2)
    assert Contact.objects.get(first_name="Sam").job_title == ""


def test_create_update_imported_twice_creates_then_finds_everything_unchanged(accounts, import_contacts):
    rows = [contact("Sam", "sam@example.com", phone="555-555-0101", is_primary="yes"),
            contact("Kim", "kim@example.com", is_primary="no")]

    first = import_contacts(*rows, mode="create_update")
    second = import_contacts(*rows, mode="create_update")

    assert (first.created_records, second.unchanged_records, second.updated_records) == (2, 2, 0)
    assert Contact.objects.count() == 2


def test_update_only_imported_twice_updates_then_finds_everything_unchanged(accounts, import_contacts):
    import_contacts(contact("Sam", "sam@example.com"))
    rows = [contact("Sam", "sam@example.com", department="Sales"), contact("Kim", "kim@example.com"), contact("Jo")]

    first = import_contacts(*rows, mode="update_only")
    second = import_contacts(*rows, mode="update_only")

    assert (first.updated_records, first.failed_records) == (1, 2)
    assert (second.unchanged_records, second.failed_records) == (1, 2)
    assert [row["error_message"] for row in report_rows(second)] == [
        "No contact with email kim@example.com at this account to update: update mode only changes existing "
        "contacts",
        "Missing required field: Email",
    ]
    assert Contact.objects.count() == 1


def test_a_contact_without_email_is_created_with_a_warning(accounts, import_contacts):
    job = import_contacts(contact("Jo"))

    assert (job.created_records, job.failed_records) == (1, 0)
    assert report_rows(job)[0]["error_message"] == (
        "Warning: No email: the contact was created, but an import can find a contact to update only by its email, "
        "so importing this row again creates it again"
    )
    assert Contact.objects.get().contact_key == ""


def test_an_email_twice_for_one_account_in_a_file_fails_the_later_row(accounts, import_contacts):
    job = import_contacts(contact("Sam", "sam@example.com"), contact("Sam", "sam@example.com", account="A-2"),
                          contact("Samuel", "sam@example.com"))

    assert (job.created_records, job.failed_records) == (2, 1)
    assert report_rows(job)[0]["error_message"] == "Duplicate contact: the same account and email (same as sheet row 2)"


def test_a_contact_made_primary_makes_the_others_of_its_account_not_primary(accounts, import_contacts):
    import_contacts(contact("Sam", "sam@example.com", is_primary="yes"), contact("Kim", "kim@example.com"),
                    contact("Ann", "ann@example.com", account="A-2", is_primary="yes"))

    job = import_contacts(contact("Kim", "kim@example.com", is_primary="yes"))

    assert job.updated_records == 1
    assert primaries() == {"A-1": "Kim", "A-2": "Ann"}


def test_a_new_primary_contact_makes_the_others_not_primary(accounts, import_contacts):
    import_contacts(contact("Sam", "sam@example.com", is_primary="yes"))

    import_contacts(contact("Kim", "kim@example.com", is_primary="true"))

    assert primaries() == {"A-1": "Kim"}
    assert Contact.objects.count() == 2


def test_two_rows_of_a_file_cannot_both_make_a_contact_of_one_account_primary(accounts, import_contacts, settings):
    settings.IMPORT_CHUNK_ROWS = 1  # judged on the whole file, whatever chunk each row is in

    job = import_contacts(contact("Sam", "sam@example.com", is_primary="yes"),
                          contact("Kim", "kim@example.com", is_primary="yes"),
                          contact("Ann", "ann@example.com", account="A-2", is_primary="yes"))

    assert report_rows(job)[0]["error_message"] == (
        "Primary contact: yes, but sheet row 2 of this file already makes a contact of account A-1 primary: an account "
        "has one primary contact"
    )
    assert primaries() == {"A-1": "Sam", "A-2": "Ann"}


def test_the_one_primary_rule_holds_across_both_imports(accounts, import_accounts, import_contacts):
    import_accounts({"name": "Pat Lee", "account_number": "P-1", "customer_group": "Individuals",
                     "primary_contact_first_name": "Pat", "primary_contact_last_name": "Lee",
                     "primary_contact_email": "pat@example.com"})

    import_contacts(contact("Kim", "kim@example.com", account="P-1", is_primary="yes"))

    assert primaries() == {"P-1": "Kim"}
    assert Contact.objects.get(first_name="Pat").is_primary is False


def test_contacts_export_in_columns_that_import_back_unchanged(accounts, import_contacts, command, tmp_path):
    import_contacts(contact("Sam", "sam@example.com", phone="555-555-0101", is_primary="yes", job_title="Buyer"),
                    contact("Kim", "kim@example.com", account="A-2"))
    output = tmp_path / "contacts.json"

    exported = command("export_data", "--model", "Contact", "--format", "json", "--output", str(output))
    again = command("import_data", "--model", "Contact", "--file", str(output), "--json")

    assert exported.status == 0
    records = json.loads(output.read_text())
    assert {record["first_name"]: (record["account"], record["is_primary"]) for record in records} == {
        "Sam": ("A-1", "true"), "Kim": ("A-2", "false"),
    }
    assert json.loads(again.stdout)["unchanged"] == 2


def test_a_contacts_file_with_the_documented_header_only_needs_those_columns(accounts, write_file, run_import):
    path = write_file("contacts.csv", csv_text(CONTACT_COLUMNS, [contact("Sam", "sam@example.com")]))

    job = run_import(path, target="Contact")

    assert job.created_records == 1
