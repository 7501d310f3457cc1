from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models

from claims.fields import X12_RESERVED, npi_is_valid
from claims.statuses import StatusWord
from companies.models import Company


def validate_npi(value: str) -> None:
    if value and not npi_is_valid(value):
        raise ValidationError("Enter a 10-digit NPI with a valid check digit.")


def validate_x12_text(value: str) -> None:
    if any(character in X12_RESERVED for character in value):
        raise ValidationError("A claim status request cannot carry ~, *, : or ^.")


class Claim(models.Model):
    """A claim in a company's local claims store, as its payer reported it: the patient it is for, its status
    (a word, and the X12 277 category code behind it), its amounts and dates. Claim look-ups against the local
    store read these; a company fills the store by importing a claims file (the import target Claim)."""

    class Status(models.TextChoices):
        FINALIZED = StatusWord.FINALIZED.value, "Finalized"
        PENDING = StatusWord.PENDING.value, "Pending"
        DENIED = StatusWord.DENIED.value, "Denied"
        REJECTED = StatusWord.REJECTED.value, "Rejected"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="claims")
    claim_number = models.CharField(max_length=50)
    # The patient, as X12's NM1 segment holds one: last name up to 60 characters, first name up to 35.
    first_name = models.CharField(max_length=35)
    last_name = models.CharField(max_length=60)
    date_of_birth = models.DateField()
    subscriber_id = models.CharField(max_length=80, help_text="As written: leading zeros are part of it.")
    payer_id = models.CharField(max_length=80, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, blank=True)
    status_code = models.CharField(
        max_length=8, blank=True, help_text="The X12 277 claim status category code, e.g. F1, P1, F3F, R4."
    )
    total_charged = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    total_paid = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    processed_date = models.DateField(null=True, blank=True)
    paid_date = models.DateField(null=True, blank=True)
    payer_claim_number = models.CharField(max_length=50, blank=True)
    check_number = models.CharField(max_length=50, blank=True)
    service_date_from = models.DateField(null=True, blank=True)
    service_date_to = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["claim_number"]
        # Also the index look-ups find claims by.
        constraints = [models.UniqueConstraint(fields=["company", "claim_number"], name="uniq_claim_number")]

    def __str__(self):
        return self.claim_number


class ClaimsSettings(models.Model):
    """How a company's claims are looked up: where (its local claims store or a payer's API), and the values a
    query that leaves them out is given. A company without saved settings has the defaults."""

    class Backend(models.TextChoices):
        DEFAULT = "", "The environment's default (CLAIMS_BACKEND)"
        LOCAL = "local", "Local claims store"
        PAYER = "payer", "Payer claim-status API"

    company = models.OneToOneField(Company, on_delete=models.CASCADE, related_name="claims_settings")
    backend = models.CharField(max_length=10, choices=Backend.choices, blank=True, default=Backend.DEFAULT)
    default_payer_id = models.CharField(
        max_length=80, blank=True, validators=[validate_x12_text],
        help_text="The payer of rows that name none.",
    )
    default_provider_npi = models.CharField(
        "default provider NPI", max_length=10, blank=True, validators=[validate_npi],
        help_text="The provider (10-digit NPI) of rows that name none.",
    )
    service_lookback_days = models.PositiveIntegerField(
        default=365, validators=[MaxValueValidator(3650)],
        help_text="Payer look-ups of rows without service dates ask about claims of this many days back to "
        "today.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "claims settings"
        verbose_name_plural = "claims settings"

    def __str__(self):
        return f"Claims settings of {self.company}"

    @classmethod
    def for_company(cls, company: Company) -> "ClaimsSettings":
        """The company's saved settings, or the defaults (unsaved) when it has none."""
        return cls.objects.filter(company=company).first() or cls(company=company)

    @property
    def backend_name(self) -> str:
        """Where look-ups go: "local" or "payer" (the environment's CLAIMS_BACKEND unless the company chose)."""
        return self.backend or settings.CLAIMS_BACKEND
