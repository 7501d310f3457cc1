"""The OpenAPI description of the export routes (imports.api.exports): each operation's summary, description,
answers, refusals and examples. Read by drf-spectacular at /api/schema/ and shown at /api/docs/. Each name here
decorates one view class."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)

from imports.api.export_serializers import (
    ExportJobSerializer,
    ExportPreviewSerializer,
    ExportRefusalSerializer,
    ExportRequestSerializer,
    ExportTargetColumnsSerializer,
)
from imports.api.serializers import ErrorSerializer
from imports.api.statuses import API_STATUS_WORDS

TAG = "exports"
JOB_ID = "7c1e2f3a-9b4d-4e5f-8a6b-1c2d3e4f5a6b"
BASE = f"https://hub.example.com/api/exports/{JOB_ID}"
TOKEN_REFUSAL = (
    "No token, or not a valid one: send `Authorization: Bearer <token>`. The answer carries `WWW-Authenticate: Bearer`."
)
NOT_FOUND = ("No such export job in your company: an unknown or malformed id, another company's job, or a job of "
             "another kind (an import).")
BAD_REQUEST = (
    "The export cannot run as asked: an unknown target, column, format, filter field or operator, a filter value "
    "the field cannot hold (a date not written YYYY-MM-DD, a status that does not exist), an import job that is not "
    "one of your imports of this target, an unknown template, or a PDF over EXPORT_PDF_MAX_ROWS rows. `detail` says "
    "what is wrong in one sentence and `part` names the key of the request at fault."
)

JOB_ID_PARAMETER = OpenApiParameter(
    "job_id", OpenApiTypes.UUID, OpenApiParameter.PATH,
    description="The export job's id, as POST /api/exports/ answered it (`id`). Another company's job, or an "
    "import job, is not found (404), exactly like an id that never was.",
)

REQUEST_EXAMPLES = [
    OpenApiExample(
        "Active customers' contact details, as Excel", request_only=True,
        value={
            "target": "Customer", "columns": ["account_number", "first_name", "last_name", "email", "phone"],
            "filters": [{"field": "status", "op": "in", "value": ["active"]},
                        {"field": "connection_date", "op": "gte", "value": "2024-01-01"}],
            "format": "xlsx",
        },
    ),
    OpenApiExample(
        "Every meter reading, ready to import back", request_only=True,
        value={"target": "MeterReading", "import_compatible": True, "format": "csv"},
    ),
    OpenApiExample(
        "What one import wrote", request_only=True,
        value={"target": "Customer", "filters": [{"field": "import_job",
                                                  "value": "0b9f6d4e-3c1a-4f0e-9a57-2f1d5a6b7c8d"}],
               "format": "json"},
    ),
    OpenApiExample("A saved export template, as PDF", request_only=True,
                   value={"template": "Active customers", "format": "pdf"}),
]


def job_example(**changes) -> dict:
    job = {
        "id": JOB_ID, "status": "completed", "status_detail": None, "target": "Customer", "format": "excel",
        "columns": ["account_number", "first_name", "last_name", "email", "phone"], "import_compatible": False,
        "filters": [{"field": "status", "op": "in", "value": ["active"]},
                    {"field": "connection_date", "op": "gte", "value": "2024-01-01"}],
        "filters_described": ["Status is active", "Connection date from 2024-01-01"],
        "template": None, "requested_via": "api", "total_rows": 1250, "processed_rows": 1250, "progress": 100,
        "error_message": None, "file_name": "customers-2026-12-06-093000.xlsx",
        "created_at": "2026-12-06T09:30:00Z", "started_at": "2026-12-06T09:30:01Z",
        "completed_at": "2026-12-06T09:30:03Z", "url": BASE, "file_url": f"{BASE}/file", "cancel_url": None,
    }
    return {**job, **changes}


PENDING_JOB = job_example(status="pending", status_detail="Queued: waiting for a free worker.", total_rows=0,
                          processed_rows=0, progress=0, started_at=None, completed_at=None, file_url=None,
                          cancel_url=f"{BASE}/cancel")


def refusal_example(name: str, code: int, detail: str, part: str | None = None) -> OpenApiExample:
    value = {"detail": detail, "part": part} if code == 400 else {"detail": detail}
    return OpenApiExample(name, value=value, response_only=True, status_codes=[str(code)])


def answers(*codes: int, why: dict[int, str]) -> dict:
    """Refusals of an operation, in the API's usual shape; a 400 without a reason of its own here is a refused
    export request, whose answer names the part at fault too (`part`)."""
    usual = {401: TOKEN_REFUSAL, 404: NOT_FOUND, 400: BAD_REQUEST}
    texts = {**usual, **why}
    return {
        code: OpenApiResponse(ExportRefusalSerializer if code == 400 and code not in why else ErrorSerializer,
                              description=texts[code])
        for code in codes
    }


BAD_REQUEST_EXAMPLES = [
    refusal_example("Unknown column", 400, "Unknown column 'shoe_size' for customers: use first_name, last_name, "
                    "email, ...", "columns"),
    refusal_example("A filter value the field cannot hold", 400, "The filter on Connection date: Invalid date "
                    "'15/01/2024': use YYYY-MM-DD, e.g. 2024-01-15.", "filters"),
    refusal_example("Unknown format", 400, "Unknown format 'docx': use csv, xlsx, json or pdf.", "format"),
]

collection = extend_schema_view(
    get=extend_schema(
        tags=[TAG],
        summary="List the export jobs",
        description="Your company's export jobs, whoever asked for them (this API, the export builder, the command "
        "line, a schedule), newest first, 25 a page (`page`; `page_size` up to 100).",
        parameters=[
            OpenApiParameter("status", str, enum=API_STATUS_WORDS, description="Only jobs in this status."),
            OpenApiParameter("target", str, description="Only exports of this target (any case)."),
        ],
        responses={
            200: ExportJobSerializer(many=True),
            **answers(400, 401, why={400: "An unknown status or target."}),
        },
        examples=[OpenApiExample("A page of jobs", response_only=True, status_codes=["200"],
                                 value={"count": 1, "next": None, "previous": None, "results": [job_example()]})],
    ),
    post=extend_schema(
        tags=[TAG],
        summary="Start an export",
        description=(
            "Ask for an export as a JSON object: the `target`, its `columns` in the file's order (GET "
            "/api/exports/columns lists them; none, or `import_compatible`, for exactly the columns an import takes "
            "back), `filters` that must all hold, and the `format` (csv, xlsx, json or pdf). Or name one of your "
            "export templates in `template`; any other key given replaces the template's. The request is checked "
            "before any job exists; the answer is the pending job (202, its URL in `Location`). Poll that URL until "
            "`status` is completed (then download the file at `file_url`), failed (`error_message` says why) or "
            "cancelled. Every value of every format reads back unchanged by an import; a spreadsheet never runs a "
            "cell as a formula."
        ),
        request=ExportRequestSerializer,
        responses={202: ExportJobSerializer, **answers(400, 401, why={})},
        examples=[*REQUEST_EXAMPLES, OpenApiExample("The job, queued", response_only=True, status_codes=["202"],
                                                    value=PENDING_JOB), *BAD_REQUEST_EXAMPLES],
    ),
)

preview = extend_schema_view(post=extend_schema(
    tags=[TAG],
    summary="Preview an export",
    description="The same request as POST /api/exports/, answered with the number of rows the file would hold now "
    "and its first 10 rows, as the CSV would hold them; no job is created. `refusal` says why the export could not "
    "run as asked even though the request is well formed (a PDF over EXPORT_PDF_MAX_ROWS rows).",
    request=ExportRequestSerializer,
    responses={200: ExportPreviewSerializer, **answers(400, 401, why={})},
    examples=[
        *REQUEST_EXAMPLES[:1],
        OpenApiExample("The first rows", response_only=True, status_codes=["200"], value={
            "target": "Customer", "format": "excel",
            "columns": ["account_number", "first_name", "last_name", "email", "phone"],
            "filters_described": ["Status is active", "Connection date from 2024-01-01"], "total_rows": 1250,
            "rows": [["1234000001", "John", "Doe", "john.doe@example.com", "+15555555555"],
                     ["1234000002", "Jane", "Smith", "jane.smith@example.com", "+15555555556"]],
            "refusal": None,
        }),
        *BAD_REQUEST_EXAMPLES,
    ],
))

columns = extend_schema_view(get=extend_schema(
    tags=[TAG],
    summary="What an export of a target can hold",
    description="Every column an export of the target can hold, in the builder's order: the fields a file sets, "
    "what the product works out (a reading's consumption, a customer's verified address) and when each record was "
    "created and last updated. For each: its label, its kind, whether an import takes it back, the operators a "
    "filter on it takes (the first is the default) and, for choices, the values. Besides the columns, every "
    "target can be filtered by `import_job` (operator equals, the value an import job's id): the records that "
    "import created or updated.",
    parameters=[OpenApiParameter("target", str, required=True,
                                 description="The target (GET /api/imports/targets lists them), in any case.")],
    responses={200: ExportTargetColumnsSerializer, **answers(400, 401, why={400: "No target, or an unknown one."})},
    examples=[OpenApiExample("Meter readings", response_only=True, status_codes=["200"], value={
        "target": "MeterReading", "records": "meter readings",
        "columns": [
            {"name": "account_number", "label": "Account number", "kind": "text", "importable": True,
             "filter_operators": ["contains", "equals"], "choices": None},
            {"name": "reading_date", "label": "Reading date", "kind": "date", "importable": True,
             "filter_operators": ["gte", "lte", "equals"], "choices": None},
            {"name": "reading_type", "label": "Reading type", "kind": "choice", "importable": True,
             "filter_operators": ["in", "equals"], "choices": ["manual", "automated", "estimated"]},
            {"name": "consumption", "label": "Consumption", "kind": "number", "importable": False,
             "filter_operators": ["gte", "lte", "equals"], "choices": None},
        ],
        "import_compatible_columns": ["account_number", "meter_number", "reading_date", "reading_value",
                                      "reading_type", "notes"],
        "formats": [{"name": "csv", "label": "CSV"}, {"name": "excel", "label": "Excel (.xlsx)"},
                    {"name": "json", "label": "JSON"}, {"name": "pdf", "label": "PDF"}],
    })],
))

detail = extend_schema_view(get=extend_schema(
    tags=[TAG],
    summary="An export job",
    description="The job's status, what it exports, how many rows it has written, and once completed the link to "
    "its file (`file_url`). Poll about once a second or slower: `processed_rows` moves about once a second while "
    "the file is written.",
    parameters=[JOB_ID_PARAMETER],
    responses={200: ExportJobSerializer, **answers(401, 404, why={})},
    examples=[OpenApiExample("A completed export", response_only=True, status_codes=["200"], value=job_example())],
))

file_download = extend_schema_view(get=extend_schema(
    tags=[TAG],
    summary="Download an export's file",
    description="The file as an attachment under its name (`curl -O -J` saves it as `customers-2026-12-06-093000."
    "xlsx`): CSV (UTF-8 with a byte-order mark), Excel, JSON or PDF. Ready once the job is completed; kept "
    "EXPORT_RETENTION_DAYS days (7 by default). Every download is recorded in the audit trail with your address.",
    parameters=[JOB_ID_PARAMETER],
    responses={
        (200, "application/octet-stream"): OpenApiResponse(
            OpenApiTypes.BINARY, description="The file, its Content-Type that of its format (text/csv, application/"
            "vnd.openxmlformats-officedocument.spreadsheetml.sheet, application/json or application/pdf).",
        ),
        **answers(401, 404, 409, 410, why={
            409: "The export has no file: it is pending or processing (poll it until completed), or it failed or "
            "was cancelled.",
            410: "The file was deleted EXPORT_RETENTION_DAYS after the export: run the export again.",
        }),
    },
    examples=[refusal_example("Still running", 409, "The export has no file to download: it is running.")],
))

cancel = extend_schema_view(post=extend_schema(
    tags=[TAG],
    summary="Cancel an export",
    description="Stop an export that is pending or processing: it ends cancelled at once, the worker stops within "
    "about a second, and no file is kept. No body is needed.",
    parameters=[JOB_ID_PARAMETER],
    request=None,
    responses={
        200: OpenApiResponse(ExportJobSerializer, description="The job, cancelled."),
        **answers(401, 404, 409, why={409: "The export has already ended."}),
    },
    examples=[refusal_example("Already ended", 409, "The export has already ended: completed.")],
))
