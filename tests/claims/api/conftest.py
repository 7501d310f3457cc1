"""Clients of the claims API with a company's token, the guide's file of claim queries, and its claims in the
company's local claims store."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from imports.models import AuditEvent, ImportExportJob
from tests.factories import UserFactory
from tests.imports.api.conftest import token_client

CLAIMS_URL = "/api/v1/claims"
UPLOAD_URL = f"{CLAIMS_URL}/bulk/upload/"
JOBS_URL = f"{CLAIMS_URL}/csv-jobs/"
HEADER = "claim_number,first_name,last_name,date_of_birth,subscriber_id"
# The guide's two sample rows, and the third row of its results example (a claim the store does not have).
GUIDE_CSV = (
    f"{HEADER}\n"
    "ZE59426195,CHANTAL,KISA,05/10/1975,057896633\n"
    "ZE59426196,JOHN,DOE,01/15/1980,123456789\n"
    "ZE59426197,JANE,SMITH,03/03/1970,555000111\n"
)
# What identifies the patients of GUIDE_CSV: never in an error log.
PATIENT_DETAILS = ("CHANTAL", "KISA", "JOHN", "JANE", "SMITH", "05/10/1975", "1975", "03/03/1970", "1970",
                   "057896633", "123456789", "555000111")
RESULTS_HEADER = (
    "row,claim_number,status,patient_name,total_charged,total_paid,processed_date,success,error,status_code,"
    "payer_claim_number,paid_date,check_number,retryable"
)


@pytest.fixture
def api(user) -> APIClient:
    """A client with the token of `user`, of company `company` (Acme Water)."""
    return token_client(user)


@pytest.fixture
def other_api(other_company) -> APIClient:
    """A client with the token of a user of `other_company` (Globex Power)."""
    return token_client(UserFactory(company=other_company, username="bob"))


@pytest.fixture
def guide_claims(store_claim):
    """The guide's two claims in the company's local store: CHANTAL KISA's finalized, JOHN DOE's pending."""
    store_claim()
    store_claim(
        claim_number="ZE59426196", first_name="JOHN", last_name="DOE", date_of_birth=dt.date(1980, 1, 15),
        subscriber_id="123456789", status="Pending", status_code="P1", total_charged=Decimal("500.00"),
        total_paid=Decimal("0.00"), processed_date=dt.date(2025, 8, 10), paid_date=None, payer_claim_number="",
        check_number="",
    )


def upload(client: APIClient, content: str | bytes = GUIDE_CSV, *, name: str = "claims.csv", **request):
    """POST a file as the multipart part `file`, as `curl -F "file=@claims.csv"` does; `request` adds WSGI
    environ (REMOTE_ADDR, headers as HTTP_...)."""
    data = content.encode() if isinstance(content, str) else content
    return client.post(UPLOAD_URL, {"file": SimpleUploadedFile(name, data)}, format="multipart", **request)


def start(client: APIClient, content: str | bytes = GUIDE_CSV, name: str = "claims.csv") -> ImportExportJob:
    """Upload and return the new job."""
    response = upload(client, content, name=name)
    assert response.status_code == 201, response.content
    return ImportExportJob.objects.get(pk=response.json()["id"])


def job_url(job: ImportExportJob, action: str = "") -> str:
    return f"{JOBS_URL}{job.pk}/" + (f"{action}/" if action else "")


def results_lines(response) -> list[str]:
    """The lines of a streamed results CSV, byte-order mark removed."""
    return b"".join(response.streaming_content).decode("utf-8-sig").splitlines()


def audit(action: str) -> list[tuple]:
    """The audit trail's events of `action`: job, way in, user, address."""
    events = AuditEvent.objects.filter(action=action).order_by("created_at")
    return list(events.values_list("job_id", "via", "user__username", "address"))
