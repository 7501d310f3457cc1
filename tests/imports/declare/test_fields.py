"""Field declarations: how one cell's text becomes a stored value, or a FieldError whose text the user reads."""

import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import email_validator.deliverability
import pytest
from django.db import models

from customers.models import Customer
from imports.declare.errors import FieldError
from imports.declare.fields import (
    BooleanField,
    ChoiceField,
    DateField,
    DecimalField,
    EmailField,
    ImportField,
    PhoneField,
    PostalCodeField,
    URLField,
    USStateField,
)
from imports.declare.formulas import escape_formula
from imports.engine.planning import ImportContext


def error_of(field: ImportField, raw: str) -> str:
    """The user's message for a cell the field rejects."""
    with pytest.raises(FieldError) as raised:
        field.clean(raw)
    return str(raised.value)


class Plan(models.TextChoices):
    """Choices whose labels differ from their values, to show labels are matched too."""

    RESIDENTIAL_BASIC = "res-basic", "Residential Basic"
    COMMERCIAL_FLAT = "com-flat", "Commercial Flat Rate"


EVERY_FIELD_TYPE = [
    ImportField("notes"),
    EmailField("email"),
    PhoneField("phone"),
    USStateField("state"),
    PostalCodeField("postal_code"),
    ChoiceField("status", choices=Customer.Status),
    DateField("connection_date"),
    BooleanField("is_primary"),
    URLField("website"),
]


# --- Blank cells -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("field", EVERY_FIELD_TYPE, ids=lambda field: type(field).__name__)
@pytest.mark.parametrize("raw", ["", "   ", " \t "], ids=["empty", "spaces", "tab"])
def test_blank_or_whitespace_only_cell_is_stored_as_none(field, raw):
    # given a cell with no text, when it is cleaned, then there is no value (and no error)
    assert field.clean(raw) is None


# --- Email -------------------------------------------------------------------------------------------------------


def test_email_is_stored_normalised_with_its_domain_lower_cased():
    assert EmailField("email").clean("John.Doe@EXAMPLE.com") == "John.Doe@example.com"


def test_email_surrounding_whitespace_is_stripped():
    assert EmailField("email").clean("  john.doe@example.com \t") == "john.doe@example.com"


def test_email_is_checked_for_syntax_only_without_a_dns_lookup(monkeypatch):
    # given any DNS look-up fails the test (example.com also publishes a null MX, so a look-up would reject it)
    def dns_lookup(*args, **kwargs):
        raise AssertionError("the email field looked up DNS")

    monkeypatch.setattr(email_validator.deliverability, "validate_email_deliverability", dns_lookup)

    # when a well-formed address is cleaned, then it is accepted
    assert EmailField("email").clean("someone@example.com") == "someone@example.com"


@pytest.mark.parametrize("raw", ["notanemail", "a@b", "john doe@example.com", "@example.com", "john@"])
def test_invalid_email_is_rejected_with_invalid_email_format(raw):
    assert error_of(EmailField("email"), raw) == "Invalid email format"


def test_invalid_email_in_a_non_canonical_field_names_the_field():
    assert error_of(EmailField("primary_contact_email"), "notanemail") == (
        "Invalid email format in primary contact email"
    )


# --- Phone -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["(555) 555-5555", "555-555-5555", "5555555555", "+1-555-555-5555"])
def test_phone_in_common_us_formats_is_stored_as_e164(raw):
    assert PhoneField("phone").clean(raw) == "+15555555555"


def test_phone_with_its_own_country_code_is_not_read_as_us():
    assert PhoneField("phone").clean("+44 20 7946 0958") == "+442079460958"


@pytest.mark.parametrize("raw", ["555-5555", "12345", "abc", "555-555-555"])
def test_phone_with_fewer_than_ten_digits_or_no_number_is_rejected(raw):
    assert error_of(PhoneField("phone"), raw) == "Invalid phone number"


