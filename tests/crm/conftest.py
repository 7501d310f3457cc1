"""Companies set up for CRM imports: their customer groups, and files of accounts and contacts."""

import csv
import io

import pytest

from crm.models import Account, CustomerGroup
from tests.imports.api.conftest import token_client

ACCOUNT_COLUMNS = [
    "name", "legal_name", "account_number", "customer_group", "parent_account", "website", "industry", "description",
    "primary_contact_first_name", "primary_contact_last_name", "primary_contact_email", "primary_contact_phone",
]
CONTACT_COLUMNS = ["first_name", "last_name", "email", "phone", "account", "job_title", "department", "is_primary"]


def csv_text(columns: list[str], rows: list[dict]) -> str:
    """A CSV file of `rows` ({column: text}) under the header `columns`."""
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue()


def report_rows(job) -> list[dict]:
    with job.error_report.open("rb") as stored:
        return list(csv.DictReader(io.StringIO(stored.read().decode("utf-8-sig"))))


def parents() -> dict[str, str | None]:
    """Every account number and its parent's account number."""
    return {
        number: parent
        for number, parent in Account.objects.values_list("account_number", "parent_account__account_number")
    }


@pytest.fixture
def api(user):
    """An API client with the token of `user`, of company `company`."""
    return token_client(user)


@pytest.fixture
def groups(company):
    """The company's two groups: one of people, one of businesses."""
    return {
        "individual": CustomerGroup.objects.create(company=company, name="Individuals", group_type="INDIVIDUAL"),
        "business": CustomerGroup.objects.create(company=company, name="Businesses", group_type="BUSINESS"),
    }


@pytest.fixture
def import_accounts(groups, write_file, run_import):
    """Import accounts given as {column: text} rows (columns: ACCOUNT_COLUMNS, or `columns`)."""

    def run(*rows: dict, columns=ACCOUNT_COLUMNS, name="accounts.csv", **options):
        return run_import(write_file(name, csv_text(columns, list(rows))), target="Account", **options)

    return run


@pytest.fixture
def import_contacts(write_file, run_import):
    def run(*rows: dict, columns=CONTACT_COLUMNS, name="contacts.csv", **options):
        return run_import(write_file(name, csv_text(columns, list(rows))), target="Contact", **options)

    return run


def business(number: str, parent: str = "", **cells) -> dict:
    """An account row of the business group."""
    return {"name": f"Business {number}", "account_number": number, "customer_group": "Businesses",
            "parent_account": parent, **cells}


def person(number: str, first: str, last: str, email: str = "", phone: str = "", **cells) -> dict:
    """An account row of the individual group, with its primary contact."""
    return {"name": f"{first} {last}", "account_number": number, "customer_group": "Individuals",
            "primary_contact_first_name": first, "primary_contact_last_name": last,
            "primary_contact_email": email, "primary_contact_phone": phone, **cells}
