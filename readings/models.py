from django.db import models

from companies.models import Company
from customers.models import Customer


class MeterReading(models.Model):
    """One reading of a customer's meter on one day, and the consumption since the meter's previous reading."""

    class ReadingType(models.TextChoices):
        MANUAL = "manual", "Manual"
        AUTOMATED = "automated", "Automated"
        ESTIMATED = "estimated", "Estimated"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="meter_readings", db_index=False)
    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="readings")
    meter_number = models.CharField(max_length=50)
    reading_date = models.DateField()
    reading_value = models.DecimalField(max_digits=15, decimal_places=3)
    reading_type = models.CharField(max_length=20, choices=ReadingType.choices, default=ReadingType.MANUAL)
    notes = models.CharField(max_length=500, blank=True)
    consumption = models.DecimalField(
        max_digits=16, decimal_places=3, null=True, blank=True,
        help_text="Reading value minus the meter's previous reading; empty for a meter's first reading, negative "
        "after a roll-over or misread.",
    )
    # One reading per meter and day: imports find a reading by this key, "<meter number>@<YYYY-MM-DD>".
    reading_key = models.CharField(max_length=64, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["meter_number", "reading_date"]
        constraints = [
            models.UniqueConstraint(fields=["company", "reading_key"], name="uniq_reading_meter_date"),
        ]
        indexes = [
            # The previous and next reading of a meter, for consumption.
            models.Index(fields=["company", "meter_number", "reading_date"], name="idx_reading_meter_date"),
        ]

    def __str__(self):
        return f"{self.meter_number} {self.reading_date}: {self.reading_value}"

    @staticmethod
    def key_for(meter_number: str, reading_date) -> str:
        return f"{meter_number}@{reading_date.isoformat()}"
