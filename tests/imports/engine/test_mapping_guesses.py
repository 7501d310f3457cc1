"""Guessing the field of a header close to a field's name or synonym (a typo), for a person to check in the wizard."""

import pytest

from imports.declare.targets import get_target
from imports.engine.header_guesses import header_guesses
from imports.engine.mapping import CONFIDENCE, GUESS, SYNONYM, map_columns


@pytest.fixture
def target():
    return get_target("Customer")


def test_misspelt_headers_are_guessed_with_a_confidence_below_a_synonyms(target):
    mapping = map_columns(target, ["Frist Name", "Surname", "Emial", "Service Adress"], guess=True)

    assert mapping.as_dict() == {"Frist Name": "first_name", "Surname": "last_name", "Emial": "email",
                                 "Service Adress": "service_address"}
    guessed = {match.column: match for match in mapping.matches if match.how == GUESS}
    assert set(guessed) == {"Frist Name", "Emial", "Service Adress"}
    for match in guessed.values():
        assert 0 < match.confidence < CONFIDENCE[SYNONYM]
    # The closer the header, the surer the guess.
    assert guessed["Emial"].confidence < guessed["Frist Name"].confidence < guessed["Service Adress"].confidence


def test_without_a_person_to_check_nothing_is_guessed(target):
    """The API and the command line map by name and synonym only: a guess is never imported unseen."""
    mapping = map_columns(target, ["Emial", "Frist Name"])

    assert mapping.as_dict() == {"Emial": None, "Frist Name": None}


def test_two_columns_close_to_one_field_never_both_feed_it(target):
    mapping = map_columns(target, ["Emial", "Emails"], guess=True)

    assert mapping.as_dict() == {"Emial": None, "Emails": "email"}  # "Emails" is the closer


def test_a_field_matched_by_name_is_not_guessed_for_another_column(target):
    mapping = map_columns(target, ["Emial", "Email"], guess=True)

    assert mapping.as_dict() == {"Emial": None, "Email": "email"}


def test_a_column_ignored_on_purpose_is_not_guessed(target):
    mapping = map_columns(target, ["Emial"], {"Emial": None}, guess=True)

    assert mapping.as_dict() == {"Emial": None}


@pytest.mark.parametrize("header", ["Cell", "Rate Dat", "Town Hall", "Comment Box", "Zap", "Note 1", "Address 2"])
def test_headers_unlike_any_field_are_not_guessed(target, header):
    assert map_columns(target, [header], guess=True).as_dict() == {header: None}


def test_a_thousand_columns_are_guessed_each_to_its_own_field():
    """One column page shows 50 of a thousand; every column is still compared, and no field is fed twice."""
    headers = {index: f"extra{index}" for index in range(1000)}
    headers.update({10: "emial", 500: "fristname", 999: "emails"})
    names = {"email": "email", "firstname": "first_name", "emailaddress": "email"}

    guessed = header_guesses(headers, names)

    assert guessed == {999: ("email", 0.91), 500: ("first_name", 0.89)}