def test_invalid_phone_in_a_non_canonical_field_names_the_field():
    assert error_of(PhoneField("billing_phone"), "12345") == "Invalid phone number in billing phone"


# --- State -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"), [("il", "IL"), ("IL", "IL"), ("Dc", "DC"), ("PR", "PR"), ("GU", "GU"), ("vi", "VI")]
)
def test_us_state_or_territory_code_in_any_case_is_stored_upper_case(raw, stored):
    assert USStateField("state").clean(raw) == stored


@pytest.mark.parametrize("raw", ["XX", "Illinois", "I"])
def test_unknown_state_code_is_rejected_with_invalid_state_code(raw):
    assert error_of(USStateField("state"), raw) == "Invalid state code"


def test_invalid_state_in_billing_state_names_the_field():
    assert error_of(USStateField("billing_state"), "XX") == "Invalid state code in billing state"


# --- Postal code -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("62701", "62701"), ("627011234", "62701-1234"), ("62701-1234", "62701-1234"), ("62701 1234", "62701-1234")],
)
def test_zip_code_of_five_or_nine_digits_is_stored_as_zip_or_zip_plus_four(raw, stored):
    assert PostalCodeField("postal_code").clean(raw) == stored


@pytest.mark.parametrize("raw", ["627012", "ABCDE", "62701-12", "\u0666\u0662\u0667\u0660\u0661"])
def test_malformed_zip_code_is_rejected_naming_the_field_and_value(raw):
    assert error_of(PostalCodeField("postal_code"), raw) == (
        f"Invalid postal code '{raw}': use 5 digits (62701) or 9 digits (62701-1234)"
    )


def test_four_digit_zip_code_is_rejected_with_a_hint_that_excel_dropped_a_leading_zero():
    assert error_of(PostalCodeField("postal_code"), "6270") == (
        "Invalid postal code '6270': use 5 digits (62701) or 9 digits (62701-1234); "
        "if Excel dropped a leading zero, format the column as Text"
    )


def test_invalid_zip_code_in_billing_postal_code_names_that_field():
    assert error_of(PostalCodeField("billing_postal_code"), "ABCDE").startswith("Invalid billing postal code 'ABCDE': ")


# --- Choices -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["active", "ACTIVE", "Active", "aCtIvE"])
def test_choice_matches_ignoring_case_and_is_stored_as_its_value(raw):
    assert ChoiceField("status", choices=Customer.Status).clean(raw) == "active"


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("Residential Basic", "res-basic"), ("COMMERCIAL FLAT RATE", "com-flat"), ("com-flat", "com-flat")],
)
def test_choice_matches_its_label_as_well_as_its_value(raw, stored):
    assert ChoiceField("rate_plan", choices=Plan).clean(raw) == stored


def test_value_outside_the_choices_is_rejected_naming_field_value_and_allowed_values():
    assert error_of(ChoiceField("status", choices=Customer.Status), "pending") == (
        "Invalid status 'pending': use one of active, inactive, suspended"
    )


# --- Dates -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["2024-01-15", "2024-01-15T00:00:00", "2024-01-15 00:00:00"])
def test_iso_date_or_excel_midnight_date_cell_is_stored_as_a_date(raw):
    value = DateField("connection_date").clean(raw)
    assert value == dt.date(2024, 1, 15)
    assert type(value) is dt.date


@pytest.mark.parametrize("raw", ["01/15/2024", "2024-13-01", "2024-02-30", "20240115", "2024-01-15T10:30:00"])
def test_date_not_written_as_a_real_yyyy_mm_dd_day_is_rejected_naming_field_and_value(raw):
    assert error_of(DateField("connection_date"), raw) == (
        f"Invalid connection date '{raw}': use YYYY-MM-DD, e.g. 2024-01-15"
    )


# --- Max length --------------------------------------------------------------------------------------------------


def test_value_longer_than_max_length_is_rejected_naming_the_field_and_the_limit():
    assert error_of(ImportField("first_name", max_length=5), "abcdef") == (
        "First name is too long: 6 characters, at most 5"
    )


