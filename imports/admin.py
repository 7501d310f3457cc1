from django.contrib import admin

from .models import DataTemplate, ImportExportJob, ImportExportLog, KeySequence


class ImportExportLogInline(admin.TabularInline):
    model = ImportExportLog
    fields = ["record_number", "log_level", "message"]
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True
    max_num = 0


@admin.register(ImportExportJob)
class ImportExportJobAdmin(admin.ModelAdmin):
    list_display = [
        "id", "company", "job_type", "target_model", "job_status", "file_name",
        "total_records", "created_records", "updated_records", "skipped_records", "error_records", "created_at",
    ]
    list_filter = ["job_type", "job_status", "target_model", "company", "dry_run"]
    list_select_related = ["company"]
    search_fields = ["id", "file_name"]
    readonly_fields = [field.name for field in ImportExportJob._meta.fields]
    inlines = [ImportExportLogInline]

    def has_add_permission(self, request):
        return False  # jobs come from the wizard, the API or the commands, which check the file first


@admin.register(ImportExportLog)
class ImportExportLogAdmin(admin.ModelAdmin):
    list_display = ["job", "record_number", "log_level", "message", "created_at"]
    list_filter = ["log_level"]
    list_select_related = ["job"]
    readonly_fields = [field.name for field in ImportExportLog._meta.fields]


@admin.register(DataTemplate)
class DataTemplateAdmin(admin.ModelAdmin):
    list_display = ["template_name", "target_model", "template_type", "company", "is_active", "updated_at"]
    list_filter = ["target_model", "template_type", "is_active", "company"]
    search_fields = ["template_name"]


@admin.register(KeySequence)
class KeySequenceAdmin(admin.ModelAdmin):
    list_display = ["company", "name", "last_value"]
    readonly_fields = ["company", "name", "last_value"]
