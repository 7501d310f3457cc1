"""The OpenAPI description of one look-up service's routes: each operation's summary, description, answers,
refusals and examples, in the claims guide's words and with the guide's example answers, the columns, identifier
and example rows taken from the service. Read by drf-spectacular at /api/schema/ and shown at /api/docs/.

Texts that depend on settings (the size limit) are lazy: they are read when the schema is generated, not when the
URLs are loaded.
"""

from django.utils.functional import lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse, extend_schema

from imports.api.lookup_serializers import (
    LookupJobSerializer,
    LookupJobSummarySerializer,
    LookupProgressSerializer,
    LookupUploadSerializer,
    detail_serializer,
)
from imports.api.lookup_statuses import LOOKUP_STATUSES
from imports.api.serializers import ErrorSerializer
from imports.declare.lookups import LookupService, get_lookup

JOB_ID = "550e8400-e29b-41d4-a716-446655440000"  # the guide's
TOKEN_REFUSAL = (
    "No token, or not a valid one: send `Authorization: Bearer <token>`. The answer carries `WWW-Authenticate: Bearer`."
)


def max_file_mb(service: LookupService) -> int:
    """The size limit of the service registered under this one's name (the one the upload is checked against)."""
    return get_lookup(service.name).max_file_mb()


def tag_of(service: LookupService) -> str:
    """The docs' group of a service's operations: the last part of its api_path (v1/claims: claims)."""
    return service.api_path.rstrip("/").rsplit("/", 1)[-1]


def job_id_parameter(service: LookupService) -> OpenApiParameter:
    return OpenApiParameter(
        "job_id", OpenApiTypes.UUID, OpenApiParameter.PATH,
        description=f"The job's id, as the upload answered it (`id`). Another company's job, or a job that is not a "
        f"{service.verbose_name}, is not found (404), exactly like an id that never was.",
    )


def answers(service: LookupService, *codes: int, why: dict[int, str]) -> dict:
    """Refusals of an operation, each in the API's error shape with the reason given for it."""
    usual = {
        401: TOKEN_REFUSAL,
        404: f"No such {service.verbose_name} job in your company: an unknown or malformed id, another company's "
        "job, or a job of another kind (an import).",
    }
    return {code: OpenApiResponse(ErrorSerializer, description={**usual, **why}[code]) for code in codes}


def refusal_example(name: str, code: int, detail: str) -> OpenApiExample:
    return OpenApiExample(name, value={"detail": detail}, response_only=True, status_codes=[str(code)])


def columns_text(service: LookupService) -> str:
    required = [f"`{item.name}`" for item in service.fields if item.required]
    optional = [f"`{item.name}`" for item in service.fields if not item.required]
    text = f"Required columns: {', '.join(required)}."
    return text + (f" Optional: {', '.join(optional)}." if optional else "")


def example_file(service: LookupService) -> str:
    rows = service.template_rows()
    names = [item.name for item in service.fields if any(item.name in row for row in rows)]
    lines = [",".join(names), *(",".join(row.get(name, "") for name in names) for row in rows)]
    return "\n".join(lines)


def upload_description(service: LookupService) -> str:
    return (
        f"Upload a CSV file of {service.verbose_name}s as the multipart/form-data part `file` "
        f"(`curl -F \"file=@{tag_of(service)}.csv\"`). {columns_text(service)} For example:\n\n"
        f"```csv\n{example_file(service)}\n```\n\n"
        f"The file is checked before anything else happens: present, not empty, at most {max_file_mb(service)} MB, "
        "a CSV by its content (UTF-8; other common encodings and delimiters are recognised), with every required "
        "column in its header. The answer is the new job, PENDING (201, its URL in `Location`): the workers look "
        "its rows up in the background. Follow it at `csv-jobs/{id}/progress/` and download the results CSV at "
        "`csv-jobs/{id}/results/` once it is COMPLETED. A row that fails its checks (a missing value, an impossible "
        "date) fails alone, with its error in the results; the job goes on. The upload is recorded in the audit "
        "trail with your address."
    )