def test_value_of_exactly_max_length_is_accepted():
    assert ImportField("first_name", max_length=5).clean("abcde") == "abcde"


def test_max_length_is_checked_after_surrounding_whitespace_is_stripped():
    assert ImportField("first_name", max_length=5).clean("  abcde  ") == "abcde"


# --- Formula escapes on the way in -------------------------------------------------------------------------------


def test_cell_escaped_against_formulas_is_stored_without_the_apostrophe():
    assert ImportField("notes").clean("'=SUM(A1)") == "=SUM(A1)"


def test_escaped_international_phone_number_is_read_as_the_number():
    assert PhoneField("phone").clean("'+15555555555") == "+15555555555"


def test_leading_apostrophe_not_followed_by_a_formula_character_is_kept():
    assert ImportField("notes").clean("'quoted") == "'quoted"


# --- to_text: exports read back unchanged ------------------------------------------------------------------------

ROUND_TRIPS = [
    (DateField("connection_date"), dt.date(2024, 1, 15)),
    (DateField("connection_date"), dt.date(2024, 2, 29)),
    (PhoneField("phone"), "+15555555555"),
    (PhoneField("phone"), "+442079460958"),
    (PostalCodeField("postal_code"), "62701-1234"),
    (PostalCodeField("postal_code"), "62701"),
    (ChoiceField("status", choices=Customer.Status), "suspended"),
    (ChoiceField("status", choices=Customer.Status), Customer.Status.ACTIVE),
    (ChoiceField("rate_plan", choices=Plan), "com-flat"),
    (EmailField("email"), "John.Doe@example.com"),
    (USStateField("state"), "PR"),
    (ImportField("notes"), "Gate code 1234"),
    (ImportField("notes"), "=SUM(A1)"),
    (ImportField("notes"), None),
    (BooleanField("is_primary"), True),
    (BooleanField("is_primary"), False),
    (URLField("website"), "https://example.com/a?b=1"),
]


def _round_trip_id(case) -> str:
    return repr(case) if not isinstance(case, ImportField) else type(case).__name__


@pytest.mark.parametrize(("field", "value"), ROUND_TRIPS, ids=_round_trip_id)
def test_to_text_of_a_stored_value_cleans_back_to_the_same_value(field, value):
    assert field.clean(field.to_text(value)) == value


@pytest.mark.parametrize(("field", "value"), ROUND_TRIPS, ids=_round_trip_id)
def test_exported_cell_escaped_against_formulas_cleans_back_to_the_same_value(field, value):
    assert field.clean(escape_formula(field.to_text(value))) == value


def test_date_to_text_is_the_iso_date():
    assert DateField("connection_date").to_text(dt.date(2024, 1, 5)) == "2024-01-05"


def test_to_text_of_no_value_is_an_empty_cell():
    assert ImportField("notes").to_text(None) == ""


# --- Defaults ----------------------------------------------------------------------------------------------------


def test_default_for_returns_a_plain_default():
    field = ChoiceField("status", choices=Customer.Status, default=Customer.Status.ACTIVE)
    assert field.default_for(SimpleNamespace()) == "active"


def test_default_for_is_none_when_the_field_declares_no_default():
    assert ImportField("notes").default_for(SimpleNamespace()) is None


def test_default_for_calls_a_callable_default_with_the_context():
    # given a context for a company whose default rate is RES-1, and a default that reads it
    context = ImportContext(company=SimpleNamespace(default_rate_code="RES-1"), today=dt.date(2024, 1, 15))
    received = []

    def company_rate(ctx):
        received.append(ctx)
        return ctx.company.default_rate_code

    field = ImportField("rate_code", default=company_rate)

    # when the default is asked for, then the callable got that very context and its answer is the default
    assert field.default_for(context) == "RES-1"
    assert received == [context]
    assert received[0] is context


