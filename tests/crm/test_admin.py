"""The operator's admin for CRM records checks what imports check."""

import pytest
from django.urls import reverse

from crm.models import Account, Contact
from tests.factories import UserFactory

from .conftest import business

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, company):
    client.force_login(UserFactory(company=company, is_staff=True, is_superuser=True))
    return client


def account_form(account: Account, **changes) -> dict:
    return {
        "company": account.company_id, "account_number": account.account_number, "name": account.name,
        "legal_name": "", "customer_group": account.customer_group_id,
        "parent_account": account.parent_account_id or "", "website": "", "industry": "", "description": "",
        **changes,
    }


def test_a_parent_that_would_make_a_cycle_is_refused(admin_client, import_accounts):
    import_accounts(business("A-1"), business("A-2", "A-1"), business("A-3", "A-2"))
    top, bottom = Account.objects.get(account_number="A-1"), Account.objects.get(account_number="A-3")

    response = admin_client.post(reverse("admin:crm_account_change", args=[top.pk]),
                                 account_form(top, parent_account=bottom.pk))

    assert response.status_code == 200
    assert "This parent would make a cycle: its parents lead back here." in response.content.decode()
    top.refresh_from_db()
    assert top.parent_account is None


def test_a_bare_host_is_saved_as_its_https_address(admin_client, import_accounts):
    import_accounts(business("A-1"))
    account = Account.objects.get()

    response = admin_client.post(reverse("admin:crm_account_change", args=[account.pk]),
                                 account_form(account, website="example.com"))

    assert response.status_code == 302
    account.refresh_from_db()
    assert account.website == "https://example.com"


def test_a_contact_saved_in_the_admin_is_found_by_imports(admin_client, import_accounts, import_contacts):
    import_accounts(business("A-1"))
    account = Account.objects.get()

    admin_client.post(reverse("admin:crm_contact_add"), {
        "account": account.pk, "first_name": "Sam", "last_name": "Lee", "email": "sam@example.com", "phone": "",
        "job_title": "", "department": "",
    })
    job = import_contacts({"first_name": "Sam", "last_name": "Lee", "email": "sam@example.com", "account": "A-1",
                           "job_title": "Owner"})

    contact = Contact.objects.get()
    assert (contact.company, contact.contact_key) == (account.company, f"{account.pk}@sam@example.com")
    assert job.updated_records == 1
    assert contact.job_title == "Owner"
