"""A long step that commits nothing keeps its lease's heartbeat fresh, so the sweeper, with a stale threshold far
shorter than the step, leaves it alone; once the step ends the beat stops, and it never revives a lease that
another run has taken over."""

import time
import uuid
from datetime import timedelta

import pytest
from django.core.files import File
from django.utils import timezone

from imports.engine.options import ImportOptions
from imports.jobs.leases import lease_kept
from imports.jobs.services import job_create
from imports.jobs.sweeper import jobs_sweep
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def held_job(company, write_file, settings):
    settings.IMPORT_HEARTBEAT_SECONDS = 0.2
    settings.IMPORT_STALE_SECONDS = 1
    with open(write_file("guide.csv", GUIDE_CSV), "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name="g.csv"),
                         file_name="g.csv", options=ImportOptions())
    lease = uuid.uuid4()
    ImportExportJob.objects.filter(pk=job.pk).update(job_status="running", lease=lease, heartbeat_at=timezone.now())
    return job, lease


def test_a_step_three_times_longer_than_the_stale_threshold_keeps_its_lease(held_job, monkeypatch):
    job, lease = held_job
    monkeypatch.setattr("imports.jobs.tasks.job_step.apply_async", lambda args: None)

    with lease_kept(ImportExportJob, job.pk, lease):
        time.sleep(3)
        swept = jobs_sweep()

    job.refresh_from_db()
    assert (job.job_status, job.lease, job.deaths) == ("running", lease, 0)
    assert swept["requeued_jobs"] == 0
    assert timezone.now() - job.heartbeat_at < timedelta(seconds=1)


def test_the_beat_stops_with_the_step_and_never_revives_a_lease_taken_over(held_job):
    job, lease = held_job

    with lease_kept(ImportExportJob, job.pk, lease):
        ImportExportJob.objects.filter(pk=job.pk).update(lease=uuid.uuid4(), heartbeat_at=timezone.now()
                                                         - timedelta(hours=1))
        time.sleep(1)
    ImportExportJob.objects.filter(pk=job.pk).update(lease=lease)
    time.sleep(1)

    job.refresh_from_db()
    assert timezone.now() - job.heartbeat_at > timedelta(minutes=59)
