from django.contrib import admin

from .models import MeterReading


@admin.register(MeterReading)
class MeterReadingAdmin(admin.ModelAdmin):
    list_display = ["meter_number", "reading_date", "reading_value", "consumption", "reading_type", "customer",
                    "company"]
    list_filter = ["company", "reading_type"]
    search_fields = ["meter_number", "customer__account_number"]
    list_select_related = ["company", "customer"]
    raw_id_fields = ["customer"]
    readonly_fields = ["reading_key", "consumption", "created_at", "updated_at"]
    date_hierarchy = "reading_date"
