from django.db import models

from companies.models import Company


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

    def __str__(self):
        return f"{self.account_number} {self.first_name} {self.last_name}"
