"""Formula injection: cells a spreadsheet would run are written as text, and read back as they were."""

import pytest

from imports.declare.formulas import escape_formula, keep_apostrophes, unescape_formula

FORMULA_LIKE = ["=SUM(A1)", "=", "+15555555555", "-5", "@SUM(A1)", "\tcmd", "\rcmd"]
PLAIN = ["", "John", "555-555-5555", "a=b", "john@example.com", "'quoted", "'", "62701-1234"]
ALREADY_GUARDED = ["'=x", "'+1", "''=x"]


@pytest.mark.parametrize("value", FORMULA_LIKE)
def test_value_a_spreadsheet_would_run_as_a_formula_is_prefixed_with_an_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", PLAIN)
def test_value_that_does_not_start_like_a_formula_is_left_alone(value):
    assert escape_formula(value) == value


@pytest.mark.parametrize("value", ALREADY_GUARDED)
def test_value_that_already_looks_escaped_gets_one_more_apostrophe(value):
    assert escape_formula(value) == "'" + value


@pytest.mark.parametrize("value", FORMULA_LIKE + PLAIN + ALREADY_GUARDED)
def test_unescaping_an_escaped_value_gives_back_the_original(value):
    assert unescape_formula(escape_formula(value)) == value


@pytest.mark.parametrize(("escaped", "original"), [("'=SUM(A1)", "=SUM(A1)"), ("'+1555", "+1555"), ("'\tx", "\tx")])
def test_unescape_removes_the_apostrophe_before_a_formula_character(escaped, original):
    assert unescape_formula(escaped) == original


@pytest.mark.parametrize("value", ["'quoted", "'", "''quoted", "it's"])
def test_unescape_keeps_an_apostrophe_that_does_not_guard_a_formula(value):
    assert unescape_formula(value) == value


@pytest.mark.parametrize("value", FORMULA_LIKE + PLAIN)
def test_a_value_kept_for_json_or_a_text_cell_is_written_as_it_is(value):
    assert keep_apostrophes(value) == value


@pytest.mark.parametrize("value", FORMULA_LIKE + PLAIN + ALREADY_GUARDED + ["'quoted", "it's"])
def test_a_value_kept_for_json_or_a_text_cell_reads_back_unchanged(value):
    assert unescape_formula(keep_apostrophes(value)) == value
