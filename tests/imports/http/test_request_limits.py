"""A request body is bounded before and while it is read: over the cap it is refused without being read, a file is
refused as it passes UPLOAD_MAX_FILE_MB (nothing left on disk), a stalled body is refused after the pause allowed,
and Django's own form limits answer with a sentence naming their setting (JSON on the API)."""

import io
import socket
from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from imports.http.request_limits import BoundedBody, RequestBodyTooLarge, RequestBodyTooSlow, request_body_cap
from imports.models import ImportExportJob, ImportUpload
from tests.conftest import GUIDE_CSV
from tests.imports.api.conftest import CUSTOMERS_URL, token_client, upload

pytestmark = pytest.mark.django_db

MB = 1024 * 1024


class UnreadableBody(io.RawIOBase):
    """A body that fails the test if anything reads it."""

    def readable(self):
        return True

    def readinto(self, buffer):
        raise AssertionError("the request body was read")


def declared_huge(client, url: str, **headers):
    """A POST that declares a 512 MB body and would fail the test if the body were read."""
    return client.generic(
        "POST", url, b"x", content_type="multipart/form-data; boundary=x", headers=headers,
        CONTENT_LENGTH=str(512 * MB), **{"wsgi.input": UnreadableBody()},
    )


@pytest.fixture
def api(user):
    return token_client(user)


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client


def test_the_cap_is_the_file_limit_plus_the_form_fields_allowance(settings):
    settings.UPLOAD_MAX_FILE_MB = 10
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * MB

    assert 12 * MB < request_body_cap() <= 12 * MB + 64 * 1024


def test_an_api_body_declared_over_the_cap_is_413_json_before_it_is_read(api):
    response = declared_huge(api, CUSTOMERS_URL)

    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == (
        "The request is 512 MB; an upload may be at most 12.6 MB: a file within UPLOAD_MAX_FILE_MB (10 MB) and the "
        "form's other fields within DATA_UPLOAD_MAX_MEMORY_SIZE."
    )
    assert not ImportExportJob.objects.exists()


def test_a_wizard_body_declared_over_the_cap_is_a_short_page_or_text_for_the_script(signed_in):
    url = reverse("imports:wizard_upload", args=["Customer"])

    page = declared_huge(signed_in, url)
    text = declared_huge(signed_in, url, X_Requested_With="fetch")

    assert page.status_code == text.status_code == 413
    assert page["Content-Type"] == "text/html; charset=utf-8"
    assert f"<h1>{HTTPStatus(413).phrase}</h1>" in page.content.decode()
    assert "The request is 512 MB; an upload may be at most 12.6 MB" in page.content.decode()
    assert text["Content-Type"] == "text/plain; charset=utf-8"
    assert text.content.decode().startswith("The request is 512 MB;")
    assert not ImportUpload.objects.exists()


def test_a_file_over_the_limit_stops_as_it_arrives_and_leaves_no_temporary_file(api, settings, tmp_path):
    settings.IMPORT_MAX_FILE_MB = settings.UPLOAD_MAX_FILE_MB = 1
    settings.FILE_UPLOAD_TEMP_DIR = spool = tmp_path / "spool"
    spool.mkdir()

    response = upload(api, CUSTOMERS_URL, GUIDE_CSV + "x" * (MB + 1))

    assert response.status_code == 413
    assert response.json()["detail"] == "The file is larger than 1 MB, the limit set by UPLOAD_MAX_FILE_MB."
    assert list(spool.iterdir()) == []


def test_a_file_within_the_limit_is_streamed_to_a_temporary_file(api, settings, tmp_path):
    settings.FILE_UPLOAD_TEMP_DIR = spool = tmp_path / "spool"
    spool.mkdir()
    seen = []
    original = BoundedBody.read

    def spying_read(self, *args):
        seen.extend(spool.iterdir())
        return original(self, *args)

    BoundedBody.read = spying_read
    try:
        response = upload(api, CUSTOMERS_URL, GUIDE_CSV)
    finally:
        BoundedBody.read = original

    assert response.status_code == 202, response.content
    assert seen  # the file was on disk while the body was still being read
    assert list(spool.iterdir()) == []  # and gone once the request ended


def test_a_body_that_passes_the_cap_as_it_arrives_is_refused():
    body = BoundedBody(io.BytesIO(b"x" * 100), cap=64)

    assert body.read(50) == b"x" * 50
    with pytest.raises(RequestBodyTooLarge, match="passed 0 MB as it arrived"):
        body.read(50)


def test_a_stalled_body_is_refused_after_the_pause_allowed(settings):
    settings.REQUEST_BODY_IDLE_SECONDS = 1
    server, client = socket.socketpair()
    try:
        client.sendall(b"the first bytes")
        body = BoundedBody(server.makefile("rb", buffering=0), cap=1024, sock=server)

        assert body.read(15) == b"the first bytes"
        with pytest.raises(RequestBodyTooSlow) as refused:
            body.read(15)  # the client sends nothing more
        body.release()
        assert server.gettimeout() is None  # the socket is handed back as it was
    finally:
        server.close()
        client.close()
    assert refused.value.status_code == 408
    assert str(refused.value) == (
        "The request's body paused for more than 1 seconds, the limit set by REQUEST_BODY_IDLE_SECONDS; send it again."
    )


def test_a_body_past_its_total_time_is_refused(settings):
    settings.REQUEST_BODY_SECONDS = 0
    server, client = socket.socketpair()
    try:
        body = BoundedBody(server.makefile("rb", buffering=0), cap=1024, sock=server)
        with pytest.raises(RequestBodyTooSlow, match="took more than 0 seconds to arrive, the limit set by "
                                                     "REQUEST_BODY_SECONDS"):
            body.read(1)
    finally:
        server.close()
        client.close()


def test_too_many_form_fields_are_400_json_naming_the_setting(api):
    fields = {f"field_{number}": "1" for number in range(1500)}

    response = upload(api, CUSTOMERS_URL, GUIDE_CSV, **fields)

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json()["detail"] == (
        "The request has more than 1,000 form fields, the limit set by DATA_UPLOAD_MAX_NUMBER_FIELDS."
    )


def test_too_many_files_are_400_json_naming_the_setting(api):
    files = {f"file_{number}": SimpleUploadedFile(f"{number}.csv", b"a\n1\n") for number in range(150)}

    response = api.post(CUSTOMERS_URL, files, format="multipart")

    assert response.status_code == 400
    assert response.json()["detail"] == (
        "The request has more than 100 files, the limit set by DATA_UPLOAD_MAX_NUMBER_FILES."
    )


def test_a_3_mb_options_field_is_413_json_naming_the_setting(api):
    response = upload(api, CUSTOMERS_URL, GUIDE_CSV, options="{" + " " * 3 * MB + "}")

    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The request's form fields other than files are over 2.5 MB, the limit set by DATA_UPLOAD_MAX_MEMORY_SIZE."
    )
    assert not ImportExportJob.objects.exists()


def test_too_many_fields_in_the_wizard_is_a_page_naming_the_setting(signed_in):
    fields = {f"field_{number}": "1" for number in range(1500)}

    response = signed_in.post(reverse("imports:wizard_upload", args=["Customer"]),
                              {"file": SimpleUploadedFile("customers.csv", GUIDE_CSV.encode()), **fields})

    assert response.status_code == 400
    assert "The request has more than 1,000 form fields" in response.content.decode()
    assert response["Content-Type"] == "text/html; charset=utf-8"
