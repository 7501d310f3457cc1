"""The API's views. One set serves every import target: a target's own routes (its `api_path`) bind it to the
target, the generic /api/imports/ route takes the target from the request.

Every job is looked up through the requesting user's company, and on a bound route through its target too:
another company's job, or a job of another target, is a 404 exactly like a job that does not exist.
"""

import dataclasses

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import MultiPartParser
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from imports.api.errors import (
    BadImportRequest,
    ErrorReportDeleted,
    ErrorReportNotReady,
    IdempotencyKeyReused,
    NotFoundHere,
)
from imports.api.mappings import upload_mapping
from imports.api.negotiation import IgnoreClientContentNegotiation
from imports.api.options import options_parse
from imports.api.pagination import RecentJobsPagination
from imports.api.selectors import import_job_by_key, import_job_get, import_job_list
from imports.api.serializers import (
    AnyTargetUploadSerializer,
    ErrorSerializer,
    ImportJobSerializer,
    ImportTargetSerializer,
    ImportUploadSerializer,
)
from imports.api.services import api_import_start
from imports.api.statuses import API_STATUSES, JOB_STATUSES, api_status
from imports.api.uploads import form_text, idempotency_key, uploaded_file
from imports.declare.errors import ImportFileError
from imports.declare.targets import ImportTarget, all_targets, get_target
from imports.engine.report import report_needed
from imports.engine.validation_rules import ValidationRules
from imports.engine.value_fixes import ValueFixes
from imports.http.downloads import error_report_download
from imports.models import ImportExportJob

REFUSALS = {
    400: "Bad input: no file, an empty file, bad options (invalid JSON, too long or nested, an unknown option or "
    "value, validateOnly not a boolean), a bad mapping (not a JSON object of column to field or null, a field the "
    "target does not have, two columns for one field, a column the file does not have), an unknown template, a "
    "missing or unknown target, or more form fields or files than DATA_UPLOAD_MAX_NUMBER_FIELDS or "
    "DATA_UPLOAD_MAX_NUMBER_FILES.",
    401: "No token, or not a valid one: send `Authorization: Bearer <token>`. The answer carries "
    "`WWW-Authenticate: Bearer`.",
    404: "No such import job in your company: an unknown id, another company's job or a job of another target; "
    "for an error report, also a job with no rows to report.",
    409: "The job is still pending or processing: its error report is written when it ends.",
    410: "The job's error report was deleted with its files after the retention period.",
    408: "The request's body paused longer than REQUEST_BODY_IDLE_SECONDS, or took longer than "
    "REQUEST_BODY_SECONDS, to arrive.",
    413: "The file is over the size limit (IMPORT_MAX_FILE_MB, 10 MB by default), the form's other fields over "
    "DATA_UPLOAD_MAX_MEMORY_SIZE, or the body declared over both together (refused before it is read).",
    415: "The file is not a CSV, Excel or JSON file (judged by its content), or the request is not "
    "multipart/form-data.",
}


def refusals(*codes: int, why: dict[int, str] | None = None) -> dict:
    """Error answers of an operation, each described by the general reason unless `why` gives this one's."""
    why = {**REFUSALS, **(why or {})}
    return {code: OpenApiResponse(ErrorSerializer, description=why[code]) for code in codes}


JOB_ID = OpenApiParameter(
    "job_id", OpenApiTypes.UUID, OpenApiParameter.PATH, description="The job's id, as the upload answered it."
)
STATUS_FILTER = OpenApiParameter(
    "status", str, enum=list(API_STATUSES.values()), description="Only jobs in this status."
)
IDEMPOTENCY_KEY = OpenApiParameter(
    "Idempotency-Key", str, OpenApiParameter.HEADER, required=False,
    description=(
        "Makes a retried upload safe: a key of your choosing (a new UUID for each upload; up to 255 visible ASCII "
        "characters). Sent again with the same key, the upload is not stored a second time: the answer is the job "
        "the first request created, as it is now (202, `Idempotent-Replayed: true`). Keys are your company's own; "
        "on a target's own route (/api/<api_path>/import) a key already used for another target answers 409."
    ),
)
TARGET_FILTER = OpenApiParameter(
    "target", str, description="Only jobs of this target (a name from GET /api/imports/targets, any case)."
)
JOB_EXAMPLE = OpenApiExample(
    "A job that is processing",
    response_only=True,
    status_codes=["200", "202"],
    value={
        "id": "0b9f6d4e-3c1a-4f0e-9a57-2f1d5a6b7c8d", "target": "Customer", "file_name": "customers.csv",
        "status": "processing", "progress": 75, "total_rows": 1000, "processed_rows": 750, "successful_rows": 740,
        "failed_rows": 10, "created_rows": 700, "updated_rows": 30, "unchanged_rows": 10, "skipped_rows": 0,
        "options": {"mode": "create", "duplicateStrategy": "skip", "validateOnly": False}, "via": "api",
        "error_message": None,
        "created_at": "2026-11-21T09:30:00Z", "started_at": "2026-11-21T09:30:01Z", "completed_at": None,
        "url": "https://hub.example.com/api/customers/import/0b9f6d4e-3c1a-4f0e-9a57-2f1d5a6b7c8d",
        "errors_url": None,
    },
)


