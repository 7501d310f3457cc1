"""Matching a file's columns to the Customer target's fields: by name, by synonym, or by an explicit mapping."""

import pytest

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine.mapping import ColumnMatch, map_columns, mapping_validate, normalise_header

REQUIRED_CUSTOMER_FIELDS = [
    "first_name",
    "last_name",
    "email",
    "phone",
    "service_address",
    "city",
    "state",
    "postal_code",
    "meter_number",
]


@pytest.fixture
def target():
    return get_target("Customer")


def match_of(mapping, column: str) -> ColumnMatch:
    (match,) = [match for match in mapping.matches if match.column == column]
    return match


# --- Matching by name and synonym --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "normalised"),
    [("First Name", "firstname"), (" first-name ", "firstname"), ("FIRST_NAME", "firstname"), ("E-mail", "email")],
)
def test_normalise_header_drops_case_spaces_hyphens_and_underscores(header, normalised):
    assert normalise_header(header) == normalised


@pytest.mark.parametrize("column", ["first_name", "First Name", "first-name", "FIRST_NAME", " first name "])
def test_header_matches_field_ignoring_case_spaces_hyphens_and_underscores(target, column):
    mapping = map_columns(target, [column])
    assert mapping.as_dict() == {column: "first_name"}
    assert mapping.notes == ()


@pytest.mark.parametrize(
    ("column", "field"),
    [("E-mail", "email"), ("Zip", "postal_code"), ("Phone Number", "phone"), ("Surname", "last_name")],
)
def test_header_that_is_a_declared_synonym_maps_to_its_field(target, column, field):
    assert map_columns(target, [column]).as_dict() == {column: field}


@pytest.mark.parametrize(
    ("column", "how"),
    [("first_name", "exact"), ("First Name", "name"), ("Zip", "synonym"), ("Phone Number", "synonym")],
)
def test_match_records_how_the_column_was_matched(target, column, how):
    assert match_of(map_columns(target, [column]), column).how == how


def test_exact_match_is_more_confident_than_name_match_which_is_more_confident_than_synonym(target):
    mapping = map_columns(target, ["email", "First Name", "Zip"])
    exact, name, synonym = (match_of(mapping, column) for column in ["email", "First Name", "Zip"])
    assert (exact.how, name.how, synonym.how) == ("exact", "name", "synonym")
    assert exact.confidence > name.confidence > synonym.confidence > 0


@pytest.mark.parametrize(
    ("columns", "winner", "loser", "field"),
    [
        (["E-mail", "email"], "email", "E-mail", "email"),
        (["email", "E-mail"], "email", "E-mail", "email"),
        (["Zip", "Postal Code"], "Postal Code", "Zip", "postal_code"),
        (["Postal Code", "Zip"], "Postal Code", "Zip", "postal_code"),
        (["First Name", "first_name"], "first_name", "First Name", "first_name"),
    ],
)
def test_exact_or_normalised_name_beats_a_synonym_whatever_the_column_order(target, columns, winner, loser, field):
    mapping = map_columns(target, columns)
    assert mapping.as_dict() == {winner: field, loser: None}
    assert mapping.notes == (f"Column '{loser}' also matches {field}, which column '{winner}' feeds; it is ignored.",)


def test_unmatched_column_is_ignored_with_a_note_naming_it(target):
    mapping = map_columns(target, ["First Name", "Favourite Colour"])
    assert mapping.as_dict() == {"First Name": "first_name", "Favourite Colour": None}
    assert match_of(mapping, "Favourite Colour").how is None
    assert mapping.notes == ("Column 'Favourite Colour' matches no Customer field; it is ignored.",)


# --- Explicit mapping --------------------------------------------------------------------------------------------


def test_explicit_mapping_maps_its_column_and_the_other_columns_still_match_by_name(target):
    mapping = map_columns(target, ["Cust First", "Last Name", "email"], {"Cust First": "first_name"})
    assert mapping.as_dict() == {"Cust First": "first_name", "Last Name": "last_name", "email": "email"}
    assert [match.how for match in mapping.matches] == ["mapping", "name", "exact"]
    assert mapping.notes == ()


@pytest.mark.parametrize("column", ["Cust-First", "cust_first", " CUST FIRST "])
def test_explicit_mapping_column_matches_after_normalisation(target, column):
    mapping = map_columns(target, [column], {"Cust First": "first_name"})
    assert mapping.as_dict() == {column: "first_name"}
    assert match_of(mapping, column).how == "mapping"
    assert mapping.notes == ()


def test_explicit_mapping_wins_over_a_column_whose_name_matches_the_same_field(target):
    mapping = map_columns(target, ["first_name", "Cust First"], {"Cust First": "first_name"})
    assert mapping.as_dict() == {"first_name": None, "Cust First": "first_name"}
    assert mapping.notes == (
        "Column 'first_name' also matches first_name, which column 'Cust First' feeds; it is ignored.",
    )


