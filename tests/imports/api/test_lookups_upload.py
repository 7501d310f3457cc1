"""POST /api/<api_path>/bulk/upload/ of a look-up service (here a stand-in's, /api/v1/codes/): the claims guide's
answer, and every refusal before a job exists, each with its status and one sentence."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from imports.jobs.tasks import job_step
from imports.models import AuditEvent, ImportExportJob

from .conftest import CODES_URL, upload

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("code_lookup")]

UPLOAD_URL = f"{CODES_URL}/bulk/upload/"
CODES = "code,first_name\nC1,ADA\nN2,BOB\n"
GUIDE_KEYS = [
    "id", "filename", "status", "total_rows", "processed_rows", "success_count", "failure_count",
    "progress_percentage", "created_at",
]


def post_file(client, content: str, **request):
    """Upload with extra WSGI environ (REMOTE_ADDR, headers as HTTP_...)."""
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile("codes.csv", content.encode())}, format="multipart",
                       **request)


def refusal(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert not ImportExportJob.objects.exists()
    assert not AuditEvent.objects.exists()
    return response.json()["detail"]


def test_an_upload_answers_201_with_the_guides_keys_exactly(api, company, user, monkeypatch,
                                                             django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(job_step, "apply_async", lambda args: sent.append(args))
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api, UPLOAD_URL, CODES, name="codes.csv")

    assert response.status_code == 201
    body = response.json()
    assert list(body) == GUIDE_KEYS
    job = ImportExportJob.objects.get()
    assert body == {
        "id": str(job.pk), "filename": "codes.csv", "status": "PENDING", "total_rows": 0, "processed_rows": 0,
        "success_count": 0, "failure_count": 0, "progress_percentage": 0.0,
        "created_at": job.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert response["Location"] == f"http://testserver{CODES_URL}/csv-jobs/{job.pk}/"
    assert (job.company, job.created_by, job.job_type, job.target_model) == (company, user, "lookup", "Code")
    assert job.file.read().decode() == CODES
    assert sent == [[str(job.pk), "prepare"]]  # queued for the workers once committed; the API only enqueues


def test_an_upload_is_in_the_audit_trail_with_the_clients_address(api, user):
    job_id = post_file(api, CODES, REMOTE_ADDR="203.0.113.7").json()["id"]

    event = AuditEvent.objects.get()
    assert (str(event.job_id), event.action, event.via, event.user, event.address) == (
        job_id, "upload", "api", user, "203.0.113.7"
    )


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(api, settings):
    settings.NUM_PROXIES = 1
    post_file(api, CODES, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.44")

    assert AuditEvent.objects.get().address == "192.0.2.44"


def test_a_forwarded_address_that_is_no_address_is_not_recorded(api, settings):
    settings.NUM_PROXIES = 1
    response = post_file(api, CODES, HTTP_X_FORWARDED_FOR="<script>")

    assert response.status_code == 201
    assert AuditEvent.objects.get().address is None


def test_without_a_token_it_is_401(client):
    response = client.post(UPLOAD_URL, {"file": io.BytesIO(CODES.encode())})

    assert refusal(response, 401) == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == "Bearer"


def test_no_file_is_400_saying_which_part_to_send(api):
    response = api.post(UPLOAD_URL, {"other": "x"}, format="multipart")

    assert refusal(response, 400) == "No file: send it as the multipart/form-data part `file` (a CSV file)."


def test_an_empty_file_is_400(api):
    assert refusal(upload(api, UPLOAD_URL, b""), 400) == "The file is empty."


def test_a_file_with_a_header_and_no_rows_is_400(api):
    assert refusal(upload(api, UPLOAD_URL, "code,first_name\n"), 400) == "The file has a header row but no data rows."


def test_missing_columns_are_400_naming_them(api):
    assert refusal(upload(api, UPLOAD_URL, "code,note\nC1,x\n"), 400) == (
        "Missing required columns: first_name. Add them to the file or map columns to them."
    )


def test_a_csv_that_cannot_be_read_is_400_saying_where(api):
    detail = refusal(upload(api, UPLOAD_URL, 'code,first_name\nC1,"ADA\n'), 400)

    assert detail.startswith("Row 2 (line 2) opens a quoted value that is never closed")


def test_a_file_over_the_services_limit_is_413(api, code_lookup):
    code_lookup.max_mb = 1
    big = "code,first_name\n" + "C1,ADA\n" * (1024 * 1024 // 7 + 1)

    assert refusal(upload(api, UPLOAD_URL, big), 413) == "The file is 1.0 MB; the limit is 1 MB."


def test_a_file_at_the_services_limit_is_accepted(api, code_lookup):
    code_lookup.max_mb = 1
    content = ("code,first_name\n" + "C1,ADA\n" * (1024 * 1024 // 7))[: 1024 * 1024 - 7].rsplit("\n", 1)[0] + "\n"

    assert upload(api, UPLOAD_URL, content).status_code == 201


def workbook() -> bytes:
    book = Workbook()
    book.active.append(["code", "first_name"])
    book.active.append(["C1", "ADA"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("content", [
    pytest.param(workbook(), id="an Excel workbook named .csv"),
    pytest.param(b'[{"code": "C1", "first_name": "ADA"}]', id="JSON"),
    pytest.param(b"%PDF-1.7\n1 0 obj <<>> endobj\n", id="a PDF"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="an image"),
    pytest.param(b"\x00\x01\x02\x03\xff\xfe" * 100, id="binary data"),
])
def test_what_is_not_a_csv_by_its_content_is_415(api, content):
    assert refusal(upload(api, UPLOAD_URL, content, name="codes.csv"), 415) == (
        "The file is not a CSV file: a code look-up reads CSV files only."
    )


def test_a_request_that_is_not_multipart_is_415(api):
    response = api.post(UPLOAD_URL, {"file": CODES}, format="json")

    assert refusal(response, 415) == (
        "Send the upload as multipart/form-data with the file in the part `file`; this request is application/json."
    )


def test_a_csv_in_another_encoding_and_delimiter_is_accepted(api):
    content = "code;first_name\nC1;Zoë\n".encode("cp1252")

    assert upload(api, UPLOAD_URL, content).status_code == 201
