"""What the look-up API answers, in the claims guide's shapes: the job as the upload answers it (the guide's nine
keys, exactly), the job with its links and error log, and the job's progress as the guide's progress endpoint gives
it. The serializers present jobs and give the OpenAPI schema its shapes; the upload itself is checked by the
look-up services (imports.jobs.lookup_services), so each refusal gets its own status and sentence."""

import math
from functools import cache

from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from imports.api.lookup_statuses import CELERY_STATES, LOOKUP_STATUS_WORDS, celery_state, lookup_status
from imports.declare.lookups import LookupService
from imports.jobs.lookup_services import lookup_error_log
from imports.jobs.queueing import job_waiting_reason
from imports.models import ImportExportJob

STATUS_FIELD = serializers.ChoiceField(
    choices=LOOKUP_STATUS_WORDS,
    help_text="PENDING: queued, waiting to start; PROCESSING: being looked up; COMPLETED: every row has its result; "
    "FAILED: the job stopped on an error (its results so far can be downloaded, and a retry continues it); "
    "CANCELLED: stopped on request (likewise).",
)


def success_count(job: ImportExportJob) -> int:
    return job.processed_records - job.failed_records


def progress_percentage(job: ImportExportJob) -> float:
    """Rows looked up out of the file's rows, in percent to one decimal, rounded down so that only a completed job
    shows 100."""
    if job.job_status == ImportExportJob.Status.COMPLETED:
        return 100.0
    if not job.total_records:
        return 0.0
    return min(100.0, math.floor(job.processed_records * 1000 / job.total_records) / 10)


def success_rate(job: ImportExportJob) -> float:
    """Rows found out of the rows looked up so far, in percent to one decimal (0 before any)."""
    if not job.processed_records:
        return 0.0
    return round(success_count(job) * 100 / job.processed_records, 1)


class LookupUploadSerializer(serializers.Serializer):
    """A CSV file of queries, as multipart/form-data."""

    file = serializers.FileField(
        help_text="A CSV file (UTF-8; other common encodings and delimiters are recognised) whose header names the "
        "look-up's required columns; judged by its content, not its name. The size limit is in the operation's "
        "description.",
    )


class LookupJobSerializer(serializers.Serializer):
    """A look-up job as the upload answers it: the claims guide's keys, exactly."""

    id = serializers.UUIDField(source="pk", help_text="The job's id: the {id} of the csv-jobs URLs.")
    filename = serializers.CharField(source="file_name", help_text="The uploaded file's name.")
    status = serializers.SerializerMethodField()
    total_rows = serializers.IntegerField(
        source="total_records", help_text="The file's data rows: 0 until a worker has read the file."
    )
    processed_rows = serializers.IntegerField(source="processed_records", help_text="Rows with a result so far.")
    success_count = serializers.SerializerMethodField()
    failure_count = serializers.IntegerField(
        source="failed_records", help_text="Rows that failed: their checks, or the look-up itself."
    )
    progress_percentage = serializers.SerializerMethodField()
    created_at = serializers.DateTimeField()

    @extend_schema_field(STATUS_FIELD)
    def get_status(self, job: ImportExportJob) -> str:
        return lookup_status(job)

    @extend_schema_field(
        serializers.IntegerField(help_text="Rows looked up and found: processed_rows - failure_count.")
    )
    def get_success_count(self, job: ImportExportJob) -> int:
        return success_count(job)

    @extend_schema_field(serializers.FloatField(
        min_value=0, max_value=100,
        help_text="processed_rows out of total_rows, in percent to one decimal; 100 once COMPLETED.",
    ))
    def get_progress_percentage(self, job: ImportExportJob) -> float:
        return progress_percentage(job)


class LookupJobSummarySerializer(LookupJobSerializer):
    """A look-up job in the job list: the upload's keys, its times, why it failed, and its links."""

    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(
        allow_null=True, help_text="When it ended: completed, failed or cancelled."
    )
    error_message = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()
    progress_url = serializers.SerializerMethodField()
    results_url = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(
        allow_null=True, help_text="Why the job stopped (FAILED or CANCELLED), or what a retry is doing; null when "
        "there is nothing to say.",
    ))
    def get_error_message(self, job: ImportExportJob) -> str | None:
        return job.error_message or None

    @extend_schema_field(OpenApiTypes.URI)
    def get_url(self, job: ImportExportJob) -> str:
        return self._link(job, "csv-job")

    @extend_schema_field(OpenApiTypes.URI)
    def get_progress_url(self, job: ImportExportJob) -> str:
        return self._link(job, "csv-job-progress")

    @extend_schema_field(serializers.URLField(
        allow_null=True, help_text="The results CSV, once the job has ended (COMPLETED, FAILED or CANCELLED: the "
        "results so far); null while it is pending or processing, and once its data was deleted at the end of the "
        "retention period.",
    ))
    def get_results_url(self, job: ImportExportJob) -> str | None:
        if not job.is_finished or job.purged_at is not None:
            return None
        return self._link(job, "csv-job-results")

    def _link(self, job: ImportExportJob, name: str) -> str:
        path = reverse(f"api:{self.context['route']}-{name}", args=[str(job.pk)])
        return self.context["request"].build_absolute_uri(path)


