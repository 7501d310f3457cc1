"""How a SalesPro export's timestamps, flags and amounts are read, and what a bad one is told."""

import datetime as dt
from decimal import Decimal

import pytest

from imports.declare.errors import FieldError
from salespro.fields import IsoDateTimeField, MoneyField, YesNoField

UTC = dt.UTC
created_at = IsoDateTimeField("salespro_created_at", column="_created_at")
is_sale = YesNoField("is_sale", column="isSale")
sale_amount = MoneyField("sale_amount", column="saleAmount", max_digits=12, decimal_places=2)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-18T14:30:00.123Z", dt.datetime(2025, 6, 18, 14, 30, 0, 123000, tzinfo=UTC)),
        ("2025-06-18T14:30:00Z", dt.datetime(2025, 6, 18, 14, 30, tzinfo=UTC)),
        ("2025-06-18T14:30:00+02:00", dt.datetime(2025, 6, 18, 12, 30, tzinfo=UTC)),
        ("2025-06-18T14:30:00", dt.datetime(2025, 6, 18, 14, 30, tzinfo=UTC)),  # no zone: UTC
        ("2025-06-18 14:30:00.5", dt.datetime(2025, 6, 18, 14, 30, 0, 500000, tzinfo=UTC)),
        (" 2025-06-18T14:30:00Z ", dt.datetime(2025, 6, 18, 14, 30, tzinfo=UTC)),
    ],
)
def test_iso_timestamps_with_or_without_zone_and_fractions_are_aware_utc(text, expected):
    value = created_at.clean(text)

    assert value == expected
    assert value.tzinfo == UTC


def test_a_blank_timestamp_is_no_value():
    assert created_at.clean("  ") is None


@pytest.mark.parametrize("text", ["invalid_date", "2025-13-01T00:00:00", "18/06/2025 14:30"])
def test_a_bad_timestamp_names_the_column_and_the_value(text):
    with pytest.raises(FieldError) as error:
        created_at.clean(text)

    assert str(error.value) == (
        f"Could not parse datetime: {text} (_created_at needs an ISO 8601 timestamp such as 2025-06-18T14:30:00Z)"
    )


@pytest.mark.parametrize(
    ("text", "expected"),
    [("true", True), ("TRUE", True), ("True", True), ("1", True), ("yes", True), ("YES", True),
     ("false", False), ("FALSE", False), ("0", False), ("no", False), ("No", False), ("", False), ("  ", False)],
)
def test_is_sale_reads_every_spelling_and_blank_as_false(text, expected):
    assert is_sale.clean(text) is expected


def test_is_sale_blank_cells_are_false_in_a_whole_column_too():
    values, errors = is_sale.clean_column(["", "true", "", "no"])

    assert (values, errors) == ([False, True, False, False], {})


def test_a_bad_flag_names_the_column_and_the_value():
    with pytest.raises(FieldError) as error:
        is_sale.clean("maybe")

    assert str(error.value) == "Could not parse boolean: maybe (isSale needs true, false, yes, no, 1 or 0; blank " \
                               "means false)"


def test_flags_export_as_salespro_writes_them():
    assert [is_sale.to_text(value) for value in (True, False, None)] == ["true", "false", ""]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234.5", Decimal("1234.5")), ("$1,234.50", Decimal("1234.50")), ("1,234,567.00", Decimal("1234567.00")),
     ("$0.99", Decimal("0.99")), (".5", Decimal("0.5")), ("12", Decimal("12")), ("-$12.00", Decimal("-12.00")),
     ("$-12.00", Decimal("-12.00")), ("$ 1,234.50", Decimal("1234.50")), ("1234.", Decimal("1234"))],
)
def test_amounts_as_spreadsheets_show_them(text, expected):
    assert sale_amount.clean(text) == expected


def test_a_blank_amount_is_no_value():
    assert sale_amount.clean("") is None


@pytest.mark.parametrize(
    ("text", "why"),
    [("abc", "needs a number such as 1234.50 or $1,234.50"), ("$", "needs a number such as 1234.50 or $1,234.50"),
     ("1,23", "needs a number such as 1234.50 or $1,234.50"), ("--5", "needs a number such as 1234.50 or $1,234.50"),
     ("12.345", "has at most 2 decimal places"), ("12345678901", "is too large")],
)
def test_a_bad_amount_names_the_column_and_the_value(text, why):
    with pytest.raises(FieldError) as error:
        sale_amount.clean(text)

    assert str(error.value) == f"Could not parse amount: {text} (saleAmount {why})"


def test_the_export_column_matches_the_field():
    assert created_at.synonyms == ("_created_at",)
