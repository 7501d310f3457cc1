"""Creating tenants and their users."""

from django.contrib.auth.models import Permission
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.text import slugify
from rest_framework.authtoken.models import Token

from .models import Company, User


class CompanySetupError(Exception):
    """A company or user could not be created; the message says why in one sentence."""


def tenant_number_next() -> int:
    """The next free four-digit tenant number."""
    highest = Company.objects.aggregate(highest=Max("tenant_number"))["highest"]
    number = (highest or Company.FIRST_TENANT_NUMBER - 1) + 1
    if number > Company.LAST_TENANT_NUMBER:
        raise CompanySetupError("No tenant numbers left: all four-digit numbers are taken.")
    return number


def company_create(*, name: str, slug: str, default_rate_code: str = "STANDARD") -> Company:
    """Create a company with the next free four-digit tenant number.

    Two companies created at the same moment may pick the same number; the unique constraint turns the loser's
    insert into an IntegrityError and it simply takes the next number.
    """
    if not slug or slugify(slug) != slug:
        raise CompanySetupError(f"Invalid slug '{slug}': use lowercase letters, digits and hyphens.")
    if Company.objects.filter(slug=slug).exists():
        raise CompanySetupError(f"Company '{slug}' already exists.")
    for _attempt in range(5):
        number = tenant_number_next()
        try:
            with transaction.atomic():
                return Company.objects.create(
                    name=name, slug=slug, tenant_number=number, default_rate_code=default_rate_code
                )
        except IntegrityError:
            if Company.objects.filter(slug=slug).exists():
                raise CompanySetupError(f"Company '{slug}' already exists.") from None
    raise CompanySetupError("Could not assign a tenant number; please try again.")


def user_create(
    *, company: Company, username: str, password: str, email: str = "", is_superuser: bool = False
) -> User:
    """Create a user of `company` after checking the password against the project's password rules."""
    if User.objects.filter(username=username).exists():
        raise CompanySetupError(f"User '{username}' already exists.")
    user = User(username=username, email=email, company=company, is_staff=is_superuser, is_superuser=is_superuser)
    try:
        validate_password(password, user=user)
    except ValidationError as error:
        raise CompanySetupError("Password rejected: " + " ".join(error.messages)) from None
    user.set_password(password)
    user.save()
    return user


def api_token_for(*, user: User) -> str:
    """The user's API token key, created on first use."""
    token, _created = Token.objects.get_or_create(user=user)
    return token.key


@transaction.atomic
def api_token_rotate(*, user: User) -> str:
    """A new API token key for the user; the old one stops working at once (a leaked key is rotated this way)."""
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user).key


# What makes a user one of the company's administrators: they see its audit trail (the page at /audit/).
COMPANY_ADMINISTRATOR_PERMISSION = ("imports", "view_auditevent")


def company_administrator_grant(*, user: User) -> None:
    app_label, codename = COMPANY_ADMINISTRATOR_PERMISSION
    user.user_permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


@transaction.atomic
def company_with_owner_create(*, slug: str, name: str, username: str, password: str) -> tuple[Company, User, str]:
    """Create a company, its first user (the company's administrator) and that user's API token, all or nothing."""
    if User.objects.filter(username=username).exists():
        raise CompanySetupError(f"User '{username}' already exists.")
    company = company_create(name=name, slug=slug)
    user = user_create(company=company, username=username, password=password)
    company_administrator_grant(user=user)
    return company, user, api_token_for(user=user)
