"""Retrying the failed rows of an import: a new import job of the same target, company, options and mapping,
linked to the first as its `parent`, whose file is either the failed rows as they are (once their cause is fixed
elsewhere, say the meter they name now exists) or the user's corrected error report.

The faces (the job's page, POST /api/imports/{id}/retry, `import_data --retry-failed`) call failed_rows_retry and
present the job or the refusal; the new job runs like any import (on the workers, or in the command's process).
"""

import shutil
import tempfile
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.engine.options import ImportOptions
from imports.engine.readers.limits import check_file_size
from imports.engine.retry_file import (
    corrected_file_columns,
    failed_rows_write,
    report_columns_ignored,
    retry_column,
)
from imports.engine.validation_rules import ValidationRules
from imports.engine.value_fixes import ValueFixes
from imports.jobs.services import job_create, job_enqueue
from imports.jobs.status import job_log
from imports.models import ImportExportJob

JobType, Status = ImportExportJob.JobType, ImportExportJob.Status


class RetryRefused(Exception):
    """The job's failed rows cannot be retried now; `str(error)` is one sentence for the user."""


class RetryUnderWay(RetryRefused):
    """The job's failed rows are being retried already (a second click on Retry): `retry` is that import."""

    def __init__(self, message: str, retry: ImportExportJob):
        super().__init__(message)
        self.retry = retry


def is_retry(job: ImportExportJob) -> bool:
    """Whether the job retries the failed rows of another import (a restore's imports have a parent too)."""
    return job.job_type == JobType.IMPORT and job.parent_id is not None and job.parent.job_type == JobType.IMPORT


def job_retries(job: ImportExportJob):
    """The imports that retried the failed rows of `job`, oldest first."""
    return job.children.filter(job_type=JobType.IMPORT).order_by("created_at")


def retry_under_way(job: ImportExportJob) -> ImportExportJob | None:
    """The retry of `job` that has not ended yet, if any: a job's failed rows are retried by one import at a time,
    so a second click (or a second request) while the first retry runs does not import the same rows twice."""
    finished = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)
    return job_retries(job).exclude(job_status__in=finished).first()


def retry_refusal(job: ImportExportJob, *, as_they_are: bool = True) -> str | None:
    """Why the failed rows of `job` cannot be retried, in one sentence; None when they can. `as_they_are`: the
    failed rows themselves become the file (else the user brings a corrected file, and the job need not have
    failed rows any more)."""
    if job.job_type != JobType.IMPORT:
        return "Only the failed rows of an import can be retried."
    if job.dry_run:
        return (
            f"Job {job.pk} was a dry run: it wrote nothing, so there is nothing to retry. Import the file itself "
            "once its rows are fixed."
        )
    if not job.is_finished:
        return f"Job {job.pk} is {job.get_job_status_display().lower()}: retry its failed rows once it has ended."
    if job.undone_at is not None:
        return f"Job {job.pk} was undone: import the whole corrected file again rather than only its failed rows."
    if job.options.get("all_or_nothing") and not job.writing:
        return (
            f"Job {job.pk} imported nothing: it was all or nothing and stopped before writing any row. Import the "
            "whole corrected file again, since retrying only its failed rows would leave out the rows that passed."
        )
    if as_they_are and not job.failed_records:
        return f"Job {job.pk} has no failed rows to retry."
    if (running := retry_under_way(job)) is not None:
        return _under_way_message(job, running)
    return None


def _under_way_message(job: ImportExportJob, running: ImportExportJob) -> str:
    return (f"The failed rows of job {job.pk} are already being retried as job {running.pk}: retry again once it "
            "has ended, if rows still fail.")


