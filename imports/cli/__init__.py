"""The command-line face: what every app's import commands share. Finding the company, creating a job from a file
and running it in this process, the progress bar, the summary, the exit status.

Exit statuses: 0 when no row failed, 1 when some rows failed and the rest were imported, 2 when nothing could run,
130 when the operator stopped the import (Ctrl-C). Look-ups (imports.cli.lookups) end the same way.
"""

import json
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.files import File
from tqdm import tqdm

from companies.models import Company
from imports.declare.targets import get_target
from imports.declare.wording import counted
from imports.engine.mapping import map_columns
from imports.engine.options import ImportOptions
from imports.engine.readers.table import Table
from imports.engine.report import error_log_write, report_needed
from imports.engine.stored_files import error_report_local_path
from imports.jobs.inprocess import job_run
from imports.jobs.selectors import job_errors_first
from imports.jobs.services import job_create
from imports.jobs.stopping import job_cancel
from imports.models import ImportExportJob

EXIT_OK, EXIT_ROWS_FAILED, EXIT_NOTHING_RAN, EXIT_INTERRUPTED = 0, 1, 2, 130


class CommandFailure(Exception):
    """Nothing could run; the message is the one line printed on stderr."""


def company_resolve(slug: str | None) -> Company:
    """The company named by `slug`, or the only company when no slug is given."""
    if slug:
        company = Company.objects.filter(slug=slug).first()
        if company is None:
            raise CommandFailure(f"Unknown company '{slug}'.")
        return company
    companies = list(Company.objects.order_by("slug")[:11])
    if not companies:
        raise CommandFailure("No company exists yet: create one with `manage.py create_company`.")
    if len(companies) > 1:
        names = ", ".join(company.slug for company in companies[:10])
        raise CommandFailure(f"Several companies exist ({names}): choose one with --company.")
    return companies[0]


class ProgressBar:
    """A tqdm bar on stderr, advanced to the job's checkpoint after each batch; silent when stderr is no terminal."""

    def __init__(self, description: str, unit: str = "rows"):
        self._bar = None
        self._description = description
        self._unit = unit

    def __call__(self, job: ImportExportJob) -> None:
        if self._bar is None:
            self._bar = tqdm(total=job.total_records, desc=self._description, unit=self._unit, file=sys.stderr,
                             disable=None)
        elif self._bar.total != job.total_records:  # known only once the job is prepared (a worker's, say)
            self._bar.total = job.total_records
        self._bar.update(job.processed_records - self._bar.n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()


def job_from_file(
    *, company: Company, target_name: str, path: Path, mode: str | None = None, duplicates: str | None = None,
    dry_run: bool = False, **job_options,
) -> ImportExportJob:
    """A pending import job of the file at `path`; ImportFileError says why none could be created (an unknown
    mode, say). imports.jobs.services.job_create takes the other `job_options` (mapping, sheet, batch size...)."""
    options = ImportOptions.parse(mode=mode, duplicates=duplicates, dry_run=dry_run)
    with open(path, "rb") as handle:
        return job_create(
            company=company, target_name=target_name, file=File(handle, name=path.name), file_name=path.name,
            options=options, via=ImportExportJob.Via.CLI, **job_options,
        )


def job_run_here(job: ImportExportJob, on_progress: Callable[[ImportExportJob], None] | None) -> ImportExportJob:
    """Run the whole job in this process, the command line's way (the workers are not needed)."""
    return job_run(job=job, on_progress=on_progress)


def file_columns_without_key(*, target_name: str, path: Path) -> list[str] | None:
    """The columns of the file at `path` when none of them maps to the target's key, else None. The header is
    found the way jobs find it (any encoding or format, below title rows), reading only the first rows."""
    target = get_target(target_name)
    with Table(path, header_score=target.header_score, streamed=True) as table:
        columns = table.columns
    return columns if map_columns(target, columns).missing([target.key]) else None


def error_report_path(job: ImportExportJob | None) -> str | None:
    """Where the job's error report can be read on this machine, if it has one."""
    return error_report_local_path(job) if job is not None else None


def exit_status(job: ImportExportJob) -> int:
    if job.job_status == ImportExportJob.Status.FAILED:
        return EXIT_NOTHING_RAN
    return EXIT_ROWS_FAILED if job.failed_records else EXIT_OK


def result_json(job: ImportExportJob | None, *, error_report: str | None = None, error: str | None = None) -> str:
    """The one JSON object `--json` prints."""
    result = {
        "job_id": str(job.pk) if job else None,
        "status": job.job_status if job else ImportExportJob.Status.FAILED.value,
        "dry_run": job.dry_run if job else False,
        "total": job.total_records if job else 0,
        "created": job.created_records if job else 0,
        "updated": job.updated_records if job else 0,
        "unchanged": job.unchanged_records if job else 0,
        "skipped": job.skipped_not_unchanged if job else 0,  # the unchanged apart, as in the summary and the API
        "failed": job.failed_records if job else 0,
        "error_report": error_report,
        "errors": [
            {"row": log.record_number, "sheet_row": log.sheet_row, "message": log.message}
            for log in (job_errors_first(job=job) if job else [])
        ],
    }
    if error:
        result["error"] = error
    return json.dumps(result)


def summary_lines(job: ImportExportJob) -> list[str]:
    """A human summary of a finished job."""
    verb = "Dry run of" if job.dry_run else "Imported"
    would = "would be " if job.dry_run else ""
    return [
        f"{verb} {job.file_name} into {job.target_model} (job {job.pk}): {counted(job.total_records, 'row')}",
        f"  {would}created {job.created_records:,}, {would}updated {job.updated_records:,}, "
        f"unchanged {job.unchanged_records:,}, skipped {job.skipped_not_unchanged:,}, "
        f"failed {job.failed_records:,}",
    ]


def interrupted(job: ImportExportJob) -> str:
    """Ctrl-C during a run: the job ends cancelled, the batches committed stay; returns the line to print."""
    job.refresh_from_db()
    message = (f"Stopped after {job.processed_records:,} of {job.total_records:,} rows; the rows saved until "
               "then stay saved (job cancelled).")
    job_cancel(job, message)
    return message


def database_lost(error: Exception) -> str:
    """The line printed when the database stops answering during a run."""
    return (f"The database stopped answering ({error}). Rows saved until then stay saved; run the same command "
            "again to finish (rows already imported come out unchanged).")


def result_write(stdout, job: ImportExportJob, *, as_json: bool, extra_lines: Iterable[str] = ()) -> None:
    """A finished run's output: one JSON object, or the summary with the paths of the error report and of the
    error log (written here, for failed rows and rows imported with a warning), then `extra_lines`."""
    report = error_report_local_path(job)
    log_path = error_log_write(job, settings.IMPORT_LOG_DIR) if report_needed(job) else None
    if as_json:
        stdout.write(result_json(job, error_report=report))
        return
    for line in summary_lines(job):
        stdout.write(line)
    if report:
        stdout.write(f"Error report: {report}")
    if log_path:
        stdout.write(f"Error log: {log_path}")
    for line in extra_lines:
        stdout.write(line)
