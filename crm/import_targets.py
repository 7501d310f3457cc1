"""CRM customer groups, accounts and contacts as import targets, with the rules of the customer data import command.

Files give references by what people know them by: an account's customer group by its name, its parent account and
a contact's account by account number. Those stay text while rows are planned (so previews show them and updates
compare them with what is stored) and become ids just before a batch is written.
"""

from django.db.models import F, OuterRef, Subquery

from imports.declare import (
    BooleanField,
    ChoiceField,
    EmailField,
    ImportField,
    ImportTarget,
    Outcome,
    PhoneField,
    UniqueInFile,
    URLField,
    register,
    stored_rows,
)

from .models import Account, Contact, CustomerGroup
from .primary_contacts import PRIMARY_CONTACT_FIELDS, primary_contact_values, primary_contacts_write

WRITTEN = (Outcome.CREATED, Outcome.UPDATED)
INDIVIDUAL = CustomerGroup.GroupType.INDIVIDUAL


@register
class CustomerGroupTarget(ImportTarget):
    name = "CustomerGroup"
    verbose_name_plural = "customer groups"
    model = CustomerGroup
    key = "name"
    key_label = "customer group name"
    example_rows = (
        {"name": "Individuals", "group_type": "INDIVIDUAL"},
        {"name": "Businesses", "group_type": "BUSINESS"},
    )
    fields = (
        ImportField("name", required=True, max_length=100, synonyms=["group", "group name", "customer group"],
                    help_text="Accounts name their group by it."),
        ChoiceField("group_type", required=True, choices=CustomerGroup.GroupType, synonyms=["type", "group type"],
                    help_text="INDIVIDUAL: each account is a person, its row gives its primary contact."),
    )

    def unknown_key_message(self, key: str) -> str:
        return f"Unknown customer group '{key}': update mode only changes existing customer groups"


def _primary_contact(name: str) -> Subquery:
    """A field of the primary contact of an INDIVIDUAL account, for reading accounts as files give them (other
    accounts' rows leave these columns blank)."""
    contacts = Contact.objects.filter(
        account=OuterRef("pk"), is_primary=True, account__customer_group__group_type=INDIVIDUAL
    )
    return Subquery(contacts.values(name)[:1])


