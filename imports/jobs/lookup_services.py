"""Look-up jobs for the faces (pages, API, command line): start one from an upload, retry it, cancel it, read its
results and errors, and keep the audit trail of every access to its data.

Every request that touches a look-up's data (upload, results download, retry, cancel) is recorded as an
AuditEvent: who, when, which job, by which way in, from which address. The data itself (the upload and the
results) is deleted `retention_days` after the job finished (imports.jobs.retention).
"""

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.db.models import F

from companies.models import Company
from imports.declare.errors import ImportFileError
from imports.declare.lookups import LookupService, get_lookup
from imports.engine.lookups import results_csv
from imports.jobs import status
from imports.jobs.audit import audit_record
from imports.jobs.lookup_kind import NotCsvFile, lookup_file_check
from imports.jobs.services import job_enqueue
from imports.jobs.stopping import job_cancel
from imports.models import AuditEvent, ImportChunk, ImportExportJob, LookupResult

Status = ImportExportJob.Status
Action, Via = AuditEvent.Action, AuditEvent.Via


class LookupRefused(Exception):
    """A request about a look-up that cannot be done; `status` is the HTTP status that says why (400 a bad file,
    409 not now, 410 its data deleted, 413 too large, 415 not a CSV). `str(error)` is one sentence for the user."""

    def __init__(self, message: str, status: int = 409):
        super().__init__(message)
        self.status = status


def max_file_bytes(service: LookupService) -> int:
    return service.max_file_mb() * 1024 * 1024


def lookup_job_create(
    *, company: Company, service_name: str, file: File, file_name: str, via: str, user=None,
    address: str | None = None, enqueue: bool = True,
) -> ImportExportJob:
    """Check an upload of queries and create a pending look-up job for it, queued in its company's turn (unless
    `enqueue` is false: the caller runs it itself, as the command line does, and no worker is sent for it).

    Refused (LookupRefused) before any job exists: an empty file, one over the service's size limit, one that is
    not a CSV, or one whose header lacks a required column (named)."""
    service = get_lookup(service_name)
    if not file.size:
        raise LookupRefused("The file is empty.", 400)
    if file.size > max_file_bytes(service):
        raise LookupRefused(
            f"The file is {file.size / 1024 / 1024:.1f} MB; the limit is {service.max_file_mb()} MB.", 413
        )
    _file_check(service, file, company)
    job = ImportExportJob(
        company=company, created_by=user if user is not None and user.is_authenticated else None,
        job_type=ImportExportJob.JobType.LOOKUP, via=via, target_model=service.name, file_format="csv",
        file_name=Path(file_name).name, options={"via": via},
    )
    file.seek(0)
    job.file.save(Path(file_name).name, file, save=False)
    with transaction.atomic():
        job.save()
        status.job_log(job, f"Job created for {job.file_name}.")
        audit_record(job=job, action=Action.UPLOAD, via=via, user=user, address=address)
        if enqueue:
            job_enqueue(job)
    return job


