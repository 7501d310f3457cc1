"""POST .../{jobId}/resume with a real Celery worker doing the work: the continued import leaves what a clean run
leaves."""

import pytest

from customers.models import Customer
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from tests.imports.jobs.test_resuming import (
    COUNTERS,
    ROWS,
    VOLATILE,
    cancelled_at,
    clean_run,
    customers_csv,
    fresh_state,
    new_job,
)
from tests.workers import job_finished, wait_for

# What the address verification writes after an import, not the import: the worker may run a verification that an
# earlier test queued for a company of the same id.
VERIFICATION = ("address_status", "standardized_address", "standardized_city", "standardized_state",
                "standardized_postal_code", "address_note", "address_checked_at")


def imported_columns(company) -> list[tuple]:
    skipped = {*VOLATILE, *VERIFICATION}
    columns = [f.attname for f in Customer._meta.concrete_fields if f.attname not in skipped]
    return list(Customer.objects.filter(company=company).order_by("account_number").values_list(*columns))

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_a_worker_continues_a_cancelled_import_to_a_clean_runs_result(api, company, write_file, settings,
                                                                       start_worker):
    settings.IMPORT_CHUNK_ROWS = 500
    settings.ADDRESS_VERIFICATION_AFTER_IMPORT = False
    path = customers_csv(write_file)
    _table, expected_counts = clean_run(company, path)
    expected_table = imported_columns(company)
    fresh_state(company)
    job = job_run(job=new_job(company, path), on_progress=cancelled_at(0.2))
    assert job.job_status == "cancelled"
    assert job.processed_records < ROWS
    worker = start_worker(environment={"ADDRESS_VERIFICATION_AFTER_IMPORT": "false"})

    response = api.post(f"/api/imports/{job.pk}/resume")

    assert response.status_code == 202
    wait_for(lambda: job_finished(job), workers=[worker], what="the continued job to finish")
    job = ImportExportJob.objects.get(pk=job.pk)
    assert job.job_status == "completed"
    assert imported_columns(company) == expected_table
    assert [getattr(job, name) for name in COUNTERS] == expected_counts
