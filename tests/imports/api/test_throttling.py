"""The API's throttles: per token, per address, and per address for wrong tokens; a refusal is a 429 with
Retry-After and the API's JSON body, naming the rate and its setting."""

import json
import os
import re
import subprocess
import sys
import time

import pytest
from rest_framework.test import APIClient

from companies.services import api_token_for
from tests.factories import UserFactory
from tests.workers import test_database_url

from .conftest import IMPORTS_URL

pytestmark = pytest.mark.django_db

WRONG_TOKEN = "Bearer 0000000000000000000000000000000000000000"


def client_with(authorization: str | None, address: str = "198.51.100.7", **headers) -> APIClient:
    client = APIClient(REMOTE_ADDR=address, **headers)
    if authorization is not None:
        client.credentials(HTTP_AUTHORIZATION=authorization)
    return client


def bearer(user) -> str:
    return f"Bearer {api_token_for(user=user)}"


def assert_throttled(response, detail_start: str, *, window: int = 60) -> None:
    assert response.status_code == 429
    assert 1 <= int(response["Retry-After"]) <= window
    detail = response.json()["detail"]
    assert detail.startswith(detail_start), detail
    assert re.search(r"Try again in (\d+) seconds?\.$", detail).group(1) == response["Retry-After"]


def test_a_token_over_its_rate_is_refused_with_429_retry_after_and_json(settings, user, other_company):
    settings.API_RATE_PER_TOKEN = "3/minute"
    api = client_with(bearer(user))
    others = client_with(bearer(UserFactory(company=other_company)))

    answers = [api.get(IMPORTS_URL).status_code for _ in range(3)]
    refused = api.get(IMPORTS_URL)

    assert answers == [200, 200, 200]
    assert_throttled(refused, "Too many requests with this token: the limit is 3/minute (API_RATE_PER_TOKEN).")
    assert refused["Content-Type"] == "application/json"
    # Another token from the same address has its own allowance.
    assert others.get(IMPORTS_URL).status_code == 200


def test_an_address_over_its_rate_is_refused_whichever_token_it_uses(settings, user, other_company):
    settings.API_RATE_PER_ADDRESS = "4/minute"
    first = client_with(bearer(user))
    second = client_with(bearer(UserFactory(company=other_company)))

    answers = [client.get(IMPORTS_URL).status_code for client in (first, second, first, second)]
    refused = second.get(IMPORTS_URL)

    assert answers == [200, 200, 200, 200]
    assert_throttled(refused, "Too many requests from your address: the limit is 4/minute (API_RATE_PER_ADDRESS).")
    assert client_with(bearer(user), address="198.51.100.8").get(IMPORTS_URL).status_code == 200


