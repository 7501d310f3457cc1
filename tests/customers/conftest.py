import pytest

from customers.verification import addresses_verify

from .fake_google import API_KEY, FakeGeocoder


@pytest.fixture(autouse=True)
def _google_maps_offline(settings):
    """No test of customers reaches Google: no key (the default), and a base URL nothing listens on."""
    settings.GOOGLE_MAPS_API_KEY = ""
    settings.GOOGLE_MAPS_BASE_URL = "http://127.0.0.1:9"


@pytest.fixture
def fake_google(settings):
    """A local fake of the Geocoding API, with the settings pointing at it: fast retries and a short timeout."""
    server = FakeGeocoder().start()
    settings.GOOGLE_MAPS_API_KEY = API_KEY
    settings.GOOGLE_MAPS_BASE_URL = server.url
    settings.GOOGLE_MAPS_QUERIES_PER_SECOND = 50
    settings.GOOGLE_MAPS_TIMEOUT = 1.0
    settings.GOOGLE_MAPS_RETRY_SECONDS = 10
    yield server
    server.stop()


@pytest.fixture
def verify_all():
    """Run verification of a company to the end, as the chain of tasks does; return the runs."""

    def run(company) -> list:
        runs, after_pk = [], 0
        while True:
            runs.append(addresses_verify(company_id=company.pk, after_pk=after_pk))
            if runs[-1].outcome != "more":
                return runs
            after_pk = runs[-1].resume_after

    return run
