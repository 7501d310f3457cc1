"""Undoing CRM imports: an accounts import takes its primary contacts with it; an account that contacts of
another import (or child accounts) now depend on is kept and listed; a parent and its child accounts, both new,
go together."""

import pytest

from crm.models import Account, Contact
from imports.jobs.inprocess import job_run
from imports.jobs.undo_services import undo_create

from .conftest import business, person

pytestmark = pytest.mark.django_db


def undo(job):
    return job_run(job=undo_create(job, enqueue=False))


def test_an_accounts_import_is_undone_with_the_primary_contacts_its_rows_created(import_accounts):
    job = import_accounts(*(person(f"P-{n}", "Pat", f"Person{n}", f"pat{n}@example.com") for n in range(5)))
    assert Contact.objects.count() == 5

    undone = undo(job)

    assert (undone.created_records, undone.skipped_records) == (5, 0)
    assert not Account.objects.exists()
    assert not Contact.objects.exists()


def test_an_account_with_contacts_of_another_import_is_kept_and_listed(import_accounts, import_contacts):
    job = import_accounts(business("B-1"), business("B-2"))
    import_contacts({"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com", "account": "B-2"})

    undone = undo(job)

    assert (undone.created_records, undone.skipped_records) == (1, 1)
    assert list(Account.objects.values_list("account_number", flat=True)) == ["B-2"]
    assert "B-2 kept: created by the import, but 1 contact now depends on it" in undone.logs.get(
        log_level="warning").message


def test_a_new_parent_and_its_new_children_are_undone_together(import_accounts):
    job = import_accounts(business("B-1"), business("B-2", parent="B-1"), business("B-3", parent="B-2"))
    assert Account.objects.filter(parent_account__isnull=False).count() == 2

    undone = undo(job)

    assert (undone.created_records, undone.skipped_records) == (3, 0)
    assert not Account.objects.exists()


def test_a_primary_contact_edited_since_keeps_its_account(import_accounts):
    job = import_accounts(person("P-1", "Pat", "Lee", "pat@example.com"))
    contact = Contact.objects.get()
    contact.job_title = "Owner"
    contact.save()

    undone = undo(job)

    assert undone.skipped_records == 1
    assert Account.objects.count() == 1
    assert Contact.objects.count() == 1