def _file_check(service: LookupService, file: File, company: Company) -> None:
    """Read the upload through once, as its preparation will: a CSV with a header naming every required column
    and at least one row."""
    scratch = Path(settings.VAR_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        path = Path(folder) / "upload"
        file.seek(0)
        with open(path, "wb") as copy:
            shutil.copyfileobj(file, copy)
        try:
            lookup_file_check(path, service, Path(folder) / "staged.csv", company)
        except NotCsvFile as error:
            raise LookupRefused(str(error), 415) from None
        except ImportFileError as error:
            raise LookupRefused(str(error), 400) from None


def lookup_retry(
    job: ImportExportJob, *, via: str, user=None, address: str | None = None, enqueue: bool = True
) -> ImportExportJob:
    """Run a finished look-up again: a failed or cancelled one continues from where it stopped, a completed one
    asks again only its failures marked retryable. Refused while it runs (409), with nothing to retry (409), and
    once its data is deleted (410). `enqueue` as for lookup_job_create."""
    _data_kept(job)
    with transaction.atomic():
        current = ImportExportJob.objects.select_for_update().get(pk=job.pk)
        if not current.is_finished:
            raise LookupRefused("The job is still running; retry it once it has finished.")
        if current.job_status == Status.COMPLETED:
            message = _retryable_reset(current)
        else:
            left = current.total_records - current.processed_records
            message = (
                f"Retried: continuing with the {left:,} rows not yet looked up." if current.total_records
                else "Retried: starting again."
            )
        status.job_retried(current, message=message)
        audit_record(job=current, action=Action.RETRY, via=via, user=user, address=address)
        if enqueue:
            job_enqueue(current)
    job.refresh_from_db()
    return job


def _retryable_reset(job: ImportExportJob) -> str:
    """Forget the job's retryable failures, so its chunks ask them again (rows with a result are passed over)."""
    rows = list(job.lookup_results.filter(retryable=True).values_list("row_number", flat=True))
    if not rows:
        raise LookupRefused("No look-up of this job failed in a way worth asking again: there is nothing to retry.")
    job.lookup_results.filter(retryable=True).delete()
    ImportExportJob.objects.filter(pk=job.pk).update(
        processed_records=F("processed_records") - len(rows), failed_records=F("failed_records") - len(rows)
    )
    spans = job.chunks.values_list("pk", "first_row", "last_row")
    asked_again = [pk for pk, first, last in spans if any(first <= row <= last for row in rows)]
    chunks = job.chunks.filter(pk__in=asked_again)
    chunks.update(
        status=ImportChunk.Status.PENDING, lease=None, queued_at=None, checkpoint_row=F("first_row") - 1,
        checkpoint_offset=F("start_offset"),
    )
    return f"Retried: asking again the {len(rows):,} look-ups that failed and can be retried."


def lookup_cancel(job: ImportExportJob, *, via: str, user=None, address: str | None = None) -> ImportExportJob:
    """Stop a pending or running look-up; the results recorded so far stay. Refused once it has finished (409)."""
    if job.is_finished:
        raise LookupRefused(f"The job has already finished ({job.get_job_status_display().lower()}).")
    who = getattr(user, "username", "") or "an operator"
    job_cancel(job, f"Cancelled by {who}; the results recorded so far can be downloaded.")
    audit_record(job=job, action=Action.CANCEL, via=via, user=user, address=address)
    job.refresh_from_db()
    return job


def lookup_results(job: ImportExportJob, *, via: str, user=None, address: str | None = None) -> Iterator[bytes]:
    """The results file (CSV), streamed; the download is recorded. Refused while the job is pending or running
    (409) and once its data is deleted (410)."""
    _data_kept(job)
    if not job.is_finished:
        raise LookupRefused("The job is still running: its results can be downloaded once it has finished.")
    audit_record(job=job, action=Action.RESULTS_DOWNLOAD, via=via, user=user, address=address)
    return results_csv(job, get_lookup(job.target_model))


def results_file_name(job: ImportExportJob) -> str:
    stem = Path(job.file_name).stem or "lookup"
    return f"{stem}-results.csv"


def _data_kept(job: ImportExportJob) -> None:
    if job.purged_at is not None:
        raise LookupRefused(
            f"The job's file and results were deleted on {job.purged_at:%Y-%m-%d}, at the end of the retention "
            "period.", 410,
        )


def lookup_error_log(job: ImportExportJob, *, limit: int = 1000) -> list[dict]:
    """The job's failed rows (row, the service's identifying value, error, retryable), first rows first, and the
    job's own error when it failed as a whole; never a sensitive value."""
    service = get_lookup(job.target_model)
    entries = []
    if job.error_message:
        entries.append({"row": None, "error": job.error_message, "retryable": job.job_status != Status.COMPLETED})
    failed = job.lookup_results.filter(success=False).order_by("row_number")
    for row, error, retryable, values in failed.values_list("row_number", "error", "retryable", "values")[:limit]:
        entry = {"row": row}
        if service.identifier:
            entry[service.identifier] = values.get(service.identifier, "")
        entries.append({**entry, "error": error, "retryable": retryable})
    return entries


def lookup_results_page(job: ImportExportJob, *, offset: int = 0, limit: int = 50) -> list[LookupResult]:
    """A page of the job's results in row order (for the job's page)."""
    return list(job.lookup_results.order_by("row_number")[offset : offset + limit])
