"""The field types of claims files: the formats they read, and messages that name the field and never the value
(a claims file holds health data, and messages reach logs and screens)."""

import datetime as dt
import random
from decimal import Decimal

import pytest

from claims.fields import (
    ClaimDateField,
    MoneyField,
    NPIField,
    StatusCodeField,
    StatusWordField,
    SubscriberIdField,
    X12TextField,
    npi_is_valid,
)
from imports.declare import FieldError


def error_of(field, raw: str) -> str:
    with pytest.raises(FieldError) as caught:
        field.clean(raw)
    return str(caught.value)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("05/10/1975", dt.date(1975, 5, 10)),
        ("5/1/1975", dt.date(1975, 5, 1)),
        ("12/31/1999", dt.date(1999, 12, 31)),
        ("1975-05-10", dt.date(1975, 5, 10)),
        ("1975-05-10 00:00:00", dt.date(1975, 5, 10)),  # a workbook's date cell
        (" 05/10/1975 ", dt.date(1975, 5, 10)),
    ],
)
def test_a_claim_date_reads_us_and_iso_forms(raw, expected):
    assert ClaimDateField("date_of_birth").clean(raw) == expected


@pytest.mark.parametrize("raw", ["02/30/1980", "13/01/1980", "00/10/1975", "1980-02-30", "02/29/1981"])
def test_an_impossible_date_names_the_field_and_the_format_only(raw):
    message = error_of(ClaimDateField("date_of_birth"), raw)

    assert message == "Date of birth is not a real date: use MM/DD/YYYY"


@pytest.mark.parametrize("raw", ["05/10/75", "10.05.1975", "May 10 1975", "1975/05/10", "05-10-1975",
                                 "\u0661\u0669\u0667\u0665-\u0660\u0665-\u0661\u0660"])
def test_a_date_in_another_form_is_refused_without_its_text(raw):
    message = error_of(ClaimDateField("date_of_birth"), raw)

    assert message == "Date of birth is not a date: use MM/DD/YYYY, e.g. 05/10/1975"
    assert raw not in message


def test_a_blank_date_is_none():
    assert ClaimDateField("service_date_from").clean("  ") is None


@pytest.mark.parametrize("character", ["~", "*", ":", "^"])
def test_each_x12_separator_is_refused_naming_the_field_not_the_value(character):
    name = f"KI{character}SA"

    message = error_of(X12TextField("last_name", max_length=60), name)

    assert message == "Last name contains ~, *, : or ^, which a claim status request cannot carry"
    assert name not in message


def test_x12_text_keeps_the_text_as_written():
    assert X12TextField("first_name").clean("  José de la Cruz ") == "José de la Cruz"


def test_a_too_long_name_says_how_long_not_what():
    message = error_of(X12TextField("first_name", max_length=35), "A" * 36)

    assert message == "First name is too long: 36 characters, at most 35"


def test_a_column_of_x12_text_cleans_as_each_cell_does():
    field = X12TextField("last_name", max_length=8)
    alphabet = ["A", "b", " ", "~", "*", ":", "^", "'", "=", "é"]
    generator = random.Random(14)
    raws = ["".join(generator.choice(alphabet) for _ in range(generator.randrange(0, 11))) for _ in range(3000)]
    raws += ["'=SUM(A1)", "'=A~B", "  ", ""]

    values, errors = field.clean_column(raws)

    for position, raw in enumerate(raws):
        try:
            expected, expected_error = field.clean(raw), None
        except FieldError as error:
            expected, expected_error = None, str(error)
        assert (values[position], errors.get(position)) == (expected, expected_error), raw
    assert errors  # the sample holds bad cells of both kinds
    assert {message.split(" ")[2] for message in errors.values()} == {"contains", "is"}


def test_a_subscriber_id_keeps_its_leading_zeros():
    assert SubscriberIdField("subscriber_id").clean("057896633") == "057896633"


