"""Nothing lost, nothing doubled: real Celery worker processes (not eager mode) running import jobs are killed with
SIGKILL after a committed batch and inside a batch's transaction, get tasks delivered twice, and run two imports
at once; every time the table ends holding exactly the rows of one clean run.

The broker is Redis when REDIS_URL is set and Celery's filesystem transport otherwise; the database is the test
database, PostgreSQL when DATABASE_URL says so.
"""

import csv
import os
import random
import signal
import time
from pathlib import Path

import pytest
from django.core.files import File
from django.db import connection, transaction
from django.db.models import F
from django_celery_results.models import TaskResult

from bench.generate import HEADER, customer_row
from customers.models import Customer
from imports.engine.options import ImportOptions
from imports.jobs.services import job_create, job_enqueue
from imports.jobs.sweeper import jobs_sweep
from imports.jobs.tasks import chunk_step, job_step
from imports.models import ImportChunk, ImportExportJob
from tests.factories import CompanyFactory
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHUNK_ROWS, BATCH_SIZE, STALE_SECONDS, HEARTBEAT_SECONDS = 2000, 200, 2, 1
WORKER_ENV = {
    "IMPORT_CHUNK_ROWS": str(CHUNK_ROWS), "IMPORT_STALE_SECONDS": str(STALE_SECONDS),
    "IMPORT_HEARTBEAT_SECONDS": str(HEARTBEAT_SECONDS),
}
COMPARED = [field for field in HEADER if field != "account_number"]


@pytest.fixture(autouse=True)
def _small_chunks(settings):
    settings.IMPORT_CHUNK_ROWS = CHUNK_ROWS
    settings.IMPORT_BATCH_SIZE = BATCH_SIZE
    settings.IMPORT_STALE_SECONDS = STALE_SECONDS
    settings.IMPORT_HEARTBEAT_SECONDS = HEARTBEAT_SECONDS


def customers_file(path: Path, rows: int, *, seed: int = 7, blank_keys: bool = False, repeats: bool = True) -> Path:
    """Realistic customers with about 2 % bad rows; `repeats` adds keys and meters repeated across chunks."""
    rng = random.Random(seed)
    lines = [customer_row(number, rng) for number in range(1, rows + 1)]
    key, meter = HEADER.index("account_number"), HEADER.index("meter_number")
    if repeats:
        for later, earlier in ((CHUNK_ROWS + 5, 3), (rows - 2, CHUNK_ROWS + 10), (rows - 1, 4)):
            lines[later - 1][key] = lines[earlier - 1][key]
        lines[CHUNK_ROWS * 2 - 1][meter] = lines[9][meter]
    if blank_keys:
        for line in lines[::7]:
            line[key] = ""
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(lines)
    return path


def queue_job(company, path: Path, **options) -> ImportExportJob:
    with transaction.atomic(), open(path, "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name=path.name),
                         file_name=path.name, options=ImportOptions(**options))
        job_enqueue(job)
    return job


def outcome(job: ImportExportJob) -> dict:
    """What a job left: its counts, its error report, and its company's customers (generated account numbers
    without the tenant prefix, so runs in different companies compare)."""
    job.refresh_from_db()
    prefix = f"{job.company.tenant_number:04d}"
    customers = []
    for record in Customer.objects.filter(company=job.company).values("account_number", *COMPARED):
        account = record.pop("account_number")
        generated = account.startswith(prefix) and len(account) == 10
        customers.append(("generated " + account[4:] if generated else account, tuple(record.values())))
    report = job.error_report.open("rb").read().decode("utf-8-sig") if job.error_report else ""
    return {
        "status": job.job_status,
        "counts": (job.total_records, job.created_records, job.updated_records, job.unchanged_records,
                   job.skipped_records, job.failed_records),
        "report": report,
        "customers": sorted(customers),
    }


def clean_run(run_import, path: Path, **options) -> dict:
    """The reference: the same file imported by one process, in a company of its own."""
    return outcome(run_import(path, into=CompanyFactory(), **options))


def test_two_workers_leave_exactly_what_one_process_leaves(company, run_import, start_worker, tmp_path):
    path = customers_file(tmp_path / "customers.csv", 9000, blank_keys=True)
    expected = clean_run(run_import, path)
    workers = [start_worker(f"w{n}", environment=WORKER_ENV) for n in range(2)]

    job = queue_job(company, path)
    wait_for(lambda: job_finished(job), workers=workers, what="the job to finish")

    assert outcome(job) == expected
    assert expected["counts"][5] > 150  # the file's bad and repeated rows failed the same way in both
    chunk_runs = TaskResult.objects.filter(task_name="imports.jobs.tasks.chunk_step", task_args__contains="'run'")
    runners = chunk_runs.filter(result='"completed"') | chunk_runs.filter(result='"running"')
    assert {worker.split("@")[0] for worker in runners.values_list("worker", flat=True)} == {"w0", "w1"}


