"""Small steps `make bench` runs as child processes, so that what is measured is always a process of its own.

    tools.py prepare          migrate the database in DATABASE_URL and print the bench company's id
    tools.py reset            empty the customers table (and refresh the planner's statistics); cancel jobs an
                              interrupted run left unfinished, which would otherwise hold the company's turn
    tools.py queue FILE [--dry-run]
                              queue an import job for the workers, wait for it, print its result as JSON
    tools.py claims-store N   fill the bench company's local claims store with claims 1..N (bench.generate), unless
                              it holds them already
    tools.py claims-reset     delete the bench company's claim look-up jobs and their results
    tools.py lookup FILE      queue a claim look-up job for the workers, wait for it, print its result as JSON
    tools.py export-company N the company whose customers the exports of N rows read (slug export-N), its customers
                              emptied unless it holds exactly N; prints its id, whether it must be filled, and the
                              columns an export of customers holds by default
    tools.py undo JOB         queue the undo of import JOB for the workers, wait for it, print its result as JSON
    tools.py changes-size     print the bytes the changesets' table takes on disk, indexes and TOAST included
    tools.py analyze          refresh the planner's statistics of the customers table
    tools.py export N FORMAT  run an export of company export-N's customers in this process (as the command line
                              does), print its time, rows and file size as JSON, and delete the file
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.core.files import File  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402

from companies.models import Company  # noqa: E402
from companies.services import company_create  # noqa: E402
from imports.declare import rows_insert  # noqa: E402
from imports.engine.options import ImportOptions  # noqa: E402
from imports.jobs.services import job_create, job_enqueue  # noqa: E402
from imports.jobs.stopping import job_cancel  # noqa: E402
from imports.models import AuditEvent, ImportExportJob  # noqa: E402

SLUG = "bench"


def prepare() -> None:
    call_command("migrate", verbosity=0)
    company = Company.objects.filter(slug=SLUG).first() or company_create(name="Benchmark", slug=SLUG)
    print(company.pk)


def reset() -> None:
    unfinished = ImportExportJob.Status.PENDING, ImportExportJob.Status.RUNNING
    for job in ImportExportJob.objects.filter(company__slug=SLUG, job_status__in=unfinished):
        job_cancel(job, "Cancelled by the benchmark's reset: an earlier run was interrupted.")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # CASCADE: tables that refer to customers (meter readings) go too; the benchmark writes none.
            cursor.execute("TRUNCATE customers_customer, imports_importexportlog, imports_importduplicate, "
                           "imports_importchunk, imports_importchange CASCADE")
            cursor.execute("VACUUM ANALYZE customers_customer")
        else:
            cursor.execute("DELETE FROM readings_meterreading")
            cursor.execute("DELETE FROM customers_customer")
            cursor.execute("DELETE FROM imports_importexportlog")
            cursor.execute("DELETE FROM imports_importchange")
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def queue(path: str, dry_run: bool) -> None:
    company = Company.objects.get(slug=SLUG)
    started = time.perf_counter()
    with transaction.atomic(), open(path, "rb") as handle:
        job = job_create(company=company, target_name="Customer", file=File(handle, name=Path(path).name),
                         file_name=Path(path).name, options=ImportOptions(dry_run=dry_run))
        job_enqueue(job)
    while not job.is_finished:
        time.sleep(0.05)
        job.refresh_from_db()
    print(json.dumps({
        "seconds": time.perf_counter() - started, "status": job.job_status, "total": job.total_records,
        "created": job.created_records, "updated": job.updated_records, "unchanged": job.unchanged_records,
        "failed": job.failed_records, "job": str(job.pk),
    }))


def undo(job_id: str) -> None:
    from imports.jobs.undo_services import undo_create

    started = time.perf_counter()
    with transaction.atomic():
        job = undo_create(ImportExportJob.objects.get(pk=job_id))
    while not job.is_finished:
        time.sleep(0.05)
        job.refresh_from_db()
    print(json.dumps({
        "seconds": time.perf_counter() - started, "status": job.job_status, "changes": job.total_records,
        "deleted": job.created_records, "restored": job.updated_records, "kept": job.skipped_records,
        "error": job.error_message,
    }))


def changes_size() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_total_relation_size('imports_importchange')")
        print(cursor.fetchone()[0])


def claims_store(size: int) -> None:
    from django.utils import timezone

    from bench.generate import claim_number, stored_claim
    from claims.models import Claim

    company = Company.objects.get(slug=SLUG)
    stored = Claim.objects.filter(company=company)
    if stored.count() == size and stored.filter(claim_number=claim_number(size)).exists():
        return
    stored._raw_delete(stored.db)  # nothing refers to claims
    names = list(stored_claim(1))
    fields = [Claim._meta.get_field(name) for name in ["company", *names, "created_at", "updated_at"]]
    now = timezone.now()
    for first in range(1, size + 1, 10_000):
        rows = []
        for number in range(first, min(first + 10_000, size + 1)):
            claim = stored_claim(number)
            rows.append([company.pk, *(claim[name] for name in names), now, now])
        with transaction.atomic():
            rows_insert(Claim, fields, rows)
    with connection.cursor() as cursor:
        cursor.execute(f"VACUUM ANALYZE {Claim._meta.db_table}")


def claims_reset() -> None:
    jobs = ImportExportJob.objects.filter(company__slug=SLUG, job_type=ImportExportJob.JobType.LOOKUP)
    for job in jobs.filter(job_status__in=(ImportExportJob.Status.PENDING, ImportExportJob.Status.RUNNING)):
        job_cancel(job, "Cancelled by the benchmark's reset: an earlier run was interrupted.")
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE imports_lookupresult")
    jobs.delete()


def lookup(path: str) -> None:
    from imports.jobs.lookup_services import lookup_job_create

    company = Company.objects.get(slug=SLUG)
    started = time.perf_counter()
    with open(path, "rb") as handle:
        job = lookup_job_create(company=company, service_name="Claim", file=File(handle, name=Path(path).name),
                                file_name=Path(path).name, via=AuditEvent.Via.API)
    while not job.is_finished:
        time.sleep(0.05)
        job.refresh_from_db()
    print(json.dumps({
        "seconds": time.perf_counter() - started, "status": job.job_status, "total": job.total_records,
        "found": job.processed_records - job.failed_records, "failed": job.failed_records,
        "retryable": job.lookup_results.filter(retryable=True).count(), "error": job.error_message,
    }))


def export_company(rows: int) -> None:
    from customers.models import Customer
    from imports.declare import get_target

    slug = f"export-{rows}"
    company = Company.objects.filter(slug=slug).first() or company_create(name=f"Exports of {rows:,}", slug=slug)
    customers = Customer.objects.filter(company=company)
    filled = customers.count() == rows
    if not filled:
        customers._raw_delete(customers.db)  # nothing the benchmark writes refers to them
    print(json.dumps({"id": company.pk, "fill": not filled,
                      "columns": [field.name for field in get_target("Customer").fields]}))


def analyze() -> None:
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE customers_customer")


def export(rows: int, file_format: str) -> None:
    from imports.jobs.export_services import export_job_create
    from imports.jobs.inprocess import job_run

    company = Company.objects.get(slug=f"export-{rows}")
    started = time.perf_counter()
    job = export_job_create({"target": "Customer", "format": file_format}, company=company,
                            via=AuditEvent.Via.CLI, enqueue=False)
    job = job_run(job=job)
    seconds = time.perf_counter() - started
    size = job.file.size if job.file else 0
    if job.file:
        job.file.delete(save=False)
    print(json.dumps({"seconds": seconds, "status": job.job_status, "rows": job.processed_records, "bytes": size,
                      "error": job.error_message}))


if __name__ == "__main__":
    command = sys.argv[1]
    if command == "prepare":
        prepare()
    elif command == "reset":
        reset()
    elif command == "queue":
        queue(sys.argv[2], "--dry-run" in sys.argv)
    elif command == "claims-store":
        claims_store(int(sys.argv[2]))
    elif command == "claims-reset":
        claims_reset()
    elif command == "lookup":
        lookup(sys.argv[2])
    elif command == "export-company":
        export_company(int(sys.argv[2]))
    elif command == "undo":
        undo(sys.argv[2])
    elif command == "changes-size":
        changes_size()
    elif command == "analyze":
        analyze()
    elif command == "export":
        export(int(sys.argv[2]), sys.argv[3])
    else:
        raise SystemExit(f"unknown step {command!r}")