def failed_rows_retry(
    job: ImportExportJob, *, via: str = "", user=None, upload: File | None = None, enqueue: bool = True
) -> ImportExportJob:
    """Create the import that retries the failed rows of `job`, and queue it for the workers (unless `enqueue` is
    false: the command line runs it itself).

    Without `upload`, its file is the failed rows as they are (every one of them, a CSV of the first file's
    columns); with it, the user's corrected file (an error report fixed in a spreadsheet, CSV or Excel), checked
    like any import upload, whose `row_number`, `error_message` and `sheet_row` columns are ignored. Either way the
    first job's mode, duplicate handling, all-or-nothing, batch size, column mapping and validation rules apply.
    Raises RetryRefused when the job cannot be retried now and ImportFileError for a file that cannot be
    imported."""
    _refusal_raise(job, as_they_are=upload is None)
    scratch = Path(settings.VAR_DIR) / "tmp"
    scratch.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=scratch) as folder:
        if upload is None:
            path, file_name, mapping = _failed_rows_file(job, Path(folder))
        else:
            path, file_name, mapping = _corrected_file(job, upload, Path(folder))
        with open(path, "rb") as handle, transaction.atomic():
            # Checked again under the job's row lock: of two requests at once, the second finds the first's retry.
            _refusal_raise(ImportExportJob.objects.select_for_update().get(pk=job.pk), as_they_are=upload is None)
            retry = job_create(
                company=job.company, target_name=job.target_model, file=File(handle, name=file_name),
                file_name=file_name, options=_options_of(job), user=user, mapping=mapping,
                batch_size=job.options.get("batch_size"), all_or_nothing=bool(job.options.get("all_or_nothing")),
                parent=job, via=via,
            )
            what = "failed rows" if upload is None else f"failed rows, corrected in {file_name},"
            job_log(retry, f"Retries the {what} of job {job.pk}.")
            job_log(job, f"Its {what} are retried as job {retry.pk}.")
            if enqueue:
                job_enqueue(retry)
    retry.refresh_from_db()
    return retry


def _refusal_raise(job: ImportExportJob, *, as_they_are: bool) -> None:
    if (running := retry_under_way(job)) is not None:
        raise RetryUnderWay(_under_way_message(job, running), running)
    if refusal := retry_refusal(job, as_they_are=as_they_are):
        raise RetryRefused(refusal)


def _options_of(job: ImportExportJob) -> ImportOptions:
    fixes = ValueFixes.from_dict(job.options.get("value_fixes")).keyed_by_field(job.field_mapping)
    return ImportOptions(mode=job.import_mode, duplicates=job.duplicate_handling, dry_run=False, fixes=fixes,
                         rules=ValidationRules.from_dict(job.validation_rules))


def _mapping_of(job: ImportExportJob) -> dict[str, str | None]:
    """The first job's mapping as it applied it, by the retry file's column names."""
    return {retry_column(column): field for column, field in job.field_mapping.items()}


def _failed_rows_file(job: ImportExportJob, folder: Path) -> tuple[Path, str, dict]:
    stem = Path(job.file_name or "import").stem or "import"
    path = folder / f"{stem}_failed_rows.csv"
    with open(path, "w", encoding="utf-8", newline="") as stream:
        written = failed_rows_write(job, stream)
    if not written:  # the counters said rows failed, but their log entries are gone
        raise RetryRefused(f"Job {job.pk} has no failed rows left in its log to retry.")
    return path, path.name, _mapping_of(job)


def _corrected_file(job: ImportExportJob, upload: File, folder: Path) -> tuple[Path, str, dict]:
    """The upload on disk, checked as the import wizard checks a file, and the mapping that reads it."""
    if not upload.size:
        raise ImportFileError("The file is empty.")
    check_file_size(upload.size)
    file_name = Path(upload.name or "corrected.csv").name
    path = folder / "upload"
    upload.seek(0)
    with open(path, "wb") as copy:
        shutil.copyfileobj(upload, copy)
    columns = corrected_file_columns(path, get_target(job.target_model))
    return path, file_name, {**_mapping_of(job), **report_columns_ignored(columns, list(job.source_columns))}

