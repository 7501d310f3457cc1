"""A backup, a restore's dry run and the restore, each queued for a real Celery worker as the page and the API
queue them: the worker writes the archive, rehearses the restore inside its one transaction (heartbeats held back
on SQLite, whose single write lock the rehearsal holds), then runs every file's import in its own process."""

from pathlib import Path

import pytest
from django.db import transaction

from imports.jobs.backup_services import backup_job_create, restore_job_create, restore_now, restore_results
from imports.models import ImportExportJob
from tests.backup_company import archive_file, company_fill, company_records
from tests.workers import job_finished, wait_for

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def finished(job: ImportExportJob, worker) -> ImportExportJob:
    wait_for(lambda: job_finished(job), workers=[worker], what=f"the {job.job_type} to finish")
    return job


def test_a_worker_backs_up_rehearses_and_restores_a_company(company, other_company, start_worker, tmp_path):
    company_fill(company)
    worker = start_worker()

    with transaction.atomic():
        backup = backup_job_create(company=company, via="web")
    backup = finished(backup, worker)
    assert backup.job_status == ImportExportJob.Status.COMPLETED, backup.error_message

    with archive_file(Path(backup.file.path)) as file, transaction.atomic():
        dry_run = restore_job_create(company=other_company, file=file, file_name="acme.zip", via="web")
    dry_run = finished(dry_run, worker)
    assert dry_run.job_status == ImportExportJob.Status.COMPLETED, dry_run.error_message
    assert all(not rows for rows in company_records(other_company).values())

    with transaction.atomic():
        real = restore_now(dry_run, via="web")
    real = finished(real, worker)

    assert real.job_status == ImportExportJob.Status.COMPLETED, real.error_message
    predicted = {outcome["file"]: outcome["created"] for outcome in restore_results(dry_run)}
    assert {outcome["file"]: outcome["created"] for outcome in restore_results(real)} == predicted
    assert company_records(other_company) == company_records(company)
    assert "Heartbeat" not in worker.log
    assert "Traceback" not in worker.log
