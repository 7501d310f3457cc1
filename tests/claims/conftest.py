import pytest

# --- The fake payer (claims.payer) ---------------------------------------------------------------------------------
from .fake_payer import TOKEN, FakePayer


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
