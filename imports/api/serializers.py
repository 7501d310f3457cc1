"""What the API answers, and the upload it takes, as serializers: they present jobs and targets, and give the
OpenAPI schema its shapes (the upload is checked in imports.api.uploads, imports.api.options and
imports.api.mappings, so each refusal gets its own status and sentence)."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from imports.api.mappings import EXAMPLE as MAPPING_EXAMPLE
from imports.api.options import EXAMPLE
from imports.api.statuses import API_STATUSES, api_status
from imports.declare.targets import ImportTarget
from imports.engine.options import DUPLICATE_STRATEGIES, MODES
from imports.jobs.queueing import job_waiting_reason
from imports.jobs.retrying import is_retry
from imports.models import ImportExportJob


class ErrorSerializer(serializers.Serializer):
    """Every refusal: one sentence saying what is wrong and what to send instead."""

    detail = serializers.CharField()


class ImportOptionsSerializer(serializers.Serializer):
    """How to import; each option may be left out for its default. (Names in camelCase, as the customer import
    guide spells them.)"""

    mode = serializers.ChoiceField(
        choices=MODES, default="upsert",
        help_text="create: only new records; update: only existing ones (unknown keys fail); upsert: both. "
        "create_only, update_only and create_update are accepted too.",
    )
    duplicateStrategy = serializers.ChoiceField(
        choices=DUPLICATE_STRATEGIES, default="skip",
        help_text="What create does with a row whose key exists: skip it, update the record, fail the row, or "
        "create a new record under a generated key. In update and upsert an existing key is updated.",
    )
    validateOnly = serializers.BooleanField(
        default=False, help_text="Validate every row, database checks included, and write nothing (a dry run).",
    )


class ImportUploadSerializer(serializers.Serializer):
    """A file to import, as multipart/form-data."""

    file = serializers.FileField(
        help_text="CSV/TSV/TXT (any common encoding and delimiter), Excel .xlsx or .xls, or JSON (an array of "
        "objects or JSON Lines). Checked by content, up to IMPORT_MAX_FILE_MB (10 MB by default).",
    )
    options = serializers.CharField(
        required=False,
        help_text=f"A JSON object: {EXAMPLE}. Options: mode (create, update, upsert; default upsert), "
        "duplicateStrategy (skip, update, error, create_new; default skip), validateOnly (true or false; default "
        "false). Value fixes, read before the rows are checked: dateFormats, how each date column writes its "
        "dates, by date field or file column: iso (YYYY-MM-DD), mdy (MM/DD/YYYY or M/D/YYYY), mdy2 (M/D/YY; 00-29 "
        "are 2000-2029, 30-99 are 1930-1999), dmy (DD/MM/YYYY) or excel (serial numbers such as 45366), e.g. "
        '{"connection_date": "mdy"}; valueMaps, what a choice or yes/no field\'s own words mean, e.g. {"status": '
        '{"Closed": "inactive"}, "is_primary": {"x": "true"}} (at most 50 values a field); padZipCodes (default '
        "true): 3- and 4-digit ZIP codes get their leading zeros back where the row's state has ZIP codes starting "
        "with 0, with a warning on the row. validationRules, your own checks of the cleaned values, by field, e.g. "
        '{"phone": [{"rule": "unique", "message": "One customer per phone"}], "status": [{"rule": "allowed", '
        '"values": ["active", "suspended"]}], "connection_date": [{"rule": "min", "value": "2020-01-01"}], '
        '"meter_number": [{"rule": "pattern", "pattern": "MTR-[0-9]+"}]}: required, pattern (matching the whole '
        "value; at most 200 characters, no nested repeats or back references), allowed, min and max (numbers and "
        "dates), unique (within the file), each with an optional message; a row breaking one fails with its "
        "message. A template's rules apply too; the rules given here for a field replace the template's for it. "
        "Leave it out for the defaults.",
    )
    mapping = serializers.CharField(
        required=False,
        help_text=f"A JSON object of file column to field: {MAPPING_EXAMPLE}; null skips the column. Columns it "
        "leaves out are matched by name and synonym. Refused (400) when it names a field the target does not have, "
        "sends two columns to one field, or names a column the file does not have.",
    )
    template = serializers.CharField(
        required=False,
        help_text="The name of an import template saved in the wizard's mapping step, for this target; with a "
        "`mapping` too, the mapping wins for the columns and fields it names. Refused (400) when no such template "
        "exists.",
    )


class AnyTargetUploadSerializer(ImportUploadSerializer):
    """A file to import into any target, named in the form."""

    target = serializers.CharField(
        help_text="What the file holds: a target name from GET /api/imports/targets, in any case (e.g. Customer).",
    )


class ImportJobSerializer(serializers.Serializer):
    """An import job as the customer import guide describes it, with its outcome counts and links.

    successful_rows = created_rows + updated_rows + unchanged_rows + skipped_rows; with validateOnly they are the
    rows that would be created, updated and so on.
    """

    id = serializers.UUIDField(source="pk")
    target = serializers.CharField(source="target_model")
    file_name = serializers.CharField()
    status = serializers.SerializerMethodField()
    status_detail = serializers.SerializerMethodField()
    progress = serializers.IntegerField(source="progress_percent", min_value=0, max_value=100)
    total_rows = serializers.IntegerField(source="total_records", help_text="0 until the file has been read.")
    processed_rows = serializers.IntegerField(source="processed_records")
    successful_rows = serializers.IntegerField(source="success_records")
    failed_rows = serializers.IntegerField(source="failed_records")
    created_rows = serializers.IntegerField(source="created_records")
    updated_rows = serializers.IntegerField(source="updated_records")
    unchanged_rows = serializers.IntegerField(source="unchanged_records", help_text="Updates that changed nothing.")
    skipped_rows = serializers.SerializerMethodField()
    options = serializers.SerializerMethodField()
    validation_rules = serializers.JSONField(
        help_text="The company's own rules the rows were checked with, by field (the upload's validationRules and "
        "its template's), as they were when the job was asked for; {} for none.",
    )
    via = serializers.SerializerMethodField()
    error_message = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()
    errors_url = serializers.SerializerMethodField()
    retry_of = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=list(API_STATUSES.values())))
    def get_status(self, job: ImportExportJob) -> str:
        return api_status(job)

    @extend_schema_field(serializers.CharField(
        allow_null=True,
        help_text="What a pending job waits for, in one sentence: a free worker, its company's other imports (at "
        "most IMPORT_MAX_RUNNING_JOBS_PER_COMPANY run at once), or the workers' task queue when it could not be "
        "reached (the job is saved and starts by itself when the queue is back). Null once the job has started.",
    ))
    def get_status_detail(self, job: ImportExportJob) -> str | None:
        return job_waiting_reason(job) or None

    def get_skipped_rows(self, job: ImportExportJob) -> int:
        return job.skipped_not_unchanged

    @extend_schema_field(ImportOptionsSerializer)
    def get_options(self, job: ImportExportJob) -> dict:
        return {"mode": job.import_mode, "duplicateStrategy": job.duplicate_handling, "validateOnly": job.dry_run}

    @extend_schema_field(serializers.ChoiceField(
        choices=[value for value in ImportExportJob.Via.values if value != ImportExportJob.Via.SCHEDULE],
        allow_null=True,
        help_text="Where the job was asked for: web (the browser wizard), api (this API) or cli (a management "
        "command); null for jobs created before this was recorded.",
    ))
    def get_via(self, job: ImportExportJob) -> str | None:
        return job.via or None

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Why the job as a whole failed."))
    def get_error_message(self, job: ImportExportJob) -> str | None:
        return job.error_message or None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportExportJob) -> str:
        return self._link(job, "job")

    @extend_schema_field(serializers.URLField(allow_null=True, help_text="Set once the job has an error report."))
    def get_errors_url(self, job: ImportExportJob) -> str | None:
        return self._link(job, "job-errors") if job.error_report else None

    @extend_schema_field(serializers.UUIDField(
        allow_null=True, help_text="The import whose failed rows this job retries (POST .../{id}/retry); else null.",
    ))
    def get_retry_of(self, job: ImportExportJob) -> str | None:
        return str(job.parent_id) if is_retry(job) else None

    def _link(self, job: ImportExportJob, name: str) -> str:
        """An absolute link on the route the request came by (a target's own or the generic imports)."""
        path = reverse(f"api:{self.context['route']}-{name}", args=[str(job.pk)])
        return self.context["request"].build_absolute_uri(path)


class ImportFieldSerializer(serializers.Serializer):
    """One column a file may have."""

    name = serializers.CharField()
    label = serializers.CharField()
    required = serializers.BooleanField(help_text="Must have a value on every row that creates a record.")
    format = serializers.CharField(source="format_hint")
    choices = serializers.SerializerMethodField()
    synonyms = serializers.ListField(child=serializers.CharField(), help_text="Other headers matched to it.")
    example = serializers.CharField()
    help_text = serializers.CharField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_choices(self, field) -> list[str] | None:
        values = getattr(field, "values", None)
        return [str(value) for value in values] if values is not None else None


class RequiredColumnsSerializer(serializers.Serializer):
    """The columns a file must have in each mode."""

    create = serializers.ListField(child=serializers.CharField())
    update = serializers.ListField(child=serializers.CharField())
    upsert = serializers.ListField(child=serializers.CharField())


class ImportTargetSerializer(serializers.Serializer):
    """Something that can be imported, with the columns its files may have."""

    name = serializers.CharField(help_text="The value of `target` when uploading to /api/imports/.")
    records = serializers.CharField(source="verbose_name_plural")
    required_columns = serializers.SerializerMethodField()
    fields = ImportFieldSerializer(many=True)

    @extend_schema_field(RequiredColumnsSerializer)
    def get_required_columns(self, target: ImportTarget) -> dict[str, list[str]]:
        return {mode: target.required_columns(mode) for mode in MODES}
