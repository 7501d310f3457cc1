from django.urls import path

from imports.web import audit, backups, lookups, views, wizard

app_name = "imports"

urlpatterns = [
    path("jobs/", views.job_list, name="job_list"),
    path("jobs/<uuid:job_id>/", views.job_detail, name="job_detail"),
    path("jobs/<uuid:job_id>/progress/", views.job_progress, name="job_progress"),
    path("jobs/<uuid:job_id>/cancel/", views.job_cancel_view, name="job_cancel"),
    path("jobs/<uuid:job_id>/error-report/", views.job_error_report, name="job_error_report"),
    path("jobs/<uuid:job_id>/file/", views.job_file, name="job_file"),
    path("records/<str:target_name>/", views.records, name="records"),
    path("templates/", views.template_list, name="template_list"),
    path("templates/<uuid:template_id>/", views.template_edit, name="template_edit"),
    path("templates/<uuid:template_id>/delete/", views.template_delete, name="template_delete"),
    path("lookups/jobs/<uuid:job_id>/", lookups.lookup_job, name="lookup_job"),
    path("lookups/jobs/<uuid:job_id>/progress/", lookups.lookup_job_progress, name="lookup_job_progress"),
    path("lookups/jobs/<uuid:job_id>/cancel/", lookups.lookup_job_cancel, name="lookup_job_cancel"),
    path("lookups/jobs/<uuid:job_id>/retry/", lookups.lookup_job_retry, name="lookup_job_retry"),
    path("lookups/jobs/<uuid:job_id>/results/", lookups.lookup_job_results, name="lookup_job_results"),
    path("lookups/<str:service_name>/", lookups.lookup_page, name="lookup"),
    path("lookups/<str:service_name>/template.csv", lookups.lookup_template, name="lookup_template"),
    path("audit/", audit.audit_list, name="audit"),
    path("import/", wizard.choose, name="wizard"),
    path("import/<str:target_name>/template.<str:file_format>", wizard.blank_template, name="blank_template"),
    path("import/<str:target_name>/upload/", wizard.upload, name="wizard_upload"),
    path("import/<uuid:upload_id>/sheet/", wizard.sheet, name="wizard_sheet"),
    path("import/<uuid:upload_id>/mapping/", wizard.mapping, name="wizard_mapping"),
    path("import/<uuid:upload_id>/preview/", wizard.preview, name="wizard_preview"),
    path("import/<uuid:upload_id>/template/load/", wizard.template_load, name="wizard_template_load"),
    path("import/<uuid:upload_id>/template/save/", wizard.template_store, name="wizard_template_save"),
    path("import/<uuid:upload_id>/options/", wizard.options, name="wizard_options"),
    path("import/<uuid:upload_id>/review/", wizard.review, name="wizard_review"),
    path("import/<uuid:upload_id>/start/", wizard.start_import, name="wizard_start"),
    path("backups/", backups.backups_page, name="backups"),
    path("backups/start/", backups.backup_start, name="backup_start"),
    path("backups/restore/", backups.restore_upload, name="restore_upload"),
    path("backups/<uuid:job_id>/", backups.backup_job, name="backup_job"),
    path("backups/<uuid:job_id>/download/", backups.backup_download, name="backup_download"),
    path("restores/<uuid:job_id>/", backups.restore_job, name="restore_job"),
    path("restores/<uuid:job_id>/restore/", backups.restore_confirm, name="restore_confirm"),
]
