"""`manage.py create_company` and the tenants it creates."""

import pytest
from rest_framework.authtoken.models import Token
from rest_framework.test import APIRequestFactory

from companies.authentication import BearerTokenAuthentication
from companies.models import Company, User
from companies.services import CompanySetupError, company_create
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


def test_creates_company_and_first_user_and_prints_only_the_token_line(command):
    result = command("create_company", "acme", "--name", "Acme Water", "--user", "alice", "--password", "s3cret-pass!")

    assert result.status == 0
    user = User.objects.get(username="alice")
    assert result.stdout == f"token: {Token.objects.get(user=user).key}\n"
    assert (user.company.slug, user.company.name) == ("acme", "Acme Water")
    assert user.check_password("s3cret-pass!")


def test_the_first_user_is_the_companys_administrator_who_sees_its_audit_trail(command):
    command("create_company", "acme", "--name", "Acme Water", "--user", "alice", "--password", "s3cret-pass!")

    user = User.objects.get(username="alice")
    assert user.has_perm("imports.view_auditevent")
    assert not user.is_staff  # the Django admin, which shows every company, stays closed to them


def test_printed_token_authenticates_as_bearer(command):
    result = command("create_company", "acme", "--name", "Acme", "--user", "alice", "--password", "s3cret-pass!")
    key = result.stdout.split("token: ")[1].strip()

    request = APIRequestFactory().get("/", HTTP_AUTHORIZATION=f"Bearer {key}")
    user, token = BearerTokenAuthentication().authenticate(request)

    assert (user.username, token.key) == ("alice", key)


def test_tenant_numbers_are_four_digits_unique_and_assigned_in_order(command):
    command("create_company", "one", "--name", "One", "--user", "u1", "--password", "s3cret-pass!")
    command("create_company", "two", "--name", "Two", "--user", "u2", "--password", "s3cret-pass!")

    numbers = list(Company.objects.order_by("tenant_number").values_list("tenant_number", flat=True))
    assert numbers == [1001, 1002]


@pytest.mark.parametrize(
    ("slug", "username", "message"),
    [
        ("acme", "newuser", "Company 'acme' already exists."),
        ("newco", "alice", "User 'alice' already exists."),
        ("Bad Slug!", "bob", "Invalid slug 'Bad Slug!': use lowercase letters, digits and hyphens."),
    ],
)
def test_existing_slug_or_username_exits_2_with_one_line_and_changes_nothing(command, slug, username, message):
    command("create_company", "acme", "--name", "Acme", "--user", "alice", "--password", "s3cret-pass!")

    result = command("create_company", slug, "--name", "New", "--user", username, "--password", "s3cret-pass!")

    assert (result.status, result.stderr, result.stdout) == (2, message + "\n", "")
    assert (Company.objects.count(), User.objects.count(), Token.objects.count()) == (1, 1, 1)


def test_a_weak_password_is_refused_and_nothing_is_created(command):
    result = command("create_company", "acme", "--name", "Acme", "--user", "alice", "--password", "123")

    assert result.status == 2
    assert result.stderr.startswith("Password rejected: This password is too short.")
    assert Company.objects.count() == 0


def test_company_create_refuses_when_every_tenant_number_is_taken():
    CompanyFactory(tenant_number=Company.LAST_TENANT_NUMBER)

    with pytest.raises(CompanySetupError, match="No tenant numbers left"):
        company_create(name="Late", slug="late")


def test_setup_demo_is_idempotent_and_prints_the_login_and_token(command):
    first = command("setup_demo")
    second = command("setup_demo")

    assert first.stdout == second.stdout
    assert "Sign in as:   demo / flowtrack-demo" in first.stdout
    demo = User.objects.get(username="demo")
    assert f"API token:    {Token.objects.get(user=demo).key}" in first.stdout
    assert demo.is_superuser
    assert demo.company.slug == "demo"
