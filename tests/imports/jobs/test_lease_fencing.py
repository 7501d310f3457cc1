"""A run presumed dead that comes back writes nothing more: the chunk's lease and checkpoint fence every batch."""

import datetime as dt
import uuid

import pytest
from django.core.files import File
from django.utils import timezone

from customers.models import Customer
from imports.engine.options import ImportOptions
from imports.jobs import import_kind, tasks
from imports.jobs.services import job_create
from imports.jobs.sweeper import jobs_sweep
from imports.models import ImportChunk
from tests.customers.test_customer_import import HEADER, row

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_run_that_comes_back_after_being_swept_stops_before_writing_again(company, write_file, monkeypatch, settings):
    settings.IMPORT_BATCH_SIZE = 10
    path = write_file("c.csv", "\n".join([HEADER, *(row(n) for n in range(1, 51))]) + "\n")
    with open(path, "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name="c.csv"),
                         file_name="c.csv", options=ImportOptions())
    queued = []
    monkeypatch.setattr(tasks.chunk_step, "apply_async", lambda args: queued.append(args[0]))
    first, second = uuid.uuid4(), uuid.uuid4()
    assert import_kind.job_prepare(job=job, lease=first)
    chunk_id = job.chunks.get().pk
    import_kind.chunk_scan_run(chunk_id=chunk_id, lease=first)
    assert import_kind.job_merge(job=job, lease=first)
    batches_of_first_run = []

    def after_each_batch(job):
        batches_of_first_run.append(job.processed_records)
        if len(batches_of_first_run) == 1:  # the first run stalls after its first batch; it is presumed dead
            ImportChunk.objects.filter(pk=chunk_id).update(heartbeat_at=timezone.now() - dt.timedelta(hours=1))
            assert jobs_sweep()["requeued_chunks"] == 1
            assert import_kind.chunk_run(chunk_id=queued.pop(), lease=second) is not None  # another run takes over

    outcome = import_kind.chunk_run(chunk_id=chunk_id, lease=first, on_progress=after_each_batch)
    import_kind.job_finish(job=job)

    job.refresh_from_db()
    assert outcome is None  # the first run found its next batch taken and stopped
    assert batches_of_first_run == [10]
    assert (job.job_status, job.created_records, job.processed_records) == ("completed", 50, 50)
    assert Customer.objects.filter(company=company).count() == 50
    chunk = ImportChunk.objects.get(pk=chunk_id)
    assert (chunk.status, chunk.deaths, str(chunk.lease)) == ("done", 1, str(second))
