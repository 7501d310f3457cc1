from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = [
        "account_number", "first_name", "last_name", "email", "city", "state", "status", "address_status", "company",
    ]
    list_filter = ["company", "status", "customer_type", "state", "address_status"]
    search_fields = ["account_number", "first_name", "last_name", "email", "meter_number"]
    list_select_related = ["company"]
    readonly_fields = [
        "created_at", "updated_at", "standardized_address", "standardized_city", "standardized_state",
        "standardized_postal_code", "address_note", "address_checked_at",
    ]
