from django.db import models

from companies.models import Company

# A customer's addresses, each field in the order of PostalAddress (street, city, state, ZIP code): where service is
# delivered (what verification checks), where bills go, and the checked form verification found.
SERVICE_ADDRESS_FIELDS = ("service_address", "city", "state", "postal_code")
BILLING_ADDRESS_FIELDS = ("billing_address", "billing_city", "billing_state", "billing_postal_code")
STANDARDIZED_ADDRESS_FIELDS = (
    "standardized_address", "standardized_city", "standardized_state", "standardized_postal_code",
)


class Customer(models.Model):
    """A utility customer: who they are, where service is delivered and billed, and the meter that measures it."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        SUSPENDED = "suspended", "Suspended"

    class CustomerType(models.TextChoices):
        RESIDENTIAL = "residential", "Residential"
        COMMERCIAL = "commercial", "Commercial"
        INDUSTRIAL = "industrial", "Industrial"

    class AddressStatus(models.TextChoices):
        """Where the service address stands. Verified: the address on file is confirmed as it is (formatting
        aside). Corrected: confirmed in a corrected form, stored beside it in the standardized fields. Needs
        review: a person must decide (no match, or only a partial or approximate one). Not verified: formatted
        offline only, or a reviewer kept it as entered."""

        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        CORRECTED = "corrected", "Corrected"
        NEEDS_REVIEW = "needs_review", "Needs review"
        NOT_VERIFIED = "not_verified", "Not verified"

    # Bulk imports write millions of these, so the company link costs as little as it can: no index of its own
    # (the unique (company, account_number) index leads with the company and serves every per-company query), and
    # no database-level foreign key, whose per-row check is a third of PostgreSQL's work on a COPY. Rows are only
    # written with a company the import already holds, and deleting a company still deletes its customers
    # (Django's cascade).
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="customers", db_index=False, db_constraint=False
    )
    account_number = models.CharField(max_length=20)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254)
    phone = models.CharField(max_length=20, help_text="E.164, e.g. +15555555555.")
    service_address = models.CharField(max_length=255)
    city = models.CharField(max_length=100)
    state = models.CharField(max_length=2)
    postal_code = models.CharField(max_length=10)
    billing_address = models.CharField(max_length=255, blank=True)
    billing_city = models.CharField(max_length=100, blank=True)
    billing_state = models.CharField(max_length=2, blank=True)
    billing_postal_code = models.CharField(max_length=10, blank=True)
    meter_number = models.CharField(max_length=50)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    customer_type = models.CharField(max_length=20, choices=CustomerType.choices, default=CustomerType.RESIDENTIAL)
    rate_code = models.CharField(max_length=50, blank=True)
    connection_date = models.DateField(null=True, blank=True)
    notes = models.CharField(max_length=500, blank=True)
    # The service address as checked after an import: every new or changed address starts pending (the field's
    # default, which bulk imports write too) and a background task standardises it, beside what the user sent.
    address_status = models.CharField(max_length=20, choices=AddressStatus.choices, default=AddressStatus.PENDING)
    standardized_address = models.CharField(max_length=255, blank=True)
    standardized_city = models.CharField(max_length=100, blank=True)
    standardized_state = models.CharField(max_length=2, blank=True)
    standardized_postal_code = models.CharField(max_length=10, blank=True)
    address_note = models.CharField(max_length=255, blank=True, help_text="Why the address has its status.")
    address_checked_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_number"]
        constraints = [
            models.UniqueConstraint(fields=["company", "account_number"], name="uniq_customer_account_number"),
            models.UniqueConstraint(
                fields=["company", "meter_number"],
                condition=models.Q(status="active"),
                name="uniq_active_customer_meter",
            ),
        ]
        indexes = [
            # The review page's list. Partial, so imports (whose new rows are pending) never write to it.
            models.Index(
                fields=["company", "account_number"],
                condition=models.Q(address_status="needs_review"),
                name="customer_address_review",
            ),
        ]

    def __str__(self):
        return f"{self.account_number} {self.first_name} {self.last_name}"

    @property
    def has_suggestion(self) -> bool:
        return bool(self.standardized_address)


class AddressLookup(models.Model):
    """Google Maps' answer for one normalised address, so the same address is never looked up twice.

    Shared by every company: it holds only what was sent and what Google answered, no customer, and no page
    shows it. Entries older than GOOGLE_MAPS_CACHE_DAYS are looked up again.
    """

    key = models.CharField(max_length=64, unique=True, help_text="SHA-256 of the normalised address.")
    query = models.CharField(max_length=400, help_text="The address as sent to Google Maps.")
    results = models.JSONField(default=list, help_text="The Geocoding API's results; empty when none matched.")
    looked_up_at = models.DateTimeField()

    def __str__(self):
        return self.query


class AddressVerificationLease(models.Model):
    """Which run is verifying a company's addresses now, so two runs never pay for the same look-ups.

    A run holds the lease while it works through a batch and renews it after every look-up; a lease past its
    expiry belongs to a run that died and may be taken over.
    """

    company = models.OneToOneField(Company, on_delete=models.CASCADE, primary_key=True,
                                   related_name="address_verification_lease")
    holder = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.company}: {self.holder or 'free'}"
