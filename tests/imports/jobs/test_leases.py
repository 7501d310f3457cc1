"""The chunk claim takes a chunk over from a run that has died, and never from one that still reports."""

import datetime as dt
import uuid

import pytest
from django.core.files import File
from django.utils import timezone

from imports.engine.options import ImportOptions
from imports.jobs import import_kind
from imports.jobs.leases import chunk_claim, holder_died, stale_before
from imports.jobs.services import job_create
from imports.models import ImportChunk, ImportExportJob
from tests.customers.test_customer_import import HEADER, row

pytestmark = pytest.mark.django_db

Chunk = ImportChunk.Status


@pytest.fixture
def held_chunk(company, write_file, settings):
    """A chunk being run by another run, on another machine (so only its heartbeat tells whether it lives)."""
    settings.IMPORT_STALE_SECONDS = 60
    path = write_file("c.csv", "\n".join([HEADER, *(row(n) for n in range(1, 11))]) + "\n")
    with open(path, "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name="c.csv"),
                         file_name="c.csv", options=ImportOptions())
    lease = uuid.uuid4()
    import_kind.job_prepare(job=job, lease=lease)
    chunk = job.chunks.get()
    import_kind.chunk_scan_run(chunk_id=chunk.pk, lease=lease)
    assert import_kind.job_merge(job=job, lease=lease)
    ImportChunk.objects.filter(pk=chunk.pk).update(
        status=Chunk.RUNNING, lease=uuid.uuid4(), lease_host="another-machine", lease_pid=4242,
        heartbeat_at=timezone.now(),
    )
    return chunk


def test_a_chunk_whose_holder_stopped_reporting_is_taken_over_by_another_run(held_chunk):
    ImportChunk.objects.filter(pk=held_chunk.pk).update(heartbeat_at=timezone.now() - dt.timedelta(minutes=5))
    mine = uuid.uuid4()

    taken = chunk_claim(held_chunk.pk, mine, waiting=(Chunk.PENDING,), working=Chunk.RUNNING)

    assert taken is not None
    held_chunk.refresh_from_db()
    assert (str(held_chunk.lease), held_chunk.deaths, held_chunk.status) == (str(mine), 1, Chunk.RUNNING)
    assert held_chunk.job.logs.filter(message="Rows 1-10 taken over after row 0.").exists()


def test_a_chunk_whose_holder_still_reports_is_left_to_it(held_chunk):
    holder = ImportChunk.objects.get(pk=held_chunk.pk).lease

    taken = chunk_claim(held_chunk.pk, uuid.uuid4(), waiting=(Chunk.PENDING,), working=Chunk.RUNNING)

    assert taken is None
    held_chunk.refresh_from_db()
    assert (held_chunk.lease, held_chunk.deaths) == (holder, 0)
    assert ImportExportJob.objects.get(pk=held_chunk.job_id).job_status == "running"


def test_a_holder_whose_process_on_this_machine_is_gone_has_died(settings):
    import socket
    import subprocess
    import sys

    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    fresh = timezone.now()

    assert holder_died(heartbeat_at=fresh, stale=stale_before(), host=socket.gethostname(), pid=gone.pid)
    assert not holder_died(heartbeat_at=fresh, stale=stale_before(), host="another-machine", pid=gone.pid)
    assert holder_died(heartbeat_at=None, stale=stale_before())
