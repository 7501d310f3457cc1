"""Every API error body is JSON in the API's shape, `{"detail": ...}`, including Django's own 403/404/500 and
addresses that try to climb out of the API with encoded `../`; pages elsewhere stay pages. A deeply nested or huge
`options` value is a 400 that says what to send."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from imports.http import error_pages
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, IMPORTS_URL, upload

pytestmark = pytest.mark.django_db


def json_refusal(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)["detail"]


@pytest.mark.parametrize(
    "path",
    [
        "/api/imports/%2e%2e/%2e%2e/etc/passwd",
        "/api/imports/..%2F..%2Fconfig%2Fsettings.py",
        "/api/%2e%2e/admin/",
        "/api/customers/import/%2e%2e%2f%2e%2e/errors/x",
        "/api/no-such-thing",
    ],
)
def test_an_unknown_or_climbing_api_address_is_404_json(api, path):
    assert json_refusal(api.get(path), 404) == "Not found: no API resource at this address."


def test_an_encoded_dot_dot_as_a_job_id_is_the_apis_own_404(api):
    assert json_refusal(api.get("/api/customers/import/%2e%2e/errors"), 404) == (
        "No Customer import job .. in your company."
    )


def test_a_page_address_that_does_not_exist_is_a_404_page(client, user):
    client.force_login(user)

    response = client.get("/no-such-page/%2e%2e/")

    assert response.status_code == 404
    assert response["Content-Type"] == "text/html; charset=utf-8"
    assert "There is no page at this address." in response.content.decode()


def test_an_unexpected_error_on_the_api_is_500_json_without_a_traceback(api, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug in the job list")

    monkeypatch.setattr("imports.api.views.import_job_list", broken)
    api.raise_request_exception = False

    detail = json_refusal(api.get(IMPORTS_URL), 500)

    assert detail == "Something went wrong on our side; the error has been logged. Try again in a moment."


def test_an_unexpected_error_on_a_page_is_a_500_page(user, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("a bug in the dashboard")

    monkeypatch.setattr("imports.web.views.selectors.job_list", broken)
    client = Client(raise_request_exception=False)
    client.force_login(user)

    response = client.get(reverse("imports:job_list"))

    assert response.status_code == 500
    assert "<h1>Internal Server Error</h1>" in response.content.decode()
    assert "a bug in the dashboard" not in response.content.decode()


def test_djangos_403_is_json_on_the_api_and_a_page_elsewhere(rf):
    api_answer = error_pages.permission_denied(rf.get("/api/imports/"))
    page_answer = error_pages.permission_denied(rf.get("/jobs/"))

    assert json_refusal(api_answer, 403) == "You do not have permission to do this."
    assert page_answer.status_code == 403
    assert "<h1>Forbidden</h1>" in page_answer.content.decode()


def test_a_host_the_server_does_not_serve_is_400_json_on_the_api(api):
    detail = json_refusal(api.get(IMPORTS_URL, HTTP_HOST="evil.example"), 400)

    assert detail == (
        "This server does not answer for the host this request names; ALLOWED_HOSTS lists the hosts it serves."
    )


def test_djangos_400_is_json_on_the_api(rf):
    detail = json_refusal(error_pages.bad_request(rf.get("/api/imports/")), 400)

    assert detail == "The request could not be read: check its format and send it again."


def test_a_form_without_its_security_token_is_a_403_page_that_says_what_to_do(user):
    client = Client(enforce_csrf_checks=True)

    response = client.post(reverse("login"), {"username": "alice", "password": "x"})

    assert response.status_code == 403
    assert "The form&#x27;s security check failed: reload the page" in response.content.decode()


def test_deeply_nested_options_are_400_json(api):
    nested = "[" * 400 + "]" * 400

    detail = json_refusal(upload(api, CUSTOMERS_URL, GUIDE_CSV, options='{"mode": ' + nested + "}"), 400)

    assert detail.startswith("Unknown mode [[[")
    assert not ImportExportJob.objects.exists()


def test_options_nested_past_the_parser_are_400_json_not_500(api, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = None  # so the options text itself reaches the check
    nested = "[" * 100_000 + "]" * 100_000

    detail = json_refusal(upload(api, CUSTOMERS_URL, GUIDE_CSV, options=nested), 400)

    assert detail == (
        'options is 200,000 characters long; it may have at most 16,000: send an object such as {"mode": "create", '
        '"duplicateStrategy": "skip", "validateOnly": false}.'
    )


def test_options_as_a_large_file_part_are_400_json(api):
    response = api.post(CUSTOMERS_URL, {
        "file": SimpleUploadedFile("customers.csv", GUIDE_CSV.encode()),
        "options": SimpleUploadedFile("options.json", b"{" + b" " * 100_000 + b"}"),
    }, format="multipart")

    assert json_refusal(response, 400) == "The part `options` is 100,002 bytes long; it may have at most 65,536."
