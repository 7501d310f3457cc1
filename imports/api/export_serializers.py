"""What the export API takes and answers, as serializers. The request's serializer checks its shape (a list where a
list belongs, a known format and operator) and documents it; what it names (the target, its columns, each filter's
field and value) is checked by the export services (imports.jobs.export_services), which say what is wrong in one
sentence and which part of the request it is about."""

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from imports.api.statuses import API_STATUSES, api_status
from imports.declare.targets import ImportTarget, get_target
from imports.engine.exports.columns import ExportColumn, columns_available
from imports.engine.exports.filters import IMPORT_JOB, OPERATORS, operators_for
from imports.engine.exports.spec import FORMAT_ALIASES, FORMAT_LABELS, FORMATS
from imports.jobs.queueing import job_waiting_reason
from imports.models import ImportExportJob

FORMAT_WORDS = [*FORMATS, *FORMAT_ALIASES]
FILTER_OPERATORS = list(OPERATORS)  # one enum in the schema (settings' ENUM_NAME_OVERRIDES)
PARTS = ("target", "columns", "filters", "format", "import_compatible", "template")


# DRF formats every error message (with the input, the type received...): a brace of the text itself is doubled.


class FormatField(serializers.ChoiceField):
    """A file format in any case; xlsx (and xls) stand for excel."""

    def __init__(self, **kwargs):
        super().__init__(
            choices=FORMAT_WORDS,
            error_messages={"invalid_choice": "Unknown format '{input}': use csv, xlsx, json or pdf."},
            **kwargs,
        )

    def to_internal_value(self, data):
        return super().to_internal_value(str(data).strip().casefold())


class ExportFilterSerializer(serializers.Serializer):
    """One condition on the records exported; every filter must hold."""

    default_error_messages = {"invalid": 'Each filter is an object: {{"field", "op", "value"}}.'}

    field = serializers.CharField(
        help_text=f"A column's name (GET /api/exports/columns lists them with their operators), or `{IMPORT_JOB}`: "
        "the records an import job created or updated (the value is the import job's id).",
        error_messages={"required": 'Each filter needs a "field" and a "value".'},
    )
    op = serializers.ChoiceField(
        choices=FILTER_OPERATORS, required=False,
        help_text="contains or equals (text), in or equals (choices), gte, lte or equals (dates, date-times and "
        "numbers), equals (yes/no). Left out: the field's first operator (contains, in, gte or equals).",
        error_messages={"invalid_choice": "Unknown filter operator '{input}': use contains, equals, in, gte or lte."},
    )
    value = serializers.JSONField(
        help_text="What the field is compared with, written as a file's cell would be (a date as YYYY-MM-DD, a "
        "number as 12.5, yes/no as true or false); for `in`, a list of values (or one text of comma-separated "
        "values).",
        error_messages={"required": 'Each filter needs a "field" and a "value".',
                        "null": "A filter's value cannot be null."},
    )


class ExportRequestSerializer(serializers.Serializer):
    """An export to run or preview: a target and what to take of it, or an export template by name (whose
    columns, filters and format the other keys given replace)."""

    target = serializers.CharField(
        required=False,
        help_text="What to export: a target name (GET /api/imports/targets), in any case. With `template`, it picks "
        "the template among same-named templates of several targets.",
    )
    columns = serializers.ListField(
        child=serializers.CharField(), required=False,
        help_text="Column names in the file's order (GET /api/exports/columns?target=...). Left out or empty: "
        "exactly the columns an import takes back.",
        error_messages={"not_a_list": 'Columns must be a list of column names, e.g. ["account_number", "email"].'},
    )
    filters = serializers.ListField(
        child=ExportFilterSerializer(), required=False,
        help_text="Conditions the records must all meet; left out or empty: every record.",
        error_messages={"not_a_list": 'Filters must be a list of {{"field", "op", "value"}} objects.'},
    )
    format = FormatField(
        required=False,
        help_text="csv (the default; UTF-8 with a byte-order mark), excel (also xlsx), json (an array of objects) "
        "or pdf (a report for people, up to EXPORT_PDF_MAX_ROWS rows), in any case.",
    )
    import_compatible = serializers.BooleanField(
        required=False,
        help_text="true: exactly the columns an import takes back, in the import's order (`columns` is then "
        "ignored), so the file imports back unchanged.",
        error_messages={"invalid": "import_compatible must be true or false."},
    )
    template = serializers.CharField(
        required=False,
        help_text="The name of one of your export templates: its target, columns, filters and format, each "
        "replaced by the key of this request that names it.",
    )

    class Meta:
        ref_name = "Export"  # the schema's request component: ExportRequest

    default_error_messages = {
        "invalid": 'Send the export as a JSON object: {{"target", "columns", "filters", "format"}}.',
    }

    def validate(self, attrs):
        if not attrs.get("target") and not attrs.get("template"):
            raise serializers.ValidationError({"target": "Name the target to export (GET /api/imports/targets lists "
                                                         "them), or an export template."})
        return attrs


