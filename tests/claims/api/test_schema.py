"""The claims API in the OpenAPI description (/api/schema/) and the docs (/api/docs/): every operation, its answers
and refusals, and the guide's examples."""

import pytest
from drf_spectacular.validation import validate_schema

from .conftest import CLAIMS_URL

pytestmark = pytest.mark.django_db

JOB = CLAIMS_URL + "/csv-jobs/{job_id}/"
OPERATIONS = {
    (f"{CLAIMS_URL}/bulk/upload/", "post"): ("201", ["400", "401", "413", "415"]),
    (f"{CLAIMS_URL}/csv-jobs/", "get"): ("200", ["400", "401"]),
    (JOB, "get"): ("200", ["401", "404"]),
    (JOB + "progress/", "get"): ("200", ["401", "404"]),
    (JOB + "results/", "get"): ("200", ["401", "404", "409", "410"]),
    (JOB + "retry/", "post"): ("202", ["401", "404", "409", "410"]),
    (JOB + "cancel/", "post"): ("200", ["401", "404", "409"]),
}
GUIDE_JOB_ID = "550e8400-e29b-41d4-a716-446655440000"


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def example(operation: dict, status: str) -> dict:
    examples = operation["responses"][status]["content"]["application/json"]["examples"]
    return next(iter(examples.values()))["value"]


def test_every_route_of_the_guide_is_described_with_its_answer_and_refusals(schema):
    validate_schema(schema)
    assert {path for path in schema["paths"] if path.startswith(CLAIMS_URL)} == {path for path, _ in OPERATIONS}
    for (path, method), (success, refusals) in OPERATIONS.items():
        operation = schema["paths"][path][method]
        assert operation["tags"] == ["claims"], path
        assert operation["summary"], path
        assert operation["description"], path
        assert operation["security"] == [{"tokenAuth": []}], path
        assert set(operation["responses"]) == {success, *refusals, "429"}, path
        for status in refusals:
            error = operation["responses"][status]
            assert error["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
            assert error["description"], (path, status)


def test_the_upload_is_multipart_and_answers_the_guides_job(schema):
    upload = schema["paths"][f"{CLAIMS_URL}/bulk/upload/"]["post"]

    assert upload["summary"] == "Upload a CSV of claims look-ups"
    assert list(upload["requestBody"]["content"]) == ["multipart/form-data"]
    request = schema["components"]["schemas"]["LookupUploadRequest"]
    assert request["required"] == ["file"]
    assert request["properties"]["file"]["format"] == "binary"
    assert list(schema["components"]["schemas"]["LookupJob"]["properties"]) == [
        "id", "filename", "status", "total_rows", "processed_rows", "success_count", "failure_count",
        "progress_percentage", "created_at",
    ]
    assert example(upload, "201") == {
        "id": GUIDE_JOB_ID, "filename": "claims.csv", "status": "PENDING", "total_rows": 0, "processed_rows": 0,
        "success_count": 0, "failure_count": 0, "progress_percentage": 0, "created_at": "2025-10-10T11:20:00Z",
    }
    assert (
        "Required columns: `claim_number`, `first_name`, `last_name`, `date_of_birth`, `subscriber_id`. "
        "Optional: `payer_id`, `provider_npi`, `service_date_from`, `service_date_to`."
    ) in upload["description"]
    assert "ZE59426195,CHANTAL,KISA,05/10/1975,057896633" in upload["description"]
    assert "at most 10 MB" in upload["description"]


def test_the_size_limit_in_the_docs_is_the_settings_when_asked(client, settings):
    settings.CLAIMS_MAX_FILE_MB = 3

    upload = client.get("/api/schema/", {"format": "json"}).json()["paths"][f"{CLAIMS_URL}/bulk/upload/"]["post"]

    assert "at most 3 MB" in upload["description"]
    assert upload["responses"]["413"]["description"].startswith("The file is over 3 MB")


def test_progress_is_described_with_the_guides_example(schema):
    progress = schema["paths"][JOB + "progress/"]["get"]

    assert example(progress, "200") == {
        "job_id": GUIDE_JOB_ID, "status": "PROCESSING", "total_rows": 100, "processed_rows": 45, "success_count": 43,
        "failure_count": 2, "progress_percentage": 45.0, "success_rate": 95.6, "celery_status": "PROGRESS",
        "celery_info": {"current": 45, "total": 100, "percent": 45},
    }
    assert list(schema["components"]["schemas"]["LookupProgress"]["properties"]) == list(example(progress, "200"))
    assert list(schema["components"]["schemas"]["CeleryInfo"]["properties"]) == ["current", "total", "percent"]
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
    status = next(p for p in schema["paths"][f"{CLAIMS_URL}/csv-jobs/"]["get"]["parameters"] if p["name"] == "status")
    assert sorted(status["schema"]["enum"]) == ["CANCELLED", "COMPLETED", "FAILED", "PENDING", "PROCESSING"]


def test_the_error_log_names_rows_by_claim_number(schema):
    detail = schema["paths"][JOB]["get"]

    assert detail["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ClaimLookupJobDetail"
    }
    assert list(schema["components"]["schemas"]["ClaimLookupError"]["properties"]) == [
        "row", "claim_number", "error", "retryable",
    ]
    assert example(detail, "200")["error_log"] == [
        {"row": 3, "claim_number": "ZE59426195", "error": "First name is missing", "retryable": False}
    ]


def test_results_are_described_as_a_csv_with_the_guides_columns(schema):
    results = schema["paths"][JOB + "results/"]["get"]

    assert list(results["responses"]["200"]["content"]) == ["text/csv"]
    assert (
        "`row`, `claim_number`, `status`, `patient_name`, `total_charged`, `total_paid`, `processed_date`, "
        "`success`, `error`, `status_code`, `payer_claim_number`, `paid_date`, `check_number`, `retryable`"
    ) in results["description"]


def test_the_claims_group_is_described_once(schema):
    [claims] = [tag for tag in schema["tags"] if tag["name"] == "claims"]
    assert claims["description"].startswith("Healthcare claims, as the claims CSV bulk upload guide describes them")
    assert schema["paths"]["/api/claims/import"]["post"]["tags"] == ["claims"]


def test_the_docs_page_shows_the_schema(client):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert '"/api/schema/"' in response.content.decode()