def test_a_worker_killed_after_a_committed_batch_is_taken_over_exactly_there(
    company, run_import, start_worker, tmp_path
):
    path = customers_file(tmp_path / "customers.csv", 12000)
    expected = clean_run(run_import, path)
    worker = start_worker("w0", pool="prefork", environment=WORKER_ENV)

    job = queue_job(company, path)
    victim = wait_for(
        lambda: ImportChunk.objects.filter(
            job=job, status=ImportChunk.Status.RUNNING, checkpoint_row__gte=F("first_row") - 1 + 2 * BATCH_SIZE
        ).first(),
        interval=0.02, workers=[worker], what="a chunk with two committed batches",
    )
    os.kill(victim.lease_pid, signal.SIGKILL)  # the pool's child running the task, as the OOM killer would
    wait_for(lambda: job_finished(job), workers=[worker], what="the job to finish after the kill")

    assert outcome(job) == expected
    victim.refresh_from_db()
    assert victim.deaths == 1
    assert job.logs.filter(message__startswith=f"Rows {victim.first_row}-{victim.last_row} taken over").exists()


def test_a_worker_killed_inside_a_batch_transaction_is_taken_over_by_the_sweeper(
    company, run_import, start_worker, tmp_path
):
    path = customers_file(tmp_path / "customers.csv", 6000)
    expected = clean_run(run_import, path)
    imported = {account for account, _values in expected["customers"]}
    fourth_batch_of_chunk_2 = range(CHUNK_ROWS + 3 * BATCH_SIZE + 50, CHUNK_ROWS + 4 * BATCH_SIZE + 1)
    slow_account = next(f"{7_000_000_000 + n}" for n in fourth_batch_of_chunk_2 if f"{7_000_000_000 + n}" in imported)
    slow_down_insert_of(slow_account)
    first = start_worker("w0", environment=WORKER_ENV)

    job = queue_job(company, path)
    wait_until_stuck_inside_the_transaction(job, first)
    first.kill()
    stop_slowing_down()
    second = start_worker("w1", environment=WORKER_ENV)

    def swept_to_the_end():
        jobs_sweep()
        return job_finished(job)

    wait_for(swept_to_the_end, interval=0.5, workers=[first, second], what="the sweeper to hand the job over")

    assert outcome(job) == expected
    stuck = ImportChunk.objects.get(job=job, first_row=CHUNK_ROWS + 1)
    assert stuck.deaths == 1
    assert stuck.lease_pid == second.process.pid


