"""A bad upload is refused before any job exists, with the status that names the problem and one sentence."""

import io
import json
import zipfile

import pytest
from openpyxl import Workbook

from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV, GUIDE_HEADER, GUIDE_ROWS

from .conftest import CUSTOMERS_URL, upload

pytestmark = pytest.mark.django_db


def zip_of(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def workbook_of_the_guide() -> bytes:
    book = Workbook()
    for line in [GUIDE_HEADER, *GUIDE_ROWS]:
        book.active.append(line.split(","))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def refusal(response, status: int) -> str:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/json"
    assert not ImportExportJob.objects.exists()
    return response.json()["detail"]


def test_no_file_is_400_saying_which_part_to_send(api):
    response = api.post(CUSTOMERS_URL, {"options": "{}"}, format="multipart")

    assert refusal(response, 400) == (
        "No file: send it as the multipart/form-data part `file` (a CSV, Excel or JSON file)."
    )


def test_a_file_sent_as_plain_text_is_no_file(api):
    response = api.post(CUSTOMERS_URL, {"file": GUIDE_CSV}, format="multipart")

    assert refusal(response, 400).startswith("No file:")


def test_an_empty_file_is_400(api):
    assert refusal(upload(api, CUSTOMERS_URL, b""), 400) == "The file is empty."


def test_a_file_over_the_largest_upload_is_413_as_it_arrives(api, settings):
    settings.IMPORT_MAX_FILE_MB = settings.UPLOAD_MAX_FILE_MB = 1
    big = GUIDE_HEADER + "\n" + GUIDE_ROWS[0] * (1024 * 1024 // len(GUIDE_ROWS[0]) + 1)

    assert refusal(upload(api, CUSTOMERS_URL, big), 413) == (
        "The file is larger than 1 MB, the limit set by UPLOAD_MAX_FILE_MB."
    )


def test_a_file_over_the_import_limit_within_the_largest_upload_is_413(api, settings):
    """Another kind of upload (claim queries) may carry larger files; an import file is held to its own limit."""
    settings.IMPORT_MAX_FILE_MB, settings.UPLOAD_MAX_FILE_MB = 1, 3
    big = GUIDE_HEADER + "\n" + GUIDE_ROWS[0] * (1024 * 1024 // len(GUIDE_ROWS[0]) + 1)

    assert refusal(upload(api, CUSTOMERS_URL, big), 413) == "The file is 1.0 MB; the limit is 1 MB."
    assert not ImportExportJob.objects.exists()


def test_a_file_at_the_limit_is_accepted(api, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    content = (GUIDE_CSV + " " * 1024 * 1024)[: 1024 * 1024]

    assert upload(api, CUSTOMERS_URL, content).status_code == 202


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"%PDF-1.7\n1 0 obj <<>> endobj\n", "This file is a PDF document, not a spreadsheet"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "This file is a PNG image, not a spreadsheet"),
        (zip_of({"readme.txt": "hello"}), "This file is a ZIP archive, not a spreadsheet"),
        (zip_of({"mimetype": "application/vnd.oasis.opendocument.spreadsheet", "content.xml": "<office:document/>"}),
         "OpenDocument spreadsheets (.ods) are not supported"),
        (b"\x7fELF\x02\x01\x01\x00" + bytes(range(256)) * 8, "The file contains binary data, not text"),
    ],
    ids=["pdf", "png", "zip", "ods", "binary"],
)
def test_a_file_that_is_no_spreadsheet_by_its_content_is_415(api, content, message):
    detail = refusal(upload(api, CUSTOMERS_URL, content, name="customers.csv"), 415)

    assert detail.startswith(message)


def test_a_request_that_is_not_multipart_is_415(api):
    response = api.post(CUSTOMERS_URL, json.dumps({"file": GUIDE_CSV}), content_type="application/json")

    assert refusal(response, 415) == (
        "Send the upload as multipart/form-data with the file in the part `file`; this request is application/json."
    )


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("customers.csv", GUIDE_CSV.encode()),
        ("customers.dat", GUIDE_CSV.replace(",", "\t").encode("utf-16")),
        ("customers.json", json.dumps([dict(zip(GUIDE_HEADER.split(","), GUIDE_ROWS[0].split(","), strict=True))])),
        ("export", workbook_of_the_guide()),
    ],
    ids=["csv", "utf16-tsv-named-dat", "json", "xlsx-without-extension"],
)
def test_supported_files_are_accepted_by_content_whatever_their_name(api, name, content):
    response = upload(api, CUSTOMERS_URL, content, name=name)

    assert response.status_code == 202, response.content
    assert response.json()["file_name"] == name