@register
class AccountTarget(ImportTarget):
    name = "Account"
    verbose_name_plural = "accounts"
    model = Account
    key = "account_number"
    key_label = "account number"
    # Account numbers ACC-TTTT-SSSSSSS: the tenant number and a seven-digit sequence of the company, apart from the
    # utility customers' TTTTSSSSSS so the two are never confused.
    key_sequence = "crm_account_number"
    last_key_number = 9_999_999
    references_in_file = ("parent_account",)
    depends_on = ("CustomerGroup",)
    # A backup keeps every contact, the primary ones included, in the contacts' file.
    backup_omits = tuple(PRIMARY_CONTACT_FIELDS)
    record_lookups = {
        "customer_group": "customer_group__name",
        **{column: _primary_contact(name) for column, name in PRIMARY_CONTACT_FIELDS.items()},
    }
    example_rows = (
        {"name": "Acme Holdings", "legal_name": "Acme Holdings Inc.", "account_number": "ACC-1001",
         "customer_group": "Businesses", "website": "acme.example.com", "industry": "Manufacturing",
         "description": "Head office"},
        {"name": "Acme Springfield", "account_number": "ACC-1002", "customer_group": "Businesses",
         "parent_account": "ACC-1001", "website": "https://springfield.acme.example.com", "industry": "Manufacturing"},
        {"name": "Jane Smith", "customer_group": "Individuals", "primary_contact_first_name": "Jane",
         "primary_contact_last_name": "Smith", "primary_contact_email": "jane.smith@example.com",
         "primary_contact_phone": "555-555-5556"},
    )
    fields = (
        ImportField("name", required=True, max_length=255, synonyms=["account name", "company name"]),
        ImportField("legal_name", max_length=255, synonyms=["legal entity", "registered name"]),
        ImportField("account_number", max_length=20,
                    synonyms=["account", "account no", "account #", "acct", "acct no", "account id"],
                    help_text="Generated as ACC-TTTT-SSSSSSS (tenant + sequence) when blank; required to update."),
        ImportField("customer_group", required=True, max_length=100, synonyms=["group", "customer group name"],
                    help_text="The name of one of your customer groups."),
        ImportField("parent_account", max_length=20,
                    synonyms=["parent", "parent account number", "parent account no", "parent acct"],
                    help_text="The parent's account number: a stored account, or a row anywhere in this file."),
        URLField("website", synonyms=["web site", "url", "homepage", "web"],
                 help_text="example.com is stored as https://example.com."),
        ImportField("industry", max_length=100, synonyms=["sector"]),
        ImportField("description", max_length=2000, synonyms=["about", "notes"]),
        ImportField("primary_contact_first_name", max_length=100,
                    help_text="INDIVIDUAL groups: creates or updates the account's primary contact."),
        ImportField("primary_contact_last_name", max_length=100),
        EmailField("primary_contact_email"),
        PhoneField("primary_contact_phone"),
    )
    # The primary contact's columns are compared with the stored primary contact, not with account columns.
    stored_field_names = [field.name for field in fields if field.name not in PRIMARY_CONTACT_FIELDS]
    # The other system's own record id becomes the account number: parent links (ParentId, a parent's id) then
    # resolve, contacts exported beside the accounts name them (see ContactTarget), and a second export of the
    # same accounts updates them instead of adding them again. Their type becomes the customer group.
    source_mappings = {
        "Salesforce accounts (Data Loader export)": {
            "Id": "account_number", "Name": "name", "Type": "customer_group", "ParentId": "parent_account",
            "Website": "website", "Industry": "industry", "Description": "description",
            "AccountNumber": None, "Phone": None, "BillingStreet": None, "BillingCity": None, "BillingState": None,
            "BillingPostalCode": None, "BillingCountry": None, "OwnerId": None,
        },
        "HubSpot companies (export of all properties)": {
            "Record ID": "account_number", "Company name": "name", "Type": "customer_group",
            "Website URL": "website", "Industry": "industry", "Description": "description",
            "Parent Company": None, "Company Domain Name": None, "Phone Number": None, "City": None,
            "State/Region": None, "Company owner": None, "Create Date": None, "Last Activity Date": None,
        },
    }

    def existing_by_key(self, company, keys, names):
        """Stored accounts as files describe them: the group's name, the parent's account number (the core's
        doing) and the primary contact's details under the primary_contact_* names."""
        records = super().existing_by_key(company, keys, names)
        if not records:
            return records
        groups = dict(CustomerGroup.objects.filter(company=company).values_list("pk", "name"))
        contacts = {
            contact["account_id"]: contact
            for contact in Contact.objects.filter(account_id__in=[record["pk"] for record in records.values()],
                                                  is_primary=True)
            .order_by().values("account_id", "pk", *PRIMARY_CONTACT_FIELDS.values())
        }
        for record in records.values():
            record["customer_group"] = groups.get(record["customer_group"])
            contact = contacts.get(record["pk"], {})
            record["primary_contact"] = contact.get("pk")
            for column, name in PRIMARY_CONTACT_FIELDS.items():
                record[column] = contact.get(name)
        return records

    def check_rows(self, plans, context):
        """The customer group is one of the company's, named as stored (any case, when that is unambiguous)."""
        names, folded = _group_names(context.company)
        for plan in plans:
            given = plan.values.get("customer_group")
            if given is None:
                continue
            stored = given if given in names else folded.get(given.casefold())
            if stored is None:
                plan.fail("customer_group", f"Unknown {self.phrase_of('customer_group')} '{given}': no customer group "
                                            "of yours has this name (create it first, e.g. by importing customer "
                                            "groups)")
            else:
                plan.values["customer_group"] = stored

    def check_batch(self, plans, context):
        """The primary_contact_* columns serve accounts of INDIVIDUAL groups only, and a new primary contact needs
        a name; they are written by after_write, never as columns of the account."""
        types = dict(CustomerGroup.objects.filter(company=context.company).values_list("name", "group_type"))
        for plan in plans:
            if plan.outcome is Outcome.UPDATED:
                plan.changed = tuple(name for name in plan.changed if name not in PRIMARY_CONTACT_FIELDS)
            given = [column for column in PRIMARY_CONTACT_FIELDS if column in plan.values]
            if not given or plan.outcome is Outcome.SKIPPED:
                continue
            group = plan.final_value("customer_group")
            if types.get(group) != INDIVIDUAL:
                for column in given:
                    del plan.values[column]
                if plan.outcome is Outcome.UPDATED and not plan.changed:
                    plan.outcome = Outcome.UNCHANGED
                plan.warn(f"{', '.join(map(self.label_of, given))} ignored: primary contact columns are for "
                          f"accounts of an INDIVIDUAL customer group, and {group} is {types.get(group)}")
                continue
            has_contact = plan.existing is not None and plan.existing["primary_contact"] is not None
            if not has_contact:
                for column in ("primary_contact_first_name", "primary_contact_last_name"):
                    if column not in plan.values:
                        plan.fail(column, f"Missing required field: {self.label_of(column)} (to create the "
                                          "primary contact of an INDIVIDUAL account)")

    def before_write(self, plans, context):
        """Groups by id, for every written row: an update that changes one row's group writes the column for all
        the batch's updates."""
        ids = dict(CustomerGroup.objects.filter(company=context.company).values_list("name", "pk"))
        for plan in plans:
            if plan.outcome in WRITTEN:
                plan.values["customer_group"] = ids.get(plan.final_value("customer_group"))

    def after_write(self, plans, context):
        """The primary contacts the batch's INDIVIDUAL accounts describe, where they are new or changed."""
        primary_contacts_write(company=context.company, now=context.written_at, plans=[
            plan for plan in plans if plan.outcome in WRITTEN and _primary_contact_changes(plan)
        ])

    def undo_owned(self, company_id, created):
        """The primary contacts the accounts' own rows created: stamped with their account's stamp, never saved
        since."""
        owned = {}
        contacts = Contact.objects.filter(company_id=company_id, account_id__in=list(created)).values_list(
            "pk", "account_id", "created_at", "updated_at",
        )
        for pk, account_id, made, saved in contacts:
            if made == saved == created[account_id]:
                owned.setdefault(account_id, []).append((Contact, pk))
        return owned

    def format_key(self, company, number):
        return f"ACC-{company.tenant_number:04d}-{number:07d}"

    def key_number(self, company, key):
        prefix = f"ACC-{company.tenant_number:04d}-"
        if len(key) == 16 and key.startswith(prefix) and key[9:].isdigit():
            return int(key[9:])
        return None


