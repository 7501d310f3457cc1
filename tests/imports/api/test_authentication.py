"""Every endpoint of the API wants a valid Bearer token: without one it answers 401 and says how to authenticate."""

import pytest
from rest_framework.test import APIClient

from companies.services import api_token_for
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, IMPORTS_URL, READINGS_URL, job_of, upload

pytestmark = pytest.mark.django_db


@pytest.fixture
def endpoints(api) -> list[tuple[str, str]]:
    """(method, url) of every endpoint, with a real job of the company in the job URLs."""
    job = job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV))
    urls = [("get", IMPORTS_URL), ("post", IMPORTS_URL), ("get", "/api/imports/targets")]
    for base in (CUSTOMERS_URL, READINGS_URL, IMPORTS_URL.rstrip("/")):
        urls += [("get", f"{base}/{job.pk}"), ("get", f"{base}/{job.pk}/errors")]
    urls += [("post", CUSTOMERS_URL), ("get", CUSTOMERS_URL), ("post", READINGS_URL), ("get", READINGS_URL)]
    return urls


@pytest.mark.parametrize(
    ("authorization", "detail"),
    [
        (None, "Authentication credentials were not provided."),
        ("Bearer not-a-token", "Invalid token."),
        ("Bearer", "Invalid token header. No credentials provided."),
    ],
    ids=["no-token", "unknown-token", "empty-bearer"],
)
def test_every_endpoint_answers_401_with_www_authenticate_bearer(endpoints, authorization, detail):
    client = APIClient()
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)

    for method, url in endpoints:
        response = getattr(client, method)(url)

        assert response.status_code == 401, (method, url)
        assert response["WWW-Authenticate"] == "Bearer", (method, url)
        assert response.json() == {"detail": detail}, (method, url)


def test_the_token_keyword_of_drf_is_not_accepted(user):
    """The header is `Bearer <key>`; `Token <key>` is not an authentication this API knows."""
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {api_token_for(user=user)}")

    assert client.get(IMPORTS_URL).status_code == 401


def test_a_signed_in_browser_session_is_no_api_authentication(client, user):
    client.force_login(user)

    response = client.get(IMPORTS_URL)

    assert response.status_code == 401


def test_an_inactive_users_token_is_refused(api, user):
    user.is_active = False
    user.save()

    response = api.get(IMPORTS_URL)

    assert response.status_code == 401
    assert response.json() == {"detail": "User inactive or deleted."}
