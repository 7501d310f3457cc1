"""A company's jobs take their turn: at most IMPORT_MAX_RUNNING_JOBS_PER_COMPANY run at once, the others wait as
pending, oldest first, and start as others end; a job sends only a few of its chunks at a time; a broker that
cannot be reached leaves the job saved and waiting. The command line is not held back."""

import uuid

import pytest
from django.core.files import File
from kombu.exceptions import OperationalError as BrokerUnreachable

from imports.engine.options import ImportOptions
from imports.jobs import import_kind, inprocess, tasks
from imports.jobs.queueing import chunks_top_up, job_waiting_reason
from imports.jobs.services import job_create, job_enqueue
from imports.jobs.stopping import job_cancel
from imports.models import ImportChunk, ImportExportJob
from tests.customers.test_customer_import import HEADER, row
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def sent(monkeypatch):
    """The phases sent, by name, instead of sending them."""
    messages = []
    for task in (tasks.job_step, tasks.chunk_step):
        monkeypatch.setattr(task, "apply_async", lambda args: messages.append((args[1], args[0])))
    return messages


@pytest.fixture
def new_job(company, write_file, settings, django_capture_on_commit_callbacks):
    """A job created and enqueued as the web and the API do (the sends run when its transaction commits)."""
    settings.IMPORT_CHUNK_ROWS = 10

    def make(into=None) -> ImportExportJob:
        path = write_file("c.csv", "\n".join([HEADER, *(row(n) for n in range(1, 31))]) + "\n")
        with django_capture_on_commit_callbacks(execute=True), open(path, "rb") as handle:
            job = job_create(company=into or company, target_name="Customer", file=File(handle, name="c.csv"),
                             file_name="c.csv", options=ImportOptions())
            job_enqueue(job)
        job.refresh_from_db()
        return job

    return make


def test_jobs_beyond_the_companys_limit_wait_unsent_and_start_oldest_first_as_others_end(
    new_job, sent, settings, django_capture_on_commit_callbacks
):
    settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY = 1
    first, second, third = new_job(), new_job(), new_job()
    assert sent == [("prepare", str(first.pk))]
    assert (second.queued_at, third.queued_at) == (None, None)
    assert job_waiting_reason(first) == "Queued: waiting for a free worker."
    assert job_waiting_reason(second) == "Waiting for the company's older imports to start first."
    assert import_kind.job_prepare(job=first, lease=uuid.uuid4())
    assert job_waiting_reason(second) == (
        "Waiting for the company's other imports: 1 are running and at most 1 run at once "
        "(IMPORT_MAX_RUNNING_JOBS_PER_COMPANY)."
    )

    assert not import_kind.job_prepare(job=third, lease=uuid.uuid4())  # a stray message: it is not its turn

    third.refresh_from_db()
    assert (third.job_status, third.queued_at) == ("pending", None)
    with django_capture_on_commit_callbacks(execute=True):
        job_cancel(first, "Cancelled.")
    assert sent[-1] == ("prepare", str(second.pk))  # the oldest waiting job, not the newest
    assert len(sent) == 2


def test_a_newer_job_waits_for_an_older_one_of_its_company_even_with_room(new_job, sent, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY = 2
    older, newer = new_job(), new_job()
    sent.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert not import_kind.job_prepare(job=newer, lease=uuid.uuid4())

    assert newer.logs.filter(message="Waiting for the company's older imports to start first.").exists()
    assert import_kind.job_prepare(job=older, lease=uuid.uuid4())
    assert import_kind.job_prepare(job=newer, lease=uuid.uuid4())


def test_another_companys_jobs_are_not_held_back(new_job, sent, settings):
    settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY = 1
    mine = new_job()
    import_kind.job_prepare(job=mine, lease=uuid.uuid4())
    theirs = new_job(into=CompanyFactory())

    assert sent[-1] == ("prepare", str(theirs.pk))
    assert import_kind.job_prepare(job=theirs, lease=uuid.uuid4())


def test_the_command_line_runs_its_job_whatever_the_companys_limit(new_job, sent, settings):
    settings.IMPORT_MAX_RUNNING_JOBS_PER_COMPANY = 1
    busy = new_job()
    import_kind.job_prepare(job=busy, lease=uuid.uuid4())
    job = new_job()

    assert inprocess.job_run(job=job).job_status == "completed"


def test_an_unreachable_broker_leaves_the_job_saved_unsent_and_saying_so(new_job, monkeypatch):
    def refuse(*args, **kwargs):
        raise BrokerUnreachable("Error 111 connecting to 127.0.0.1:6379. Connection refused.")

    monkeypatch.setattr(tasks.job_step, "apply_async", refuse)

    job = new_job()

    assert (job.job_status, job.queued_at) == ("pending", None)
    assert job_waiting_reason(job).startswith("Waiting for the workers: the task queue could not be reached.")


def test_a_job_sends_a_few_chunks_and_the_next_as_one_ends(new_job, sent, settings):
    settings.IMPORT_MAX_CHUNKS_IN_FLIGHT = 2
    job = new_job()
    lease = uuid.uuid4()
    import_kind.job_prepare(job=job, lease=lease)
    sent.clear()
    chunks = list(job.chunks.order_by("index"))

    assert chunks_top_up(job.pk) == 2
    assert chunks_top_up(job.pk) == 0
    import_kind.chunk_scan_run(chunk_id=chunks[0].pk, lease=lease)
    assert chunks_top_up(job.pk) == 1

    assert sent == [("scan", chunk.pk) for chunk in chunks]
    assert ImportChunk.objects.filter(job=job, queued_at__isnull=True).count() == 0