def upload_docs(service: LookupService) -> dict:
    limit = lazy(lambda: f"The file is over {max_file_mb(service)} MB, the {service.verbose_name}'s size limit "
                 "(or the request's body over the server's cap for every upload).", str)()
    missing = service.required_columns()[-2:]
    return {"post": extend_schema(
        tags=[tag_of(service)],
        summary=f"Upload a CSV of {service.verbose_name}s",
        description=lazy(upload_description, str)(service),
        request={"multipart/form-data": LookupUploadSerializer},
        responses={
            201: OpenApiResponse(LookupJobSerializer, description="The job, created and queued (PENDING)."),
            **answers(service, 400, 401, 413, 415, why={
                400: "No `file` part, an empty file, a file with no data rows, a header without a required column "
                "(the answer names the missing ones), or a CSV that cannot be read.",
                413: limit,
                415: "The file is not a CSV (judged by its content: an Excel workbook, a PDF, an image...), or the "
                "request is not multipart/form-data.",
            }),
        },
        examples=[
            OpenApiExample(
                "The job, created", response_only=True, status_codes=["201"],
                value={
                    "id": JOB_ID, "filename": f"{tag_of(service)}.csv", "status": "PENDING", "total_rows": 0,
                    "processed_rows": 0, "success_count": 0, "failure_count": 0, "progress_percentage": 0,
                    "created_at": "2025-10-10T11:20:00Z",
                },
            ),
            refusal_example("Missing columns", 400, f"Missing required columns: {', '.join(missing)}. Add them to "
                            "the file's header row."),
            refusal_example("No file", 400, "No file: send it as the multipart/form-data part `file` (a CSV file)."),
            refusal_example("Not a CSV", 415, f"The file is not a CSV file: a {service.verbose_name} reads CSV files "
                            "only."),
        ],
    )}


def summary_example(service: LookupService, **changes) -> dict:
    base = f"https://hub.example.com/api/{service.api_path}/csv-jobs/{JOB_ID}/"
    job = {
        "id": JOB_ID, "filename": f"{tag_of(service)}.csv", "status": "COMPLETED", "total_rows": 100,
        "processed_rows": 100, "success_count": 97, "failure_count": 3, "progress_percentage": 100.0,
        "created_at": "2025-10-10T11:20:00Z", "started_at": "2025-10-10T11:20:01Z",
        "completed_at": "2025-10-10T11:27:42Z", "error_message": None, "url": base,
        "progress_url": f"{base}progress/", "results_url": f"{base}results/",
    }
    return {**job, **changes}


def list_docs(service: LookupService) -> dict:
    words = list(LOOKUP_STATUSES.values())
    return {"get": extend_schema(
        tags=[tag_of(service)],
        summary=f"List the {service.verbose_name} jobs",
        description=f"Your company's {service.verbose_name} jobs, newest first, 25 a page (`page`; `page_size` up to "
        "100), optionally only those in one status.",
        parameters=[OpenApiParameter(
            "status", str, enum=words,
            description=f"Only jobs in this status ({', '.join(words)}; any case). Another word is refused (400).",
        )],
        responses={
            200: LookupJobSummarySerializer(many=True),
            **answers(service, 400, 401, why={400: "An unknown status: the answer names the ones there are."}),
        },
        examples=[OpenApiExample(
            "A page of jobs", response_only=True, status_codes=["200"],
            value={"count": 1, "next": None, "previous": None, "results": [summary_example(service)]},
        )],
    )}


def error_log_example(service: LookupService) -> list[dict]:
    identifier = {}
    if service.identifier:
        example = service.fields_by_name[service.identifier].example if service.identifier in \
            service.fields_by_name else ""
        identifier = {service.identifier: example or "A-1001"}
    others = [name for name in service.required_columns() if name != service.identifier]
    missing = f"{service.fields_by_name[others[0]].label} is missing" if others else "Look-up failed: timed out"
    return [{"row": 3, **identifier, "error": missing, "retryable": False}]


def detail_docs(service: LookupService) -> dict:
    return {"get": extend_schema(
        tags=[tag_of(service)],
        summary=f"A {service.verbose_name} job",
        description="The job's status, counts and times, its links, and its error log: the rows that failed, first "
        "rows first (at most 1,000), each with its row number"
        + (f", its `{service.identifier}`" if service.identifier else "")
        + " and the error, and whether a retry asks it again; never a personal value. When the job as a whole "
        "failed, the log starts with its error (`row` null). `status_detail` says what a PENDING job waits for.",
        parameters=[job_id_parameter(service)],
        responses={200: detail_serializer(service), **answers(service, 401, 404, why={})},
        examples=[OpenApiExample(
            "A completed job with a failed row", response_only=True, status_codes=["200"],
            value={**summary_example(service, success_count=99, failure_count=1), "status_detail": None,
                   "error_log": error_log_example(service)},
        )],
    )}