def slow_down_insert_of(account: str, seconds: int = 60) -> None:
    """Make inserting one customer take long (PostgreSQL sleeps; SQLite counts a large cross join), so a worker
    can be caught inside that batch's transaction."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The killed worker's backend would sleep on; make every new session notice a vanished client.
            cursor.execute(f"ALTER DATABASE {connection.settings_dict['NAME']} SET client_connection_check_interval"
                           " = '200ms'")
            cursor.execute(
                "CREATE FUNCTION slow_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                f"IF NEW.account_number = '{account}' THEN PERFORM pg_sleep({seconds}); END IF; RETURN NEW; END $$"
            )
            cursor.execute("CREATE TRIGGER slow_insert BEFORE INSERT ON customers_customer FOR EACH ROW "
                           "EXECUTE FUNCTION slow_insert()")
        else:
            # SQLite counts some 50 million combinations a second on this kind of machine.
            cursor.execute("CREATE TABLE slow_rows (n INTEGER)")
            side = round((seconds * 50_000_000) ** (1 / 3))
            cursor.executemany("INSERT INTO slow_rows VALUES (%s)", [(n,) for n in range(side)])
            cursor.execute(
                f"CREATE TRIGGER slow_insert BEFORE INSERT ON customers_customer WHEN NEW.account_number = "
                f"'{account}' BEGIN SELECT count(*) FROM slow_rows a, slow_rows b, slow_rows c; END"
            )


def stop_slowing_down() -> None:
    with connection.cursor() as cursor:
        cursor.execute("DROP TRIGGER slow_insert" + (" ON customers_customer" if connection.vendor == "postgresql"
                                                      else ""))


def wait_until_stuck_inside_the_transaction(job: ImportExportJob, worker) -> None:
    stuck_chunk = {"job": job, "first_row": CHUNK_ROWS + 1, "checkpoint_row": CHUNK_ROWS + 3 * BATCH_SIZE}
    wait_for(lambda: ImportChunk.objects.filter(**stuck_chunk).exists(), interval=0.05, workers=[worker],
             what="three committed batches of chunk 2")
    if connection.vendor == "postgresql":
        def sleeping():
            with connection.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE wait_event = 'PgSleep'")
                return cursor.fetchone()[0]

        wait_for(sleeping, interval=0.05, workers=[worker], what="the worker to reach the slow row")
    else:
        time.sleep(1.5)  # the next batch reaches the slow row at once; its trigger then runs for many seconds
    assert ImportChunk.objects.filter(**stuck_chunk).exists()  # still inside that batch: nothing committed


def test_tasks_delivered_twice_import_once(company, run_import, start_worker, tmp_path):
    path = customers_file(tmp_path / "customers.csv", 8000)
    expected = clean_run(run_import, path)
    workers = [start_worker(f"w{n}", environment=WORKER_ENV) for n in range(2)]

    job = queue_job(company, path)
    job_step.apply_async(args=[str(job.pk), "prepare"])  # the job's message, a second time
    chunk_ids = wait_for(lambda: list(job.chunks.values_list("pk", flat=True)), interval=0.02, workers=workers,
                         what="the job's chunks")
    for chunk_id in chunk_ids:  # every scan, a second time
        chunk_step.apply_async(args=[chunk_id, "scan"])
    wait_for(lambda: job.chunks.filter(status=ImportChunk.Status.RUNNING).exists() or job_finished(job),
             interval=0.02, workers=workers, what="a running chunk")
    for chunk_id in chunk_ids:  # every run, a second time
        chunk_step.apply_async(args=[chunk_id, "run"])
    wait_for(lambda: job_finished(job), workers=workers, what="the job to finish")
    deliveries = 2 + 4 * len(chunk_ids)
    wait_for(lambda: TaskResult.objects.filter(status="SUCCESS").count() >= deliveries, workers=workers,
             what="every delivery to be handled")

    assert outcome(job) == expected
    assert TaskResult.objects.filter(result='"not ours"').count() >= len(chunk_ids)


def test_two_imports_at_once_never_share_a_key_or_a_generated_number(company, start_worker, tmp_path):
    rng = random.Random(3)
    rows = [customer_row(number, rng) for number in range(1, 7501)]
    key, meter = HEADER.index("account_number"), HEADER.index("meter_number")
    keyless = {name: [customer_row(9000 + n, rng) for n in range(300)] for name in ("first", "second")}
    for name, extra in keyless.items():
        for n, line in enumerate(extra):
            line[key], line[meter] = "", f"{name.upper()}-NEW-{n}"
    paths = {}
    for name, part in (("first", rows[:5000]), ("second", rows[2500:])):  # rows 2501-5000 are in both
        paths[name] = tmp_path / f"{name}.csv"
        with open(paths[name], "w", newline="", encoding="utf-8") as handle:
            csv.writer(handle).writerows([HEADER, *part, *keyless[name]])
    workers = [start_worker(f"w{n}", environment=WORKER_ENV) for n in range(2)]

    jobs = [queue_job(company, paths[name]) for name in ("first", "second")]
    wait_for(lambda: all(job_finished(job) for job in jobs), workers=workers, what="both jobs to finish")

    assert [job.job_status for job in jobs] == ["completed", "completed"]
    customers = Customer.objects.filter(company=company)
    assert sum(job.created_records for job in jobs) == customers.count()
    generated = customers.filter(account_number__startswith=f"{company.tenant_number:04d}")
    assert set(generated.values_list("meter_number", flat=True)) <= {
        f"{name.upper()}-NEW-{n}" for name in ("first", "second") for n in range(300)
    }
    assert generated.count() == 600 - sum(
        job.logs.filter(log_level="error", record_number__gt=job.total_records - 300).count() for job in jobs
    )
    explicit = set(customers.exclude(pk__in=generated).values_list("account_number", flat=True))
    assert explicit <= {line[key] for line in rows}
    overlap = {line[key] for line in rows[2500:5000]} & explicit
    outcomes_in_second = second_job_outcomes(jobs[1], overlap, rows)
    assert outcomes_in_second <= {"unchanged", "created", "refused meanwhile"}


def second_job_outcomes(job: ImportExportJob, overlap: set[str], rows) -> set[str]:
    """How the second job ended each row it shared with the first: unchanged (the first had saved it), created
    (it got there first), or refused because the first saved it between this batch's check and its write."""
    failed = dict(job.logs.filter(log_level="error", record_number__isnull=False).values_list("record_number",
                                                                                              "message"))
    outcomes = set()
    for number, line in enumerate(rows[2500:5000], start=1):
        if line[HEADER.index("account_number")] not in overlap:
            continue
        message = failed.get(number)
        if message is None:
            outcomes.add("unchanged" if job.unchanged_records else "created")
        elif "meanwhile" in message:
            outcomes.add("refused meanwhile")
        else:
            outcomes.add(message)
    return outcomes
