"""The sweeper re-queues work whose worker stopped reporting or whose message was lost, once, and fails a job
whose rows stopped their worker three times."""

import datetime as dt
import uuid

import pytest
from django.core.files import File
from django.utils import timezone

from imports.engine.options import ImportOptions
from imports.jobs import import_kind, tasks
from imports.jobs.services import job_create
from imports.jobs.sweeper import jobs_sweep
from imports.models import ImportChunk, ImportExportJob
from tests.customers.test_customer_import import HEADER, row

pytestmark = pytest.mark.django_db

LONG_AGO = timezone.now() - dt.timedelta(hours=1)


@pytest.fixture
def queued(monkeypatch):
    """The phases the sweeper sends, by name, instead of sending them."""
    sent = []
    for task in (tasks.job_step, tasks.chunk_step):
        monkeypatch.setattr(task, "apply_async", lambda args: sent.append((args[1], args[0])))
    return sent


@pytest.fixture
def new_job(company, write_file, settings):
    settings.IMPORT_CHUNK_ROWS = 10

    def make() -> ImportExportJob:
        path = write_file("c.csv", "\n".join([HEADER, *(row(n) for n in range(1, 31))]) + "\n")
        with open(path, "rb") as handle:
            return job_create(company=company, target_name="Customer", file=File(handle, name="c.csv"),
                              file_name="c.csv", options=ImportOptions())

    return make


def prepared(job: ImportExportJob, *, scanned: bool = True, merged: bool = True) -> ImportExportJob:
    lease = uuid.uuid4()
    import_kind.job_prepare(job=job, lease=lease)
    if scanned:
        for chunk in job.chunks.all():
            import_kind.chunk_scan_run(chunk_id=chunk.pk, lease=lease)
    if merged:
        import_kind.job_merge(job=job, lease=lease)
    ImportExportJob.objects.filter(pk=job.pk).update(heartbeat_at=LONG_AGO)
    return job


def test_a_chunk_whose_worker_stopped_reporting_is_released_and_queued_again(new_job, queued):
    job = prepared(new_job())
    chunk = job.chunks.first()
    ImportChunk.objects.filter(pk=chunk.pk).update(status="running", lease=uuid.uuid4(), heartbeat_at=LONG_AGO)

    counts = jobs_sweep()

    chunk.refresh_from_db()
    assert (chunk.status, chunk.lease, chunk.deaths) == ("pending", None, 1)
    assert ("run", chunk.pk) in queued
    assert counts["requeued_chunks"] >= 1


def test_a_chunk_that_stopped_its_worker_three_times_fails_the_job(new_job, queued):
    job = prepared(new_job())
    chunk = job.chunks.first()
    ImportChunk.objects.filter(pk=chunk.pk).update(
        status="running", lease=uuid.uuid4(), heartbeat_at=LONG_AGO, deaths=2, checkpoint_row=0
    )

    jobs_sweep()

    job.refresh_from_db()
    assert job.job_status == "failed"
    assert job.error_message == (
        "Rows 1-10 stopped their worker three times (they may need more memory or time than the workers have); the "
        "job was stopped. Rows up to 0 of that part and all finished parts were imported."
    )
    assert set(job.chunks.values_list("status", flat=True)) == {"cancelled"}
    assert ("run", chunk.pk) not in queued


def test_the_same_task_delivered_again_after_its_worker_died_takes_its_chunk_back(new_job, queued):
    job = prepared(new_job())
    chunk = job.chunks.first()
    lease = uuid.uuid4()
    ImportChunk.objects.filter(pk=chunk.pk).update(status="running", lease=lease, heartbeat_at=timezone.now(),
                                                   deaths=2)

    assert import_kind.chunk_run(chunk_id=chunk.pk, lease=lease) is None  # its third death

    job.refresh_from_db()
    assert job.job_status == "failed"
    assert job.error_message.startswith("Rows 1-10 stopped their worker three times")


def test_a_scan_whose_worker_stopped_is_queued_again(new_job, queued):
    job = prepared(new_job(), scanned=False, merged=False)
    chunk = job.chunks.first()
    ImportChunk.objects.filter(pk=chunk.pk).update(lease=uuid.uuid4(), heartbeat_at=LONG_AGO)

    jobs_sweep()

    chunk.refresh_from_db()
    assert (chunk.status, chunk.lease, chunk.deaths) == ("scanning", None, 1)
    assert ("scan", chunk.pk) in queued


def test_lost_messages_are_sent_again_once_and_not_while_the_job_is_busy(new_job, queued):
    job = prepared(new_job())
    chunks = list(job.chunks.order_by("index"))
    ImportChunk.objects.filter(job=job).update(queued_at=LONG_AGO)
    ImportChunk.objects.filter(pk=chunks[0].pk).update(status="running", lease=uuid.uuid4(),
                                                       heartbeat_at=timezone.now())

    jobs_sweep()
    assert queued == []  # the job is busy: its other chunks are waiting their turn

    ImportChunk.objects.filter(pk=chunks[0].pk).update(status="done", lease=None)
    jobs_sweep()
    jobs_sweep()  # a second sweep soon after sends nothing more

    assert sorted(queued) == [("run", chunk.pk) for chunk in chunks[1:]]


