from django.contrib import admin

from .models import SalesProAppointment, SalesProSyncHistory, SalesProUser


@admin.register(SalesProUser)
class SalesProUserAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "office", "company"]
    list_filter = ["company", "office"]
    search_fields = ["email", "first_name", "last_name"]
    list_select_related = ["company"]


@admin.register(SalesProAppointment)
class SalesProAppointmentAdmin(admin.ModelAdmin):
    list_display = ["salespro_id", "salespro_created_at", "customer_last_name", "customer_first_name", "is_sale",
                    "sale_amount", "sales_rep", "company"]
    list_filter = ["company", "is_sale"]
    search_fields = ["salespro_id", "customer_last_name", "customer_estimate_name", "sales_rep__email"]
    list_select_related = ["company", "sales_rep"]
    raw_id_fields = ["sales_rep"]
    readonly_fields = ["created_at", "updated_at"]
    date_hierarchy = "salespro_created_at"


@admin.register(SalesProSyncHistory)
class SalesProSyncHistoryAdmin(admin.ModelAdmin):
    list_display = ["started_at", "sync_type", "status", "records_processed", "records_created", "records_updated",
                    "records_skipped", "records_failed", "company"]
    list_filter = ["company", "sync_type", "status"]
    search_fields = ["file_path", "error_message"]
    list_select_related = ["company"]
    raw_id_fields = ["job"]
    date_hierarchy = "started_at"
