"""The command-line face: what every app's import commands share. Finding the company, creating a job from a file
and running it in this process, the progress bar, the summary, the exit status.

Exit statuses: 0 when no row failed, 1 when some rows failed and the rest were imported, 2 when nothing could run,
130 when the operator stopped the import (Ctrl-C). Look-ups (claim look-ups) end the same way: 0 when every row was
found, 1 when some look-ups failed, 2 when nothing could run or the job stopped before its end, 130 on Ctrl-C.
"""

import json
import os
import sys
import time
import uuid
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.files import File
from tqdm import tqdm

from companies.models import Company
from imports.declare.lookups import get_lookup
from imports.declare.targets import get_target
from imports.engine.mapping import map_columns
from imports.engine.options import ImportOptions
from imports.engine.readers.table import Table
from imports.engine.report import error_log_write, report_needed
from imports.engine.stored_files import error_report_local_path
from imports.jobs.inprocess import job_run
from imports.jobs.lookup_services import (
    LookupRefused,
    lookup_cancel,
    lookup_error_log,
    lookup_job_create,
    lookup_results,
    lookup_retry,
)
from imports.jobs.selectors import job_errors_first
from imports.jobs.services import job_create
from imports.jobs.stopping import job_cancel
from imports.models import AuditEvent, ImportExportJob

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
            options=options, **job_options,
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
        "skipped": job.skipped_records if job else 0,
        "failed": job.failed_records if job else 0,
        "error_report": error_report,
        "errors": [
            {"row": log.record_number, "message": log.message} for log in (job_errors_first(job=job) if job else [])
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
        f"{verb} {job.file_name} into {job.target_model} (job {job.pk}): {job.total_records} rows",
        f"  {would}created {job.created_records}, {would}updated {job.updated_records}, "
        f"unchanged {job.unchanged_records}, skipped {job.skipped_not_unchanged}, "
        f"failed {job.failed_records}",
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


# --- Look-ups ---------------------------------------------------------------------------------------------------
# A look-up's rows are health data: what these print names rows, identifiers (a claim's number), counts and
# errors, never a value of the service's sensitive fields; the results file alone holds those.

LOOKUP_ERRORS_SHOWN = 20  # failed rows listed by the human summary; the results file has every one
LOOKUP_ERRORS_IN_JSON = 100


def lookup_from_file(*, company: Company, service_name: str, path: Path) -> ImportExportJob:
    """A pending look-up job of the file at `path`, its upload recorded in the audit trail as the command line's;
    no worker is sent for it (lookup_run_here runs it). CommandFailure says why none could be created: no such
    file, an empty one, one that is not a CSV, too large, or lacking a required column (named)."""
    if not path.is_file():
        raise CommandFailure(f"File not found: {path}")
    try:
        with open(path, "rb") as handle:
            return lookup_job_create(
                company=company, service_name=service_name, file=File(handle, name=path.name), file_name=path.name,
                via=AuditEvent.Via.CLI, enqueue=False,
            )
    except LookupRefused as refused:
        raise CommandFailure(f"{path.name}: {refused}") from None
    except OSError as error:
        raise CommandFailure(f"{path} cannot be read: {error.strerror}.") from None


def lookup_job_get(*, company: Company, service_name: str, job_id: str) -> ImportExportJob:
    """The company's look-up job `job_id` of the service; CommandFailure when it has none of that id."""
    service = get_lookup(service_name)
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        pk = None
    job = ImportExportJob.objects.filter(
        company=company, job_type=ImportExportJob.JobType.LOOKUP, target_model=service.name, pk=pk
    ).first()
    if job is None:
        raise CommandFailure(f"No {service.verbose_name} job {job_id} in company '{company.slug}'.")
    return job


def lookup_again(job: ImportExportJob) -> ImportExportJob:
    """Set a finished look-up to run again here (recorded in the audit trail): a failed or cancelled one continues
    from where it stopped, a completed one asks again only its failures marked retryable."""
    try:
        return lookup_retry(job, via=AuditEvent.Via.CLI, enqueue=False)
    except LookupRefused as refused:
        raise CommandFailure(str(refused)) from None


def lookup_run_here(
    job: ImportExportJob, on_progress: Callable[[ImportExportJob], None] | None, *, poll_seconds: float = 0.5
) -> ImportExportJob:
    """Look the job's rows up in this process, the command line's way (the workers are not needed), and return it
    finished. Workers may hold some of it (one took the job first, or the sweeper sent it while this process
    seemed dead): then it waits for them, still reporting progress."""
    job = job_run(job=job, on_progress=on_progress)
    while not job.is_finished:
        time.sleep(poll_seconds)
        job.refresh_from_db()
        if on_progress is not None:
            on_progress(job)
    return job


class ResultsFile:
    """Where a look-up's results file goes: the path the operator named (written over if it exists), or one chosen
    beside the input, `<input stem>-results.csv`, else the first free `-results-2.csv`, `-results-3.csv`...: an
    earlier run's results are never written over unless the operator names them."""

    def __init__(self, output: str | None, source: Path):
        self._stem = f"{Path(source.name).stem or 'lookup'}-results"
        if output is None:
            self.chosen, self.path = True, self._free(source.parent)
        elif Path(output).is_dir():
            self.chosen, self.path = True, self._free(Path(output))
        else:
            self.chosen, self.path = False, Path(output)
            if self.path.resolve() == source.resolve():
                raise CommandFailure(f"--output names the input file {source}: choose another path.")
        folder = self.path.parent
        if not folder.is_dir():
            raise CommandFailure(f"The folder for the results does not exist: {folder}")
        if not os.access(folder, os.W_OK):
            raise CommandFailure(f"The results cannot be written in {folder}: permission denied.")

    def _free(self, folder: Path) -> Path:
        path, number = folder / f"{self._stem}.csv", 1
        while path.exists():
            number += 1
            path = folder / f"{self._stem}-{number}.csv"
        return path

    def open(self) -> int:
        """A descriptor of the file, created readable by its owner alone (it holds health data)."""
        while True:
            flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if self.chosen else os.O_TRUNC)
            try:
                return os.open(self.path, flags, 0o600)
            except FileExistsError:  # taken since it was chosen (another run of the same file): the next one
                self.path = self._free(self.path.parent)


