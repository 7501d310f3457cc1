"""A look-up service's routes in the OpenAPI description (/api/schema/) and the docs (/api/docs/): every operation,
its answers and refusals, the claims guide's examples, and a schema that generates without a guess."""

import pytest
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

from .conftest import CODES_URL

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_lookup")]

JOB = CODES_URL + "/csv-jobs/{job_id}/"
OPERATIONS = {
    (f"{CODES_URL}/bulk/upload/", "post"): ("201", ["400", "401", "413", "415"]),
    (f"{CODES_URL}/csv-jobs/", "get"): ("200", ["400", "401"]),
    (JOB, "get"): ("200", ["401", "404"]),
    (JOB + "progress/", "get"): ("200", ["401", "404"]),
    (JOB + "results/", "get"): ("200", ["401", "404", "409", "410"]),
    (JOB + "retry/", "post"): ("202", ["401", "404", "409", "410"]),
    (JOB + "cancel/", "post"): ("200", ["401", "404", "409"]),
}


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def example(operation: dict, status: str) -> dict:
    examples = operation["responses"][status]["content"]["application/json"]["examples"]
    return next(iter(examples.values()))["value"]


def test_every_route_is_described_with_its_answer_and_refusals(schema):
    validate_schema(schema)
    assert {path for path in schema["paths"] if path.startswith(CODES_URL)} == {path for path, _ in OPERATIONS}
    for (path, method), (success, refusals) in OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert operation["tags"] == ["codes"], path
        assert operation["summary"], path
        assert operation["description"], path
        assert operation["security"] == [{"tokenAuth": []}], path
        assert set(operation["responses"]) == {success, *refusals, "429"}, path
        for status in refusals:
            error = operation["responses"][status]
            assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            assert error["description"], (path, status)


def test_the_upload_is_multipart_and_answers_the_guides_job(schema):
    upload = schema["paths"][f"{CODES_URL}/bulk/upload/"]["post"]

    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    request = schema["components"]["schemas"]["LookupUploadRequest"]
    assert request["required"] == ["file"]
    assert request["properties"]["file"]["format"] == "binary"
    job = schema["components"]["schemas"]["LookupJob"]
    assert list(job["properties"]) == [
        "id", "filename", "status", "total_rows", "processed_rows", "success_count", "failure_count",
        "progress_percentage", "created_at",
    ]
    assert example(upload, "201") == {
        "id": "550e8400-e29b-41d4-a716-446655440000", "filename": "codes.csv", "status": "PENDING",
        "total_rows": 0, "processed_rows": 0, "success_count": 0, "failure_count": 0, "progress_percentage": 0,
        "created_at": "2025-10-10T11:20:00Z",
    }
    assert "Required columns: `code`, `first_name`. Optional: `note`." in upload["description"]
    assert "at most 10 MB" in upload["description"]


def test_the_size_limit_in_the_docs_is_the_services_when_asked(client, code_lookup):
    code_lookup.max_mb = 3

    upload = client.get("/api/schema/", {"format": "json"}).json()["paths"][f"{CODES_URL}/bulk/upload/"]["post"]

    assert "at most 3 MB" in upload["description"]
    assert upload["responses"]["413"]["description"].startswith("The file is over 3 MB")


def test_progress_is_described_with_the_guides_example(schema):
    progress = schema["paths"][JOB + "progress/"]["get"]

    assert example(progress, "200") == {
        "job_id": "550e8400-e29b-41d4-a716-446655440000", "status": "PROCESSING", "total_rows": 100,
        "processed_rows": 45, "success_count": 43, "failure_count": 2, "progress_percentage": 45.0,
        "success_rate": 95.6, "celery_status": "PROGRESS", "celery_info": {"current": 45, "total": 100, "percent": 45},
    }
    shape = schema["components"]["schemas"]["LookupProgress"]
    assert list(shape["properties"]) == list(example(progress, "200"))
    assert schema["components"]["schemas"]["CeleryStatusEnum"]["enum"] == [
        "PENDING", "PROGRESS", "SUCCESS", "FAILURE", "REVOKED",
    ]


def test_statuses_are_the_guides_words_and_the_imports_keep_theirs(schema):
    assert schema["components"]["schemas"]["LookupStatusEnum"]["enum"] == [
        "PENDING", "PROCESSING", "COMPLETED", "FAILED", "CANCELLED",
    ]
    assert schema["components"]["schemas"]["StatusEnum"]["enum"] == [
        "pending", "processing", "completed", "failed", "cancelled",
    ]
    status = next(p for p in schema["paths"][f"{CODES_URL}/csv-jobs/"]["get"]["parameters"] if p["name"] == "status")
    assert sorted(status["schema"]["enum"]) == ["CANCELLED", "COMPLETED", "FAILED", "PENDING", "PROCESSING"]


def test_the_error_log_names_the_services_identifier(schema):
    detail = schema["paths"][JOB]["get"]

    entry = schema["components"]["schemas"]["CodeLookupError"]
    assert list(entry["properties"]) == ["row", "code", "error", "retryable"]
    assert example(detail, "200")["error_log"] == [
        {"row": 3, "code": "C1", "error": "first_name is missing", "retryable": False}
    ]


def test_results_are_described_as_a_csv_with_the_services_columns(schema):
    results = schema["paths"][JOB + "results/"]["get"]

    assert list(results["responses"]["200"]["content"]) == ["text/csv"]
    assert "`row`, `code`, `answer`, `first_name`, `success`, `error`, `retryable`" in results["description"]


def test_the_services_group_is_described(schema):
    assert {"name": "codes", "description": "Code look-ups from an uploaded CSV: upload the file, follow the job's "
            "progress, download the results CSV, retry or cancel."} in schema["tags"]


def test_the_docs_page_loads(client):
    assert client.get("/api/docs/").status_code == 200


def test_the_schema_generates_without_warnings(tmp_path):
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert f"{CODES_URL}/bulk/upload/" in (tmp_path / "schema.yaml").read_text()
