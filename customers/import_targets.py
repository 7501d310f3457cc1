"""Utility customers as an import target, with the rules of the FlowTrack customer import guide."""

from django.conf import settings

from imports.declare import (
    ChoiceField,
    DateField,
    DateTimeField,
    EmailField,
    ImportField,
    ImportTarget,
    Outcome,
    PhoneField,
    PostalCodeField,
    UniqueInFile,
    USStateField,
    register,
    stored_rows,
)

from .models import BILLING_ADDRESS_FIELDS, SERVICE_ADDRESS_FIELDS, Customer

# Changing any of these sends the address to be checked again after the import.
RECHECKED_WHEN_CHANGED = frozenset(SERVICE_ADDRESS_FIELDS)

# A billing field left empty takes the service address's.
BILLING_DEFAULTS = dict(zip(BILLING_ADDRESS_FIELDS, SERVICE_ADDRESS_FIELDS, strict=True))


@register
class CustomerTarget(ImportTarget):
    name = "Customer"
    verbose_name_plural = "customers"
    model = Customer
    api_path = "customers"  # the FlowTrack guide's /api/customers/import
    key = "account_number"
    key_label = "account number"
    # Account numbers TTTTSSSSSS: the tenant number and a six-digit sequence of the company.
    key_sequence = "customer_account_number"
    last_key_number = 999_999
    # A meter belongs to at most one active customer: within a file, among rows that are (or default to) active.
    unique_in_file = (
        UniqueInFile("meter_number", only_when=("status", frozenset({None, Customer.Status.ACTIVE}))),
    )
    example_rows = (  # the CSV template of the customer import guide
        {"first_name": "John", "last_name": "Doe", "email": "john.doe@example.com", "phone": "555-555-5555",
         "service_address": "123 Main St", "city": "Springfield", "state": "IL", "postal_code": "62701",
         "meter_number": "MTR-001234", "status": "active", "customer_type": "residential"},
        {"first_name": "Jane", "last_name": "Smith", "email": "jane.smith@example.com", "phone": "555-555-5556",
         "service_address": "456 Oak Ave", "city": "Springfield", "state": "IL", "postal_code": "62702",
         "meter_number": "MTR-001235", "status": "active", "customer_type": "commercial"},
    )
    fields = (
        ImportField("first_name", required=True, max_length=100, synonyms=["first", "fname", "given name"],
                    example="John"),
        ImportField("last_name", required=True, max_length=100, synonyms=["last", "lname", "surname", "family name"],
                    example="Doe"),
        EmailField("email", required=True, synonyms=["e-mail", "email address", "e-mail address", "mail"],
                   example="john.doe@example.com"),
        PhoneField("phone", required=True, synonyms=["phone number", "telephone", "tel", "mobile", "phone no"],
                   example="555-555-5555"),
        ImportField("service_address", required=True, max_length=255,
                    synonyms=["address", "street", "street address", "service street", "address 1", "service addr",
                              "premise address", "site address"],
                    example="123 Main St"),
        ImportField("city", required=True, max_length=100, synonyms=["service city", "town"], example="Springfield"),
        USStateField("state", required=True, synonyms=["service state", "state code"], example="IL"),
        PostalCodeField("postal_code", required=True,
                        synonyms=["zip", "zip code", "zipcode", "postcode", "postal", "service zip"], example="62701"),
        ImportField("meter_number", required=True, max_length=50,
                    synonyms=["meter", "meter id", "meter no", "meter serial", "meter serial no"],
                    example="MTR-001234"),
        ImportField("account_number", max_length=20,
                    synonyms=["account", "account no", "account #", "acct", "acct no", "account id"],
                    help_text="Generated as TTTTSSSSSS (tenant + sequence) when blank."),
        ImportField("billing_address", max_length=255, synonyms=["billing street", "mailing address"],
                    help_text="Same as service address when blank."),
        ImportField("billing_city", max_length=100, help_text="Same as service city when blank."),
        USStateField("billing_state", help_text="Same as service state when blank."),
        PostalCodeField("billing_postal_code", synonyms=["billing zip", "billing zip code"],
                        help_text="Same as service ZIP when blank."),
        ChoiceField("status", choices=Customer.Status, default=Customer.Status.ACTIVE, synonyms=["account status"],
                    example="active"),
        ChoiceField("customer_type", choices=Customer.CustomerType, default=Customer.CustomerType.RESIDENTIAL,
                    synonyms=["type", "customer category", "category"], example="residential"),
        ImportField("rate_code", max_length=50, default=lambda context: context.company.default_rate_code,
                    synonyms=["rate", "rate plan"], help_text="The company's default rate when blank."),
        DateField("connection_date", default=lambda context: context.today,
                  synonyms=["service start date", "start date"], help_text="Today when blank."),
        ImportField("notes", max_length=500, synonyms=["note", "comments"]),
    )

    # The address check's verdict (customers.verification): exported and shown, never imported.
    read_only_fields = (
        ChoiceField("address_status", choices=Customer.AddressStatus, label="Address verification",
                    help_text="Where the address check stands."),
        ImportField("standardized_address", max_length=255, label="Standardized address"),
        ImportField("standardized_city", max_length=100, label="Standardized city"),
        USStateField("standardized_state", label="Standardized state"),
        PostalCodeField("standardized_postal_code", label="Standardized ZIP"),
        ImportField("address_note", max_length=255, label="Address note"),
        DateTimeField("address_checked_at", label="Address checked"),
    )

    def complete_new(self, values, context):
        for billing, service in BILLING_DEFAULTS.items():
            if billing not in values and service in values:
                values[billing] = values[service]

    def existing_by_key(self, company, keys, names):
        # The address status too: an update that changes one customer's address writes the status column for the
        # whole batch, and every other row must write back the status it has.
        return super().existing_by_key(company, keys, [*names, "address_status"])

    def check_batch(self, plans, context):
        """A meter belongs to at most one active customer of a company: in the file and among stored customers.
        An update that changes the service address sends it to be checked again."""
        self._recheck_changed_addresses(plans)
        kept = (Outcome.CREATED, Outcome.UPDATED, Outcome.UNCHANGED)
        active = [
            plan
            for plan in plans
            if plan.outcome in kept
            and plan.final_value("status") == Customer.Status.ACTIVE
            and plan.final_value("meter_number")
        ]
        if not active:
            return
        meters = {plan.final_value("meter_number") for plan in active}
        owners = dict(
            stored_rows(
                Customer, company_id=context.company.pk, field="meter_number", values=meters,
                columns=["meter_number", "account_number"], where={"status": Customer.Status.ACTIVE},
            )
        )
        meter_label = self.label_of("meter_number")
        for plan in active:
            meter = plan.final_value("meter_number")
            # The file comes first: rows written by earlier batches are stored too, and a dry run must give the
            # same message as the real run.
            first = context.earlier_row("meter_number", plan.number)
            if first is not None:
                plan.fail("meter_number", f"{meter_label} {meter} is also on {first} for an active customer")
                continue
            owner = owners.get(meter)
            own_account = plan.existing["account_number"] if plan.existing is not None else None
            if owner is not None and owner != own_account:
                plan.fail("meter_number", f"{meter_label} {meter} already belongs to active customer {owner}")

    @staticmethod
    def _recheck_changed_addresses(plans):
        pending = Customer.AddressStatus.PENDING
        for plan in plans:
            if plan.outcome is Outcome.UPDATED and not RECHECKED_WHEN_CHANGED.isdisjoint(plan.changed):
                plan.values["address_status"] = pending
                plan.changed = (*plan.changed, "address_status")

    def after_import(self, job):
        """Check the service addresses the import wrote, in a Celery task: an import never waits on Google."""
        if not (job.created_records or job.updated_records) or not settings.ADDRESS_VERIFICATION_AFTER_IMPORT:
            return
        from .tasks import verify_customer_addresses  # the tasks import the import core, which imports this module

        verify_customer_addresses.delay_on_commit(job.company_id)

    def integrity_message(self, plan, fields):
        if fields and "meter_number" in fields:
            return (
                f"{self.label_of('meter_number')} {plan.final_value('meter_number')} already belongs to another "
                "active customer (saved by another import meanwhile)"
            )
        return super().integrity_message(plan, fields)

    def format_key(self, company, number):
        return f"{company.tenant_number:04d}{number:06d}"

    def key_number(self, company, key):
        prefix = f"{company.tenant_number:04d}"
        if len(key) == 10 and key.isdigit() and key.startswith(prefix):
            return int(key[4:])
        return None