def first_refusal(errors) -> tuple[str | None, str]:
    """The part of the request (None: the request as a whole) and the sentence of the first problem the
    serializer found."""
    if isinstance(errors, dict):
        for key, value in errors.items():
            part, message = first_refusal(value)
            return (key if key in PARTS else part), message
    if isinstance(errors, list):
        for value in errors:
            if value:
                return first_refusal(value)
    return None, str(errors)


class ExportFilterDataSerializer(serializers.Serializer):
    """A filter as the request gave it (checked and written the way `filters` takes it back)."""

    field = serializers.CharField()
    op = serializers.ChoiceField(choices=FILTER_OPERATORS)
    value = serializers.JSONField()


def job_export(job: ImportExportJob) -> dict:
    """The export a job was asked for, as data (target, columns, filters, format)."""
    return (job.options or {}).get("export") or {}


class ExportJobSerializer(serializers.Serializer):
    """An export job: what it exports, how far it has got, and its file once it is written."""

    id = serializers.UUIDField(source="pk")
    status = serializers.SerializerMethodField()
    status_detail = serializers.SerializerMethodField()
    target = serializers.CharField(source="target_model")
    format = serializers.ChoiceField(source="file_format", choices=list(FORMATS),
                                     help_text="csv, excel (.xlsx), json or pdf.")
    columns = serializers.SerializerMethodField()
    import_compatible = serializers.SerializerMethodField()
    filters = serializers.SerializerMethodField()
    filters_described = serializers.SerializerMethodField()
    template = serializers.SerializerMethodField()
    requested_via = serializers.SerializerMethodField()
    total_rows = serializers.IntegerField(source="total_records", help_text="0 until the rows have been counted.")
    processed_rows = serializers.IntegerField(source="processed_records", help_text="Rows written to the file so far.")
    progress = serializers.IntegerField(source="progress_percent", min_value=0, max_value=100)
    error_message = serializers.SerializerMethodField()
    file_name = serializers.CharField(help_text="The name the file is downloaded under.")
    created_at = serializers.DateTimeField()
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)
    url = serializers.SerializerMethodField()
    file_url = serializers.SerializerMethodField()
    cancel_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ChoiceField(choices=list(API_STATUSES.values())))
    def get_status(self, job: ImportExportJob) -> str:
        return api_status(job)

    @extend_schema_field(serializers.CharField(
        allow_null=True, help_text="What a pending job waits for, in one sentence; null once it has started.",
    ))
    def get_status_detail(self, job: ImportExportJob) -> str | None:
        return job_waiting_reason(job) or None

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), help_text="In the file's order."))
    def get_columns(self, job: ImportExportJob) -> list[str]:
        return list(job_export(job).get("columns") or [])

    @extend_schema_field(serializers.BooleanField(help_text="Whether the file imports back as it is."))
    def get_import_compatible(self, job: ImportExportJob) -> bool:
        try:
            target = get_target(job.target_model)
        except KeyError:
            return False
        return self.get_columns(job) == [field.name for field in target.fields]

    @extend_schema_field(ExportFilterDataSerializer(many=True))
    def get_filters(self, job: ImportExportJob) -> list[dict]:
        return list(job_export(job).get("filters") or [])

    @extend_schema_field(serializers.ListField(
        child=serializers.CharField(), help_text="Each filter in words, as the builder and the PDF report show it.",
    ))
    def get_filters_described(self, job: ImportExportJob) -> list[str]:
        return list((job.options or {}).get("filters") or [])

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="The export template it ran from."))
    def get_template(self, job: ImportExportJob) -> str | None:
        return job.template.template_name if job.template_id else None

    @extend_schema_field(serializers.CharField(
        help_text="Who asked for it: api, web (the export builder), cli (the command line) or schedule.",
    ))
    def get_requested_via(self, job: ImportExportJob) -> str:
        return str((job.options or {}).get("via") or "")

    @extend_schema_field(serializers.CharField(allow_null=True, help_text="Why the job as a whole failed."))
    def get_error_message(self, job: ImportExportJob) -> str | None:
        return job.error_message or None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportExportJob) -> str:
        return self._link("exports-job", job)

    @extend_schema_field(serializers.URLField(
        allow_null=True, help_text="Where to download the file: set once the job is completed, null again once "
        "the file was deleted (EXPORT_RETENTION_DAYS after).",
    ))
    def get_file_url(self, job: ImportExportJob) -> str | None:
        if job.job_status != ImportExportJob.Status.COMPLETED or not job.file:
            return None
        return self._link("exports-job-file", job)

    @extend_schema_field(serializers.URLField(allow_null=True, help_text="Where to cancel it while it has not ended."))
    def get_cancel_url(self, job: ImportExportJob) -> str | None:
        return None if job.is_finished else self._link("exports-job-cancel", job)

    def _link(self, name: str, job: ImportExportJob) -> str:
        return self.context["request"].build_absolute_uri(reverse(f"api:{name}", args=[str(job.pk)]))


