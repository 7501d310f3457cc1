"""Counts in the sentences people read: the noun agrees with the number, which has thousands separators."""

import pytest

from imports.declare.wording import counted


@pytest.mark.parametrize(("number", "expected"), [(0, "0 rows"), (1, "1 row"), (2, "2 rows"), (12345, "12,345 rows")])
def test_a_count_of_rows(number, expected):
    assert counted(number, "row") == expected


def test_an_irregular_plural():
    assert (counted(1, "company", "companies"), counted(3, "company", "companies")) == ("1 company", "3 companies")
