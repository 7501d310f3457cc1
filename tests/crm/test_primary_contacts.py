"""Primary contacts an accounts import creates or updates for accounts of INDIVIDUAL groups, and the rule that an
account has at most one primary contact."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from crm.models import Account, Contact

from .conftest import business, person, report_rows

pytestmark = pytest.mark.django_db


def people(count: int) -> list[dict]:
    return [person(f"P-{n:04d}", "Pat", f"Person{n}", f"pat{n}@example.com", f"555-010-{n:04d}") for n in range(count)]


def contact_of(number: str) -> tuple:
    contact = Contact.objects.get(account__account_number=number, is_primary=True)
    return contact.first_name, contact.last_name, contact.email, contact.phone


def test_a_thousand_individual_accounts_get_a_thousand_primary_contacts_then_none_on_import_again(import_accounts):
    first = import_accounts(*people(1000))
    second = import_accounts(*people(1000))

    assert (first.created_records, first.failed_records) == (1000, 0)
    assert Contact.objects.count() == 1000
    assert Contact.objects.filter(is_primary=True).values("account").distinct().count() == 1000
    assert (second.created_records, second.updated_records, second.unchanged_records) == (0, 0, 1000)
    assert Contact.objects.count() == 1000
    assert contact_of("P-0007") == ("Pat", "Person7", "pat7@example.com", "+15550100007")


def test_primary_contacts_cost_the_same_queries_for_fifty_rows_as_for_five_hundred(import_accounts):
    def queries_for(count: int) -> int:
        Account.objects.all().delete()
        with CaptureQueriesContext(connection) as captured:
            import_accounts(*people(count))
        return len(captured)

    assert queries_for(500) == queries_for(50)


def test_the_primary_contact_is_updated_from_its_accounts_row(import_accounts):
    import_accounts(person("P-1", "Pat", "Lee", "pat@example.com", "555-555-0100"))

    job = import_accounts(person("P-1", "Patricia", "Lee", "", "(555) 555-0199"))

    assert job.updated_records == 1
    assert Contact.objects.count() == 1
    assert contact_of("P-1") == ("Patricia", "Lee", "pat@example.com", "+15555550199")  # the blank email kept


def test_an_individual_account_without_contact_columns_gets_no_contact(import_accounts):
    job = import_accounts({"name": "Pat Lee", "account_number": "P-1", "customer_group": "Individuals"})

    assert (job.created_records, Contact.objects.count()) == (1, 0)


def test_a_new_primary_contact_needs_a_name(import_accounts):
    job = import_accounts(person("P-1", "", "Lee", "pat@example.com"), person("P-2", "Pat", "", "pat@example.com"))

    assert [row["error_message"] for row in report_rows(job)] == [
        "Missing required field: Primary contact first name (to create the primary contact of an INDIVIDUAL "
        "account)",
        "Missing required field: Primary contact last name (to create the primary contact of an INDIVIDUAL "
        "account)",
    ]
    assert not Account.objects.exists()


def test_primary_contact_email_and_phone_are_checked_like_any_other(import_accounts):
    job = import_accounts(person("P-1", "Pat", "Lee", "not-an-email", "12"))

    assert report_rows(job)[0]["error_message"] == (
        "Invalid email format in primary contact email; Invalid phone number in primary contact phone"
    )


def test_business_accounts_ignore_primary_contact_columns_with_a_warning(import_accounts):
    job = import_accounts(business("B-1", primary_contact_first_name="Bob", primary_contact_email="bob@example.com"))

    assert (job.created_records, Contact.objects.count()) == (1, 0)
    assert report_rows(job)[0]["error_message"] == (
        "Warning: Primary contact first name, Primary contact email ignored: primary contact columns are for "
        "accounts of an INDIVIDUAL customer group, and Businesses is BUSINESS"
    )


def test_the_contact_with_the_rows_email_becomes_the_one_primary_contact(import_accounts, import_contacts):
    import_accounts(person("P-1", "Pat", "Lee", "pat@example.com"))
    import_contacts({"first_name": "Sam", "last_name": "Lee", "email": "sam@example.com", "account": "P-1"})

    job = import_accounts(person("P-1", "Sam", "Lee", "sam@example.com"))

    assert job.updated_records == 1
    assert dict(Contact.objects.values_list("email", "is_primary")) == {
        "pat@example.com": False, "sam@example.com": True,
    }


def test_a_primary_contact_with_a_new_email_is_the_same_person(import_accounts):
    import_accounts(person("P-1", "Pat", "Lee", "pat@example.com"))

    import_accounts(person("P-1", "Pat", "Lee", "pat.lee@example.com"))

    assert list(Contact.objects.values_list("email", "is_primary", "contact_key")) == [
        ("pat.lee@example.com", True, f"{Account.objects.get().pk}@pat.lee@example.com"),
    ]