def progress_docs(service: LookupService) -> dict:
    return {"get": extend_schema(
        tags=[tag_of(service)],
        summary=f"A {service.verbose_name} job's progress",
        description="The job's progress, to poll while it runs (every few seconds: the counts move with every group "
        "of results the workers record). `celery_status` and `celery_info` give the same in the words of a Celery "
        "task's state, for clients written for them.",
        parameters=[job_id_parameter(service)],
        responses={200: LookupProgressSerializer, **answers(service, 401, 404, why={})},
        examples=[OpenApiExample(
            "A job that is processing", response_only=True, status_codes=["200"],
            value={
                "job_id": JOB_ID, "status": "PROCESSING", "total_rows": 100, "processed_rows": 45,
                "success_count": 43, "failure_count": 2, "progress_percentage": 45.0, "success_rate": 95.6,
                "celery_status": "PROGRESS", "celery_info": {"current": 45, "total": 100, "percent": 45},
            },
        )],
    )}


def results_docs(service: LookupService) -> dict:
    return {"get": extend_schema(
        tags=[tag_of(service)],
        summary=f"Download a {service.verbose_name} job's results",
        description=f"The results as a CSV attachment (UTF-8 with a byte-order mark; `curl -O -J` saves it as "
        f"`<the upload's name>-results.csv`), one line per row of the upload in its order, with the columns "
        f"{', '.join(f'`{name}`' for name in service.result_columns)}. `row` is the row of the upload (1 = the "
        "first data row); `success` is True or False, `error` says why a row failed, `retryable` whether a retry "
        "asks it again. Every cell is escaped against spreadsheet formulas. Ready once the job has ended: a FAILED "
        "or CANCELLED job gives the results recorded so far. Each download is recorded in the audit trail.",
        parameters=[job_id_parameter(service)],
        responses={
            (200, "text/csv"): OpenApiResponse(OpenApiTypes.STR, description="The results CSV, as an attachment."),
            **answers(service, 401, 404, 409, 410, why={
                409: "The job is still PENDING or PROCESSING: its results can be downloaded once it has ended.",
                410: "The job's file and results were deleted at the end of the retention period.",
            }),
        },
        examples=[refusal_example(
            "Still running", 409, "The job is still running: its results can be downloaded once it has finished.",
        )],
    )}


def retry_docs(service: LookupService) -> dict:
    return {"post": extend_schema(
        tags=[tag_of(service)],
        summary=f"Retry a {service.verbose_name} job",
        description="Run an ended job again: a FAILED or CANCELLED job continues from where it stopped (rows that "
        "already have a result are not looked up again); a COMPLETED job looks up again only its rows that failed in "
        "a way worth asking again (`retryable` in the error log and the results). The answer is the job, PENDING "
        "again (202); follow its progress as before. The retry is recorded in the audit trail. No body is needed.",
        parameters=[job_id_parameter(service)],
        request=None,
        responses={
            202: OpenApiResponse(detail_serializer(service), description="The job, queued again (PENDING)."),
            **answers(service, 401, 404, 409, 410, why={
                409: "The job is still PENDING or PROCESSING, or it is COMPLETED with no failure worth asking again.",
                410: "The job's file and results were deleted at the end of the retention period: upload the file "
                "again.",
            }),
        },
        examples=[refusal_example(
            "Nothing to retry", 409,
            "No look-up of this job failed in a way worth asking again: there is nothing to retry.",
        )],
    )}


def cancel_docs(service: LookupService) -> dict:
    return {"post": extend_schema(
        tags=[tag_of(service)],
        summary=f"Cancel a {service.verbose_name} job",
        description="Stop a PENDING or PROCESSING job. It ends CANCELLED at once; the workers stop after the results "
        "they are recording, and every result recorded so far stays and can be downloaded. A retry continues it. "
        "The cancel is recorded in the audit trail. No body is needed.",
        parameters=[job_id_parameter(service)],
        request=None,
        responses={
            200: OpenApiResponse(detail_serializer(service), description="The job, CANCELLED."),
            **answers(service, 401, 404, 409, why={409: "The job has already ended."}),
        },
        examples=[refusal_example("Already ended", 409, "The job has already finished (completed).")],
    )}


def lookup_docs(service: LookupService) -> dict[str, dict]:
    """extend_schema_view arguments for each of the service's views, by the views' keys."""
    return {
        "upload": upload_docs(service), "jobs": list_docs(service), "job": detail_docs(service),
        "progress": progress_docs(service), "results": results_docs(service), "retry": retry_docs(service),
        "cancel": cancel_docs(service),
    }
