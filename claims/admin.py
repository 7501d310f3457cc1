from django.contrib import admin

from .models import Claim, ClaimsSettings


@admin.register(Claim)
class ClaimAdmin(admin.ModelAdmin):
    # The list shows no patient details: it is browsed and searched by people who may only need a claim's status.
    list_display = ["claim_number", "status", "status_code", "payer_id", "company"]
    list_filter = ["status", "company"]
    search_fields = ["claim_number"]
    list_select_related = ["company"]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["company", "claim_number", "payer_id", "payer_claim_number"]}),
        ("Patient", {"fields": ["first_name", "last_name", "date_of_birth", "subscriber_id"]}),
        ("Status", {"fields": ["status", "status_code", "total_charged", "total_paid", "processed_date",
                               "paid_date", "check_number"]}),
        ("Service", {"fields": ["service_date_from", "service_date_to"]}),
        (None, {"fields": ["created_at", "updated_at"]}),
    ]


@admin.register(ClaimsSettings)
class ClaimsSettingsAdmin(admin.ModelAdmin):
    list_display = ["company", "backend", "default_payer_id", "service_lookback_days"]
    list_select_related = ["company"]
    readonly_fields = ["created_at", "updated_at"]
