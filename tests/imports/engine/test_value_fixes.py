"""Value fixes as the engine applies them: checked when given, then applied column by column before each field's
own cleaning, in the planner (dry runs, imports, the wizard's preview) and in the scan that finds repeated keys."""

import datetime as dt

import pytest
from django.utils import timezone

from imports.declare.errors import ImportFileError
from imports.declare.outcomes import SourceRow
from imports.declare.targets import get_target
from imports.engine.mapping import map_columns
from imports.engine.options import ImportOptions
from imports.engine.planning import BatchPlanner, ImportContext
from imports.engine.value_fixes import ColumnFixer, ValueFixes, value_fixes_parse

pytestmark = pytest.mark.django_db

COLUMNS = ["first_name", "last_name", "email", "phone", "service_address", "city", "state", "postal_code",
           "meter_number", "status", "Start Date", "billing_state", "billing_postal_code"]
CUSTOMER = get_target("Customer")


def row(number: int, *, state="MA", postal="02134", status="active", start="2024-03-15", billing=("", "")):
    return SourceRow(number, ["Ann", "Lee", f"ann{number}@example.com", "617-555-0101", "1 Main St", "Boston", state,
                              postal, f"MTR-{number}", status, start, *billing])


def planned(company, rows, fixes: ValueFixes):
    mapping = map_columns(CUSTOMER, COLUMNS, {"Start Date": "connection_date"})
    planner = BatchPlanner(
        target=CUSTOMER, mapping=mapping, width=len(COLUMNS), context=ImportContext(company, timezone.localdate()),
        options=ImportOptions(dry_run=True, fixes=fixes),
    )
    return planner.plan(rows)


def messages(plan) -> list[str]:
    return [error.message for error in plan.errors]


# --- Checked when given ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("given", "message"), [
    ({"date_formats": {"connection_date": "us"}}, "Unknown date format 'us' for connection_date: use iso"),
    ({"date_formats": {"email": "mdy"}}, "email is not a date field of Customer"),
    ({"value_maps": {"colour": {"x": "y"}}}, "A value map names 'colour', which is no field of Customer."),
    ({"value_maps": {"city": {"x": "y"}}}, "city takes no value map: only choice and yes/no fields do."),
    ({"value_maps": {"status": {"Closed": "closed"}}},
     "The value map of status sends 'Closed' to 'closed': use one of active, inactive, suspended."),
    ({"value_maps": {"status": {str(n): "active" for n in range(51)}}},
     "The value map of status has 51 values; it may have at most 50."),
])
def test_fixes_that_cannot_apply_are_refused_with_what_is_allowed(given, message):
    with pytest.raises(ImportFileError) as refused:
        value_fixes_parse(CUSTOMER, **given)

    assert message in str(refused.value)


def test_format_names_and_choices_are_read_in_any_case():
    fixes = value_fixes_parse(CUSTOMER, date_formats={"Start Date": "MDY"},
                              value_maps={"status": {"Closed": "INACTIVE"}})

    assert fixes.as_dict() == {"date_formats": {"Start Date": "mdy"}, "value_maps": {"status": {"Closed": "inactive"}},
                               "pad_zip_codes": True}
    assert ValueFixes.from_dict(fixes.as_dict()) == fixes


# --- Applied by the planner ------------------------------------------------------------------------------------


def test_a_date_format_given_by_column_reads_us_dates(company):
    plans = planned(company, [row(1, start="03/15/2024"), row(2, start="4/5/2024"), row(3, start="2024-06-01")],
                    value_fixes_parse(CUSTOMER, date_formats={"Start Date": "mdy"}))

    assert [plan.values["connection_date"] for plan in plans] == [
        dt.date(2024, 3, 15), dt.date(2024, 4, 5), dt.date(2024, 6, 1),  # YYYY-MM-DD stays readable
    ]


def test_a_date_in_another_format_than_the_columns_is_refused_naming_the_format(company):
    [plan] = planned(company, [row(1, start="15/03/2024")],
                     value_fixes_parse(CUSTOMER, date_formats={"connection_date": "mdy"}))

    assert messages(plan) == [
        "Invalid connection date '15/03/2024': this column is read as MM/DD/YYYY, e.g. 03/15/2024"
    ]
    assert plan.errors[0].value == "15/03/2024"


def test_without_a_format_us_dates_are_refused_as_before(company):
    [plan] = planned(company, [row(1, start="03/15/2024")], ValueFixes())

    assert messages(plan) == ["Invalid connection date '03/15/2024': use YYYY-MM-DD, e.g. 2024-01-15"]


