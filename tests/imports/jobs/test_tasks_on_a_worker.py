"""A real Celery worker process (not eager mode) runs an import from the configured broker.

With REDIS_URL set the broker is Redis, otherwise Celery's filesystem transport; the worker opens the test
database through DATABASE_URL, so it sees exactly what the test committed.
"""

import pytest
from celery.signals import before_task_publish
from django.conf import settings
from django.core.files import File
from django.db import transaction
from django_celery_results.models import TaskResult

from customers.models import Customer
from imports.engine.options import ImportOptions
from imports.jobs.services import job_create, job_enqueue
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_real_worker_runs_an_import_queued_after_commit(company, write_file, start_worker):
    worker = start_worker()
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

    wait_for(lambda: job_finished(job), workers=[worker], what="the job to finish")

    assert sent_inside_transaction == []
    assert published[0] == "imports.jobs.tasks.job_step"
    assert (job.job_status, job.created_records) == (ImportExportJob.Status.COMPLETED, 2)
    assert Customer.objects.filter(company=company).count() == 2
    results = dict(TaskResult.objects.values_list("task_name", "status"))
    assert results == {
        "imports.jobs.tasks.job_step": "SUCCESS",
        "imports.jobs.tasks.chunk_step": "SUCCESS",
    }
    assert f"Connected to {settings.CELERY_BROKER_URL.split('//')[0]}//" in worker.log
