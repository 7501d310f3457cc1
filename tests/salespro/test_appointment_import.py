"""SalesPro appointments through the shared import core: keyed by `_id`, updated only by a newer `_updated_at`,
sales reps matched by email in any case."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from imports.models import ImportExportLog
from salespro.models import SalesProAppointment, SalesProUser

from .conftest import appointment

pytestmark = pytest.mark.django_db

TARGET = "SalesProAppointment"


def stored(salespro_id):
    return SalesProAppointment.objects.select_related("sales_rep").get(salespro_id=salespro_id)


def counts(job):
    return job.created_records, job.updated_records, job.unchanged_records, job.failed_records


def test_an_export_creates_its_appointments_with_every_column(company, write_export, run_import):
    path = write_export([appointment("A1", saleAmount="$1,234.50"), appointment("A2", isSale="", saleAmount="")])

    job = run_import(path, target=TARGET)

    assert (job.job_status, *counts(job)) == ("completed", 2, 0, 0, 0)
    first = stored("A1")
    assert first.company == company
    assert first.salespro_created_at == dt.datetime(2025, 6, 18, 14, 30, tzinfo=dt.UTC)
    assert first.salespro_updated_at == dt.datetime(2025, 6, 18, 16, 0, tzinfo=dt.UTC)
    assert (first.is_sale, first.sale_amount, first.result_full_string) == (True, Decimal("1234.50"), "Sale - Windows")
    assert (first.customer_last_name, first.customer_first_name, first.customer_estimate_name) == (
        "Doe", "John", "Doe Residence"
    )
    assert (first.sales_rep.email, first.sales_rep.first_name, first.sales_rep.last_name) == (
        "ann@example.com", "Ann", "Rep"
    )
    second = stored("A2")
    assert (second.is_sale, second.sale_amount) == (False, None)


def test_a_file_with_a_byte_order_mark_matches_its_first_column(company, write_export, run_import):
    job = run_import(write_export([appointment("A1")], bom=True), target=TARGET)

    assert counts(job) == (1, 0, 0, 0)
    assert job.field_mapping["_id"] == "salespro_id"


def test_the_same_export_twice_changes_nothing_the_second_time(company, write_export, run_import):
    path = write_export([appointment("A1"), appointment("A2", **{"salesrep.email": "Bob@Example.com"})])
    run_import(path, target=TARGET)
    before = list(SalesProAppointment.objects.order_by("pk").values())

    again = run_import(path, target=TARGET)

    assert counts(again) == (0, 0, 2, 0)
    assert list(SalesProAppointment.objects.order_by("pk").values()) == before


def test_a_newer_updated_at_updates_the_appointment(company, write_export, run_import):
    run_import(write_export([appointment("A1")], "first.csv"), target=TARGET)
    newer = appointment("A1", _updated_at="2025-06-19T09:00:00Z", isSale="false", saleAmount="",
                        resultFullString="Cancelled")

    job = run_import(write_export([newer], "second.csv"), target=TARGET)

    assert counts(job) == (0, 1, 0, 0)
    record = stored("A1")
    assert (record.is_sale, record.result_full_string) == (False, "Cancelled")
    assert record.salespro_updated_at == dt.datetime(2025, 6, 19, 9, 0, tzinfo=dt.UTC)
    assert record.sale_amount == Decimal("1234.50")  # a blank cell never overwrites a stored value


@pytest.mark.parametrize("updated_at", ["2025-06-18T16:00:00Z", "2025-06-18T18:00:00+02:00", "2025-06-17T10:00:00Z"])
def test_a_row_not_newer_than_the_stored_one_is_unchanged_whatever_it_says(
    company, write_export, run_import, updated_at
):
    run_import(write_export([appointment("A1")], "first.csv"), target=TARGET)
    older = appointment("A1", _updated_at=updated_at, isSale="no", resultFullString="Stale result")

    job = run_import(write_export([older], "second.csv"), target=TARGET)

    assert counts(job) == (0, 0, 1, 0)
    assert (stored("A1").is_sale, stored("A1").result_full_string) == (True, "Sale - Windows")


def test_without_updated_at_a_known_appointment_is_compared_field_by_field(company, write_export, run_import):
    run_import(write_export([appointment("A1")], "first.csv"), target=TARGET)
    columns = ["_id", "resultFullString"]

    same = run_import(write_export([appointment("A1")], "same.csv", columns=columns), target=TARGET)
    other = run_import(write_export([appointment("A1", resultFullString="Rescheduled")], "other.csv",
                                    columns=columns), target=TARGET)

    assert (counts(same), counts(other)) == ((0, 0, 1, 0), (0, 1, 0, 0))
    assert stored("A1").result_full_string == "Rescheduled"


def test_reps_are_matched_by_email_in_any_case_and_created_once(company, other_company, write_export, run_import):
    SalesProUser.objects.create(company=company, email="Ann@Example.com", first_name="Ann", office="Denver")
    SalesProUser.objects.create(company=other_company, email="bob@example.com")
    rows = [
        appointment("A1", **{"salesrep.email": "ANN@example.com", "salesrep.nameFirst": "Annie"}),
        appointment("A2", **{"salesrep.email": "bob@example.com", "salesrep.nameFirst": "Bob",
                             "salesrep.nameLast": "Builder"}),
        appointment("A3", **{"salesrep.email": "BOB@example.com", "salesrep.nameFirst": "Robert"}),
        appointment("A4", **{"salesrep.email": "", "salesrep.nameFirst": "", "salesrep.nameLast": ""}),
    ]

    job = run_import(write_export(rows), target=TARGET)

    assert counts(job) == (4, 0, 0, 0)
    ann = SalesProUser.objects.get(company=company, email="Ann@Example.com")
    assert (ann.first_name, ann.office) == ("Ann", "Denver")  # a known rep stays as it is
    bob = SalesProUser.objects.get(company=company, email__iexact="bob@example.com")
    assert (bob.email, bob.first_name, bob.last_name) == ("bob@example.com", "Bob", "Builder")  # its first row
    assert SalesProUser.objects.filter(company=company).count() == 2
    assert [stored(_id).sales_rep for _id in ("A1", "A2", "A3", "A4")] == [ann, bob, bob, None]


def test_another_rep_on_a_newer_row_moves_the_appointment(company, write_export, run_import):
    run_import(write_export([appointment("A1"), appointment("A2")], "first.csv"), target=TARGET)
    rows = [
        appointment("A1", _updated_at="2025-06-20T00:00:00Z", **{"salesrep.email": "carl@example.com"}),
        appointment("A2", _updated_at="2025-06-20T00:00:00Z", **{"salesrep.email": "ANN@EXAMPLE.COM",
                                                                 "salesrep.nameFirst": "Another name"}),
    ]

    job = run_import(write_export(rows, "second.csv"), target=TARGET)

    assert counts(job) == (0, 2, 0, 0)  # A2: its timestamp is newer, its rep the same
    assert stored("A1").sales_rep.email == "carl@example.com"
    assert stored("A2").sales_rep.email == "ann@example.com"
    assert stored("A2").sales_rep.first_name == "Ann"


def test_a_newer_row_that_only_renames_the_rep_changes_nothing(company, write_export, run_import):
    run_import(write_export([appointment("A1")], "first.csv"), target=TARGET)
    columns = ["_id", "salesrep.email", "salesrep.nameFirst"]
    renamed = appointment("A1", **{"salesrep.email": "Ann@example.com", "salesrep.nameFirst": "Annie"})

    job = run_import(write_export([renamed], "second.csv", columns=columns), target=TARGET)

    assert counts(job) == (0, 0, 1, 0)
    assert stored("A1").sales_rep.first_name == "Ann"


def test_bad_rows_fail_with_their_field_and_value_and_the_rest_import(company, write_export, run_import):
    rows = [
        appointment("A1"),
        appointment("A2", _created_at="invalid_date"),
        appointment("A3", saleAmount="twelve"),
        appointment("A4", isSale="maybe"),
        appointment("A5", **{"salesrep.email": "not-an-email"}),
        appointment(""),
        appointment("A1"),
    ]

    job = run_import(write_export(rows), target=TARGET)

    assert counts(job) == (1, 0, 0, 6)
    messages = dict(
        ImportExportLog.objects.filter(job=job, record_number__isnull=False).values_list("record_number", "message")
    )
    assert messages == {
        2: "Could not parse datetime: invalid_date (_created_at needs an ISO 8601 timestamp such as "
           "2025-06-18T14:30:00Z)",
        3: "Could not parse amount: twelve (saleAmount needs a number such as 1234.50 or $1,234.50)",
        4: "Could not parse boolean: maybe (isSale needs true, false, yes, no, 1 or 0; blank means false)",
        5: "Invalid email format in salesrep email",
        6: "Missing required field: Salespro id",
        7: "Duplicate appointment _id (same as sheet row 2)",
    }
    assert list(SalesProAppointment.objects.values_list("salespro_id", flat=True)) == ["A1"]


def test_a_dry_run_predicts_the_outcomes_and_writes_nothing(company, write_export, run_import):
    run_import(write_export([appointment("A1"), appointment("A2")], "first.csv"), target=TARGET)
    rows = [
        appointment("A1", _updated_at="2025-07-01T00:00:00Z", **{"salesrep.email": "new.rep@example.com"}),
        appointment("A2"),
        appointment("A3"),
        appointment("A4", _updated_at="yesterday"),
    ]
    before = list(SalesProAppointment.objects.order_by("pk").values())

    job = run_import(write_export(rows, "second.csv"), target=TARGET, dry_run=True)

    assert (job.dry_run, *counts(job)) == (True, 1, 1, 1, 1)
    assert list(SalesProAppointment.objects.order_by("pk").values()) == before
    assert not SalesProUser.objects.filter(email="new.rep@example.com").exists()


def test_appointments_stay_within_their_company(company, other_company, write_export, run_import):
    path = write_export([appointment("A1")])
    run_import(path, target=TARGET, into=other_company)

    job = run_import(path, target=TARGET)

    assert counts(job) == (1, 0, 0, 0)
    assert SalesProAppointment.objects.filter(salespro_id="A1").count() == 2
    assert stored_rep_companies() == {company.pk, other_company.pk}


def stored_rep_companies():
    return set(SalesProUser.objects.values_list("company_id", flat=True))


def _rows(count, *, first=0, updated_at="2025-06-18T16:00:00Z"):
    return [
        appointment(f"P{n:06d}", _updated_at=updated_at, **{"salesrep.email": f"rep{n % 7}@example.com"})
        for n in range(first, first + count)
    ]


def _queries(run_import, path, batch_size, key_look_ups):
    key_look_ups.clear()
    with CaptureQueriesContext(connection) as captured:
        job = run_import(path, target=TARGET, batch_size=batch_size)
    assert job.job_status == "completed"
    return len(captured), len(key_look_ups)


@pytest.mark.parametrize("updated_at", ["2025-06-18T16:00:00Z", "2025-06-30T00:00:00Z"])
def test_queries_grow_with_batches_never_with_rows(company, write_export, run_import, key_look_ups, updated_at):
    """Five batches of 20 rows cost what five batches of 40 rows cost: creating, then re-importing (unchanged,
    or updated), with one look-up of stored appointments a batch."""
    small, large = write_export(_rows(100), "small.csv"), write_export(_rows(200, first=1000), "large.csv")
    created = _queries(run_import, small, 20, key_look_ups), _queries(run_import, large, 40, key_look_ups)
    again = (
        _queries(run_import, write_export(_rows(100, updated_at=updated_at), "small2.csv"), 20, key_look_ups),
        _queries(run_import, write_export(_rows(200, first=1000, updated_at=updated_at), "large2.csv"), 40,
                 key_look_ups),
    )

    assert created[0] == created[1]
    assert again[0] == again[1]
    assert created[0][1] == again[0][1] == 5
