"""Undoing a large import on real Celery workers, as the page and the API queue it: half of the import's rows
updated customers stored before, half created new ones; the undo gives the customers table back exactly as it was
before the import, column for column and row for row, keeps a record edited since, and is taken over where it
stopped when its worker is killed mid-way.

The broker is Redis when REDIS_URL is set and Celery's filesystem transport otherwise; the database is the test
database, PostgreSQL when DATABASE_URL says so. On PostgreSQL the import has 100,000 rows. On SQLite it has 20,000:
SQLite has one writer at a time, so the storing import, the import through two workers and the undo run one after
another: at 100,000 rows a test took two and a half minutes (against about a minute on PostgreSQL), too long for
the suite; 20,000 rows still make twenty batches of changes and an undo that runs long enough to be killed part
way.

The address check an import queues is off here: it runs later, on the workers, and writes its verdicts (not part
of the import's changeset) while the test compares the table.
"""

import csv
import random
import signal
from pathlib import Path

import pytest
from django.core.files import File
from django.db import connection, transaction

from bench.generate import HEADER, customer_row
from customers.models import Customer
from imports.engine.change_runs import records_total
from imports.engine.options import ImportOptions
from imports.jobs.services import job_create, job_enqueue
from imports.jobs.sweeper import jobs_sweep
from imports.jobs.undo_services import undo_create
from imports.models import ImportChange, ImportChunk, ImportExportJob
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

STALE_SECONDS, HEARTBEAT_SECONDS = 2, 1
WORKER_ENV = {
    "IMPORT_STALE_SECONDS": str(STALE_SECONDS), "IMPORT_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
    "ADDRESS_VERIFICATION_AFTER_IMPORT": "false", "IMPORT_MAX_FILE_MB": "100",
}
# What a generated row breaks, and the valid value that mends it: every row of these files is imported.
MENDED = {"email": ("not-an-email", "mended{number}@example.com"), "phone": ("555-12", "217-555-0100"),
          "state": ("XX", "IL"), "first_name": ("", "Ann"), "postal_code": ("1234", "62701")}
UPDATED_NOTE = "Moved to paperless billing"


@pytest.fixture(autouse=True)
def _settings(settings):
    settings.IMPORT_STALE_SECONDS = STALE_SECONDS
    settings.IMPORT_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS
    settings.ADDRESS_VERIFICATION_AFTER_IMPORT = False
    settings.IMPORT_MAX_FILE_MB = 100  # 100,000 customers make a 16 MB file


def rows_for_database() -> int:
    return 100_000 if connection.vendor == "postgresql" else 20_000


def valid_row(number: int, rng: random.Random) -> list[str]:
    """A realistic customer (bench.generate's), with any field it breaks on purpose mended."""
    row = dict(zip(HEADER, customer_row(number, rng), strict=True))
    for name, (broken, mended) in MENDED.items():
        if row[name] == broken:
            row[name] = mended.format(number=number)
    return [row[name] for name in HEADER]


def customers_file(path: Path, numbers: range, *, updated: range = range(0)) -> Path:
    """The customers numbered `numbers`; those in `updated` with notes other than the ones stored."""
    rng = random.Random(11)
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in numbers:
            row = valid_row(number, rng)
            if number in updated:
                row[HEADER.index("notes")] = UPDATED_NOTE
            writer.writerow(row)
    return path


def snapshot() -> list[tuple]:
    """Every column of every row of the customers table, by primary key."""
    names = [field.attname for field in Customer._meta.concrete_fields]
    return list(Customer.objects.order_by("pk").values_list(*names))


def queued(job: ImportExportJob, workers, what: str) -> ImportExportJob:
    wait_for(lambda: job_finished(job), timeout=600, interval=0.5, workers=workers, what=what)
    return job


