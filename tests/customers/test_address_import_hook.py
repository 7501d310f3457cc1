"""How an import hands its addresses to verification: new and changed addresses wait pending, and a task is
queued once the import has completed; the import itself never standardises or looks anything up."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from customers.models import Customer
from customers.tasks import verify_customer_addresses
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV
from tests.customers.test_customer_import import csv_of, row

pytestmark = pytest.mark.django_db

Status = Customer.AddressStatus


@pytest.fixture
def queued(monkeypatch):
    """The company ids verification tasks were queued for (instead of sending them to a broker)."""
    sent = []
    monkeypatch.setattr(verify_customer_addresses, "delay", lambda company_id, *args: sent.append(company_id))
    return sent


def test_imported_customers_wait_pending_with_nothing_standardised_yet(company, write_file, run_import):
    run_import(write_file("guide.csv", GUIDE_CSV))

    customers = Customer.objects.filter(company=company)
    assert [c.address_status for c in customers] == [Status.PENDING, Status.PENDING]
    assert [c.standardized_address for c in customers] == ["", ""]
    assert [c.address_checked_at for c in customers] == [None, None]


def test_an_update_that_changes_the_service_address_sends_it_to_be_checked_again(company, write_file, run_import):
    run_import(write_file("first.csv", csv_of(row(1), row(2), row(3), row(4))))
    Customer.objects.filter(company=company).update(address_status=Status.VERIFIED, standardized_address="x")

    job = run_import(write_file("second.csv", csv_of(
        row(1, service_address="77 Elm St"),      # the street changes
        row(2, email="new2@example.com"),         # something else changes
        row(3),                                   # nothing changes
        row(4, postal_code="62702"),              # the ZIP code changes
    )))

    assert (job.updated_records, job.unchanged_records) == (3, 1)
    status_of = dict(Customer.objects.filter(company=company).values_list("first_name", "address_status"))
    assert status_of == {
        "First1": Status.PENDING, "First2": Status.VERIFIED, "First3": Status.VERIFIED, "First4": Status.PENDING,
    }
    assert Customer.objects.get(first_name="First2").email == "new2@example.com"


def test_an_update_of_the_address_alone_in_its_batch_keeps_the_others_statuses(company, write_file, run_import):
    """One row's status change writes the status column for the whole batch, in one statement that the
    database accepts (no row is refused and written again alone): the others write back their own status."""
    run_import(write_file("first.csv", csv_of(row(1), row(2))))
    Customer.objects.filter(first_name="First2").update(address_status=Status.NEEDS_REVIEW)
    Customer.objects.filter(first_name="First1").update(address_status=Status.CORRECTED)

    with CaptureQueriesContext(connection) as queries:
        run_import(write_file("second.csv", csv_of(row(1, city="Chicago"), row(2, phone="555-555-9999"))))

    status_of = dict(Customer.objects.values_list("first_name", "address_status"))
    assert status_of == {"First1": Status.PENDING, "First2": Status.NEEDS_REVIEW}
    table = Customer._meta.db_table
    updates = [q["sql"] for q in queries.captured_queries if f'UPDATE "{table}"' in q["sql"]]  # "2 times: UPDATE"
    assert len(updates) == 1
    assert not [q for q in queries.captured_queries if "ROLLBACK TO SAVEPOINT" in q["sql"]]


def test_a_completed_import_queues_verification_of_its_company(company, write_file, run_import, queued,
                                                              django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(write_file("guide.csv", GUIDE_CSV))

    assert job.job_status == ImportExportJob.Status.COMPLETED
    assert queued == [company.pk]
    assert set(Customer.objects.values_list("address_status", flat=True)) == {Status.PENDING}


def test_the_import_does_not_wait_for_google(company, write_file, run_import, queued, fake_google,
                                             django_capture_on_commit_callbacks):
    fake_google.gate.clear()  # Google hangs

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(write_file("guide.csv", GUIDE_CSV))

    assert job.job_status == ImportExportJob.Status.COMPLETED
    assert fake_google.count() == 0
    assert queued == [company.pk]


def test_a_dry_run_queues_nothing(company, write_file, run_import, queued, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        run_import(write_file("guide.csv", GUIDE_CSV), dry_run=True)

    assert queued == []


def test_an_import_that_writes_nothing_queues_nothing(company, write_file, run_import, queued,
                                                     django_capture_on_commit_callbacks):
    path = write_file("same.csv", csv_of(row(1)))
    run_import(path)

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(path)

    assert job.unchanged_records == 1
    assert queued == []


def test_an_import_queues_nothing_when_checks_after_imports_are_switched_off(company, write_file, run_import, queued,
                                                                            settings,
                                                                            django_capture_on_commit_callbacks):
    settings.ADDRESS_VERIFICATION_AFTER_IMPORT = False

    with django_capture_on_commit_callbacks(execute=True):
        job = run_import(write_file("guide.csv", GUIDE_CSV))

    assert job.created_records == 2
    assert queued == []
    assert set(Customer.objects.values_list("address_status", flat=True)) == {Status.PENDING}
