"""A company's own validation rules as the engine applies them: checked when given (one sentence for each thing
wrong), then applied by the planner to the cleaned values, with the rule's message or a standard one naming the
field by its label, and `unique` judged from the repeats found beforehand (the preview's, on its rows)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.outcomes import SourceRow
from imports.declare.targets import all_targets, get_target
from imports.engine.mapping import map_columns
from imports.engine.options import ImportOptions
from imports.engine.planning import BatchPlanner, ImportContext
from imports.engine.scanning import repeats_within
from imports.engine.validation_rules import ValidationRules, unique_name, validation_rules_parse

pytestmark = pytest.mark.django_db

COLUMNS = ["first_name", "last_name", "email", "phone", "service_address", "city", "state", "postal_code",
           "meter_number", "status", "connection_date", "notes"]
CUSTOMER = get_target("Customer")


def row(number: int, *, phone=None, meter=None, status="active", start="2024-03-15", notes="", email=None):
    return SourceRow(number, [
        "Ann", "Lee", email or f"ann{number}@example.com", phone or f"617-555-01{number:02d}", "1 Main St", "Boston",
        "MA", "02134", meter or f"MTR-{number}", status, start, notes,
    ])


def planned(company, rows, given: dict, *, columns=COLUMNS):
    rules = validation_rules_parse(CUSTOMER, given)
    mapping = map_columns(CUSTOMER, columns, {})
    context = ImportContext(company, timezone.localdate())
    width = len(columns)
    cells = [plan_row.cells[:width] for plan_row in rows]
    context.duplicates_set(repeats_within(cells, [r.number for r in rows], mapping=mapping, target=CUSTOMER,
                                          rules=rules))
    planner = BatchPlanner(target=CUSTOMER, mapping=mapping, width=width, context=context,
                           options=ImportOptions(dry_run=True, rules=rules))
    return planner.plan([SourceRow(r.number, r.cells[:width]) for r in rows])


def messages(plan) -> list[str]:
    return [error.message for error in plan.errors]


# --- Checked when given ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "message"), [
    ([{"rule": "required"}], "Validation rules must be an object of field -> rules"),
    ({"colour": [{"rule": "required"}]}, "A validation rule names 'colour', which is no field of Customer."),
    ({"city": [{"rule": "shorter"}]},
     "Unknown validation rule 'shorter' for City: use required, pattern, allowed, min, max, unique."),
    ({"city": [{"rule": "min", "value": "3"}]}, "City is text: a min rule applies to numbers and dates."),
    ({"connection_date": [{"rule": "max", "value": "next week"}]},
     "The max value 'next week' of Connection date is not one it can hold: Invalid connection date 'next week'"),
    ({"connection_date": [{"rule": "min"}]}, "The min rule of Connection date needs a value, e.g. YYYY-MM-DD."),
    ({"meter_number": [{"rule": "pattern", "pattern": "MTR-[0-9"}]},
     "The pattern of Meter number is not a valid regular expression: unterminated character set"),
    ({"meter_number": [{"rule": "pattern", "pattern": "(a+)+b"}]},
     "The pattern of Meter number repeats a repeat, which could take too long on some values: write it more "
     "simply."),
    ({"meter_number": [{"rule": "pattern", "pattern": r"(\w)\1"}]}, "The pattern of Meter number refers back to a "
     "group"),
    ({"meter_number": [{"rule": "pattern", "pattern": ".*a.*b.*c.*d"}]},
     "The pattern of Meter number has more than 3 repeats of varying length"),
    ({"meter_number": [{"rule": "pattern", "pattern": "x" * 201}]},
     "The pattern of Meter number has 201 characters; it may have at most 200."),
    ({"meter_number": [{"rule": "pattern"}]}, "The pattern rule of Meter number needs a pattern"),
    ({"status": [{"rule": "allowed", "values": ["active", "closed"]}]},
     "The allowed value 'closed' of Status is not one it can hold: Invalid status 'closed': use one of active, "
     "inactive, suspended."),
    ({"status": [{"rule": "allowed", "values": []}]}, 'The allowed values of Status must be a list such as'),
    ({"account_number": [{"rule": "unique"}]}, "Account number is the key of Customer: a key is unique in a file "
     "already."),
    ({"city": [{"rule": "required", "message": "x" * 301}]},
     "The message of a rule of City must be text of at most 300 characters."),
    ({"city": [{"rule": "required"}] * 11}, "City has 11 validation rules; it may have at most 10."),
])
def test_rules_that_cannot_apply_are_refused_in_one_sentence(given, message):
    with pytest.raises(ImportFileError) as refused:
        validation_rules_parse(CUSTOMER, given)

    assert message in str(refused.value)


def test_rules_are_kept_as_given_cleaned_and_read_back_alike():
    rules = validation_rules_parse(CUSTOMER, {
        "status": [{"rule": "allowed", "values": ["Active", "SUSPENDED"], "message": " Only live accounts "}],
        "connection_date": {"rule": "min", "value": "2020-01-01"},
        "phone": [{"rule": "unique"}],
    })

    assert rules.as_dict() == {
        "status": [{"rule": "allowed", "values": ["active", "suspended"], "message": "Only live accounts"}],
        "connection_date": [{"rule": "min", "value": "2020-01-01"}],
        "phone": [{"rule": "unique"}],
    }
    assert ValidationRules.from_dict(rules.as_dict()) == rules
    assert rules.unique_fields == ["phone"]


def test_a_number_bound_is_cleaned_as_the_field_cleans_it():
    reading = next(target for target in all_targets() if "reading_value" in target.fields_by_name)

    rules = validation_rules_parse(reading, {"reading_value": [{"rule": "max", "value": "5,000.50"}]})

    assert rules.as_dict() == {"reading_value": [{"rule": "max", "value": "5000.5"}]}
    assert Decimal(rules.rules[0].value) == Decimal("5000.5")


def test_rules_given_for_a_field_replace_the_templates_rules_of_that_field_only():
    template = validation_rules_parse(CUSTOMER, {"phone": [{"rule": "unique"}], "notes": [{"rule": "required"}]})
    given = validation_rules_parse(CUSTOMER, {"notes": [{"rule": "pattern", "pattern": "[a-z ]+"}]})

    assert template.overridden_by(given).as_dict() == {
        "phone": [{"rule": "unique"}], "notes": [{"rule": "pattern", "pattern": "[a-z ]+"}],
    }


# --- Applied by the planner ------------------------------------------------------------------------------------


def test_required_fails_a_blank_value_with_the_standard_message_naming_the_label(company):
    plans = planned(company, [row(1, notes="called"), row(2, notes="  ")], {"notes": [{"rule": "required"}]})

    assert (plans[0].failed, messages(plans[1])) == (False, ["Notes is required"])
    assert plans[1].errors[0].field == "notes"
    assert plans[1].errors[0].column == "notes"


def test_required_fails_every_row_when_the_file_has_no_column_for_the_field(company):
    plans = planned(company, [row(1), row(2)], {"notes": [{"rule": "required", "message": "Say why"}]},
                    columns=COLUMNS[:-1])

    assert [messages(plan) for plan in plans] == [["Say why"], ["Say why"]]


def test_a_pattern_must_match_the_whole_cleaned_value(company):
    given = {"meter_number": [{"rule": "pattern", "pattern": "MTR-[0-9]{3}", "message": "Meters are MTR-999"}]}

    plans = planned(company, [row(1, meter="MTR-123"), row(2, meter="MTR-1234"), row(3, meter="xMTR-123")], given)

    assert [messages(plan) for plan in plans] == [[], ["Meters are MTR-999"], ["Meters are MTR-999"]]


def test_a_pattern_fails_a_value_longer_than_it_is_tried_on(company):
    given = {"notes": [{"rule": "pattern", "pattern": "[a ]*"}]}

    plans = planned(company, [row(1, notes="a " * 100), row(2, notes="a" * 257)], given)

    assert messages(plans[0]) == []
    assert messages(plans[1]) == ["Notes does not match the pattern [a ]*"]


def test_allowed_values_compare_the_cleaned_value_in_any_case(company):
    given = {"status": [{"rule": "allowed", "values": ["active"]}]}

    plans = planned(company, [row(1, status="ACTIVE"), row(2, status="suspended")], given)

    assert [messages(plan) for plan in plans] == [[], ["Status must be one of active"]]


def test_min_and_max_compare_dates_as_dates(company):
    given = {"connection_date": [{"rule": "min", "value": "2024-01-01"}, {"rule": "max", "value": "2024-12-31"}]}

    plans = planned(company, [row(1, start="2024-06-01"), row(2, start="2023-12-31"), row(3, start="2025-01-01")],
                    given)

    assert plans[0].values["connection_date"] == dt.date(2024, 6, 1)
    assert not plans[0].failed
    assert messages(plans[1]) == ["Connection date must be at least 2024-01-01"]
    assert messages(plans[2]) == ["Connection date must be at most 2024-12-31"]


def test_a_value_failing_its_own_cleaning_is_not_judged_again(company):
    [plan] = planned(company, [row(1, start="someday")], {"connection_date": [{"rule": "min", "value": "2024-01-01"}]})

    assert messages(plan) == ["Invalid connection date 'someday': use YYYY-MM-DD, e.g. 2024-01-15"]


def test_unique_fails_the_later_rows_naming_the_first(company):
    given = {"phone": [{"rule": "unique", "message": "One customer per phone"}]}

    plans = planned(company, [row(1, phone="617-555-0100"), row(2, phone="(617) 555-0100"), row(3)], given)

    assert [messages(plan) for plan in plans] == [[], ["One customer per phone (same as row 1)"], []]


def test_a_unique_rule_is_judged_apart_from_the_targets_own_unique_values(company):
    """The meter number is unique in a file for the target already; the rule's repeat is found under its own name,
    so the rule's message is given whatever the target says."""
    plans = planned(company, [row(1, meter="M-1"), row(2, meter="M-1")], {"meter_number": [{"rule": "unique"}]})

    assert "Meter number must be unique in the file (same as row 1)" in messages(plans[1])
    assert unique_name("meter_number") != "meter_number"


def test_a_job_without_rules_plans_as_before(company):
    plans = planned(company, [row(1, notes="")], {})

    assert not plans[0].failed


def test_stored_rules_the_target_outgrew_are_passed_over_by_the_planner(company):
    """A template's rules are read as saved by the wizard's preview; one that no longer fits must not break it
    (a job refuses them when it is created)."""
    stored = ValidationRules.from_dict({"fax": [{"rule": "required"}], "connection_date": [{"rule": "min",
                                        "value": "soon"}], "notes": [{"rule": "required"}]})
    mapping = map_columns(CUSTOMER, COLUMNS, {})
    planner = BatchPlanner(target=CUSTOMER, mapping=mapping, width=len(COLUMNS),
                           context=ImportContext(company, timezone.localdate()),
                           options=ImportOptions(dry_run=True, rules=stored))

    [plan] = planner.plan([row(1)])

    assert messages(plan) == ["Notes is required"]
