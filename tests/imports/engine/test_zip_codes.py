"""ZIP codes a spreadsheet shortened, put back only where the row's state has ZIP codes starting with 0."""

import pytest

from imports.engine.zip_codes import zip_padded


@pytest.mark.parametrize(("text", "state", "padded"), [
    ("2134", "MA", "02134"),  # Boston
    ("2134", "ma", "02134"),
    ("2903", "RI", "02903"),
    ("3301", "NH", "03301"),
    ("4101", "ME", "04101"),
    ("5401", "VT", "05401"),
    ("6103", "CT", "06103"),
    ("7102", "NJ", "07102"),
    ("8820", "NJ", "08820"),
    ("601", "PR", "00601"),
    ("802", "VI", "00802"),
    ("9012", "AE", "09012"),
    ("501", "NY", "00501"),  # Holtsville: the IRS
    ("2134-1234", "MA", "02134-1234"),
])
def test_short_codes_get_their_zeros_back_in_states_whose_codes_start_with_0(text, state, padded):
    assert zip_padded(text, state) == padded


@pytest.mark.parametrize(("text", "state"), [
    ("2134", "IL"),  # no ZIP code of Illinois starts with 0
    ("2134", ""),
    ("6103", "MA"),  # 06103 is Hartford, CT: not a Massachusetts code
    ("1234", "NY"),  # New York's only 0 codes are 005
    ("12", "MA"),
    ("02134", "MA"),  # already whole
    ("21a4", "MA"),
])
def test_codes_that_do_not_fit_the_rows_state_are_left_as_they_are(text, state):
    assert zip_padded(text, state) is None
