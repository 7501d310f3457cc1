from django.contrib import admin

from .models import Customer


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["account_number", "first_name", "last_name", "email", "city", "state", "status", "company"]
    list_filter = ["company", "status", "customer_type", "state"]
    search_fields = ["account_number", "first_name", "last_name", "email", "meter_number"]
    list_select_related = ["company"]
    readonly_fields = ["created_at", "updated_at"]