def test_callable_default_can_depend_on_the_day_of_the_import():
    field = DateField("connection_date", default=lambda context: context.today)
    context = ImportContext(company=SimpleNamespace(), today=dt.date(2024, 3, 1))
    assert field.default_for(context) == dt.date(2024, 3, 1)


READING = DecimalField("reading_value", max_digits=7, decimal_places=3, min_value=Decimal(0))


@pytest.mark.parametrize(
    ("raw", "stored", "text"),
    [("12", Decimal("12"), "12"), ("12.5", Decimal("12.5"), "12.5"), ("1,234.5", Decimal("1234.5"), "1234.5"),
     ("0", Decimal("0"), "0"), ("1e2", Decimal("100"), "100"), ("120.000", Decimal("120"), "120")],
)
def test_numbers_are_stored_exactly_and_written_back_plainly(raw, stored, text):
    value = READING.clean(raw)
    assert value == stored
    assert READING.to_text(value) == text
    assert READING.clean(READING.to_text(value)) == value


@pytest.mark.parametrize(
    ("raw", "message"),
    [("abc", "Invalid reading value 'abc': use a number such as 12345 or 12345.6"),
     ("NaN", "Invalid reading value 'NaN': use a number such as 12345 or 12345.6"),
     ("-inf", "Invalid reading value '-inf': use a number such as 12345 or 12345.6"),
     ("-0.5", "Invalid reading value '-0.5': it cannot be negative"),
     ("1.0005", "Invalid reading value '1.0005': at most 3 decimal places"),
     ("10000", "Invalid reading value '10000': too large"),
     ("1e4", "Invalid reading value '1e4': too large")],
)
def test_numbers_that_cannot_be_stored_say_why(raw, message):
    with pytest.raises(FieldError) as error:
        READING.clean(raw)
    assert str(error.value) == message


# --- Yes or no, and web addresses --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("true", True), ("TRUE", True), ("Yes", True), ("1", True), (" yes ", True),
     ("false", False), ("False", False), ("NO", False), ("0", False)],
)
def test_yes_or_no_is_read_from_true_yes_1_or_false_no_0_in_any_case(raw, stored):
    assert BooleanField("is_primary").clean(raw) is stored


@pytest.mark.parametrize("raw", ["y", "n", "2", "maybe", "on", "-1"])
def test_yes_or_no_in_other_words_is_rejected_naming_field_value_and_the_words_to_use(raw):
    assert error_of(BooleanField("is_primary"), raw) == (
        f"Invalid is primary '{raw}': use true, yes, 1, false, no or 0"
    )


def test_yes_or_no_is_exported_as_true_or_false():
    field = BooleanField("is_primary")
    assert (field.to_text(True), field.to_text(False), field.to_text(None)) == ("true", "false", "")


@pytest.mark.parametrize(
    ("raw", "stored"),
    [("example.com", "https://example.com"),
     ("www.example.co.uk/about", "https://www.example.co.uk/about"),
     ("http://example.com", "http://example.com"),
     ("https://shop.example.com/stores?city=Springfield#map", "https://shop.example.com/stores?city=Springfield#map"),
     ("  example.com  ", "https://example.com")],
)
def test_a_web_address_is_kept_and_a_bare_host_means_its_https_address(raw, stored):
    assert URLField("website").clean(raw) == stored


@pytest.mark.parametrize(
    "raw", ["not a website", "example", "ftp://example.com", "https://", "javascript:alert(1)", "mailto:a@example.com",
            "https://user:secret@example.com"],
)
def test_what_is_no_web_address_is_rejected_naming_field_and_value(raw):
    assert error_of(URLField("website"), raw) == (
        f"Invalid website '{raw}': use a web address such as https://example.com or example.com"
    )


def test_a_web_address_longer_than_its_column_is_rejected():
    assert error_of(URLField("website", max_length=30), "example.com/" + "a" * 20) == (
        "Website is too long: 40 characters, at most 30"
    )
