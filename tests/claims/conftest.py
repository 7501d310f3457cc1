"""Claims as the guide's sample shows them, stored in a company's local claims store or asked for in a query; and a
fake payer's claim-status API."""

import datetime as dt
from decimal import Decimal

import pytest

from claims.models import Claim
from imports.declare import LookupQuery

from .fake_payer import TOKEN, FakePayer

CHANTAL = {
    "claim_number": "ZE59426195", "first_name": "CHANTAL", "last_name": "KISA",
    "date_of_birth": dt.date(1975, 5, 10), "subscriber_id": "057896633",
}


def query(row: int = 1, **values) -> LookupQuery:
    """A query as the core hands it to a service: cleaned values, CHANTAL's unless `values` say otherwise."""
    return LookupQuery(row, {**CHANTAL, **values})


class Context:
    """What a look-up service reads of its job."""

    def __init__(self, company, *, today=dt.date(2025, 10, 10), job_id="job-1"):
        self.company, self.today, self.job_id = company, today, job_id


@pytest.fixture
def store_claim(company):
    """Save a claim in `company`'s local store: CHANTAL's finalized claim unless `fields` say otherwise."""

    def store(into=None, **fields) -> Claim:
        values = {
            **CHANTAL, "payer_id": "60054", "status": "Finalized", "status_code": "F1",
            "total_charged": Decimal("720.00"), "total_paid": Decimal("351.00"),
            "processed_date": dt.date(2025, 8, 8), "paid_date": dt.date(2025, 8, 12),
            "payer_claim_number": "E12345678", "check_number": "CHK100234", **fields,
        }
        return Claim.objects.create(company=into or company, **values)

    return store


# --- The fake payer (claims.payer) ---------------------------------------------------------------------------------


@pytest.fixture
def fake_payer(settings, tmp_path):
    """A fake payer's claim-status API, with the CLAIMS_API_* settings pointed at it: short time-outs and backoffs,
    a rate limit the tests do not reach, 4 look-ups in flight, and the file-based limits (when there is no Redis)
    in the test's own folder."""
    server = FakePayer(TOKEN).start()
    settings.CLAIMS_API_URL = server.url
    settings.CLAIMS_API_TOKEN = TOKEN
    settings.CLAIMS_API_TIMEOUT = 0.5
    settings.CLAIMS_API_CONNECT_TIMEOUT = 1.0
    settings.CLAIMS_API_RETRIES = 2
    settings.CLAIMS_API_BACKOFF_SECONDS = 0.01
    settings.CLAIMS_API_BACKOFF_MAX_SECONDS = 0.05
    settings.CLAIMS_API_RATE_PER_SECOND = 10_000.0
    settings.CLAIMS_API_BURST = 10_000
    settings.CLAIMS_MAX_IN_FLIGHT = 4
    settings.VAR_DIR = tmp_path / "var"
    yield server
    server.stop()


# --- End of the fake payer -----------------------------------------------------------------------------------------
