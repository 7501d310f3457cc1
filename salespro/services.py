"""The sync history that records each SalesPro import run.

The import itself is a job of the shared import core (the SalesProAppointment target); the sync history is
SalesPro's own record around it, kept for real runs only (a dry run changes nothing, so it leaves no sync).
"""


from django.utils import timezone

from companies.models import Company
from imports.declare import ImportExportJob

from .models import SalesProSyncHistory


def sync_start(*, company: Company, file_path: str) -> SalesProSyncHistory:
    return SalesProSyncHistory.objects.create(
        company=company, sync_type=SalesProSyncHistory.SyncType.CSV_APPOINTMENTS, file_path=file_path,
    )


def sync_job_set(*, sync: SalesProSyncHistory, job: ImportExportJob) -> None:
    """Point a running sync to its job, whose page shows its progress (and which a sync cut short still names)."""
    sync.job = job
    sync.save(update_fields=["job"])


def sync_finish(
    *,
    sync: SalesProSyncHistory,
    status: str,
    job: ImportExportJob | None = None,
    error_message: str = "",
    error_report: str | None = None,
) -> None:
    """Record how a sync ended, with the counts of its job when it got one (rows saved before a failure or a stop
    stay saved, and are counted). Rows that failed are pointed to in the error message."""
    sync.status, sync.completed_at, sync.job = status, timezone.now(), job
    if job is not None:
        sync.records_processed = job.processed_records
        sync.records_created = job.created_records
        sync.records_updated = job.updated_records
        sync.records_skipped = job.skipped_records
        sync.records_failed = job.failed_records
        if not error_message and job.failed_records:
            report = f": see the error report {error_report}" if error_report else ""
            error_message = f"{job.failed_records:,} of {job.total_records:,} rows failed{report}"
    sync.error_message = error_message
    sync.save()
