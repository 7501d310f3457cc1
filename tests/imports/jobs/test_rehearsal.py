"""A rehearsal (a restore's dry run: real work inside one transaction that is rolled back) keeps heartbeats out of
its way: the rows it creates get no heartbeat thread, since no other connection can see them; a heartbeat of a row
others see goes on where a second connection may write, and waits for the rehearsal on SQLite, whose one write
lock the rehearsal holds (a beat there would only wait on the lock, then fail)."""

import logging
import threading
import time
import uuid
from datetime import timedelta

import pytest
from django.db import connection, connections, transaction
from django.utils import timezone

from imports.jobs.leases import lease_kept, rehearsal
from imports.models import ImportExportJob

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def held_job(company, settings):
    settings.IMPORT_HEARTBEAT_SECONDS = 0.1
    lease = uuid.uuid4()
    job = ImportExportJob.objects.create(company=company, job_type="restore", target_model="Company",
                                         job_status="running", lease=lease,
                                         heartbeat_at=timezone.now() - timedelta(hours=1))
    return job, lease


def test_work_begun_inside_a_rehearsal_gets_no_heartbeat_thread(held_job):
    job, lease = held_job
    threads = threading.active_count()

    with rehearsal(), lease_kept(ImportExportJob, job.pk, lease):
        during = threading.active_count()
        time.sleep(0.5)

    assert during == threads
    job.refresh_from_db()
    assert timezone.now() - job.heartbeat_at > timedelta(minutes=59)


def test_a_heartbeat_begun_before_a_rehearsal_beats_where_it_can_and_never_fails(held_job, caplog, monkeypatch):
    job, lease = held_job
    if connection.vendor == "sqlite":  # a beat that tried would wait a moment for the lock, then be missed
        monkeypatch.setitem(connections.settings["default"].setdefault("OPTIONS", {}), "timeout", 0.2)

    with caplog.at_level(logging.WARNING), lease_kept(ImportExportJob, job.pk, lease):
        with rehearsal(), transaction.atomic():
            ImportExportJob.objects.create(company=job.company, job_type="import", target_model="Customer")
            time.sleep(0.6)
            seen_by_others = _heartbeat_from_another_connection(job)
        time.sleep(0.4)

    assert "Heartbeat" not in caplog.text
    if connection.vendor == "sqlite":
        assert timezone.now() - seen_by_others > timedelta(minutes=59)  # held back while the rehearsal wrote
    else:
        assert timezone.now() - seen_by_others < timedelta(seconds=5)  # PostgreSQL lets it through
    job.refresh_from_db()
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=5)  # and it beats again after


def _heartbeat_from_another_connection(job: ImportExportJob):
    """The job's heartbeat as another connection (a sweeper) reads it."""
    seen = []

    def read():
        try:
            seen.append(ImportExportJob.objects.filter(pk=job.pk).values_list("heartbeat_at", flat=True).get())
        finally:
            connection.close()

    reader = threading.Thread(target=read)
    reader.start()
    reader.join()
    return seen[0]