@pytest.fixture
def imported(company, run_import, start_worker, tmp_path):
    """Half the customers stored by an earlier import; then, through two workers, an import of twice as many rows
    that changes the notes of every stored one and creates the other half. Returns the import, the workers, and
    the customers table as it was before it."""
    rows = rows_for_database()
    half = rows // 2
    first = run_import(customers_file(tmp_path / "stored.csv", range(1, half + 1)))
    assert (first.job_status, first.created_records) == (ImportExportJob.Status.COMPLETED, half)
    before = snapshot()
    workers = [start_worker(f"w{n}", environment=WORKER_ENV) for n in range(2)]

    path = customers_file(tmp_path / "customers.csv", range(1, rows + 1), updated=range(1, half + 1))
    with transaction.atomic(), open(path, "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name=path.name),
                         file_name=path.name, options=ImportOptions())
        job_enqueue(job)
    job = queued(job, workers, "the import to finish")

    assert job.job_status == ImportExportJob.Status.COMPLETED, job.error_message
    assert (job.created_records, job.updated_records, job.failed_records) == (half, half, 0)
    assert records_total(ImportChange.objects.filter(job=job)) == rows
    assert Customer.objects.filter(notes=UPDATED_NOTE).count() == half
    return job, workers, before


def undo_queued(job: ImportExportJob) -> ImportExportJob:
    with transaction.atomic():
        return undo_create(job)


def assert_import_undone(job: ImportExportJob, undo: ImportExportJob, *, kept: int = 0) -> None:
    half = rows_for_database() // 2
    assert undo.job_status == ImportExportJob.Status.COMPLETED, undo.error_message
    assert undo.total_records == undo.processed_records == 2 * half
    assert (undo.created_records, undo.updated_records + kept, undo.skipped_records) == (half, half, kept)
    job.refresh_from_db()
    assert job.undone_at is not None


def test_an_undo_on_workers_gives_back_the_customers_table_row_for_row(imported):
    job, workers, before = imported

    undo = queued(undo_queued(job), workers, "the undo to finish")

    assert_import_undone(job, undo)
    assert snapshot() == before
    assert not any("Traceback" in worker.log for worker in workers)


def test_a_record_edited_after_the_import_is_kept_and_listed_every_other_row_given_back(imported):
    job, workers, before = imported
    edited = Customer.objects.get(account_number=f"{7_000_000_000 + 1234}")
    edited.notes = "Gate code 9120"
    edited.save()

    undo = queued(undo_queued(job), workers, "the undo to finish")

    assert_import_undone(job, undo, kept=1)
    kept = undo.logs.get(log_level="warning")
    assert kept.record_data["record_id"] == edited.pk
    assert kept.message.startswith(f"{edited.account_number} kept: changed since the import")
    assert f"Notes is now 'Gate code 9120' (the import set '{UPDATED_NOTE}')" in kept.message
    after = snapshot()
    assert len(after) == len(before)
    for now, then in zip(after, before, strict=True):
        assert (now == then) is (now[0] != edited.pk)
    edited.refresh_from_db()
    assert edited.notes == "Gate code 9120"


def test_an_undo_whose_worker_is_killed_mid_way_is_taken_over_and_gives_back_the_same_table(
    imported, start_worker
):
    job, workers, before = imported
    for worker in workers[1:]:
        worker.stop()  # one worker holds the undo's chunk, so killing it stops the undo for sure
    first = workers[0]

    undo = undo_queued(job)

    def half_way():
        undo.refresh_from_db()
        return 0 < undo.processed_records < undo.total_records

    wait_for(half_way, interval=0.01, workers=[first], what="the undo to be part way")
    first.kill()
    undo.refresh_from_db()
    assert not undo.is_finished
    stopped_at = undo.processed_records
    second = start_worker("w2", environment=WORKER_ENV)

    def swept_to_the_end():
        jobs_sweep()
        return job_finished(undo)

    wait_for(swept_to_the_end, timeout=600, interval=0.5, workers=[first, second],
             what="the sweeper to hand the undo over")

    assert_import_undone(job, undo)
    assert snapshot() == before
    chunk = ImportChunk.objects.get(job=undo)
    assert chunk.deaths == 1
    assert chunk.lease_pid in (None, second.process.pid)
    assert stopped_at < undo.total_records
    assert "Traceback" not in second.log
    assert first.process.returncode == -signal.SIGKILL
