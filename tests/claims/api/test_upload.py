"""POST /api/v1/claims/bulk/upload/: the guide's answer, the audit trail, and every refusal before a job exists,
each with its status and one sentence."""

import io

import pytest
from openpyxl import Workbook

from imports.jobs.tasks import job_step
from imports.models import AuditEvent, ImportExportJob

from .conftest import CLAIMS_URL, GUIDE_CSV, HEADER, UPLOAD_URL, upload

pytestmark = pytest.mark.django_db

GUIDE_KEYS = [
    "id", "filename", "status", "total_rows", "processed_rows", "success_count", "failure_count",
    "progress_percentage", "created_at",
]


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
        response = upload(api, GUIDE_CSV)

    assert response.status_code == 201
    body = response.json()
    assert list(body) == GUIDE_KEYS
    job = ImportExportJob.objects.get()
    assert body == {
        "id": str(job.pk), "filename": "claims.csv", "status": "PENDING", "total_rows": 0, "processed_rows": 0,
        "success_count": 0, "failure_count": 0, "progress_percentage": 0.0,
        "created_at": job.created_at.isoformat().replace("+00:00", "Z"),
    }
    assert response["Location"] == f"http://testserver{CLAIMS_URL}/csv-jobs/{job.pk}/"
    assert (job.company, job.created_by, job.job_type, job.target_model) == (company, user, "lookup", "Claim")
    assert job.file.read().decode() == GUIDE_CSV
    assert sent == [[str(job.pk), "prepare"]]  # queued for the workers once committed; the API only enqueues


def test_an_upload_is_in_the_audit_trail_with_the_clients_address(api, user):
    job_id = upload(api, REMOTE_ADDR="203.0.113.7").json()["id"]

    event = AuditEvent.objects.get()
    assert (str(event.job_id), event.action, event.via, event.user, event.address) == (
        job_id, "upload", "api", user, "203.0.113.7"
    )


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(api, settings):
    settings.NUM_PROXIES = 1
    upload(api, REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.1, 192.0.2.44")

    assert AuditEvent.objects.get().address == "192.0.2.44"


def test_a_forwarded_address_that_is_no_address_is_not_recorded(api, settings):
    settings.NUM_PROXIES = 1
    response = upload(api, HTTP_X_FORWARDED_FOR="<script>")

    assert response.status_code == 201
    assert AuditEvent.objects.get().address is None


def test_without_a_token_it_is_401(client):
    response = client.post(UPLOAD_URL, {"file": io.BytesIO(GUIDE_CSV.encode())})

    assert refusal(response, 401) == "Authentication credentials were not provided."
    assert response["WWW-Authenticate"] == "Bearer"


def test_no_file_is_400_saying_which_part_to_send(api):
    response = api.post(UPLOAD_URL, {"other": "x"}, format="multipart")

    assert refusal(response, 400) == "No file: send it as the multipart/form-data part `file` (a CSV file)."


def test_an_empty_file_is_400(api):
    assert refusal(upload(api, b""), 400) == "The file is empty."


def test_a_file_with_a_header_and_no_rows_is_400(api):
    assert refusal(upload(api, f"{HEADER}\n"), 400) == "The file has a header row but no data rows."


def test_missing_columns_are_400_naming_them(api):
    content = "claim_number,first_name,last_name\nZE59426195,CHANTAL,KISA\n"

    assert refusal(upload(api, content), 400) == (
        "Missing required columns: date_of_birth, subscriber_id. Add them to the file's header row."
    )


def test_a_csv_that_cannot_be_read_is_400_saying_where(api):
    detail = refusal(upload(api, f'{HEADER}\nZE59426195,"CHANTAL,KISA,05/10/1975,057896633\n'), 400)

    assert detail.startswith("Row 2 (line 2) opens a quoted value that is never closed")


def guide_rows(size: int) -> str:
    """The guide's header and its first row repeated, `size` bytes at most."""
    row = "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"
    return f"{HEADER}\n" + row * ((size - len(HEADER) - 1) // len(row))


def test_a_file_over_claims_max_file_mb_is_413(api, settings):
    settings.CLAIMS_MAX_FILE_MB = 1
    big = guide_rows(1024 * 1024) + "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"

    assert refusal(upload(api, big), 413) == "The file is 1.0 MB; the limit is 1 MB."


def test_a_file_at_claims_max_file_mb_is_accepted(api, settings):
    settings.CLAIMS_MAX_FILE_MB = 1

    assert upload(api, guide_rows(1024 * 1024)).status_code == 201


def test_a_claims_file_over_the_import_limit_but_within_its_own_is_accepted(api, settings):
    """CLAIMS_MAX_FILE_MB, not IMPORT_MAX_FILE_MB, bounds a file of claim queries (the largest upload follows the
    larger of the two)."""
    settings.IMPORT_MAX_FILE_MB, settings.CLAIMS_MAX_FILE_MB, settings.UPLOAD_MAX_FILE_MB = 1, 2, 2

    assert upload(api, guide_rows(1536 * 1024)).status_code == 201


def test_the_largest_upload_follows_the_larger_of_the_two_limits():
    from django.conf import settings

    assert max(settings.IMPORT_MAX_FILE_MB, settings.CLAIMS_MAX_FILE_MB) == settings.UPLOAD_MAX_FILE_MB


def workbook() -> bytes:
    book = Workbook()
    book.active.append(HEADER.split(","))
    book.active.append(["ZE59426195", "CHANTAL", "KISA", "05/10/1975", "057896633"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("content", [
    pytest.param(workbook(), id="an Excel workbook named .csv"),
    pytest.param(b'[{"claim_number": "ZE59426195"}]', id="JSON"),
    pytest.param(b"%PDF-1.7\n1 0 obj <<>> endobj\n", id="a PDF"),
    pytest.param(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", id="an image"),
    pytest.param(b"\x00\x01\x02\x03\xff\xfe" * 100, id="binary data"),
])
def test_what_is_not_a_csv_by_its_content_is_415(api, content):
    assert refusal(upload(api, content, name="claims.csv"), 415) == (
        "The file is not a CSV file: a claims look-up reads CSV files only."
    )


def test_a_request_that_is_not_multipart_is_415(api):
    response = api.post(UPLOAD_URL, {"file": GUIDE_CSV}, format="json")

    assert refusal(response, 415) == (
        "Send the upload as multipart/form-data with the file in the part `file`; this request is application/json."
    )


def test_a_csv_in_another_encoding_and_delimiter_is_accepted(api):
    content = f"{HEADER}\nZE59426195;ZOË;KISA;05/10/1975;057896633\n".replace(",", ";").encode("cp1252")

    assert upload(api, content).status_code == 201