def lookup_results_write(job: ImportExportJob, results_file: ResultsFile) -> Path:
    """Write the job's results file (recorded in the audit trail as written by the command line); returns its
    path. CommandFailure when it cannot be written, a partly written file removed."""
    try:
        stream = lookup_results(job, via=AuditEvent.Via.CLI)
    except LookupRefused as refused:
        raise CommandFailure(str(refused)) from None
    try:
        descriptor = results_file.open()
    except OSError as error:
        raise CommandFailure(f"The results could not be written to {results_file.path}: {error.strerror}.") from None
    try:
        with os.fdopen(descriptor, "wb") as handle:
            for block in stream:
                handle.write(block)
    except BaseException as error:
        results_file.path.unlink(missing_ok=True)  # a part of the results would pass for all of them
        if not isinstance(error, OSError):
            raise
        raise CommandFailure(
            f"The results could not be written to {results_file.path}: {error.strerror}. They are kept with job "
            f"{job.pk}."
        ) from None
    return results_file.path.absolute()


def lookup_counts(job: ImportExportJob) -> dict[str, int]:
    return {
        "total": job.total_records,
        "processed": job.processed_records,
        "found": job.processed_records - job.failed_records,
        "failed": job.failed_records,
        "retryable": job.lookup_results.filter(retryable=True).count(),
    }


def lookup_failed_rows(job: ImportExportJob, *, limit: int) -> list[dict]:
    """The first failed rows: row, the service's identifying value (a claim's number), error, retryable."""
    return [entry for entry in lookup_error_log(job, limit=limit) if entry["row"] is not None]


def lookup_result_json(job: ImportExportJob | None, *, results: Path | None = None, error: str | None = None) -> str:
    """The one JSON object `--json` prints for a look-up."""
    counts = lookup_counts(job) if job else dict.fromkeys(("total", "processed", "found", "failed", "retryable"), 0)
    result = {
        "job_id": str(job.pk) if job else None,
        "status": job.job_status if job else ImportExportJob.Status.FAILED.value,
        **counts,
        "results": str(results) if results else None,
        "errors": lookup_failed_rows(job, limit=LOOKUP_ERRORS_IN_JSON) if job else [],
    }
    if error:
        result["error"] = error
    return json.dumps(result)


def lookup_summary_lines(job: ImportExportJob, *, results: Path | None) -> list[str]:
    """A human summary of a finished look-up: counts, the first failed rows with their errors, the results file."""
    service = get_lookup(job.target_model)
    counts = lookup_counts(job)
    again = f" ({counts['retryable']:,} can be retried)" if counts["retryable"] else ""
    done = f"{counts['total']:,} rows" if counts["processed"] == counts["total"] else (
        f"{counts['processed']:,} of {counts['total']:,} rows")
    lines = [
        f"{service.verbose_name.capitalize()} of {job.file_name} (job {job.pk}): {done}, {counts['found']:,} found, "
        f"{counts['failed']:,} failed{again}"
    ]
    failed = lookup_failed_rows(job, limit=LOOKUP_ERRORS_SHOWN)
    if failed:
        lines.append("Failed rows:")
    for entry in failed:
        named = f", {service.identifier} {entry[service.identifier]}" if entry.get(service.identifier) else ""
        lines.append(f"  row {entry['row']}{named}: {entry['error']}")
    if counts["failed"] > len(failed):
        lines.append(f"  ... and {counts['failed'] - len(failed):,} more: see the results file.")
    if results:
        lines.append(f"Results: {results}")
    return lines


def lookup_exit_status(job: ImportExportJob) -> int:
    if job.job_status != ImportExportJob.Status.COMPLETED:
        return EXIT_NOTHING_RAN
    return EXIT_ROWS_FAILED if job.failed_records else EXIT_OK


def lookup_interrupted(job: ImportExportJob) -> str:
    """Ctrl-C during a look-up: the job ends cancelled (recorded in the audit trail), its results so far kept;
    returns the line to print."""
    job.refresh_from_db()
    if not job.is_finished:
        job = lookup_cancel(job, via=AuditEvent.Via.CLI)
    return (f"Stopped after {job.processed_records:,} of {job.total_records:,} rows; the results recorded until "
            f"then are kept (job {job.pk}, cancelled).")


def lookup_database_lost(error: Exception, job: ImportExportJob | None) -> str:
    """The line printed when the database stops answering during a look-up. Only the error's kind is named: its
    text may quote the values of the statement that failed."""
    kept = f" The results recorded until then are kept with job {job.pk}." if job is not None else ""
    return f"The database stopped answering ({type(error).__name__}).{kept}"
