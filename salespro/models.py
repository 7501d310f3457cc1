from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from companies.models import Company


class SalesProUser(models.Model):
    """A SalesPro sales rep, known by email within a company (in any case: Ann@X.com is ann@x.com)."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="salespro_users", db_index=False)
    email = models.EmailField(max_length=254)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    office = models.CharField(max_length=150, blank=True, help_text="The rep's office; SalesPro's CSV export has none.")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "salespro_users"
        verbose_name = "SalesPro user"
        ordering = ["email"]
        constraints = [
            # Also the index of the company's reps and of the imports' look-up by email.
            models.UniqueConstraint("company", Lower("email"), name="uniq_salespro_user_email"),
        ]

    def __str__(self):
        return self.email


class SalesProAppointment(models.Model):
    """One appointment of a SalesPro export, identified by SalesPro's `_id`: its customer, its rep and its result."""

    # Written in bulk like customers, so the company link costs as little: no index of its own (the unique
    # (company, salespro_id) index leads with the company) and no database-level foreign key.
    company = models.ForeignKey(
        Company, on_delete=models.CASCADE, related_name="salespro_appointments", db_index=False,
        db_constraint=False,
    )
    salespro_id = models.CharField(max_length=64, help_text="SalesPro's `_id` of the appointment.")
    salespro_created_at = models.DateTimeField(null=True, blank=True, help_text="SalesPro's `_created_at`.")
    salespro_updated_at = models.DateTimeField(
        null=True, blank=True, help_text="SalesPro's `_updated_at`: a re-import changes the record only when newer."
    )
    is_sale = models.BooleanField(default=False)
    result_full_string = models.TextField(blank=True)
    customer_last_name = models.CharField(max_length=150, blank=True)
    customer_first_name = models.CharField(max_length=150, blank=True)
    customer_estimate_name = models.CharField(max_length=255, blank=True)
    sales_rep = models.ForeignKey(
        SalesProUser, on_delete=models.SET_NULL, null=True, blank=True, related_name="appointments"
    )
    sale_amount = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "salespro_appointment"
        verbose_name = "SalesPro appointment"
        ordering = ["-salespro_created_at"]
        constraints = [
            models.UniqueConstraint(fields=["company", "salespro_id"], name="uniq_salespro_appointment_id"),
        ]
        indexes = [
            # A company's appointments over a period (sales reports, the newest first).
            models.Index(fields=["company", "salespro_created_at"], name="salespro_appt_company_created"),
        ]

    def __str__(self):
        return self.salespro_id


class SalesProSyncHistory(models.Model):
    """One run of a SalesPro import: when it ran, how it ended, and what it did to how many records."""

    class SyncType(models.TextChoices):
        CSV_APPOINTMENTS = "csv_appointments", "CSV appointments"

    class Status(models.TextChoices):
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="salespro_syncs")
    sync_type = models.CharField(max_length=30, choices=SyncType.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.RUNNING)
    started_at = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(null=True, blank=True)
    records_processed = models.PositiveIntegerField(default=0)
    records_created = models.PositiveIntegerField(default=0)
    records_updated = models.PositiveIntegerField(default=0)
    records_skipped = models.PositiveIntegerField(default=0, help_text="Unchanged rows included.")
    records_failed = models.PositiveIntegerField(default=0)
    error_message = models.TextField(blank=True)
    file_path = models.CharField(max_length=1000)
    job = models.ForeignKey(
        "imports.ImportExportJob", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
        help_text="The import job that did the work: its log and error report.",
    )

    class Meta:
        db_table = "salespro_sync_history"
        verbose_name = "SalesPro sync"
        verbose_name_plural = "SalesPro sync history"
        ordering = ["-started_at"]
        indexes = [
            # The latest syncs of a kind, newest first.
            models.Index(fields=["sync_type", "-started_at"], name="salespro_sync_type_started"),
        ]

    def __str__(self):
        return f"{self.get_sync_type_display()} {self.started_at:%Y-%m-%d %H:%M}: {self.status}"