@pytest.mark.parametrize("ignored", [None, ""], ids=["null", "empty"])
def test_column_mapped_to_nothing_is_ignored_silently_even_if_its_name_matches_a_field(target, ignored):
    mapping = map_columns(target, ["email", "First Name", "Zip"], {"email": ignored})
    assert mapping.as_dict() == {"email": None, "First Name": "first_name", "Zip": "postal_code"}
    assert match_of(mapping, "email").how is None
    assert mapping.notes == ()


def test_explicit_mapping_naming_a_field_the_target_lacks_is_a_file_error_naming_that_field(target):
    with pytest.raises(ImportFileError) as raised:
        map_columns(target, ["Cust First"], {"Cust First": "firstname"})
    assert str(raised.value).startswith("The mapping names fields Customer does not have: firstname. Fields are: ")


def test_explicit_mapping_sending_two_columns_to_one_field_is_a_file_error(target):
    with pytest.raises(ImportFileError) as raised:
        map_columns(target, ["Cust First", "Given"], {"Cust First": "first_name", "Given": "first_name"})
    assert str(raised.value) == "The mapping sends several columns to the same field: first_name."


@pytest.mark.parametrize("explicit", [["first_name"], "first_name", [("Cust First", "first_name")], 7, [], ""])
def test_explicit_mapping_that_is_not_an_object_is_a_file_error(target, explicit):
    with pytest.raises(ImportFileError) as raised:
        map_columns(target, ["Cust First"], explicit)
    assert str(raised.value) == 'The mapping must be a JSON object like {"file column": "field"}.'


@pytest.mark.parametrize("explicit", [[], "", ["first_name"]])
def test_mapping_validate_rejects_anything_but_an_object(target, explicit):
    with pytest.raises(ImportFileError, match=r"^The mapping must be a JSON object"):
        mapping_validate(target, explicit)


@pytest.mark.parametrize("value", [["email"], {"field": "email"}, 3, True])
def test_mapping_value_that_is_not_a_field_name_is_a_file_error(target, value):
    with pytest.raises(ImportFileError) as raised:
        mapping_validate(target, {"E-mail Address": value})
    assert str(raised.value) == "Each value of the mapping must be a field name, or null to ignore the column."


def test_two_file_columns_fitting_one_mapping_entry_feed_the_field_once(target):
    mapping = map_columns(target, ["Cust First", "cust-first"], {"Cust First": "first_name"})

    assert mapping.as_dict() == {"Cust First": "first_name", "cust-first": None}
    assert mapping.notes == (
        "Column 'cust-first' also matches first_name, which column 'Cust First' feeds; it is ignored.",
    )


def test_mapping_validate_turns_empty_field_names_into_none(target):
    assert mapping_validate(target, {"Cust First": "first_name", "Notes 2": "", "Junk": None}) == {
        "Cust First": "first_name",
        "Notes 2": None,
        "Junk": None,
    }


def test_explicit_mapping_naming_a_column_the_file_lacks_is_a_note_not_an_error(target):
    mapping = map_columns(target, ["First Name", "email"], {"Account Ref": "account_number"})
    assert mapping.as_dict() == {"First Name": "first_name", "email": "email"}
    assert mapping.notes == ("The mapping names column 'Account Ref', which the file does not have.",)


# --- Required columns and field order ----------------------------------------------------------------------------


def test_upsert_requires_a_column_for_every_required_customer_field(target):
    assert target.required_columns("upsert") == REQUIRED_CUSTOMER_FIELDS


def test_missing_lists_required_fields_that_no_column_feeds_in_field_order(target):
    mapping = map_columns(target, ["Zip", "email", "First Name", "Favourite Colour"])
    assert mapping.missing(target.required_columns("upsert")) == [
        "last_name",
        "phone",
        "service_address",
        "city",
        "state",
        "meter_number",
    ]


def test_nothing_is_missing_when_every_required_field_has_a_column(target):
    columns = ["First", "Last", "E-mail", "Tel", "Street", "Town", "State Code", "Zip", "Meter"]
    mapping = map_columns(target, columns)
    assert mapping.missing(target.required_columns("upsert")) == []


def test_update_requires_only_the_account_number_column(target):
    assert target.required_columns("update") == ["account_number"]
    mapping = map_columns(target, ["Account Number", "Phone"])
    assert mapping.missing(target.required_columns("update")) == []
    assert map_columns(target, ["Phone"]).missing(target.required_columns("update")) == ["account_number"]


def test_field_columns_lists_field_index_and_column_in_the_targets_field_order(target):
    mapping = map_columns(target, ["Zip", "Favourite Colour", "email", "First Name"])
    fields = target.fields_by_name
    assert mapping.field_columns(target) == [
        (fields["first_name"], 3, "First Name"),
        (fields["email"], 2, "email"),
        (fields["postal_code"], 0, "Zip"),
    ]