def test_a_shortened_zip_code_of_a_zero_state_is_padded_with_a_warning(company):
    plans = planned(company, [row(1, postal="2134"), row(2, state="IL", postal="2134"), row(3)], ValueFixes())

    assert (plans[0].values["postal_code"], plans[0].warnings, plans[0].failed) == (
        "02134", ["Postal code 2134 read as 02134"], False
    )
    assert messages(plans[1]) == [
        "Invalid postal code '2134': use 5 digits (62701) or 9 digits (62701-1234); if Excel dropped a leading "
        "zero, format the column as Text"
    ]
    assert (plans[2].values["postal_code"], plans[2].warnings) == ("02134", ())


def test_a_billing_zip_code_is_judged_by_the_billing_state_else_the_service_state(company):
    plans = planned(company, [row(1, state="IL", postal="62701", billing=("CT", "6103")),
                              row(2, billing=("", "2134"))], ValueFixes())

    assert plans[0].values["billing_postal_code"] == "06103"
    assert plans[1].values["billing_postal_code"] == "02134"
    assert plans[1].warnings == ["Billing postal code 2134 read as 02134"]


def test_zip_padding_turned_off_reads_codes_as_they_are(company):
    [plan] = planned(company, [row(1, postal="2134")], ValueFixes(pad_zip_codes=False))

    assert messages(plan)[0].startswith("Invalid postal code '2134'")
    assert plan.warnings == ()


def test_a_value_map_sends_the_files_words_to_the_choices_before_they_are_checked(company):
    fixes = value_fixes_parse(CUSTOMER, value_maps={"status": {"Closed": "inactive", "On hold": "suspended"}})

    plans = planned(company, [row(1, status="Closed"), row(2, status=" closed "), row(3, status="ON HOLD"),
                              row(4, status="Active"), row(5, status="Gone")], fixes)

    assert [plan.values.get("status") for plan in plans] == ["inactive", "inactive", "suspended", "active", None]
    assert messages(plans[4]) == ["Invalid status 'Gone': use one of active, inactive, suspended"]


def test_a_value_map_reads_yes_no_words(company):
    contact = get_target("Contact")
    fixes = value_fixes_parse(contact, value_maps={"is_primary": {"x": "true", "Y": "TRUE", "-": "false"}})
    columns = ["email", "first_name", "last_name", "account", "is_primary"]
    mapping = map_columns(contact, columns)
    planner = BatchPlanner(target=contact, mapping=mapping, width=len(columns),
                           context=ImportContext(company, timezone.localdate()),
                           options=ImportOptions(dry_run=True, fixes=fixes))
    rows = [SourceRow(n, [f"c{n}@example.com", "C", "D", "A-1", flag]) for n, flag in enumerate(["x", "y", "-"], 1)]

    assert [plan.values.get("is_primary") for plan in planner.plan(rows)] == [True, True, False]


def test_fixes_naming_no_column_of_the_file_are_noted_not_applied():
    mapping = map_columns(CUSTOMER, COLUMNS)
    fixes = value_fixes_parse(CUSTOMER, date_formats={"Opened": "dmy", "connection_date": "mdy"})

    assert fixes.unresolved(CUSTOMER, mapping) == [
        "The date format dmy is given for 'Opened', which is neither a date field of Customer nor a column of the "
        "file that feeds one; it is not applied."
    ]


def test_a_templates_fixes_give_way_to_those_given_with_the_job():
    saved = ValueFixes(date_formats={"connection_date": "dmy"}, value_maps={"status": {"Closed": "inactive"}})

    merged = saved.overridden_by(ValueFixes(date_formats={"connection_date": "mdy"}, pad_zip_codes=False))

    assert merged == ValueFixes(date_formats={"connection_date": "mdy"}, value_maps={"status": {"Closed": "inactive"}},
                                pad_zip_codes=False)


def test_a_refused_date_of_health_data_is_not_repeated_in_its_message():
    claim = get_target("Claim")
    fixer = ColumnFixer(value_fixes_parse(claim, date_formats={"date_of_birth": "mdy"}), claim,
                        map_columns(claim, ["date_of_birth"]))

    values, errors, _warnings = fixer.clean_column(claim.fields_by_name["date_of_birth"], ["13/45/1975", "5/10/1975"],
                                                   [["13/45/1975"], ["5/10/1975"]])

    assert values == [None, dt.date(1975, 5, 10)]
    assert errors == {0: "Invalid date of birth: this column is read as MM/DD/YYYY, e.g. 03/15/2024"}


@pytest.mark.parametrize("stored", [
    {"connection_date": "dmy", "Start Date": "mdy"}, {"Start Date": "mdy", "connection_date": "dmy"},
], ids=["field-first", "column-first"])
def test_a_columns_own_format_wins_over_its_fields_in_whatever_order_they_were_stored(company, stored):
    [plan] = planned(company, [row(1, start="4/5/2024")], ValueFixes(date_formats=stored))

    assert plan.values["connection_date"] == dt.date(2024, 4, 5)
