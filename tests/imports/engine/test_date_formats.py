"""Reading a date column in the format chosen for it, and proposing that format from the column's first values."""

import datetime as dt

import pytest

from imports.engine.date_formats import date_format_detect, date_read

MARCH_15 = dt.date(2024, 3, 15)


@pytest.mark.parametrize(("name", "text"), [
    ("iso", "2024-03-15"),
    ("mdy", "03/15/2024"),
    ("mdy", "3/15/2024"),
    ("mdy", "3/15/2024 0:00"),
    ("mdy", "03/15/2024 12:00:00 AM"),
    ("mdy2", "3/15/24"),
    ("dmy", "15/03/2024"),
    ("dmy", "15.03.2024"),
    ("excel", "45366"),
    ("excel", "45366.0"),
])
def test_each_format_reads_its_own_spelling_of_the_same_day(name, text):
    assert date_read(name, text) == MARCH_15


def test_single_digit_month_and_day_are_read_month_first_in_mdy():
    assert date_read("mdy", "4/5/2024") == dt.date(2024, 4, 5)
    assert date_read("dmy", "4/5/2024") == dt.date(2024, 5, 4)


@pytest.mark.parametrize(("text", "year"), [("1/2/00", 2000), ("1/2/29", 2029), ("1/2/30", 1930), ("1/2/99", 1999)])
def test_two_digit_years_follow_excels_pivot_of_1930(text, year):
    assert date_read("mdy2", text).year == year


def test_excel_serials_around_its_phantom_leap_day():
    assert date_read("excel", "61") == dt.date(1900, 3, 1)
    assert date_read("excel", "59") == dt.date(1900, 2, 28)
    assert date_read("excel", "60") is None  # 1900-02-29, which Excel invented
    assert date_read("excel", "0") is None


@pytest.mark.parametrize(("name", "text"), [
    ("mdy", "15/03/2024"), ("dmy", "03/15/2024"), ("mdy", "2024-03-15"), ("iso", "03/15/2024"), ("mdy2", "3/15/2024"),
    ("excel", "3/15/2024"), ("mdy", "02/30/2024"),
])
def test_a_value_in_another_format_or_no_real_date_is_not_read(name, text):
    assert date_read(name, text) is None


def test_us_dates_with_a_day_above_12_are_detected_as_month_first():
    detection = date_format_detect(["03/15/2024", "4/5/2024", "", "12/31/2023"])

    assert (detection.proposed, detection.ambiguous) == ("mdy", False)


def test_dates_whose_days_are_all_12_or_less_fit_both_orders_and_are_ambiguous():
    detection = date_format_detect(["04/05/2024", "11/12/2023"])

    assert detection.fitting == ("mdy", "dmy")
    assert detection.ambiguous


@pytest.mark.parametrize(("texts", "proposed"), [
    (["2024-03-15", "2024-04-01"], "iso"), (["3/15/24", "12/1/23"], "mdy2"), (["45366", "45000"], "excel"),
    (["15/03/2024", "1/2/2024"], "dmy"),
])
def test_a_column_fitting_one_format_is_detected_as_it(texts, proposed):
    detection = date_format_detect(texts)

    assert (detection.proposed, detection.ambiguous) == (proposed, False)


def test_a_column_fitting_no_format_proposes_none():
    assert date_format_detect(["March 15th", "03/15/2024"]).proposed is None
    assert date_format_detect(["", " "]).proposed is None