def test_a_client_cannot_pick_its_address_with_x_forwarded_for(settings, user):
    settings.API_RATE_PER_ADDRESS = "2/minute"
    api = client_with(bearer(user))

    answers = [
        api.get(IMPORTS_URL, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code for n in range(3)
    ]

    assert answers == [200, 200, 429]


def test_behind_one_proxy_the_address_the_proxy_saw_counts(settings, user):
    """The proxy appends the address it saw; what the client wrote before it is ignored."""
    settings.NUM_PROXIES = 1
    settings.API_RATE_PER_ADDRESS = "2/minute"
    via_proxy = client_with(bearer(user), address="10.0.0.2")

    from_one_client = [
        via_proxy.get(IMPORTS_URL, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}, 192.0.2.1").status_code for n in range(3)
    ]
    from_another = via_proxy.get(IMPORTS_URL, HTTP_X_FORWARDED_FOR="192.0.2.2")

    assert from_one_client == [200, 200, 429]
    assert from_another.status_code == 200


def test_a_hundred_wrong_tokens_in_a_row_are_not_all_answered(user):
    """With the default rate of wrong tokens (20 a minute), the 21st and later wait; so does the right token from
    that address, so guessing learns nothing meanwhile. Another address is not affected."""
    attacker = client_with(WRONG_TOKEN)

    answers = [attacker.get(IMPORTS_URL) for _ in range(100)]
    right_token_same_address = client_with(bearer(user)).get(IMPORTS_URL)

    assert [answer.status_code for answer in answers] == [401] * 20 + [429] * 80
    assert_throttled(
        answers[-1],
        "Too many requests with a wrong token from your address: the limit is 20/minute "
        "(API_FAILED_AUTHENTICATIONS_PER_ADDRESS).",
    )
    assert right_token_same_address.status_code == 429
    assert client_with(bearer(user), address="198.51.100.99").get(IMPORTS_URL).status_code == 200


def test_a_request_without_a_token_is_no_wrong_token(settings):
    settings.API_FAILED_AUTHENTICATIONS_PER_ADDRESS = "2/minute"
    anonymous = client_with(None)

    assert [anonymous.get(IMPORTS_URL).status_code for _ in range(5)] == [401] * 5


def test_after_retry_after_the_request_is_answered_again(settings, user):
    settings.API_RATE_PER_TOKEN = "2/second"
    api = client_with(bearer(user))
    [api.get(IMPORTS_URL) for _ in range(2)]

    refused = api.get(IMPORTS_URL)
    time.sleep(int(refused["Retry-After"]))

    assert refused.status_code == 429
    assert api.get(IMPORTS_URL).status_code == 200


def test_the_public_schema_is_throttled_per_address(settings):
    settings.API_RATE_PER_ADDRESS = "2/minute"
    anonymous = client_with(None)

    assert [anonymous.get("/api/schema/").status_code for _ in range(3)] == [200, 200, 429]


def test_an_unreachable_cache_lets_requests_through(settings, user):
    """Throttling protects the service; an outage of Redis must not refuse it instead."""
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
        "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
    }}

    assert client_with(bearer(user)).get(IMPORTS_URL).status_code == 200
    assert client_with(WRONG_TOKEN).get(IMPORTS_URL).status_code == 401


REQUEST_IN_ANOTHER_PROCESS = """
import json, os, django
django.setup()
from django.test import Client, override_settings
from django.test.utils import setup_test_environment
setup_test_environment()
with override_settings(CACHES=json.loads(os.environ["THROTTLE_CACHES"])):
    response = Client().get("/api/imports/", HTTP_AUTHORIZATION=os.environ["THROTTLE_AUTHORIZATION"],
                            REMOTE_ADDR="198.51.100.7")
print(response.status_code)
"""


def test_every_web_process_shares_the_counts_through_redis(settings):
    """Wrong tokens spent in this process count in another one using the same Redis (on a bare run too: the
    machine's Redis), as gunicorn's workers do."""
    settings.API_FAILED_AUTHENTICATIONS_PER_ADDRESS = "3/minute"
    settings.CACHES = {"default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "KEY_PREFIX": settings.CACHES["default"]["KEY_PREFIX"],
    }}
    [client_with(WRONG_TOKEN).get(IMPORTS_URL) for _ in range(3)]

    answer = subprocess.run(
        [sys.executable, "-c", REQUEST_IN_ANOTHER_PROCESS], cwd=settings.BASE_DIR, capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", "DATABASE_URL": test_database_url(),
             "API_FAILED_AUTHENTICATIONS_PER_ADDRESS": "3/minute", "THROTTLE_CACHES": json.dumps(settings.CACHES),
             "THROTTLE_AUTHORIZATION": WRONG_TOKEN},
        timeout=60,
    )

    assert answer.stdout.strip().splitlines()[-1:] == ["429"], answer.stderr


def test_polling_once_a_second_stays_under_the_default_rates(api):
    """An integrator polling a job once a second (and the suite's own clients) is never refused by default."""
    assert [api.get(IMPORTS_URL).status_code for _ in range(60)] == [200] * 60


def test_the_schema_says_every_operation_may_answer_429_with_retry_after(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    operations = [operation for item in schema["paths"].values() for operation in item.values()]
    assert len(operations) >= 10
    for operation in operations:
        throttled = operation["responses"]["429"]
        assert throttled["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
        assert throttled["headers"]["Retry-After"]["schema"] == {"type": "integer"}
