"""Companies share the workers: with one running job allowed per company, company A's second big job waits as
pending while its first runs, and company B's ten-row job, queued while A's big job runs on both workers, finishes
before A's big job does (a big job keeps only a few chunks queued, so B's tasks wait behind a few chunks, not
behind all of them)."""

import time

import pytest

from imports.jobs.queueing import job_waiting_reason
from imports.models import ImportExportJob
from tests.conftest import GUIDE_HEADER, GUIDE_ROWS
from tests.factories import CompanyFactory
from tests.imports.jobs.test_resilience import customers_file, queue_job
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

CHUNK_ROWS, BATCH_SIZE = 2000, 500
LIMITS = {"IMPORT_MAX_RUNNING_JOBS_PER_COMPANY": 1, "IMPORT_CHUNK_ROWS": CHUNK_ROWS, "IMPORT_BATCH_SIZE": BATCH_SIZE}


@pytest.fixture(autouse=True)
def _limits(settings):
    for name, value in LIMITS.items():
        setattr(settings, name, value)


def test_a_small_job_of_another_company_finishes_while_a_big_one_runs(start_worker, tmp_path):
    company_a, company_b = CompanyFactory(), CompanyFactory()
    big = customers_file(tmp_path / "big.csv", 30_000, repeats=False)
    small = tmp_path / "small.csv"
    small.write_text("\n".join([GUIDE_HEADER, *(GUIDE_ROWS * 5)]) + "\n")
    environment = {name: str(value) for name, value in LIMITS.items()}
    workers = [start_worker(f"w{n}", environment=environment) for n in range(2)]

    first, second = queue_job(company_a, big), queue_job(company_a, big)
    wait_for(lambda: ImportExportJob.objects.filter(pk=first.pk, processed_records__gt=0).exists(), interval=0.05,
             workers=workers, what="A's first job to write its first batch")
    second.refresh_from_db()
    assert (second.job_status, second.queued_at) == ("pending", None)  # not even sent: its company's turn is taken
    assert "IMPORT_MAX_RUNNING_JOBS_PER_COMPANY" in job_waiting_reason(second)

    queued_at = time.monotonic()
    ten_rows = queue_job(company_b, small)
    wait_for(lambda: job_finished(ten_rows), workers=workers, what="B's ten-row job")
    waited = time.monotonic() - queued_at
    first.refresh_from_db()
    second.refresh_from_db()
    print(f"\nB's ten-row job took {waited:.1f} s; A's big job was {first.progress_percent} % done")

    assert (ten_rows.job_status, ten_rows.total_records) == ("completed", 10)
    assert first.job_status == "running"
    assert first.processed_records < first.total_records
    assert second.job_status == "pending"

    wait_for(lambda: job_finished(first), timeout=300, workers=workers, what="A's first job")
    wait_for(lambda: job_finished(second), timeout=300, workers=workers, what="A's second job")
    first.refresh_from_db()
    assert second.started_at >= first.completed_at
    assert [first.job_status, second.job_status] == ["completed", "completed"]
