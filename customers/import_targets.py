"""Utility customers as an import target, with the rules of the FlowTrack customer import guide."""

from imports.errors import KeysExhausted
from imports.fields import ChoiceField, DateField, EmailField, ImportField, PhoneField, PostalCodeField, USStateField
from imports.pipeline import Outcome
from imports.sequences import sequence_reserve
from imports.targets import ImportTarget, register

from .models import Customer

ACCOUNT_SEQUENCE = "customer_account_number"
LAST_SEQUENCE_NUMBER = 999_999
BILLING_DEFAULTS = {
    "billing_address": "service_address",
    "billing_city": "city",
    "billing_state": "state",
    "billing_postal_code": "postal_code",
}


@register
class CustomerTarget(ImportTarget):
    name = "Customer"
    verbose_name_plural = "customers"
    model = Customer
    key = "account_number"
    key_label = "account number"
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
                    synonyms=["address", "street", "street address", "service street", "address 1"],
                    example="123 Main St"),
        ImportField("city", required=True, max_length=100, synonyms=["service city", "town"], example="Springfield"),
        USStateField("state", required=True, synonyms=["service state", "state code"], example="IL"),
        PostalCodeField("postal_code", required=True,
                        synonyms=["zip", "zip code", "zipcode", "postcode", "postal", "service zip"], example="62701"),
        ImportField("meter_number", required=True, max_length=50, synonyms=["meter", "meter id", "meter no"],
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

    def complete_new(self, values, context):
        for billing, service in BILLING_DEFAULTS.items():
            if billing not in values and service in values:
                values[billing] = values[service]

    def check_batch(self, plans, context):
        """A meter belongs to at most one active customer of a company: check stored customers and the file."""
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
            self.queryset(context.company)
            .filter(status=Customer.Status.ACTIVE, meter_number__in=meters)
            .values_list("meter_number", "account_number")
        )
        meters_seen = context.index("active_meter_number")
        for plan in active:
            meter = plan.final_value("meter_number")
            # The file comes first: rows written by earlier batches are in the database too, and a dry run must
            # give the same message as the real run.
            first = meters_seen.first_row(meter, plan.number)
            if first is not None:
                plan.fail("meter_number", f"meter_number {meter} is also on row {first} for an active customer")
                continue
            owner = owners.get(meter)
            own_account = plan.existing.account_number if plan.existing is not None else None
            if owner is not None and owner != own_account:
                plan.fail("meter_number", f"meter_number {meter} already belongs to active customer {owner}")

    def generate_keys(self, company, count, *, avoid=frozenset()):
        """Account numbers TTTTSSSSSS: the tenant number and the company's next sequence numbers, skipping any
        number already stored (given explicitly by an earlier import) or named elsewhere in the batch."""
        keys: list[str] = []
        while len(keys) < count:
            numbers = sequence_reserve(company=company, name=ACCOUNT_SEQUENCE, count=count - len(keys))
            if numbers[-1] > LAST_SEQUENCE_NUMBER:
                raise KeysExhausted(
                    "No account numbers left to generate: this company's 999,999 are used; give one in the file"
                )
            candidates = [f"{company.tenant_number:04d}{number:06d}" for number in numbers]
            taken = set(
                self.queryset(company).filter(account_number__in=candidates).values_list("account_number", flat=True)
            )
            keys.extend(candidate for candidate in candidates if candidate not in taken and candidate not in avoid)
        return keys