def _group_names(company) -> tuple[set[str], dict[str, str]]:
    """The company's group names, and each by its case-folded form when no other group's folds the same."""
    names = set(CustomerGroup.objects.filter(company=company).values_list("name", flat=True))
    spellings: dict[str, list[str]] = {}
    for name in names:
        spellings.setdefault(name.casefold(), []).append(name)
    return names, {fold: same[0] for fold, same in spellings.items() if len(same) == 1}


def _primary_contact_changes(plan) -> bool:
    if plan.existing is None:
        return bool(primary_contact_values(plan))
    stored = plan.existing
    return any(plan.values[column] != stored[column] for column in PRIMARY_CONTACT_FIELDS if column in plan.values)


@register
class ContactTarget(ImportTarget):
    name = "Contact"
    verbose_name_plural = "contacts"
    model = Contact
    # A contact is found by its account and email, which are unique together: stored as "<account id>@<email>".
    key = "contact_key"
    key_parts = ("account", "email")
    key_label = "contact"
    depends_on = ("Account",)
    record_lookups = {"account": "account__account_number"}
    # An account has one primary contact: two rows of a file cannot both make one of its contacts primary.
    unique_in_file = (UniqueInFile("account", only_when=("is_primary", frozenset({True}))),)
    example_rows = (
        {"first_name": "John", "last_name": "Doe", "email": "john.doe@acme.example.com", "phone": "555-555-5555",
         "account": "ACC-1001", "job_title": "Purchasing Manager", "department": "Purchasing", "is_primary": "yes"},
        {"first_name": "Mary", "last_name": "Major", "email": "mary.major@acme.example.com", "phone": "555-555-5557",
         "account": "ACC-1001", "job_title": "Accountant", "department": "Finance", "is_primary": "no"},
    )
    fields = (
        ImportField("first_name", required=True, max_length=100, synonyms=["first", "fname", "given name"]),
        ImportField("last_name", required=True, max_length=100, synonyms=["last", "lname", "surname", "family name"]),
        EmailField("email", synonyms=["e-mail", "email address", "e-mail address", "mail"],
                   help_text="Finds the contact to update, with the account."),
        PhoneField("phone", synonyms=["phone number", "telephone", "tel", "mobile"]),
        ImportField("account", required=True, max_length=20,
                    synonyms=["account number", "account no", "account #", "acct", "acct no"],
                    help_text="The account number of one of your accounts."),
        ImportField("job_title", max_length=100, synonyms=["title", "position", "role"]),
        ImportField("department", max_length=100, synonyms=["dept"]),
        BooleanField("is_primary", label="Primary contact", default=False,
                     synonyms=["primary", "primary contact", "is primary contact", "main contact", "primary flag"],
                     help_text="Making a contact primary makes the account's other contacts not primary."),
    )

    # The account is the other system's id of the contact's company, which its accounts' template made their
    # account number (AccountTarget.source_mappings).
    source_mappings = {
        "Salesforce contacts (Data Loader export)": {
            "AccountId": "account", "FirstName": "first_name", "LastName": "last_name", "Email": "email",
            "Phone": "phone", "Title": "job_title", "Department": "department",
            "Id": None, "MobilePhone": None, "MailingStreet": None, "MailingCity": None, "MailingState": None,
            "MailingPostalCode": None, "OwnerId": None,
        },
        "HubSpot contacts (export with associated company)": {
            "Associated Company IDs": "account", "First Name": "first_name", "Last Name": "last_name",
            "Email": "email", "Phone Number": "phone", "Job Title": "job_title",
            "Record ID": None, "Associated Company": None, "Contact owner": None, "Lead Status": None,
            "Create Date": None, "Last Activity Date": None,
        },
    }

    @property
    def duplicate_message(self) -> str:
        return "Duplicate contact: the same account and email"

    def unknown_key_message(self, key: str) -> str:
        _account, _at, email = key.partition("@")
        return f"No contact with email {email} at this account to update: update mode only changes existing contacts"

    def existing_by_key(self, company, keys, names):
        if not keys:
            return {}
        stored = [name for name in names if name != "account"]
        rows = (
            Contact.objects.filter(company=company, contact_key__in=keys).order_by()
            .values("pk", *stored, account_number=F("account__account_number"))
        )
        records = {}
        for row in rows:
            row["account"] = row.pop("account_number")
            records[row["contact_key"]] = row
        return records

    def check_rows(self, plans, context):
        """The account is one of the company's; the contact's key is that account's id and the email."""
        accounts = _account_ids(context.company, {plan.values.get("account") for plan in plans})
        for plan in plans:
            number = plan.values.get("account")
            if number is None:
                continue
            account_id = accounts.get(number)
            if account_id is None:
                plan.fail("account", f"Unknown account '{number}': no account of yours has this account number")
                plan.key = None  # no contact can be found without its account
                plan.values.pop(self.key, None)
                continue
            if plan.key is not None:
                plan.key = plan.values[self.key] = Contact.key_for(account_id, plan.values["email"])
            first = context.earlier_row("account", plan.number)
            if first is not None:
                plan.fail("is_primary", f"{self.label_of('is_primary')}: yes, but {first} of this file already "
                                        f"makes a contact of account {number} primary: an account has one primary "
                                        "contact")

    def check_batch(self, plans, context):
        for plan in plans:
            if plan.outcome is Outcome.CREATED and "email" not in plan.values:
                plan.warn("No email: the contact was created, but an import can find a contact to update only by "
                          "its email, so importing this row again creates it again")

    def before_write(self, plans, context):
        """Accounts by id; and a contact made primary makes the account's other contacts not primary (cleared
        before the batch is written, as the database keeps one primary contact per account at every statement)."""
        written = [plan for plan in plans if plan.outcome in WRITTEN]
        accounts = _account_ids(context.company, {plan.values["account"] for plan in written})
        for plan in written:
            plan.values["account"] = accounts.get(plan.values["account"])
        made_primary = {
            plan.values["account"]
            for plan in written
            if plan.final_value("is_primary") and (plan.outcome is Outcome.CREATED or "is_primary" in plan.changed)
        }
        if made_primary:
            Contact.objects.filter(account_id__in=made_primary, is_primary=True).update(is_primary=False)

    def integrity_message(self, plan, fields):
        if fields and set(fields) == {"account", "email"}:
            return f"Another import saved a contact with email {plan.values.get('email')} at this account meanwhile"
        if fields == ("account",):
            return "Another import made another contact of this account primary meanwhile"
        return super().integrity_message(plan, fields)


def _account_ids(company, numbers) -> dict[str, int]:
    numbers = {number for number in numbers if number is not None}
    return dict(stored_rows(Account, company_id=company.pk, field="account_number", values=numbers,
                            columns=["account_number", "pk"]))
