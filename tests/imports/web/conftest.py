"""What the web pages' tests share: a client signed in as `user` (of `company`)."""

import pytest


@pytest.fixture
def signed_in(client, user):
    client.force_login(user)
    return client
