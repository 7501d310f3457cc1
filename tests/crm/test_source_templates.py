"""The template library's built-in mappings of Salesforce and HubSpot exports: added to a company's templates,
they import those files as they come, accounts with their parents and then their contacts, and a second export
of the same accounts updates them."""

import pytest
from django.core import checks
from django.urls import reverse

from crm.import_targets import AccountTarget
from crm.models import Account, Contact
from imports.declare.checks import _source_mapping_errors
from imports.declare.targets import all_targets
from imports.jobs.source_templates import SourceTemplateRefused, source_template_add, source_templates
from imports.models import DataTemplate

pytestmark = pytest.mark.django_db

SALESFORCE_ACCOUNTS = "Salesforce accounts (Data Loader export)"
SALESFORCE_CONTACTS = "Salesforce contacts (Data Loader export)"

ACCOUNTS_CSV = (
    '"Id","Name","Type","ParentId","Website","Industry","Description","AccountNumber","Phone","BillingCity"\n'
    '"0015g00000AbCdEAAV","Acme Corporation","Businesses","","acme.example.com","Manufacturing","HQ","CD451796",'
    '"(212) 555-5555","New York"\n'
    '"0015g00000AbCdFAAV","Acme Springfield","Businesses","0015g00000AbCdEAAV","","Manufacturing","","","",""\n'
)
CONTACTS_CSV = (
    '"Id","AccountId","FirstName","LastName","Email","Phone","Title","Department","MobilePhone"\n'
    '"0035g00000XyZaBAAV","0015g00000AbCdFAAV","Rose","Gonzalez","rose@acme.example.com","555-555-0101",'
    '"SVP, Procurement","Procurement",""\n'
)


def test_salesforce_files_import_as_they_come_once_their_mappings_are_added(company, user, groups, write_file,
                                                                           run_import):
    for target, source in (("Account", SALESFORCE_ACCOUNTS), ("Contact", SALESFORCE_CONTACTS)):
        source_template_add(company=company, user=user, target_name=target, source=source)

    accounts = run_import(write_file("Account.csv", ACCOUNTS_CSV), target="Account", template_name=SALESFORCE_ACCOUNTS)
    contacts = run_import(write_file("Contact.csv", CONTACTS_CSV), target="Contact", template_name=SALESFORCE_CONTACTS)

    assert (accounts.created_records, accounts.failed_records) == (2, 0), accounts.error_message
    branch = Account.objects.get(account_number="0015g00000AbCdFAAV")
    assert (branch.name, branch.parent_account.name, branch.customer_group.name) == (
        "Acme Springfield", "Acme Corporation", "Businesses")
    assert Account.objects.get(name="Acme Corporation").website == "https://acme.example.com"
    assert (contacts.created_records, contacts.failed_records) == (1, 0), contacts.error_message
    contact = Contact.objects.get()
    assert (contact.account, contact.job_title) == (branch, "SVP, Procurement")

    again = run_import(write_file("Account2.csv", ACCOUNTS_CSV.replace("HQ", "Headquarters")), target="Account",
                       template_name=SALESFORCE_ACCOUNTS)
    assert (again.created_records, again.updated_records) == (0, 1)


def test_a_mapping_is_added_once_and_an_unknown_one_is_refused(company, user):
    template = source_template_add(company=company, user=user, target_name="Account", source=SALESFORCE_ACCOUNTS)
    assert template.field_mapping["Id"] == "account_number"
    assert template.field_mapping["Phone"] is None
    added = {entry.source: entry.added for entry in source_templates(company=company)}
    assert added[SALESFORCE_ACCOUNTS] == template
    assert added[SALESFORCE_CONTACTS] is None

    with pytest.raises(SourceTemplateRefused, match="You have a template named"):
        source_template_add(company=company, user=user, target_name="Account", source=SALESFORCE_ACCOUNTS)
    with pytest.raises(SourceTemplateRefused, match="There is no built-in mapping named 'Zoho'"):
        source_template_add(company=company, user=user, target_name="Account", source="Zoho")
    with pytest.raises(SourceTemplateRefused, match="There is no built-in mapping"):
        source_template_add(company=company, user=user, target_name="Nothing", source=SALESFORCE_ACCOUNTS)
    assert DataTemplate.objects.count() == 1


def test_the_library_page_lists_and_adds_built_in_mappings(client, user, company):
    client.force_login(user)
    url = reverse("imports:template_list")

    page = client.get(url)
    assert "The guide's blank template" in page.text
    assert SALESFORCE_ACCOUNTS in page.text

    added = client.post(reverse("imports:source_template_add"), {"target": "Account", "source": SALESFORCE_ACCOUNTS},
                        follow=True)
    assert f"&#x27;{SALESFORCE_ACCOUNTS}&#x27; is now one of your import templates." in added.text
    template = DataTemplate.objects.get(company=company)
    assert reverse("imports:template_edit", args=[template.pk]) in added.text

    twice = client.post(reverse("imports:source_template_add"), {"target": "Account", "source": SALESFORCE_ACCOUNTS})
    assert twice.status_code == 400
    assert "You have a template named" in twice.text


def test_a_built_in_mapping_naming_a_field_the_target_lacks_fails_the_checks(monkeypatch):
    assert [error for target in all_targets() for error in _source_mapping_errors(target)] == []
    monkeypatch.setattr(AccountTarget, "source_mappings", {"Broken": {"A": "nickname", "B": "name", "C": "name"}})
    errors = _source_mapping_errors(AccountTarget())
    assert [(error.id, error.level) for error in errors] == [("imports.E010", checks.ERROR)]
    assert "fields it does not have: nickname" in errors[0].msg
