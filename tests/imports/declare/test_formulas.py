"""Formula injection: cells a spreadsheet would run are written as text, numbers and phone numbers are left bare,
and everything reads back as it was."""

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from imports.declare.formulas import FORMULA_PREFIXES, escape_apostrophes, escape_formula, unescape_formula

FORMULA_LIKE = [
    "=SUM(A1)", "=", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", "@foo", "-", "+", "\tcmd", "\rcmd", "-5 ",
    "+1 (401) 555-0105 ext 2", "-1e", "--5", "+-5", "-5.", "-\u0661\u0662\u0663", "\t5", "+\t12125550108",
]
NUMBERS_AND_PHONES = [
    "+12125550108", "-5", "-12.50", "+1 (401) 555-0105", "+44 20 7946 0958", "+1.401.555.0105", "-0.001", "+5",
    "-1e5", "-1.5E-3", "+1-401-555-0105", "+1555",
]
PLAIN = ["", "John", "555-555-5555", "a=b", "john@example.com", "'quoted", "'", "62701-1234", "1e5", "02134"]
ALREADY_GUARDED = ["'=x", "'+1", "''=x", "'+12125550108", "'-5", "''-5"]


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_value_a_spreadsheet_would_run_as_a_formula_is_prefixed_with_an_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", NUMBERS_AND_PHONES)
def test_number_or_phone_number_is_no_formula_and_gets_no_apostrophe(value):
    assert escape_formula(value) == value


@pytest.mark.parametrize("value", PLAIN)
def test_value_that_does_not_start_like_a_formula_is_left_alone(value):
    assert escape_formula(value) == value


@pytest.mark.parametrize("value", ALREADY_GUARDED)
def test_value_that_already_looks_escaped_gets_one_more_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", FORMULA_LIKE + NUMBERS_AND_PHONES + PLAIN + ALREADY_GUARDED)
def test_unescaping_an_escaped_value_gives_back_the_original(value):
    assert unescape_formula(escape_formula(value)) == value


@pytest.mark.parametrize(
    ("escaped", "original"),
    [("'=SUM(A1)", "=SUM(A1)"), ("'+1555", "+1555"), ("'\tx", "\tx"), ("'+12125550108", "+12125550108"),
     ("'-5", "-5")],
)
def test_unescape_removes_the_apostrophe_before_a_formula_character_as_older_files_wrote_it(escaped, original):
    assert unescape_formula(escaped) == original


@pytest.mark.parametrize("value", ["'quoted", "'", "''quoted", "it's"])
def test_unescape_keeps_an_apostrophe_that_does_not_guard_a_formula(value):
    assert unescape_formula(value) == value


# Text made mostly of the characters the rules turn on, so the interesting cases come up often.
TRICKY_TEXT = st.text(alphabet=st.sampled_from("'=+-@\t\r0123456789 ().eE,ax\u0661"), max_size=20) | st.text()


@given(TRICKY_TEXT)
@example("'+12125550108")
@example("+1 (401) 555-0105")
def test_every_string_survives_escaping_and_unescaping(value):
    assert unescape_formula(escape_formula(value)) == value


@given(TRICKY_TEXT)
def test_an_escaped_value_starts_like_a_formula_only_when_it_is_a_bare_number_or_phone(value):
    escaped = escape_formula(value)

    if escaped.startswith(FORMULA_PREFIXES):
        assert escaped == value
        assert all(character in "+-0123456789 ().eE" for character in escaped)


@pytest.mark.parametrize("value", ["=SUM(A1)", "+1+cmd", "-", "@foo", "plain", "'quoted", "'"])
def test_apostrophes_alone_are_escaped_for_files_no_spreadsheet_runs(value):
    assert escape_apostrophes(value) == value


@pytest.mark.parametrize("value", ["'=x", "''=x", "'+12125550108"])
def test_a_leading_apostrophe_before_a_formula_character_is_doubled_for_files_no_spreadsheet_runs(value):
    assert escape_apostrophes(value) == "'" + value


@given(TRICKY_TEXT)
def test_every_string_survives_apostrophe_escaping_and_unescaping(value):
    assert unescape_formula(escape_apostrophes(value)) == value