def test_scans_finished_but_never_merged_are_merged(new_job, queued):
    job = prepared(new_job(), merged=False)
    ImportChunk.objects.filter(job=job).update(heartbeat_at=LONG_AGO)  # the last scan's worker died long ago

    jobs_sweep()

    assert queued == [("merge", str(job.pk))]


def test_scans_just_finished_are_left_to_the_run_that_finished_them(new_job, queued):
    prepared(new_job(), merged=False)  # the last scan reported a moment ago: its run merges next

    jobs_sweep()

    assert queued == []


def test_a_phase_sent_by_the_sweeper_is_not_sent_again_at_the_next_sweep(new_job, queued):
    job = prepared(new_job(), merged=False)
    ImportChunk.objects.filter(job=job).update(heartbeat_at=LONG_AGO)

    jobs_sweep()
    jobs_sweep()

    assert queued == [("merge", str(job.pk))]


def test_a_preparation_whose_worker_stopped_starts_over(new_job, queued):
    job = new_job()
    ImportExportJob.objects.filter(pk=job.pk).update(job_status="running", lease=uuid.uuid4(),
                                                     heartbeat_at=LONG_AGO)

    jobs_sweep()

    job.refresh_from_db()
    assert (job.job_status, job.lease, job.deaths) == ("pending", None, 1)
    assert queued == [("prepare", str(job.pk))]
    assert job.logs.filter(message__startswith="The worker preparing the file stopped reporting").exists()


def test_a_file_that_stops_its_worker_three_times_while_being_read_fails(new_job, queued):
    job = new_job()
    ImportExportJob.objects.filter(pk=job.pk).update(job_status="running", lease=uuid.uuid4(),
                                                     heartbeat_at=LONG_AGO, deaths=2)

    jobs_sweep()

    job.refresh_from_db()
    assert job.job_status == "failed"
    assert job.error_message.startswith("Reading the file stopped its worker three times")
    assert queued == []


def test_a_job_whose_message_was_lost_is_queued_again_once(new_job, queued):
    job = new_job()
    ImportExportJob.objects.filter(pk=job.pk).update(created_at=LONG_AGO, queued_at=LONG_AGO)

    jobs_sweep()
    jobs_sweep()

    assert queued == [("prepare", str(job.pk))]


def test_a_job_the_broker_could_not_take_is_sent_at_the_next_sweep_without_waiting_to_go_stale(new_job, queued):
    job = new_job()  # created this instant, never sent

    jobs_sweep()

    job.refresh_from_db()
    assert queued == [("prepare", str(job.pk))]
    assert job.queued_at is not None


def test_the_sweeper_sends_a_companys_waiting_jobs_oldest_first_within_its_limit(new_job, queued, settings):
    settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY = 2
    jobs = [new_job() for _ in range(4)]
    ImportExportJob.objects.filter(pk=jobs[0].pk).update(job_status="running", lease=uuid.uuid4(),
                                                         heartbeat_at=timezone.now())

    jobs_sweep()
    jobs_sweep()

    assert queued == [("prepare", str(jobs[1].pk))]


def test_a_job_with_many_waiting_chunks_gets_only_a_few_sent(new_job, queued, settings):
    settings.IMPORT_MAX_CHUNKS_IN_FLIGHT = 2
    job = prepared(new_job())  # three chunks, none sent
    chunks = list(job.chunks.order_by("index"))

    jobs_sweep()
    jobs_sweep()

    assert queued == [("run", chunks[0].pk), ("run", chunks[1].pk)]


def run_every_chunk_without_finishing(job: ImportExportJob) -> None:
    """What a worker leaves when it dies after committing the last batch, before completing the job."""
    lease = uuid.uuid4()
    for chunk in job.chunks.all():
        import_kind.chunk_run(chunk_id=chunk.pk, lease=lease)
    ImportChunk.objects.filter(job=job).update(heartbeat_at=LONG_AGO)


def test_a_job_whose_chunks_are_all_done_but_never_completed_is_completed(new_job, queued):
    job = prepared(new_job())
    run_every_chunk_without_finishing(job)
    assert ImportExportJob.objects.get(pk=job.pk).job_status == "running"

    jobs_sweep()
    assert queued == [("finish", str(job.pk))]
    tasks.job_step.run(str(job.pk), "finish")

    job.refresh_from_db()
    assert (job.job_status, job.created_records) == ("completed", 30)


def test_a_job_still_writing_is_not_completed_by_the_sweeper(new_job, queued):
    job = prepared(new_job())
    run_every_chunk_without_finishing(job)
    ImportChunk.objects.filter(pk=job.chunks.last().pk).update(heartbeat_at=timezone.now())

    jobs_sweep()

    assert queued == []


def test_the_last_chunk_task_delivered_again_completes_the_job_its_dead_worker_left(new_job):
    job = prepared(new_job())
    run_every_chunk_without_finishing(job)

    assert tasks.chunk_step.run(job.chunks.last().pk, "run") == "not ours"

    job.refresh_from_db()
    assert (job.job_status, job.created_records) == ("completed", 30)