class CompanyImportsMixin:
    """What every API view shares: JSON answers, the requesting user's company, and the route's target.

    `route` names the route's URLs (links in answers point back along the route a request came by);
    `target_name` is the target a route is bound to, None on the generic route.
    """

    renderer_classes = [JSONRenderer]
    route = "imports"
    target_name: str | None = None

    def route_target(self) -> ImportTarget | None:
        if self.target_name is None:
            return None
        try:
            return get_target(self.target_name)
        except KeyError:
            raise NotFoundHere(f"{self.target_name} records cannot be imported on this server.") from None

    def serializer_context(self) -> dict:
        return {"request": self.request, "route": self.route}

    def job_or_404(self, job_id: str) -> ImportExportJob:
        target = self.route_target()
        job = import_job_get(company=self.request.user.company, job_id=job_id, target=target)
        if job is None:
            kind = f"{target.name} import job" if target is not None else "import job"
            raise NotFoundHere(f"No {kind} {job_id} in your company.")
        return job


class ImportJobCollectionView(CompanyImportsMixin, GenericAPIView):
    """Start an import (POST a file) and list recent import jobs (GET)."""

    parser_classes = [MultiPartParser]
    serializer_class = ImportJobSerializer
    pagination_class = RecentJobsPagination

    def get_serializer_context(self):
        return self.serializer_context()

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema generator asks which model this lists
            return ImportExportJob.objects.none()
        return import_job_list(company=self.request.user.company, target=self.listed_target(),
                               status=self.listed_status())

    def listed_target(self) -> ImportTarget | None:
        bound = self.route_target()
        if bound is not None:
            return bound
        name = self.request.query_params.get("target")
        return self.named_target(name) if name else None

    def listed_status(self) -> str | None:
        word = self.request.query_params.get("status")
        if not word:
            return None
        if word not in JOB_STATUSES:
            words = list(JOB_STATUSES)
            raise BadImportRequest(f"Unknown status '{word}': use {', '.join(words[:-1])} or {words[-1]}.")
        return JOB_STATUSES[word]

    def upload_target(self) -> ImportTarget:
        bound = self.route_target()
        if bound is not None:
            return bound
        name = form_text(self.request, "target")
        if not name or not name.strip():
            raise BadImportRequest(f"Name what the file holds in the form field `target`: {self.target_names()}.")
        return self.named_target(name)

    def named_target(self, name: str) -> ImportTarget:
        try:
            return get_target(name.strip())
        except KeyError:
            raise BadImportRequest(f"Unknown target '{name}': {self.target_names()}.") from None

    @staticmethod
    def target_names() -> str:
        return "choose one of " + ", ".join(target.name for target in all_targets())

    @extend_schema(
        summary="List recent import jobs",
        description="The company's import jobs of this route's target, newest first, 25 a page.",
        parameters=[STATUS_FILTER],
        responses={
            200: ImportJobSerializer(many=True),
            **refusals(400, 401, why={400: "An unknown status or target filter."}),
        },
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        summary="Start an import",
        description=(
            "Upload a file (multipart/form-data) with optional `options`, and optionally a `mapping` of its columns "
            "or a saved `template`. The file is checked (present, not empty, "
            "within the size limit, a CSV, Excel or JSON file by its content), a job is created and queued for the "
            "workers, and the answer is the pending job (202, with its URL in `Location`). Poll that URL until "
            "`status` is completed, failed or cancelled; rows that fail are then in the CSV at `errors_url`. When "
            "the workers' task queue cannot be reached, the job is saved all the same and the answer is 202 too: "
            "`status_detail` says the job waits for the workers, and it starts by itself when the queue is back. "
            "Send an `Idempotency-Key` to retry an upload without the risk of importing it twice."
        ),
        parameters=[IDEMPOTENCY_KEY],
        request={"multipart/form-data": ImportUploadSerializer},
        responses={
            202: ImportJobSerializer,
            **refusals(400, 401, 408, 409, 413, 415, why={
                409: "The Idempotency-Key was used for an import of another target.",
            }),
        },
        examples=[
            JOB_EXAMPLE,
            OpenApiExample(
                "Unknown mode", response_only=True, status_codes=["400"],
                value={"detail": "Unknown mode \"merge\": use create, update or upsert (create_only, update_only "
                       "and create_update are accepted too)."},
            ),
        ],
    )
    def post(self, request, *args, **kwargs):
        key = idempotency_key(request)
        earlier = import_job_by_key(company=request.user.company, key=key) if key else None
        if earlier is not None:  # a retry: the file is not read or stored again
            return self.accepted(earlier, replayed=True)
        target = self.upload_target()
        file = uploaded_file(request)
        options = options_parse(form_text(request, "options"), target)
        chosen = upload_mapping(
            company=request.user.company, target=target, file=file, mapping_text=form_text(request, "mapping"),
            template_text=form_text(request, "template"),
        )
        if chosen.template_name:  # the template's value fixes and rules, those of the request's options winning
            options = dataclasses.replace(
                options, fixes=ValueFixes.from_dict(chosen.template_fixes).overridden_by(options.fixes),
                rules=ValidationRules.from_dict(chosen.template_rules).overridden_by(options.rules),
            )
        try:
            job, created = api_import_start(
                user=request.user, target=target, file=file, options=options, idempotency_key=key,
                mapping=chosen.mapping, template_name=chosen.template_name,
            )
        except ImportFileError as error:
            raise BadImportRequest(str(error)) from None
        return self.accepted(job, replayed=not created)

    def accepted(self, job: ImportExportJob, *, replayed: bool) -> Response:
        """202 with the job; a retry's answer is the first answer as it would be now."""
        bound = self.route_target()
        if replayed and bound is not None and job.target_model != bound.name:
            raise IdempotencyKeyReused(
                f"The Idempotency-Key {job.idempotency_key} was used for a {job.target_model} import (job "
                f"{job.pk}); send a new key with each new upload."
            )
        answer = self.get_serializer(job).data
        headers = {"Location": answer["url"]}
        if replayed:
            headers["Idempotent-Replayed"] = "true"
        return Response(answer, status=status.HTTP_202_ACCEPTED, headers=headers)


