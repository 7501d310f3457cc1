"""Clients of the API with a company's token, and uploads as integrators send them (multipart/form-data)."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from companies.services import api_token_for
from imports.models import ImportExportJob
from tests.conftest import GUIDE_HEADER
from tests.factories import UserFactory

CUSTOMERS_URL = "/api/customers/import"
READINGS_URL = "/api/readings/import"
IMPORTS_URL = "/api/imports/"

# The guide's header with a good row, a row with a bad email and a row with a bad state.
MIXED_CSV = (
    GUIDE_HEADER + "\n"
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-001234,,active,residential\n"
    "Bad,Email,notanemail,555-555-5556,1 A St,Springfield,IL,62702,MTR-2,,active,residential\n"
    "Bad,State,bad.state@example.com,555-555-5557,2 B St,Springfield,ZZ,62703,MTR-3,,active,residential\n"
)


def token_client(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_for(user=user)}")
    return client


@pytest.fixture
def api(user) -> APIClient:
    """A client with the token of `user`, of company `company` (Acme Water)."""
    return token_client(user)


@pytest.fixture
def other_api(other_company) -> APIClient:
    """A client with the token of a user of `other_company` (Globex Power)."""
    return token_client(UserFactory(company=other_company, username="bob"))


def upload(client: APIClient, url: str, content: str | bytes, *, name: str = "customers.csv", options=None,
           **fields):
    """POST a file as the multipart part `file`; `options` as given (text) or as JSON (anything else)."""
    data = content.encode() if isinstance(content, str) else content
    form = {"file": SimpleUploadedFile(name, data), **fields}
    if options is not None:
        form["options"] = options if isinstance(options, str) else json.dumps(options)
    return client.post(url, form, format="multipart")


def job_of(response) -> ImportExportJob:
    return ImportExportJob.objects.get(pk=response.json()["id"])


def csv_rows(response) -> list[str]:
    """The lines of a downloaded CSV (a FileResponse), byte-order mark removed."""
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()

