"""The OpenAPI description at /api/schema/ and the Swagger UI at /api/docs/: public, complete, and working offline
(every script and style of the docs page is one of the project's own static files)."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client) -> dict:
    response = client.get("/api/schema/", {"format": "json"})
    assert response.status_code == 200
    return response.json()


def json_body(operation: dict, status: str) -> dict:
    return operation["responses"][status]["content"]["application/json"]["schema"]


def test_the_schema_is_public_and_valid_openapi(schema):
    validate_schema(schema)
    assert schema["info"]["title"] == "Import hub API"
    assert schema["info"]["version"] == "1.0.0"


def test_a_bad_token_does_not_hide_the_public_schema():
    client = Client(headers={"Authorization": "Bearer not-a-token"})

    assert client.get("/api/schema/").status_code == 200
    assert client.get("/api/docs/").status_code == 200


def test_the_schema_lists_every_endpoint(schema):
    assert sorted(schema["paths"]) == [
        "/api/backups/", "/api/backups/{job_id}", "/api/backups/{job_id}/file",
        "/api/claims/import", "/api/claims/import/{job_id}", "/api/claims/import/{job_id}/errors",
        "/api/claims/import/{job_id}/resume",
        "/api/customers/import", "/api/customers/import/{job_id}", "/api/customers/import/{job_id}/errors",
        "/api/customers/import/{job_id}/resume",
        "/api/exports/", "/api/exports/columns", "/api/exports/preview", "/api/exports/{job_id}",
        "/api/exports/{job_id}/cancel", "/api/exports/{job_id}/file",
        "/api/imports/", "/api/imports/targets", "/api/imports/{job_id}", "/api/imports/{job_id}/cancel",
        "/api/imports/{job_id}/errors", "/api/imports/{job_id}/resume",
        "/api/imports/{job_id}/retry",
        "/api/imports/{job_id}/undo",
        "/api/readings/import", "/api/readings/import/{job_id}", "/api/readings/import/{job_id}/errors",
        "/api/readings/import/{job_id}/resume",
        "/api/restores/", "/api/restores/{job_id}", "/api/restores/{job_id}/restore",
        "/api/v1/claims/bulk/upload/", "/api/v1/claims/csv-jobs/", "/api/v1/claims/csv-jobs/{job_id}/",
        "/api/v1/claims/csv-jobs/{job_id}/cancel/", "/api/v1/claims/csv-jobs/{job_id}/progress/",
        "/api/v1/claims/csv-jobs/{job_id}/results/", "/api/v1/claims/csv-jobs/{job_id}/retry/",
    ]


def test_every_operation_wants_the_bearer_token(schema):
    assert schema["components"]["securitySchemes"] == {"tokenAuth": {"type": "http", "scheme": "bearer"}}
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            assert operation["security"] == [{"tokenAuth": []}], (path, method)
            assert json_body(operation, "401") == {"$ref": "#/components/schemas/Error"}, (path, method)


def test_the_upload_is_multipart_with_the_file_and_options(schema):
    for path, request in [("/api/customers/import", "ImportUploadRequest"),
                          ("/api/imports/", "AnyTargetUploadRequest")]:
        post = schema["paths"][path]["post"]
        assert list(post["requestBody"]["content"]) == ["multipart/form-data"]
        assert post["requestBody"]["content"]["multipart/form-data"]["schema"] == {
            "$ref": f"#/components/schemas/{request}"
        }
        assert json_body(post, "202") == {"$ref": "#/components/schemas/ImportJob"}
        for status in ("400", "413", "415"):
            assert json_body(post, status) == {"$ref": "#/components/schemas/Error"}, (path, status)
    upload = schema["components"]["schemas"]["ImportUploadRequest"]
    assert upload["required"] == ["file"]
    assert upload["properties"]["file"]["format"] == "binary"
    assert "duplicateStrategy" in upload["properties"]["options"]["description"]
    assert sorted(upload["properties"]) == ["file", "mapping", "options", "template"]
    assert "null skips the column" in upload["properties"]["mapping"]["description"]
    assert "saved in the wizard" in upload["properties"]["template"]["description"]
    assert schema["components"]["schemas"]["AnyTargetUploadRequest"]["required"] == ["file", "target"]


def test_the_job_answer_has_the_guides_fields_and_statuses(schema):
    job = schema["components"]["schemas"]["ImportJob"]
    for name in ("id", "status", "progress", "total_rows", "processed_rows", "successful_rows", "failed_rows"):
        assert name in job["required"]
    assert job["properties"]["progress"]["minimum"] == 0
    assert job["properties"]["progress"]["maximum"] == 100
    assert schema["components"]["schemas"]["StatusEnum"]["enum"] == [
        "pending", "processing", "completed", "failed", "cancelled",
    ]
    options = schema["components"]["schemas"]["ImportOptions"]["properties"]
    assert sorted(options) == ["duplicateStrategy", "mode", "validateOnly"]
    assert schema["components"]["schemas"]["DuplicateStrategyEnum"]["enum"] == ["skip", "update", "error", "create_new"]


def test_status_and_errors_operations_describe_their_answers(schema):
    detail = schema["paths"]["/api/customers/import/{job_id}"]["get"]
    assert json_body(detail, "200") == {"$ref": "#/components/schemas/ImportJob"}
    assert json_body(detail, "404") == {"$ref": "#/components/schemas/Error"}
    errors = schema["paths"]["/api/customers/import/{job_id}/errors"]["get"]
    assert list(errors["responses"]["200"]["content"]) == ["text/csv"]
    for status in ("404", "409", "410"):
        assert json_body(errors, status) == {"$ref": "#/components/schemas/Error"}
    assert detail["parameters"][0]["schema"] == {"type": "string", "format": "uuid"}


def test_the_export_operations_describe_their_requests_answers_and_refusals(schema):
    paths = schema["paths"]
    start = paths["/api/exports/"]["post"]
    assert start["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ExportRequest"
    }
    assert json_body(start, "202") == {"$ref": "#/components/schemas/ExportJob"}
    assert json_body(start, "400") == {"$ref": "#/components/schemas/ExportRefusal"}
    assert json_body(paths["/api/exports/preview"]["post"], "400") == {"$ref": "#/components/schemas/ExportRefusal"}
    assert json_body(paths["/api/exports/columns"]["get"], "400") == {"$ref": "#/components/schemas/Error"}
    download = paths["/api/exports/{job_id}/file"]["get"]
    assert list(download["responses"]["200"]["content"]) == ["application/octet-stream"]
    for status in ("404", "409", "410"):
        assert json_body(download, status) == {"$ref": "#/components/schemas/Error"}
    assert set(paths["/api/exports/{job_id}/cancel"]["post"]["responses"]) >= {"200", "404", "409"}
    components = schema["components"]["schemas"]
    assert set(components["ExportFormatEnum"]["enum"]) == {"csv", "excel", "xlsx", "xls", "json", "pdf"}
    assert components["FilterOperatorEnum"]["enum"] == ["contains", "equals", "in", "gte", "lte"]
    for name in ("file_url", "cancel_url", "filters", "filters_described", "total_rows", "progress"):
        assert name in components["ExportJob"]["required"]
    examples = start["requestBody"]["content"]["application/json"]["examples"]
    assert len(examples) >= 3


def test_the_docs_page_loads_swagger_ui_from_the_projects_own_static_files(client):
    response = client.get("/api/docs/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "cdn." not in page
    assets = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert {asset.rsplit("/", 1)[-1] for asset in assets} >= {
        "swagger-ui.css", "swagger-ui-bundle.js", "swagger-ui-standalone-preset.js", "favicon-32x32.png",
    }
    for asset in assets:
        assert asset.startswith("/static/drf_spectacular_sidecar/swagger-ui-dist/"), asset
        assert finders.find(asset.removeprefix("/static/")) is not None, asset
    assert '"/api/schema/"' in page


def test_the_schema_generates_without_warnings(tmp_path):
    """drf-spectacular warns when it has to guess a type; a guess would be a wrong description for integrators."""
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(tmp_path / "schema.yaml"))

    assert "/api/customers/import" in (tmp_path / "schema.yaml").read_text()


def test_a_look_up_service_without_a_described_group_gets_one(monkeypatch):
    """Groups the settings' TAGS describe (claims) keep their words; another look-up service's is described."""
    from imports.api.schema_hooks import lookup_tags
    from imports.declare import LookupService
    from imports.declare import lookups as registry

    class ThingLookup(LookupService):
        name, verbose_name, api_path, fields, result_columns = "Thing", "thing look-up", "v2/things", (), ()

        def look_up(self, queries, context):
            yield from ()

    monkeypatch.setitem(registry._services, "thing", ThingLookup())
    result = lookup_tags({"tags": [{"name": "claims", "description": "Claims."}]}, None, None, True)

    assert result["tags"] == [
        {"name": "claims", "description": "Claims."},
        {"name": "things", "description": "Thing look-ups from an uploaded CSV: upload the file, follow the job's "
         "progress, download the results CSV, retry or cancel."},
    ]