class ExportPreviewSerializer(serializers.Serializer):
    """The first rows of an export and how many it holds, before running it."""

    target = serializers.CharField(source="spec.target.name")
    format = serializers.CharField(source="spec.file_format")
    columns = serializers.SerializerMethodField()
    filters_described = serializers.SerializerMethodField()
    total_rows = serializers.IntegerField(help_text="How many rows the file would hold now.")
    rows = serializers.ListField(
        child=serializers.ListField(child=serializers.CharField(allow_blank=True)),
        help_text="The first rows (at most 10), each a list of texts in the columns' order, as the CSV would hold "
        "them (empty where the record has no value).",
    )
    refusal = serializers.CharField(
        allow_null=True, help_text="Why this export cannot run as asked (a PDF over its row cap), or null.",
    )

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_columns(self, preview) -> list[str]:
        return [column.name for column in preview.spec.columns]

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_filters_described(self, preview) -> list[str]:
        return preview.spec.filters_described()


class ExportColumnSerializer(serializers.Serializer):
    """A column an export of the target can hold."""

    name = serializers.CharField(help_text="The column's name: its header in CSV, Excel and JSON files.")
    label = serializers.CharField(help_text="Its header in the PDF report.")
    kind = serializers.CharField(
        help_text="The field's kind, such as text, email, phone, us_state, postal_code, url, choice, date, datetime, "
        "number, money or boolean.",
    )
    importable = serializers.BooleanField(help_text="Whether an import takes the column back (false: the product "
                                                    "works it out, or it is a record's time).")
    filter_operators = serializers.SerializerMethodField()
    choices = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=FILTER_OPERATORS),
                                               help_text="The operators a filter on it takes; the first is the "
                                                         "default."))
    def get_filter_operators(self, column: ExportColumn) -> list[str]:
        return list(operators_for(column.kind))

    @extend_schema_field(serializers.ListField(child=serializers.CharField(), allow_null=True))
    def get_choices(self, column: ExportColumn) -> list[str] | None:
        values = getattr(column.field, "values", None)
        return [str(value) for value in values] if values is not None else None


class ExportFormatSerializer(serializers.Serializer):
    name = serializers.CharField()
    label = serializers.CharField()


class ExportTargetColumnsSerializer(serializers.Serializer):
    """What an export of one target can hold."""

    target = serializers.CharField(source="name")
    records = serializers.CharField(source="verbose_name_plural")
    columns = serializers.SerializerMethodField()
    import_compatible_columns = serializers.SerializerMethodField()
    formats = serializers.SerializerMethodField()

    @extend_schema_field(ExportColumnSerializer(many=True))
    def get_columns(self, target: ImportTarget) -> list[dict]:
        return ExportColumnSerializer(columns_available(target), many=True).data

    @extend_schema_field(serializers.ListField(
        child=serializers.CharField(), help_text="The columns `import_compatible` picks, in the import's order.",
    ))
    def get_import_compatible_columns(self, target: ImportTarget) -> list[str]:
        return [field.name for field in target.fields]

    @extend_schema_field(ExportFormatSerializer(many=True))
    def get_formats(self, target: ImportTarget) -> list[dict]:
        return [{"name": name, "label": FORMAT_LABELS[name]} for name in FORMATS]


class ExportRefusalSerializer(serializers.Serializer):
    """A bad export request: one sentence, and the part of the request it is about."""

    detail = serializers.CharField()
    part = serializers.ChoiceField(
        choices=list(PARTS), allow_null=True,
        help_text="The key of the request at fault; null when it is the request as a whole (not a JSON object).",
    )
