"""A user's API access page: the token the API takes, replaced at will (the old one refused at once), and the
way to the API's documentation."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PAGE = reverse("imports:api_access")


def jobs_with(client, key: str) -> int:
    return client.get("/api/imports/", HTTP_AUTHORIZATION=f"Bearer {key}").status_code


def test_the_page_shows_a_token_the_api_takes_and_links_the_docs(client, user):
    client.force_login(user)

    response = client.get(PAGE)

    token = response.context["token"]
    assert f'value="{token}"' in response.text
    assert f'href="{reverse("api-docs")}"' in response.text
    client.logout()
    assert jobs_with(client, token) == 200


def test_replacing_the_token_refuses_the_old_one_at_once(client, user):
    client.force_login(user)
    old = client.get(PAGE).context["token"]

    response = client.post(reverse("imports:api_token_new"), follow=True)

    new = response.context["token"]
    assert new != old
    assert "the old one no longer works" in response.text
    client.logout()
    assert jobs_with(client, old) == 401
    assert jobs_with(client, new) == 200


def test_the_page_needs_sign_in_and_replacing_needs_a_post(client, user):
    assert client.get(PAGE).status_code == 302
    client.force_login(user)
    assert client.get(reverse("imports:api_token_new")).status_code == 405


def test_every_page_links_to_api_access(client, user):
    client.force_login(user)
    assert f'href="{PAGE}"' in client.get(reverse("imports:job_list")).text