@extend_schema_view(
    get=extend_schema(
        description="The company's import jobs of every target, newest first, 25 a page.",
        parameters=[STATUS_FILTER, TARGET_FILTER],
    ),
    post=extend_schema(request={"multipart/form-data": AnyTargetUploadSerializer}),
)
class AnyTargetImportJobCollectionView(ImportJobCollectionView):
    """The generic collection: the upload names its target in the form field `target`."""


class ImportJobDetailView(CompanyImportsMixin, APIView):
    """A job's status, progress and counts, in the guide's shape."""

    @extend_schema(
        summary="An import job's status and counts",
        description="Poll about once a second or slower; `progress` moves with every batch the workers commit.",
        parameters=[JOB_ID],
        responses={200: ImportJobSerializer, **refusals(401, 404)},
        examples=[JOB_EXAMPLE],
    )
    def get(self, request, job_id: str):
        job = self.job_or_404(job_id)
        return Response(ImportJobSerializer(job, context=self.serializer_context()).data)


class ImportJobErrorsView(CompanyImportsMixin, APIView):
    """A job's error report as a CSV download; when there is none (yet), a JSON refusal that says why."""

    content_negotiation_class = IgnoreClientContentNegotiation

    @extend_schema(
        summary="Download an import job's error report",
        description=(
            "The rows that failed, as a CSV download (UTF-8 with a byte-order mark): "
            "`row_number,error_message,sheet_row`, then the file's own columns (`row_number` counts data rows; "
            "`sheet_row` is the row as the spreadsheet numbers it, title, header and blank rows counted). Fixed in a "
            "spreadsheet, the report imports as it is. Ready once the job has ended with rows to report (`errors_url` "
            "in the job is then set); 409 while the job is still going, 404 when no row failed or carried a warning. "
            "Rows imported with a warning are listed too, their message starting with \"Warning: \"."
        ),
        parameters=[JOB_ID],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The error report."),
            **refusals(401, 404, 409, 410),
        },
    )
    def get(self, request, job_id: str):
        job = self.job_or_404(job_id)
        if not job.is_finished:
            raise ErrorReportNotReady(
                f"Job {job.pk} is {api_status(job)}: its error report is written when it ends. Poll the job until "
                "its status is completed, failed or cancelled."
            )
        if not job.error_report:
            if report_needed(job):
                raise ErrorReportDeleted(
                    f"The error report of job {job.pk} was deleted with the job's files, "
                    f"{settings.IMPORT_RETENTION_DAYS} days after the job ended."
                )
            raise NotFoundHere(f"Job {job.pk} has no error report: no row failed or carried a warning.")
        return error_report_download(job.error_report)


class ImportTargetListView(CompanyImportsMixin, APIView):
    """Every import target with its columns, for integrators building files."""

    @extend_schema(
        summary="What can be imported",
        description=(
            "Every import target with the columns its files may have: each field's format, allowed values, the "
            "other headers matched to it, and which columns each mode requires."
        ),
        responses={200: ImportTargetSerializer(many=True), **refusals(401)},
    )
    def get(self, request):
        return Response(ImportTargetSerializer(all_targets(), many=True).data)
