"""A job's status is written by imports.jobs.status alone, each change logged on the job with the sentence its
users read and to the Python logger with the event's parameters."""

import ast
import logging
import uuid
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files import File
from django.utils import timezone

from imports.engine.options import ImportOptions
from imports.jobs import status
from imports.jobs.services import job_create
from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

WRITERS = {"update", "create", "bulk_create", "bulk_update", "update_or_create", "get_or_create"}
APPS = ("imports", "customers", "readings", "crm", "salespro", "companies", "config")


def _status_writes(path: Path) -> list[int]:
    """The lines of `path` that write `job_status`: a keyword of a writing query, or an assignment."""
    lines = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        writing = isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in WRITERS
        if writing and any(keyword.arg == "job_status" for keyword in node.keywords):
            lines.append(node.lineno)
        targets = node.targets if isinstance(node, ast.Assign) else [getattr(node, "target", None)]
        if isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign):
            for target in targets:
                names = target.elts if isinstance(target, ast.Tuple) else [target]
                if any(isinstance(name, ast.Attribute) and name.attr == "job_status" for name in names):
                    lines.append(node.lineno)
    return lines


def test_no_module_but_the_status_module_writes_a_jobs_status():
    root = Path(settings.BASE_DIR)
    own = root / "imports" / "jobs" / "status.py"
    writes = {
        f"{path.relative_to(root)}:{line}"
        for app in APPS
        for path in (root / app).rglob("*.py")
        if path != own and "migrations" not in path.parts
        for line in _status_writes(path)
    }
    assert writes == set()
    assert _status_writes(own)  # the check finds the writes where they are


@pytest.fixture
def job(company, write_file):
    with open(write_file("guide.csv", GUIDE_CSV), "rb") as handle:
        return job_create(company=company, target_name="Customer", file=File(handle, name="g.csv"),
                          file_name="g.csv", options=ImportOptions())


def _logged(job: ImportExportJob) -> list[tuple[str, str]]:
    return list(job.logs.order_by("created_at").values_list("log_level", "message"))[1:]  # after "Job created"


@pytest.mark.django_db
def test_started_runs_the_job_under_its_lease_and_says_so(job, caplog):
    lease = uuid.uuid4()
    with caplog.at_level(logging.INFO, logger="imports.jobs.status"):
        status.job_started(job, lease=lease)

    job.refresh_from_db()
    assert (job.job_status, job.lease, job.deaths) == ("running", lease, 0)
    assert job.started_at is not None
    assert _logged(job) == [("info", "Job started.")]
    assert caplog.records[-1].event == "started"
    assert caplog.records[-1].lease == str(lease)


@pytest.mark.django_db
def test_restarted_counts_the_death_and_says_the_worker_stopped(job, caplog):
    lease = uuid.uuid4()
    with caplog.at_level(logging.INFO, logger="imports.jobs.status"):
        status.job_started(job, lease=lease, deaths=1)

    job.refresh_from_db()
    assert (job.job_status, job.deaths) == ("running", 1)
    assert _logged(job) == [("info", "Job started again after its worker stopped.")]
    assert (caplog.records[-1].event, caplog.records[-1].deaths) == ("restarted", 1)


@pytest.mark.django_db
def test_waiting_leaves_the_job_pending_and_unsent_with_the_reason(job):
    ImportExportJob.objects.filter(pk=job.pk).update(queued_at=timezone.now())

    status.job_waiting(job, reason="Waiting for the company's older imports to start first.")

    job.refresh_from_db()
    assert (job.job_status, job.queued_at) == ("pending", None)
    assert _logged(job) == [("info", "Waiting for the company's older imports to start first.")]


@pytest.mark.django_db
def test_requeued_sends_a_stale_preparation_back_to_waiting_once(job):
    lease = uuid.uuid4()
    status.job_started(job, lease=lease)
    ImportExportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timezone.timedelta(hours=1))
    job.refresh_from_db()
    stale = timezone.now() - timezone.timedelta(minutes=1)

    assert status.job_requeued(job, stale=stale)
    assert not status.job_requeued(job, stale=stale)

    job.refresh_from_db()
    assert (job.job_status, job.lease, job.deaths, job.queued_at) == ("pending", None, 1, None)
    assert _logged(job)[-1] == (
        "info", "The worker preparing the file stopped reporting; the job waits to start again."
    )


@pytest.mark.django_db
@pytest.mark.parametrize(("event", "expected", "level"), [
    (lambda job: status.job_completed(job, summary="Import finished."), "completed", "info"),
    (lambda job: status.job_failed(job, message="Import finished."), "failed", "error"),
    (lambda job: status.job_cancelled(job, message="Import finished."), "cancelled", "info"),
])
def test_an_ending_stamps_the_time_and_logs_its_sentence(job, event, expected, level):
    event(job)

    job.refresh_from_db()
    assert job.job_status == expected
    assert job.completed_at is not None
    assert job.error_message == ("Import finished." if expected == "failed" else "")
    assert _logged(job) == [(level, "Import finished.")]