def test_a_subscriber_id_a_spreadsheet_turned_into_a_number_is_refused():
    message = error_of(SubscriberIdField("subscriber_id"), "5.78966E+07")

    assert message.startswith("Subscriber id was turned into a number by a spreadsheet")
    assert "5.78966E+07" not in message


def test_a_subscriber_id_with_a_separator_is_refused_without_it():
    message = error_of(SubscriberIdField("subscriber_id"), "0578*96633")

    assert message == "Subscriber id contains ~, *, : or ^, which a claim status request cannot carry"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("720.00", Decimal("720.00")), ("720", Decimal("720")), ("1,234.5", Decimal("1234.5")),
     ("$1,234.50", Decimal("1234.50")), ("0.00", Decimal("0.00")), (".50", Decimal("0.50"))],
)
def test_money_reads_amounts_as_claims_show_them(raw, expected):
    assert MoneyField("total_charged").clean(raw) == expected


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("12,34.00", "Total paid is not an amount: use a number such as 720.00"),
        ("abc", "Total paid is not an amount: use a number such as 720.00"),
        ("-351.00", "Total paid cannot be negative"),
        ("351.005", "Total paid has more than 2 decimal places"),
        ("12345678901", "Total paid is too large"),
    ],
)
def test_a_bad_amount_says_why_without_the_amount(raw, message):
    assert error_of(MoneyField("total_paid"), raw) == message
    assert raw not in message


def test_money_exports_with_cents():
    assert MoneyField("total_paid").to_text(Decimal("351.00")) == "351.00"


def _luhn_valid(digits: str) -> bool:
    """The plain Luhn check of a whole number, which an NPI passes once prefixed with 80840."""
    total = 0
    for position, digit in enumerate(reversed(digits)):
        value = int(digit) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def test_the_npi_check_is_the_luhn_check_of_the_prefixed_number():
    generator = random.Random(1234)
    numbers = [f"{generator.randrange(10**9, 10**10)}" for _ in range(2000)] + ["1234567893", "1234567890"]

    for number in numbers:
        assert npi_is_valid(number) == _luhn_valid("80840" + number), number
    assert npi_is_valid("1234567893")  # CMS's own example


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("123456789", "Provider NPI must be a 10-digit NPI"),
        ("12345678901", "Provider NPI must be a 10-digit NPI"),
        ("12345A7893", "Provider NPI must be a 10-digit NPI"),
        ("1234567890", "Provider NPI is not a valid NPI: its check digit does not match (a typing error?)"),
    ],
)
def test_a_bad_npi_says_why_without_the_number(raw, message):
    assert error_of(NPIField("provider_npi", label="Provider NPI"), raw) == message


def test_a_good_npi_is_kept():
    assert NPIField("provider_npi", label="Provider NPI").clean("1234567893") == "1234567893"


@pytest.mark.parametrize(("raw", "expected"), [("F1", "F1"), ("f3f", "F3F"), ("R4", "R4"), ("a4", "A4")])
def test_a_status_code_is_a_category_code_stored_upper_case(raw, expected):
    assert StatusCodeField("status_code").clean(raw) == expected


@pytest.mark.parametrize("raw", ["ZZ", "F9", "R", "P6"])
def test_an_unknown_status_code_is_refused_without_the_code(raw):
    message = error_of(StatusCodeField("status_code"), raw)

    assert message == (
        "Status code is not an X12 277 claim status category code: use one such as F1, F2, P1, A3 or R4"
    )


def test_a_status_word_in_any_case_is_stored_as_written_in_the_guide():
    field = StatusWordField("status")

    assert [field.clean(raw) for raw in ("finalized", "PENDING", "Denied", "rejected")] == [
        "Finalized", "Pending", "Denied", "Rejected"
    ]
    assert error_of(field, "Paid") == "Status must be one of Finalized, Pending, Denied, Rejected (or blank)"
    assert error_of(field, "Error") == "Status must be one of Finalized, Pending, Denied, Rejected (or blank)"
