"""A real Celery worker process (not eager mode) runs an import from the configured broker.

With REDIS_URL set the broker is Redis, otherwise Celery's filesystem transport; the worker opens the test
database through DATABASE_URL, so it sees exactly what the test committed.
"""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.core.files import File
from django.db import connection, transaction
from django_celery_results.models import TaskResult

from customers.models import Customer
from imports.models import ImportExportJob
from imports.pipeline import ImportOptions
from imports.services import job_create, job_enqueue
from tests.conftest import GUIDE_CSV

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_database_url() -> str:
    """DATABASE_URL of the database this test run uses, for a process started by the test."""
    config = connection.settings_dict
    if config["ENGINE"] == "django.db.backends.sqlite3":
        return f"sqlite:///{Path(config['NAME']).resolve()}"
    credentials = config["USER"] + (f":{config['PASSWORD']}" if config["PASSWORD"] else "")
    return f"postgres://{credentials}@{config['HOST'] or 'localhost'}:{config['PORT'] or 5432}/{config['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


@pytest.fixture
def worker_process(settings, tmp_path):
    """A Celery worker in its own process, consuming the default queue of the configured broker."""
    environment = {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_LOG_DIR": str(settings.IMPORT_LOG_DIR),
    }
    log_path = tmp_path / "worker.log"
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "config", "worker", "--pool", "solo", "--loglevel", "info",
             "--without-gossip", "--without-mingle", "--without-heartbeat"],
            cwd=settings.BASE_DIR, env=environment, stdout=log, stderr=subprocess.STDOUT,
        )
    yield process, log_path
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()


def wait_until_finished(job: ImportExportJob, process, log_path: Path, timeout: float = 90) -> ImportExportJob:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.is_finished:
            return job
        if process.poll() is not None:
            pytest.fail(f"The worker exited with status {process.returncode}:\n{log_path.read_text()}")
        time.sleep(0.25)
    pytest.fail(f"The worker did not finish the job within {timeout} s:\n{log_path.read_text()}")


def test_a_real_worker_runs_an_import_queued_after_commit(company, write_file, worker_process):
    process, log_path = worker_process
    path = write_file("guide.csv", GUIDE_CSV)
    published = []

    def record(sender, **kwargs):
        published.append(sender)

    before_task_publish.connect(record)
    try:
        with transaction.atomic():
            with open(path, "rb") as handle:
                job = job_create(company=company, target_name="Customer", file=File(handle, name="guide.csv"),
                                 file_name="guide.csv", options=ImportOptions())
            job_enqueue(job)
            sent_inside_transaction = list(published)
    finally:
        before_task_publish.disconnect(record)

    job = wait_until_finished(job, process, log_path)

    assert sent_inside_transaction == []
    assert published[0] == "imports.tasks.run_import_job"
    assert (job.job_status, job.created_records) == (ImportExportJob.Status.COMPLETED, 2)
    assert Customer.objects.filter(company=company).count() == 2
    results = dict(TaskResult.objects.values_list("task_name", "status"))
    assert results == {
        "imports.tasks.run_import_job": "SUCCESS",
        "imports.tasks.scan_import_chunk": "SUCCESS",
        "imports.tasks.run_import_chunk": "SUCCESS",
    }
    assert f"Connected to {settings.CELERY_BROKER_URL.split('//')[0]}//" in log_path.read_text()
