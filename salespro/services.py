"""SalesPro imports: starting one from an export file, and the sync history that records each run.

The import itself is a job of the shared import core (the SalesProAppointment target); the sync history is
SalesPro's own record around it, kept for real runs only (a dry run changes nothing, so it leaves no sync).
"""

from pathlib import Path

from django.core.files import File
from django.utils import timezone

from companies.models import Company
from imports.errors import ImportFileError
from imports.mapping import map_columns
from imports.models import ImportExportJob
from imports.pipeline import ImportOptions
from imports.readers.table import Table
from imports.services import job_create
from imports.stored_files import error_report_local_path
from imports.targets import get_target

from .models import SalesProSyncHistory

TARGET_NAME = "SalesProAppointment"
KEY_COLUMN = "_id"
_COLUMNS_SHOWN = 15


def appointments_import_create(
    *, company: Company, path: Path, dry_run: bool, batch_size: int, user=None
) -> ImportExportJob:
    """A pending import job of a SalesPro appointments export; raises ImportFileError (and creates nothing) for a
    file that cannot be imported, such as one without an `_id` column."""
    appointments_header_check(path)
    with open(path, "rb") as handle:
        return job_create(
            company=company,
            target_name=TARGET_NAME,
            file=File(handle, name=path.name),
            file_name=path.name,
            options=ImportOptions.parse(mode="upsert", dry_run=dry_run),
            user=user,
            batch_size=batch_size,
        )


def appointments_header_check(path: Path) -> None:
    """Refuse a file whose header has no `_id` column, in SalesPro's words, before a job exists.

    The job would refuse it too, naming the field (`salespro_id`); a SalesPro user knows the column. The header
    is found the way jobs find it (any encoding or format, below title rows), reading only the first rows.
    """
    target = get_target(TARGET_NAME)
    with Table(path, header_score=target.header_score, streamed=True) as table:
        columns = table.columns
    if map_columns(target, columns).missing([target.key]):
        shown = ", ".join(columns[:_COLUMNS_SHOWN]) + (", ..." if len(columns) > _COLUMNS_SHOWN else "")
        raise ImportFileError(f"missing required column: {KEY_COLUMN} (the file's columns are: {shown})")


def sync_start(*, company: Company, file_path: str) -> SalesProSyncHistory:
    return SalesProSyncHistory.objects.create(
        company=company, sync_type=SalesProSyncHistory.SyncType.CSV_APPOINTMENTS, file_path=file_path,
    )


def sync_job_set(*, sync: SalesProSyncHistory, job: ImportExportJob) -> None:
    """Point a running sync to its job, whose page shows its progress (and which a sync cut short still names)."""
    sync.job = job
    sync.save(update_fields=["job"])


def sync_finish(
    *, sync: SalesProSyncHistory, status: str, job: ImportExportJob | None = None, error_message: str = ""
) -> None:
    """Record how a sync ended, with the counts of its job when it got one (rows saved before a failure or a stop
    stay saved, and are counted). Rows that failed are pointed to in the error message."""
    sync.status, sync.completed_at, sync.job = status, timezone.now(), job
    if job is not None:
        sync.records_processed = job.processed_records
        sync.records_created = job.created_records
        sync.records_updated = job.updated_records
        sync.records_skipped = job.skipped_records
        sync.records_failed = job.error_records
        if not error_message and job.error_records:
            report = f": see the error report {error_report_local_path(job)}" if job.error_report else ""
            error_message = f"{job.error_records:,} of {job.total_records:,} rows failed{report}"
    sync.error_message = error_message
    sync.save()
