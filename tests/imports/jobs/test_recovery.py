"""Recovery within a minute, with the default heartbeat, stale threshold and sweep period: a worker SIGKILLed in
the middle of a chunk, and a broker restarted (forgetting every queued message) in the middle of an import. Each
test prints how long the work stood still (from the kill or the restart to the next batch committed by the work
that was stopped) and asserts it is at most 60 s; the table ends holding exactly the rows of one clean run.

The sweeper runs on its own schedule, in Celery beat inside one of the workers, as in production.
"""

import os
import signal
import time

import pytest
from django.conf import settings as configured
from django.db.models import F

from imports.models import ImportChunk
from tests.brokers import celery_client_on, private_redis  # noqa: F401 - a fixture
from tests.imports.jobs.test_resilience import clean_run, customers_file, outcome, queue_job
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHUNK_ROWS, BATCH_SIZE, RECOVERY_SECONDS = 2000, 200, 60
SIZES = {"IMPORT_CHUNK_ROWS": CHUNK_ROWS, "IMPORT_BATCH_SIZE": BATCH_SIZE}


@pytest.fixture(autouse=True)
def _small_chunks(settings):
    for name, value in SIZES.items():
        setattr(settings, name, value)


def start_workers(start_worker, tmp_path, **environment) -> list:
    """Two workers with the default recovery settings; the second runs Celery beat (the sweeper)."""
    environment = {**{name: str(value) for name, value in SIZES.items()}, **environment}
    return [
        start_worker("w0", environment=environment),
        start_worker("w1", environment=environment, arguments=("--beat", "--schedule", str(tmp_path / "beat"))),
    ]


def committed_after(chunk: ImportChunk, checkpoint_row: int) -> bool:
    return ImportChunk.objects.filter(pk=chunk.pk, checkpoint_row__gt=checkpoint_row).exists()


def report(what: str, seconds: float, capsys) -> None:
    """Printed past pytest's capture, so every run's output shows the recovery time."""
    with capsys.disabled():
        print(f"\n{what}: work resumed {seconds:.1f} s later (heartbeat {configured.IMPORT_HEARTBEAT_SECONDS} s, "
              f"stale after {configured.IMPORT_STALE_SECONDS} s, sweep every {configured.IMPORT_SWEEP_SECONDS} s)")


def test_a_killed_worker_s_chunk_resumes_within_a_minute(company, run_import, start_worker, tmp_path, capsys):
    path = customers_file(tmp_path / "customers.csv", 12_000)
    expected = clean_run(run_import, path)
    workers = start_workers(start_worker, tmp_path)
    victim_worker = workers[0]

    job = queue_job(company, path)
    victim = wait_for(
        lambda: ImportChunk.objects.filter(
            job=job, status=ImportChunk.Status.RUNNING, lease_pid=victim_worker.process.pid,
            checkpoint_row__gte=F("first_row") - 1 + 2 * BATCH_SIZE,
        ).first(),
        interval=0.02, workers=workers, what="a chunk of the first worker with two committed batches",
    )
    os.kill(victim_worker.process.pid, signal.SIGKILL)  # the whole worker: its message stays unacknowledged
    killed_at = time.monotonic()
    victim.refresh_from_db()
    wait_for(lambda: committed_after(victim, victim.checkpoint_row), timeout=120, workers=workers,
             what="the killed worker's chunk to commit its next batch")
    recovery = time.monotonic() - killed_at
    report("worker killed", recovery, capsys)
    wait_for(lambda: job_finished(job), timeout=120, workers=workers, what="the job to finish")

    assert recovery <= RECOVERY_SECONDS
    assert outcome(job) == expected
    victim.refresh_from_db()
    assert victim.deaths == 1


def test_a_restarted_broker_s_lost_messages_are_sent_again_within_a_minute(
    company, run_import, start_worker, tmp_path, capsys, private_redis  # noqa: F811 - the fixture above
):
    path = customers_file(tmp_path / "customers.csv", 16_000)
    expected = clean_run(run_import, path)
    with celery_client_on(private_redis.url):
        workers = start_workers(start_worker, tmp_path, CELERY_BROKER_URL=private_redis.url)
        job = queue_job(company, path)
        running = {"job": job, "status": ImportChunk.Status.RUNNING, "checkpoint_row__gte": F("first_row")}
        queued = {"job": job, "status": ImportChunk.Status.PENDING, "queued_at__isnull": False}
        wait_for(lambda: ImportChunk.objects.filter(**running).exists() and ImportChunk.objects.filter(**queued)
                 .exists(), interval=0.02, workers=workers, what="a running chunk and a queued one")
        lost = list(ImportChunk.objects.filter(**queued))
        private_redis.stop()
        restarted_at = time.monotonic()
        private_redis.start()
        wait_for(lambda: any(committed_after(chunk, chunk.checkpoint_row) for chunk in lost), timeout=120,
                 workers=workers, what="a chunk whose message the restart lost to commit a batch")
        recovery = time.monotonic() - restarted_at
        report("broker restarted", recovery, capsys)
        wait_for(lambda: job_finished(job), timeout=180, workers=workers, what="the job to finish")

    assert recovery <= RECOVERY_SECONDS
    assert outcome(job) == expected
