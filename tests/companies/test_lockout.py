"""Repeated wrong passwords lock a username out from an address for a while, on the sign-in page and the admin's."""

import time

import pytest
from axes.models import AccessAttempt

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

LOGIN_URL = "/accounts/login/"
ADMIN_LOGIN_URL = "/admin/login/"
PASSWORD = "s3cret-pass-123"  # the factory's
ADDRESS = "198.51.100.20"


def sign_in(client, username: str, password: str, *, url: str = LOGIN_URL, address: str = ADDRESS, **extra):
    return client.post(url, {"username": username, "password": password, "next": "/jobs/"}, REMOTE_ADDR=address,
                       **extra)


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def test_thirty_wrong_passwords_then_the_right_one_is_refused_with_the_reason(client, user):
    answers = [sign_in(client, "alice", f"wrong-{n}").status_code for n in range(30)]

    right = sign_in(client, "alice", PASSWORD)

    assert answers[:4] == [200] * 4  # the sign-in page again, "didn't match"
    assert set(answers[4:]) == {429}
    assert right.status_code == 429
    page = right.content.decode()
    assert (
        "Too many failed sign-ins: after 5 wrong passwords this username is locked out from your address for 15 "
        "minutes (LOGIN_FAILURE_LIMIT, LOGIN_LOCKOUT_MINUTES)." in page
    )
    assert 'name="password"' in page  # still the sign-in page
    assert not signed_in(client)


def test_after_the_cool_off_the_right_password_signs_in(client, user, settings):
    settings.LOGIN_LOCKOUT_MINUTES = 2 / 60
    [sign_in(client, "alice", "wrong") for _ in range(5)]
    refused = sign_in(client, "alice", PASSWORD)

    time.sleep(2.2)  # two seconds from the last refused attempt, which restarted the wait
    accepted = sign_in(client, "alice", PASSWORD)

    assert refused.status_code == 429
    assert "locked out from your address for 2 seconds" in refused.content.decode()
    assert (accepted.status_code, accepted["Location"]) == (302, "/jobs/")
    assert signed_in(client)


def test_the_lock_holds_one_username_from_one_address_only(client, user, company):
    UserFactory(company=company, username="bob")
    [sign_in(client, "alice", "wrong") for _ in range(5)]

    assert sign_in(client, "alice", PASSWORD).status_code == 429
    # The attacker's address cannot sign in as alice, but alice elsewhere can, and others from that address can.
    assert sign_in(client, "bob", PASSWORD).status_code == 302
    client.logout()
    assert sign_in(client, "alice", PASSWORD, address="198.51.100.21").status_code == 302


def test_a_spoofed_forwarded_address_is_not_a_new_address(client, user):
    [sign_in(client, "alice", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}") for n in range(5)]

    assert sign_in(client, "alice", PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429


def test_a_successful_sign_in_forgets_earlier_failures(client, user):
    [sign_in(client, "alice", "wrong") for _ in range(4)]
    assert sign_in(client, "alice", PASSWORD).status_code == 302
    client.logout()

    [sign_in(client, "alice", "wrong") for _ in range(4)]

    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_admin_sign_in_locks_out_too(client, company):
    UserFactory(company=company, username="root", is_staff=True, is_superuser=True)
    [sign_in(client, "root", "wrong", url=ADMIN_LOGIN_URL) for _ in range(5)]

    right = sign_in(client, "root", PASSWORD, url=ADMIN_LOGIN_URL)

    assert right.status_code == 429
    assert "Too many failed sign-ins" in right.content.decode()
    assert not signed_in(client)


def test_an_operator_lifts_every_lock_with_axes_reset(client, user, command):
    [sign_in(client, "alice", "wrong") for _ in range(5)]
    assert sign_in(client, "alice", PASSWORD).status_code == 429

    result = command("axes_reset")

    assert result.status == 0
    assert not AccessAttempt.objects.exists()
    assert sign_in(client, "alice", PASSWORD).status_code == 302


def test_the_failure_limit_comes_from_the_settings(client, user, settings):
    settings.LOGIN_FAILURE_LIMIT = 2
    [sign_in(client, "alice", "wrong") for _ in range(2)]

    refused = sign_in(client, "alice", PASSWORD)

    assert refused.status_code == 429
    assert "after 2 wrong passwords" in refused.content.decode()