def error_fields(identifier: str = "") -> dict[str, serializers.Field]:
    """The fields of an error log entry, the service's identifying column (if any) after the row number."""
    fields = {"row": serializers.IntegerField(
        allow_null=True, help_text="The row of the uploaded file (1 = the first data row); null for the job's own "
        "error.",
    )}
    if identifier:
        fields[identifier] = serializers.CharField(
            required=False, help_text=f"The row's {identifier}, as the file gave it (absent from the job's own error).",
        )
    fields["error"] = serializers.CharField(help_text="What went wrong, naming the field; never the value.")
    fields["retryable"] = serializers.BooleanField(help_text="A retry of the job asks this row again.")
    return fields


LookupErrorSerializer = type("LookupErrorSerializer", (serializers.Serializer,), {
    "__doc__": "One entry of a job's error log: a row that failed (or, with `row` null, the job as a whole). It names "
    "the row by number and by its identifying column, never by a personal value.",
    "__module__": __name__, **error_fields(),
})


class LookupJobDetailSerializer(LookupJobSummarySerializer):
    """A look-up job with what it waits for and its error log."""

    status_detail = serializers.SerializerMethodField()
    error_log = serializers.SerializerMethodField()

    @extend_schema_field(serializers.CharField(
        allow_null=True, help_text="What a PENDING job waits for, in one sentence: a free worker, its company's other "
        "jobs, or the workers' task queue when it could not be reached (the job is saved and starts by itself when "
        "the queue is back). Null once the job has started.",
    ))
    def get_status_detail(self, job: ImportExportJob) -> str | None:
        return job_waiting_reason(job) or None

    @extend_schema_field(LookupErrorSerializer(many=True))
    def get_error_log(self, job: ImportExportJob) -> list[dict]:
        return lookup_error_log(job)


@cache
def detail_serializer(service: LookupService) -> type[LookupJobDetailSerializer]:
    """The job detail of one service: its error log names each row by the service's identifying column (a claim's
    claim_number), so the schema says so (components `<Name>LookupJobDetail` and `<Name>LookupError`)."""
    name = "".join(character for character in service.name.title() if character.isalnum())
    entry = type(f"{name}LookupErrorSerializer", (serializers.Serializer,), {
        "__doc__": LookupErrorSerializer.__doc__, "__module__": __name__, **error_fields(service.identifier),
    })

    @extend_schema_field(entry(many=True))
    def get_error_log(self, job: ImportExportJob) -> list[dict]:
        return lookup_error_log(job)

    return type(f"{name}LookupJobDetailSerializer", (LookupJobDetailSerializer,), {
        "__doc__": LookupJobDetailSerializer.__doc__, "__module__": __name__, "get_error_log": get_error_log,
    })


class CeleryInfoSerializer(serializers.Serializer):
    """The job's progress as the guide's Celery task reported it."""

    current = serializers.IntegerField(help_text="processed_rows.")
    total = serializers.IntegerField(help_text="total_rows.")
    percent = serializers.IntegerField(min_value=0, max_value=100, help_text="progress_percentage, rounded down.")


class LookupProgressSerializer(serializers.Serializer):
    """A look-up job's progress, with the claims guide's keys exactly."""

    job_id = serializers.UUIDField(source="pk")
    status = serializers.SerializerMethodField()
    total_rows = serializers.IntegerField(source="total_records", help_text="0 until a worker has read the file.")
    processed_rows = serializers.IntegerField(source="processed_records")
    success_count = serializers.SerializerMethodField()
    failure_count = serializers.IntegerField(source="failed_records")
    progress_percentage = serializers.SerializerMethodField()
    success_rate = serializers.SerializerMethodField()
    celery_status = serializers.SerializerMethodField()
    celery_info = serializers.SerializerMethodField()

    @extend_schema_field(STATUS_FIELD)
    def get_status(self, job: ImportExportJob) -> str:
        return lookup_status(job)

    @extend_schema_field(serializers.IntegerField(help_text="processed_rows - failure_count."))
    def get_success_count(self, job: ImportExportJob) -> int:
        return success_count(job)

    @extend_schema_field(serializers.FloatField(
        min_value=0, max_value=100, help_text="processed_rows out of total_rows, in percent to one decimal.",
    ))
    def get_progress_percentage(self, job: ImportExportJob) -> float:
        return progress_percentage(job)

    @extend_schema_field(serializers.FloatField(
        min_value=0, max_value=100,
        help_text="success_count out of processed_rows, in percent to one decimal; 0 before any row is processed.",
    ))
    def get_success_rate(self, job: ImportExportJob) -> float:
        return success_rate(job)

    @extend_schema_field(serializers.ChoiceField(
        choices=list(dict.fromkeys(CELERY_STATES.values())),
        help_text="The status as a Celery task state: PENDING, PROGRESS (PROCESSING), SUCCESS (COMPLETED), FAILURE "
        "(FAILED), REVOKED (CANCELLED).",
    ))
    def get_celery_status(self, job: ImportExportJob) -> str:
        return celery_state(job)

    @extend_schema_field(CeleryInfoSerializer)
    def get_celery_info(self, job: ImportExportJob) -> dict:
        return {"current": job.processed_records, "total": job.total_records, "percent": job.progress_percent}
