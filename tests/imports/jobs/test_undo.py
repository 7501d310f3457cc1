"""Undoing an import: its changeset, kept in the batch's transaction, takes it back record for record."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from customers.models import Customer
from imports.engine.change_runs import one_by_one, records_total
from imports.jobs.export_services import export_preview
from imports.jobs.inprocess import job_run
from imports.jobs.resuming import resume_refusal
from imports.jobs.retention import changesets_purge
from imports.jobs.retrying import retry_refusal
from imports.jobs.undo_services import UndoRefused, undo_create, undo_refusal
from imports.models import ImportChange, ImportExportJob
from readings.models import MeterReading
from tests.customers.test_customer_import import HEADER, row

pytestmark = pytest.mark.django_db

SNAPSHOT_EXCLUDES = {"id"}


def snapshot(company) -> list[tuple]:
    """Every column of every customer of `company`, by primary key: what an undo must give back exactly."""
    names = [f.attname for f in Customer._meta.concrete_fields]
    return list(Customer.objects.filter(company=company).order_by("pk").values_list(*names))


def customers_file(write_file, numbers, name="customers.csv", **changes):
    return write_file(name, "\n".join([HEADER, *(row(n, **changes) for n in numbers)]) + "\n")


def undo(job, user=None, **options):
    return job_run(job=undo_create(job, user=user, enqueue=False, **options))


@pytest.fixture
def stored(company, run_import, write_file, settings):
    """Twenty customers stored by an earlier import."""
    settings.IMPORT_BATCH_SIZE = 7
    job = run_import(customers_file(write_file, range(1, 21), name="first.csv"))
    assert job.created_records == 20
    return job


def test_an_import_keeps_what_it_created_and_the_before_values_of_what_it_updated(company, stored, run_import,
                                                                                    write_file):
    before = {c.account_number: c.city for c in Customer.objects.filter(company=company)}
    job = run_import(customers_file(write_file, range(11, 31), city="Shelbyville"))

    created = ImportChange.objects.filter(job=job, action=ImportChange.Action.CREATED)
    updated = ImportChange.objects.filter(job=job, action=ImportChange.Action.UPDATED)
    assert {line.record_id for line in one_by_one(list(created))} == set(
        Customer.objects.filter(account_number__in=[f"50000000{n:02d}" for n in range(21, 31)]).values_list(
            "pk", flat=True)
    )
    assert updated.count() == 10
    change = updated.get(row_number=1)
    record = Customer.objects.get(pk=change.record_id)
    assert change.before["city"] == before[record.account_number] == "Springfield"
    assert change.after["city"] == "Shelbyville"
    assert change.written_at == record.updated_at


def test_the_changeset_costs_the_same_queries_for_fifty_rows_as_for_five_hundred(company, run_import, write_file,
                                                                                  settings):
    settings.IMPORT_BATCH_SIZE = settings.IMPORT_CHUNK_ROWS = 1000

    def queries_for(count: int) -> int:
        Customer.objects.all().delete()
        run_import(customers_file(write_file, range(0, count, 2), name="stored.csv"))  # every other one stored
        with CaptureQueriesContext(connection) as captured:
            job = run_import(customers_file(write_file, range(count), name="both.csv", city="Shelbyville"))
        assert (job.created_records, job.updated_records) == (count // 2, count // 2)
        assert records_total(ImportChange.objects.filter(job=job)) == count
        return len(captured)

    assert queries_for(500) == queries_for(50)


def test_undo_gives_back_the_table_as_it_was_before_the_import(company, stored, run_import, write_file):
    ahead = snapshot(company)
    job = run_import(customers_file(write_file, range(11, 31), city="Shelbyville", phone="555-000-1111"))
    assert (job.created_records, job.updated_records) == (10, 10)

    undone = undo(job)

    assert undone.job_status == ImportExportJob.Status.COMPLETED
    assert (undone.created_records, undone.updated_records, undone.skipped_records) == (10, 10, 0)
    assert snapshot(company) == ahead
    job.refresh_from_db()
    assert job.undone_at is not None


def test_a_record_edited_since_is_kept_and_listed_every_other_restored(company, stored, run_import, write_file):
    ahead = snapshot(company)
    job = run_import(customers_file(write_file, range(11, 31), city="Shelbyville"))
    edited = Customer.objects.get(company=company, account_number="5000000012")
    edited.city = "Capital City"
    edited.save()

    undone = undo(job)

    assert (undone.created_records, undone.updated_records, undone.skipped_records) == (10, 9, 1)
    kept = undone.logs.get(log_level="warning")
    assert kept.message.startswith("5000000012 kept: changed since the import")
    assert "City is now 'Capital City' (the import set 'Shelbyville')" in kept.message
    after = {r[0]: r for r in snapshot(company)}
    for record in ahead:
        if record[0] == edited.pk:
            assert after[record[0]] != record
        else:
            assert after[record[0]] == record
    assert len(after) == len(ahead)


def test_force_takes_back_records_changed_since_too(company, stored, run_import, write_file):
    ahead = snapshot(company)
    job = run_import(customers_file(write_file, range(11, 31), city="Shelbyville"))
    Customer.objects.filter(account_number="5000000025").update(city="Elsewhere", updated_at=timezone.now())

    undone = undo(job, force=True)

    assert undone.skipped_records == 0
    assert snapshot(company) == ahead


def test_a_created_customer_with_readings_is_kept_and_listed(company, stored, run_import, write_file):
    job = run_import(customers_file(write_file, range(21, 24)))
    customer = Customer.objects.get(account_number="5000000022")
    MeterReading.objects.create(company=company, customer=customer, meter_number=customer.meter_number,
                                reading_date="2026-01-01", reading_value=5)

    undone = undo(job)

    assert (undone.created_records, undone.skipped_records) == (2, 1)
    assert "kept: created by the import, but 1 meter reading now depends on it" in undone.logs.get(
        log_level="warning").message
    assert Customer.objects.filter(pk=customer.pk).exists()


def test_a_dry_run_of_the_undo_says_what_it_would_do_and_changes_nothing(company, stored, run_import, write_file):
    job = run_import(customers_file(write_file, range(11, 31), city="Shelbyville"))
    Customer.objects.filter(account_number="5000000012").update(city="Elsewhere", updated_at=timezone.now())
    ahead = snapshot(company)

    rehearsed = undo(job, dry_run=True)

    assert rehearsed.job_status == ImportExportJob.Status.COMPLETED
    assert (rehearsed.created_records, rehearsed.updated_records, rehearsed.skipped_records) == (10, 9, 1)
    assert rehearsed.logs.filter(log_level="warning", message__startswith="5000000012 kept").exists()
    assert snapshot(company) == ahead
    job.refresh_from_db()
    assert job.undone_at is None
    assert undo(job).updated_records == 9


def test_an_import_cannot_be_undone_twice(company, stored, user):
    undo(stored, user=user)
    stored.refresh_from_db()

    with pytest.raises(UndoRefused, match=f"already undone by {user.username} on .*: it cannot be undone twice"):
        undo_create(stored, enqueue=False)


def test_a_dry_run_import_and_a_forgotten_changeset_cannot_be_undone(company, stored, run_import, write_file,
                                                                      settings):
    rehearsal = run_import(customers_file(write_file, range(40, 45)), dry_run=True)
    assert undo_refusal(rehearsal) == "This was a dry run: it wrote nothing, so there is nothing to undo."

    settings.IMPORT_UNDO_DAYS = 30
    ImportExportJob.objects.filter(pk=stored.pk).update(completed_at=timezone.now() - timezone.timedelta(days=31))
    assert changesets_purge() == 1
    stored.refresh_from_db()
    assert not ImportChange.objects.filter(job=stored).exists()
    assert "can no longer be undone" in undo_refusal(stored)


def test_generated_account_numbers_are_not_handed_out_again_after_an_undo(company, run_import, write_file):
    job = run_import(customers_file(write_file, range(1, 4), account_number=""))
    numbers = set(Customer.objects.values_list("account_number", flat=True))
    undo(job)
    assert not Customer.objects.exists()

    run_import(customers_file(write_file, range(1, 4), name="again.csv", account_number=""))

    assert numbers.isdisjoint(Customer.objects.values_list("account_number", flat=True))


def test_an_export_filtered_by_import_job_takes_exactly_the_records_of_its_changeset(company, stored, run_import,
                                                                                      write_file):
    job = run_import(customers_file(write_file, range(18, 23), city="Shelbyville"))
    run_import(customers_file(write_file, range(30, 32), name="meanwhile.csv"))
    # As if the other import had written while this one ran: its records fall in this one's time window.
    ImportExportJob.objects.filter(pk=job.pk).update(completed_at=timezone.now())
    data = {"target": "Customer", "columns": ["account_number"],
            "filters": [{"field": "import_job", "op": "equals", "value": str(job.pk)}]}

    preview = export_preview(data, company=company)

    assert preview.total_rows == 5
    assert sorted(row[0] for row in preview.rows) == [f"50000000{n}" for n in range(18, 23)]


def test_a_cancelled_import_undone_cannot_be_continued(company, run_import, write_file):
    job = run_import(customers_file(write_file, range(1, 6)))
    ImportExportJob.objects.filter(pk=job.pk).update(job_status=ImportExportJob.Status.CANCELLED)
    job.refresh_from_db()
    pending = undo_create(job, enqueue=False)
    assert resume_refusal(job).startswith("The import was undone (or is being undone)")

    job_run(job=pending)
    job.refresh_from_db()

    assert not Customer.objects.exists()
    assert resume_refusal(job).startswith("The import was undone (or is being undone)")


def test_an_import_run_without_keeping_changes_writes_the_same_and_cannot_be_undone(company, run_import, write_file,
                                                                                    settings):
    settings.IMPORT_KEEP_CHANGES = False

    job = run_import(customers_file(write_file, range(1, 6)))

    assert job.created_records == Customer.objects.filter(company=company).count() == 5
    assert not ImportChange.objects.filter(job=job).exists()
    assert undo_refusal(job) == ("This import ran while imports kept no record of their changes "
                                 "(IMPORT_KEEP_CHANGES was off): it cannot be undone.")


def test_the_failed_rows_of_an_undone_import_cannot_be_retried(company, run_import, write_file):
    job = run_import(write_file("mixed.csv", "\n".join([HEADER, row(1), row(2, email="not-an-email")]) + "\n"))
    assert retry_refusal(job) is None
    undo(job)
    job.refresh_from_db()

    assert retry_refusal(job).endswith("was undone: import the whole corrected file again rather than only its "
                                       "failed rows.")
