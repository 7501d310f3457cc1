"""Job life cycle: claiming, failing cleanly, running twice, concurrent imports, purging old files."""

import datetime as dt
import threading
from pathlib import Path

import pytest
from django.core.files import File
from django.db import connection
from django.utils import timezone

from customers.models import Customer
from imports.engine.gate import WRITES_ALL
from imports.engine.options import ImportOptions
from imports.engine.sequences import sequence_reserve
from imports.jobs import import_kind, services
from imports.jobs.inprocess import job_run
from imports.jobs.retention import job_files_purge
from imports.models import ImportExportJob, ImportExportLog
from tests.conftest import GUIDE_CSV, GUIDE_HEADER, GUIDE_ROWS


@pytest.mark.django_db
def test_a_job_run_twice_imports_once(company, write_file, run_import):
    job = run_import(write_file("guide.csv", GUIDE_CSV))

    again = job_run(job=job)

    assert again.job_status == ImportExportJob.Status.COMPLETED
    assert Customer.objects.count() == 2
    assert job.logs.filter(message="Job started.").count() == 1


@pytest.mark.django_db
def test_status_changes_are_logged_on_the_job(company, write_file, run_import):
    job = run_import(write_file("guide.csv", GUIDE_CSV))

    events = list(job.logs.filter(record_number__isnull=True).order_by("created_at").values_list("message", flat=True))
    assert events == [
        "Job created for guide.csv.",
        "Job started.",
        "Import finished: 2 rows, 2 created, 0 updated, 0 unchanged, 0 skipped, 0 failed.",
    ]
    assert job.started_at <= job.completed_at


@pytest.mark.django_db
def test_the_summary_of_a_one_row_file_says_one_row(company, write_file, run_import):
    job = run_import(write_file("one.csv", "\n".join([GUIDE_HEADER, GUIDE_ROWS[0]]) + "\n"))

    assert job.logs.filter(message__startswith="Import finished: 1 row, 1 created,").exists()


@pytest.mark.django_db
def test_an_unexpected_error_fails_the_job_with_a_message_and_keeps_committed_batches(
    company, write_file, run_import, monkeypatch
):
    calls = {"count": 0}
    real_write = import_kind.batch_write

    def write_then_break(**kwargs):
        calls["count"] += 1
        if calls["count"] == 2:
            raise RuntimeError("disk on fire")
        return real_write(**kwargs)

    monkeypatch.setattr(import_kind, "batch_write", write_then_break)

    job = run_import(write_file("guide.csv", GUIDE_CSV), batch_size=1)

    assert job.job_status == ImportExportJob.Status.FAILED
    assert job.error_message == (
        f"The import stopped on an unexpected error after row 1; rows saved until then stay saved. "
        f"Quote job {job.pk} when asking for help."
    )
    assert Customer.objects.count() == 1


@pytest.mark.django_db
def test_mapping_notes_are_logged_for_the_user(company, write_file, run_import):
    content = GUIDE_HEADER + ",Fax,E-mail\n" + GUIDE_CSV.splitlines()[1] + ",555,x@example.com\n"

    job = run_import(write_file("c.csv", content))

    notes = set(job.logs.filter(log_level=ImportExportLog.Level.INFO).values_list("message", flat=True))
    assert "Column 'Fax' matches no Customer field; it is ignored." in notes
    assert "Column 'E-mail' also matches email, which column 'email' feeds; it is ignored." in notes


@pytest.mark.django_db
def test_purge_deletes_old_files_but_keeps_the_job(company, write_file, run_import):
    old = run_import(write_file("bad.csv", GUIDE_HEADER + "\nx,y,bad,1,a,b,IL,62701,M,,active,residential\n"))
    recent = run_import(write_file("guide.csv", GUIDE_CSV))
    ImportExportJob.objects.filter(pk=old.pk).update(completed_at=timezone.now() - dt.timedelta(days=31))
    upload, report = old.file.path, old.error_report.path

    purged = job_files_purge(older_than_days=30)

    old.refresh_from_db()
    recent.refresh_from_db()
    assert purged == 1
    assert (old.file.name, old.error_report.name) == ("", "")
    assert old.failed_records == 1
    assert not Path(upload).exists()
    assert not Path(report).exists()
    assert recent.file.name != ""


@pytest.mark.django_db(transaction=True)
def test_concurrent_reservations_never_hand_out_one_number_twice(company):
    results, errors = [], []

    def reserve():
        try:
            for _ in range(5):
                results.extend(
                    sequence_reserve(gate=WRITES_ALL, company=company, name="customer_account_number", count=100)
                )
        except Exception as error:  # surfaced by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=reserve) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert sorted(results) == list(range(1, 1001))


@pytest.mark.django_db(transaction=True)
def test_two_imports_at_once_get_distinct_generated_account_numbers(company, write_file):
    header = "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number\n"
    paths = [
        write_file(f"f{part}.csv", header + "".join(
            f"A,B,p{part}-{n}@example.com,555-555-{n:04d},1 St,X,IL,62701,M-{part}-{n}\n" for n in range(300)
        ))
        for part in range(2)
    ]
    jobs = []
    for path in paths:
        with open(path, "rb") as handle:
            jobs.append(services.job_create(
                company=company, target_name="Customer", file=File(handle, name=path.name),
                file_name=path.name, options=ImportOptions(), batch_size=50,
            ))

    def run(job):
        try:
            job_run(job=job)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    statuses = list(ImportExportJob.objects.values_list("job_status", "created_records"))
    assert statuses == [("completed", 300), ("completed", 300)]
    numbers = list(Customer.objects.values_list("account_number", flat=True))
    assert len(numbers) == len(set(numbers)) == 600
