"""The fast paths for email and phone give exactly the answers of email-validator and phonenumbers."""

import phonenumbers
import pytest
from email_validator import EmailNotValidError, validate_email
from hypothesis import example, given, settings
from hypothesis import strategies as st

from imports.declare.errors import FieldError
from imports.declare.fields import _NANP_NUMBER, _PLAIN_LOCAL_PART, EmailField, PhoneField


def reference_email(text: str) -> str | None:
    try:
        return validate_email(text, check_deliverability=False).normalized
    except EmailNotValidError:
        return None


def field_email(field: EmailField, text: str) -> str | None:
    """The field's own verdict on text it is given (clean() strips and unescapes first, then calls parse())."""
    try:
        return field.parse(text)
    except FieldError:
        return None


DOMAINS = st.sampled_from([
    "example.com", "EXAMPLE.COM", "Mail.Example.Org", "sub.domain.co.uk", "xn--bcher-kva.example", "bücher.example",
    "localhost", "example", "a..b.com", "-bad.com", "x.test", "x.local", "123.com", "a" * 250 + ".com", "ex_ample.com",
])
LOCAL_PARTS = st.one_of(
    st.from_regex(_PLAIN_LOCAL_PART, fullmatch=True),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=70),
)


@settings(max_examples=600, deadline=None)
@given(local=LOCAL_PARTS, domain=DOMAINS, warm_local=st.from_regex(_PLAIN_LOCAL_PART, fullmatch=True))
@example(local="john.doe", domain="EXAMPLE.COM", warm_local="a")
@example(local="a" * 65, domain="example.com", warm_local="a")
@example(local="a" * 64, domain="b" * 185 + ".com", warm_local="a")
@example(local="a" * 70, domain=".".join(["b" * 60] * 3) + ".com", warm_local="a")
def test_email_fast_path_matches_email_validator(local, domain, warm_local):
    field = EmailField("email")
    field_email(field, f"{warm_local}@{domain}")  # fills the domain cache when the domain is valid

    address = f"{local}@{domain}"

    assert field_email(field, address) == reference_email(address)


def reference_phone(text: str) -> str | None:
    try:
        number = phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    if len(e164) - 1 < 10 or not phonenumbers.is_possible_number(number):
        return None
    return f"{e164} x{number.extension}" if number.extension else e164  # the extension is kept


@settings(max_examples=600, deadline=None)
@given(st.from_regex(_NANP_NUMBER, fullmatch=True))
@example("(555) 555-5555")
@example("+1 (555) 555-5555")
@example("1-555-555-5555")
@example("555.555.5555")
def test_every_number_the_phone_fast_path_takes_gets_phonenumbers_answer(text):
    match = _NANP_NUMBER.fullmatch(text)

    assert "+1" + "".join(match.groups()) == reference_phone(text)


@settings(max_examples=600, deadline=None)
@given(st.text(alphabet="0123456789()+-. x", max_size=20))
def test_phone_field_agrees_with_phonenumbers_on_any_input(text):
    try:
        ours = PhoneField("phone").parse(text)
    except FieldError:
        ours = None

    assert ours == reference_phone(text)


@pytest.mark.parametrize("text", ["055-555-5555", "155-555-5555", "+44 20 7946 0958", "555-555-5555 ext 12"])
def test_numbers_outside_the_fast_path_still_go_through_phonenumbers(text):
    assert _NANP_NUMBER.fullmatch(text) is None
    try:
        ours = PhoneField("phone").clean(text)
    except FieldError:
        ours = None
    assert ours == reference_phone(text)
