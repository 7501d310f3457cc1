"""A changeset keeps a batch's new records as one line, a run of keys that follow each other, and reads it back
record for record: counts, the records an import wrote, a record's history and the undo. Keys that do not follow
each other (another writer took some in between) cut a run and change nothing of what is read back."""

import pytest

from customers.models import Customer
from imports.declare.targets import get_target
from imports.engine import change_runs, changesets
from imports.engine.change_runs import one_by_one, records_total
from imports.jobs.change_selectors import change_counts, record_history, records_changed
from imports.models import ImportChange
from tests.imports.jobs.test_undo import customers_file, snapshot, undo

pytestmark = pytest.mark.django_db


def row_of(customer: Customer) -> int:
    """The data row of tests.customers' row(n): n, the account number's last digits."""
    return int(customer.account_number) - 5000000000


def test_a_batch_of_new_records_is_one_line_read_back_record_for_record(company, run_import, write_file, settings,
                                                                       monkeypatch):
    settings.IMPORT_BATCH_SIZE = 7
    job = run_import(customers_file(write_file, range(1, 21)))

    lines = list(ImportChange.objects.filter(job=job).order_by("record_id"))
    assert [line.records for line in lines] == [7, 7, 6]
    assert records_total(ImportChange.objects.filter(job=job)) == 20
    assert change_counts(job) == {"created": 20, "updated": 0}
    customers = {customer.pk: customer for customer in Customer.objects.filter(company=company)}
    assert {line.record_id: line.row_number for line in one_by_one(lines)} == {
        pk: row_of(customer) for pk, customer in customers.items()
    }
    middle = sorted(customers)[10]
    assert [entry.created for entry in record_history(company=company, target=get_target("Customer"),
                                                      record_id=middle)] == [True]
    for spelled_out in (200, 0):
        monkeypatch.setattr(change_runs, "RANGES_SPELLED_OUT", spelled_out)
        assert set(records_changed(Customer.objects.all(), company=company, job_id=job.pk, change="created")
                   .values_list("pk", flat=True)) == set(customers)


@pytest.fixture
def scattered(monkeypatch):
    """Keys reserved as if another writer took every other one meanwhile: no two of a batch follow each other."""
    reserve = changesets.record_ids_reserve

    def every_other(model, count):
        return reserve(model, count * 2)[::2]

    monkeypatch.setattr(changesets, "record_ids_reserve", every_other)


def test_scattered_keys_are_read_back_exactly_and_undone(company, run_import, write_file, settings, scattered,
                                                         monkeypatch):
    settings.IMPORT_BATCH_SIZE = 7
    run_import(customers_file(write_file, range(1, 21), name="first.csv"))
    before = snapshot(company)
    job = run_import(customers_file(write_file, range(11, 31), city="Shelbyville"))
    assert (job.created_records, job.updated_records) == (10, 10)
    assert ImportChange.objects.filter(job=job).count() == 20  # no two new keys follow each other
    created = set(Customer.objects.filter(company=company, account_number__gt="5000000020").values_list("pk",
                                                                                                        flat=True))
    updated = set(Customer.objects.filter(company=company, city="Shelbyville").values_list("pk", flat=True)) - created
    assert len(created) == len(updated) == 10

    def written(change):
        return set(records_changed(Customer.objects.all(), company=company, job_id=job.pk, change=change)
                   .values_list("pk", flat=True))

    assert (written("created"), written("updated")) == (created, updated)
    monkeypatch.setattr(change_runs, "RANGES_SPELLED_OUT", 3)  # the runs asked of the changeset record by record
    assert (written("created"), written("updated")) == (created, updated)

    target = get_target("Customer")
    newest, changed = max(created), min(updated)
    assert [entry.created for entry in record_history(company=company, target=target, record_id=newest)] == [True]
    history = record_history(company=company, target=target, record_id=changed)
    assert [entry.created for entry in history] == [False, True]
    assert ("city", "Springfield", "Shelbyville") in history[0].fields
    gap = newest - 1  # a key the import skipped: no history
    assert record_history(company=company, target=target, record_id=gap) == []

    undo(job)
    assert snapshot(company) == before


def test_another_companys_import_narrows_nothing(company, other_company, run_import, write_file):
    job = run_import(customers_file(write_file, range(1, 4)))
    assert records_changed(Customer.objects.all(), company=other_company, job_id=job.pk, change="created").count() == 0
    assert records_changed(Customer.objects.all(), company=company, job_id=job.pk, change="created").count() == 3
