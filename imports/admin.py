from django import forms
from django.contrib import admin

from imports.declare.errors import ImportFileError
from imports.declare.targets import all_targets, get_target
from imports.engine.mapping import mapping_validate
from imports.models import AuditEvent, DataTemplate, ImportExportJob, ImportExportLog, KeySequence


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
        "total_records", "created_records", "updated_records", "skipped_records", "failed_records", "created_at",
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


class DataTemplateForm(forms.ModelForm):
    """Checks the mapping against the target's fields, so a saved template can always be applied."""

    target_model = forms.ChoiceField(choices=lambda: [(target.name, target.name) for target in all_targets()])

    class Meta:
        model = DataTemplate
        fields = ["company", "template_name", "target_model", "template_type", "field_mapping", "is_active"]

    def clean(self):
        cleaned = super().clean()
        target_name, mapping = cleaned.get("target_model"), cleaned.get("field_mapping")
        if target_name and mapping is not None:
            try:
                cleaned["field_mapping"] = mapping_validate(get_target(target_name), mapping)
            except ImportFileError as error:
                self.add_error("field_mapping", str(error))
        return cleaned


@admin.register(DataTemplate)
class DataTemplateAdmin(admin.ModelAdmin):
    form = DataTemplateForm
    list_display = ["template_name", "target_model", "template_type", "company", "is_active", "updated_at"]
    list_filter = ["target_model", "template_type", "is_active", "company"]
    search_fields = ["template_name"]


@admin.register(KeySequence)
class KeySequenceAdmin(admin.ModelAdmin):
    list_display = ["company", "name", "last_value"]
    readonly_fields = ["company", "name", "last_value"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """The audit trail, to read: its events are the record of who touched sensitive data, so nobody adds, edits or
    deletes one here. (Look-up results are not in the admin at all: they are health data, seen only through the
    job's page, masked, or its audited download.)"""

    list_display = ["created_at", "company", "action", "user", "job", "via", "address"]
    list_filter = ["action", "via", "company"]
    list_select_related = ["company", "user", "job"]
    search_fields = ["job__id", "user__username", "address"]
    date_hierarchy = "created_at"
    readonly_fields = [field.name for field in AuditEvent._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
