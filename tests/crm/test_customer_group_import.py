"""Customer groups as an import target, so a company can be set up from files alone."""

import pytest

from crm.models import CustomerGroup

from .conftest import report_rows

pytestmark = pytest.mark.django_db

GROUPS = "name,group_type\nIndividuals,individual\nBusinesses,BUSINESS\nPartners,Business\n"


def test_groups_import_with_their_type_in_any_case_then_are_unchanged(write_file, run_import):
    first = run_import(write_file("groups.csv", GROUPS), target="CustomerGroup")
    second = run_import(write_file("groups.csv", GROUPS), target="CustomerGroup")

    assert (first.created_records, second.unchanged_records) == (3, 3)
    assert dict(CustomerGroup.objects.values_list("name", "group_type")) == {
        "Individuals": "INDIVIDUAL", "Businesses": "BUSINESS", "Partners": "BUSINESS",
    }


def test_a_group_needs_a_known_type(write_file, run_import):
    job = run_import(write_file("groups.csv", "name,group_type\nVIP,GOLD\nStaff,\n"), target="CustomerGroup")

    assert [row["error_message"] for row in report_rows(job)] == [
        "Invalid group type 'GOLD': use one of INDIVIDUAL, BUSINESS",
        "Missing required field: Group type",
    ]
    assert not CustomerGroup.objects.exists()


def test_a_groups_type_is_updated_by_its_name(write_file, run_import):
    run_import(write_file("groups.csv", GROUPS), target="CustomerGroup")

    job = run_import(write_file("groups.csv", "name,group_type\nPartners,individual\nNobody,business\n"),
                     target="CustomerGroup", mode="update_only")

    assert (job.updated_records, job.failed_records) == (1, 1)
    assert CustomerGroup.objects.get(name="Partners").group_type == "INDIVIDUAL"
    assert report_rows(job)[0]["error_message"] == (
        "Unknown customer group 'Nobody': update mode only changes existing customer groups"
    )
