"""What the backup and restore API answers, as serializers: they present the jobs and give the OpenAPI schema its
shapes. The restore's upload is checked by the backup services (imports.jobs.backup_services), so each refusal
gets its own status and sentence; the upload's serializer documents it."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from imports.api.statuses import API_STATUS_WORDS, api_status
from imports.jobs.backup_services import restore_results
from imports.jobs.queueing import job_waiting_reason
from imports.models import ImportExportJob

STATUS = serializers.ChoiceField(
    choices=API_STATUS_WORDS,
    help_text="pending: waiting for a worker; processing: under way; completed, failed or cancelled: ended.",
)


def _link(serializer: serializers.Serializer, name: str, *args) -> str:
    request = serializer.context["request"]
    return request.build_absolute_uri(reverse(f"api:{name}", args=[str(arg) for arg in args]))


class CompanyJobSerializer(serializers.Serializer):
    """What a backup and a restore job share."""

    id = serializers.UUIDField(source="pk")
    status = serializers.SerializerMethodField()
    status_detail = serializers.SerializerMethodField()
    progress = serializers.IntegerField(source="progress_percent", min_value=0, max_value=100)
    file_name = serializers.CharField()
    error_message = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)

    @extend_schema_field(STATUS)
    def get_status(self, job: ImportExportJob) -> str:
        return api_status(job)

    @extend_schema_field(serializers.CharField(
        allow_null=True, help_text="What a pending job waits for, in one sentence; null once it has started.",
    ))
    def get_status_detail(self, job: ImportExportJob) -> str | None:
        return job_waiting_reason(job) or None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Why the job stopped, if it failed."))
    def get_error_message(self, job: ImportExportJob) -> str | None:
        return job.error_message or None


class BackupFileSerializer(serializers.Serializer):
    """One file of a backup archive: a kind of record, as the manifest lists it."""

    target = serializers.CharField(help_text="The kind of record (a target name of GET /api/imports/targets).")
    file = serializers.CharField(help_text="The CSV file in the archive.")
    rows = serializers.IntegerField(min_value=0)


class BackupJobSerializer(CompanyJobSerializer):
    """A backup of the whole company: one ZIP archive of an import-compatible CSV file for each kind of record,
    with a manifest."""

    total_records = serializers.IntegerField(help_text="Records to back up: known once the job has counted them.")
    processed_records = serializers.IntegerField(help_text="Records written so far.")
    files = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()

    @extend_schema_field(BackupFileSerializer(many=True))
    def get_files(self, job: ImportExportJob) -> list[dict]:
        return job.options.get("manifest", {}).get("targets", [])

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportExportJob) -> str:
        return _link(self, "backup", job.pk)

    @extend_schema_field(serializers.URLField(
        allow_null=True, help_text="The archive's download, once the backup has completed (until its file is "
        "deleted after EXPORT_RETENTION_DAYS).",
    ))
    def get_file_url(self, job: ImportExportJob) -> str | None:
        if job.job_status != ImportExportJob.Status.COMPLETED or not job.file:
            return None
        return _link(self, "backup-file", job.pk)


class RestoreUploadSerializer(serializers.Serializer):
    """A backup archive to restore, as multipart/form-data."""

    file = serializers.FileField(help_text="A .zip archive that a company backup made (GET /api/backups/{id}/file).")
    dry_run = serializers.BooleanField(
        default=True, help_text="true (the default): work out exactly what the restore would create, update and "
        "fail, and write nothing; then POST /api/restores/{id}/restore to restore it for real. false: restore now.",
    )


class RestoreCountsSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    skipped = serializers.IntegerField()
    failed = serializers.IntegerField()


class RestoreFileResultSerializer(RestoreCountsSerializer):
    """What the restore did (a dry run: would do) with one file of the archive."""

    target = serializers.CharField()
    label = serializers.CharField(help_text="The kind of record, in words.")
    file = serializers.CharField()
    rows = serializers.IntegerField(help_text="Rows the archive's manifest lists.")
    status = serializers.CharField(
        help_text="not_started, or its import's status: pending, running, completed, failed or cancelled.",
    )
    total = serializers.IntegerField(help_text="Rows its import read.")
    error = serializers.CharField(allow_blank=True, help_text="Why its import stopped, if it did.")
    errors = serializers.ListField(
        child=serializers.DictField(), help_text="The first rows that failed: {row, message}.",
    )
    import_url = serializers.URLField(allow_null=True, help_text="Its import job (a real restore's).")
    errors_url = serializers.URLField(allow_null=True, help_text="Its import's error report, if it has one.")
    predicted = RestoreCountsSerializer(
        allow_null=True, help_text="What the dry run before this restore predicted for this file.",
    )
    as_predicted = serializers.BooleanField(
        allow_null=True, help_text="Whether the restore did exactly what its dry run predicted for this file.",
    )


class RestoreJobSerializer(CompanyJobSerializer):
    """A restore of a backup archive (or its dry run), with what it did to each file, in the order it restores
    them."""

    dry_run = serializers.BooleanField()
    total_rows = serializers.IntegerField(source="total_records")
    processed_rows = serializers.IntegerField(source="processed_records")
    created = serializers.IntegerField(source="created_records")
    updated = serializers.IntegerField(source="updated_records")
    unchanged = serializers.IntegerField(source="unchanged_records")
    skipped = serializers.IntegerField(source="skipped_not_unchanged")
    failed = serializers.IntegerField(source="failed_records")
    files = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    restore_url = serializers.SerializerMethodField()

    @extend_schema_field(RestoreFileResultSerializer(many=True))
    def get_files(self, job: ImportExportJob) -> list[dict]:
        results = []
        for outcome in restore_results(job):
            child = outcome["job_id"]
            results.append({
                **outcome, "predicted": outcome.get("predicted"), "as_predicted": outcome.get("as_predicted"),
                "import_url": _link(self, "imports-job", child) if child else None,
                "errors_url": _link(self, "imports-job-errors", child) if outcome["error_report"] else None,
            })
        return results

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportExportJob) -> str:
        return _link(self, "restore", job.pk)

    @extend_schema_field(serializers.URLField(
        allow_null=True, help_text="For a dry run that completed: POST here to restore the archive for real.",
    ))
    def get_restore_url(self, job: ImportExportJob) -> str | None:
        if not job.dry_run or job.job_status != ImportExportJob.Status.COMPLETED:
            return None
        return _link(self, "restore-now", job.pk)
