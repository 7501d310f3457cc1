"""Export jobs on real Celery workers (the configured broker and database): the file is written by a worker with
progress the dashboard can show, a worker killed half-way is replaced and the file comes out whole, and an export
of the claims store logs no patient detail."""

import csv
import io
import os
import signal

import pytest

from claims.models import Claim
from customers.models import Customer
from imports.jobs.export_services import export_job_create
from imports.models import ImportExportLog
from tests.factories import CustomerFactory
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

RECOVERY = {"IMPORT_HEARTBEAT_SECONDS": "1", "IMPORT_STALE_SECONDS": "4", "IMPORT_SWEEP_SECONDS": "1"}


def customers_seed(company, count: int) -> None:
    template = CustomerFactory.build(company=company)
    fields = {field.attname: getattr(template, field.attname) for field in Customer._meta.concrete_fields
              if field.attname not in ("id", "account_number", "meter_number", "email", "created_at", "updated_at")}
    Customer.objects.bulk_create(
        (Customer(**fields, account_number=f"7{n:09d}", meter_number=f"MTR-W{n:07d}", email=f"w{n}@example.com")
         for n in range(count)),
        batch_size=5000,
    )


def file_rows(job) -> list[list[str]]:
    with job.file.open("rb") as handle:
        return list(csv.reader(io.StringIO(handle.read().decode("utf-8-sig"))))


def test_an_export_runs_on_a_worker_and_shows_its_progress(company, other_company, start_worker):
    customers_seed(company, 3000)
    customers_seed(other_company, 10)
    worker = start_worker("w0")

    job = export_job_create({"target": "Customer", "columns": ["account_number", "email"],
                             "filters": [{"field": "account_number", "op": "contains", "value": "700000000"}]},
                            company=company, via="api")
    wait_for(lambda: job_finished(job), workers=[worker], what="the export to finish")

    assert job.job_status == "completed", job.error_message
    assert (job.total_records, job.processed_records, job.progress_percent) == (10, 10, 100)
    rows = file_rows(job)
    assert rows[0] == ["account_number", "email"]
    assert [row[0] for row in rows[1:]] == [f"70000000{n:02d}" for n in range(10)]


def test_a_worker_killed_half_way_is_replaced_and_the_file_comes_out_whole(company, start_worker, tmp_path):
    rows = 150_000
    customers_seed(company, rows)
    # Progress committed every 50 ms, so the first one is seen long before the last row is written.
    victim = start_worker("w0", environment={**RECOVERY, "EXPORT_PROGRESS_SECONDS": "0.05"})

    job = export_job_create({"target": "Customer", "format": "json"}, company=company, via="web")
    wait_for(lambda: job.refresh_from_db() or job.processed_records > 0, interval=0.05, workers=[victim],
             what="the export's first progress")
    assert not job.is_finished  # killed half-way, not after the end
    os.kill(victim.process.pid, signal.SIGKILL)
    rescuer = start_worker("w1", environment=RECOVERY, arguments=("--beat", "--schedule", str(tmp_path / "beat")))
    wait_for(lambda: job_finished(job), timeout=240, workers=[victim, rescuer], what="the export to finish")

    assert job.job_status == "completed", job.error_message
    assert job.processed_records == rows
    import json

    with job.file.open("rb") as handle:
        records = json.load(handle)
    assert len(records) == rows
    assert len({record["account_number"] for record in records}) == rows
    assert job.logs.filter(message__contains="taken over").exists()


# Patient details that appear nowhere else, so finding one in a log means it leaked.
PATIENT = {"claim_number": "PHX-0001", "first_name": "Quillonia", "last_name": "Verbrugghe",
           "date_of_birth": "1961-04-23", "subscriber_id": "77104455901"}


def test_an_export_of_the_claims_store_logs_no_patient_detail(company, start_worker):
    Claim.objects.create(company=company, status_code="F1", total_charged="10.00", **PATIENT)
    worker = start_worker("w0", arguments=("--loglevel", "DEBUG"))

    job = export_job_create({"target": "Claim", "format": "json",
                             "filters": [{"field": "last_name", "op": "contains", "value": "Verbrugghe"}]},
                            company=company, via="api")
    wait_for(lambda: job_finished(job), workers=[worker], what="the export to finish")

    assert job.job_status == "completed", job.error_message
    with job.file.open("rb") as handle:
        assert b"Verbrugghe" in handle.read()  # the file holds what was asked for; the logs below must not
    logged = "\n".join([worker.log, *ImportExportLog.objects.filter(job=job).values_list("message", flat=True),
                        job.error_message, str(job.options["filters"])])
    assert str(job.pk) in worker.log
    assert [value for value in PATIENT.values() if value in logged and value != PATIENT["claim_number"]] == []
