"""The primary contact an accounts import creates or updates for each account of an INDIVIDUAL customer group,
from the row's `primary_contact_*` columns, and the rule that an account has at most one primary contact.

All of it set-based, for a batch at a time: one query finds the accounts, one their contacts that matter, then
one statement each clears the old primary flags, updates contacts and creates the new ones (whatever the batch's
size: Django's bulk methods would cut them into several on SQLite).
"""

from django.db import connection
from django.db.models import Q
from django.utils import timezone

from companies.models import Company
from imports.declare import RowPlan, rows_insert, stored_rows

from .models import Account, Contact

# Each account-row column and the contact field it fills.
PRIMARY_CONTACT_FIELDS = {
    "primary_contact_first_name": "first_name",
    "primary_contact_last_name": "last_name",
    "primary_contact_email": "email",
    "primary_contact_phone": "phone",
}
CONTACT_UPDATES = ["first_name", "last_name", "email", "phone", "is_primary", "contact_key", "updated_at"]
CONTACT_COLUMNS = [field for field in Contact._meta.concrete_fields if not field.primary_key]


def primary_contact_values(plan: RowPlan) -> dict[str, str]:
    """The contact fields an account's row gives (blank cells left out: they never overwrite)."""
    return {contact: plan.values[column] for column, contact in PRIMARY_CONTACT_FIELDS.items() if column in plan.values}


def primary_contacts_write(*, company: Company, plans: list[RowPlan], now=None) -> None:
    """Give each account of `plans` (written already) the primary contact its row describes.

    The contact is the account's contact with the row's email if it has one, else its primary contact, else a
    new one; it becomes the primary contact, and any other contact of the account stops being one. Contacts are
    stamped `now`, the accounts' own stamp: an undo knows a new one as its account's (AccountTarget.undo_owned).
    """
    if not plans:
        return
    accounts = dict(stored_rows(Account, company_id=company.pk, field="account_number",
                                values={plan.key for plan in plans}, columns=["account_number", "pk"]))
    wanted = {accounts[plan.key]: primary_contact_values(plan) for plan in plans}
    emails = {values["email"] for values in wanted.values() if "email" in values}
    known = Contact.objects.filter(account_id__in=wanted).filter(Q(is_primary=True) | Q(email__in=emails)).order_by()
    by_email, primary = {}, {}
    for contact in known:
        by_email[contact.account_id, contact.email] = contact
        if contact.is_primary:
            primary[contact.account_id] = contact

    now = now or timezone.now()
    updated, created = [], []
    for account_id, values in wanted.items():
        contact = by_email.get((account_id, values.get("email"))) or primary.get(account_id)
        if contact is None:
            contact = Contact(company=company, account_id=account_id)
            created.append(contact)
        else:
            updated.append(contact)
        for name, value in values.items():
            setattr(contact, name, value)
        contact.is_primary, contact.created_at, contact.updated_at = True, contact.created_at or now, now
        contact.contact_key = Contact.key_for(account_id, contact.email)

    # Cleared first: the database keeps one primary contact per account at every statement.
    Contact.objects.filter(account_id__in=wanted, is_primary=True).exclude(
        pk__in=[contact.pk for contact in updated]
    ).update(is_primary=False, updated_at=now)
    _contacts_update(updated)
    new_rows = [[getattr(contact, field.attname) for field in CONTACT_COLUMNS] for contact in created]
    rows_insert(Contact, CONTACT_COLUMNS, new_rows)


def _contacts_update(contacts: list[Contact]) -> None:
    if not contacts:
        return
    meta, quote = Contact._meta, connection.ops.quote_name
    fields = [meta.get_field(name) for name in CONTACT_UPDATES]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s",
            [
                [field.get_db_prep_save(getattr(contact, field.attname), connection) for field in fields]
                + [contact.pk]
                for contact in contacts
            ],
        )
