"""The command line's look-ups (claim look-ups): a job from a file, run in this process, the results file, the
summary, the exit status: 0 when every row was found, 1 when some look-ups failed, 2 when nothing could run or the
job stopped before its end, 130 on Ctrl-C.

A look-up's rows are health data: what these print names rows, identifiers (a claim's number), counts and errors,
never a value of the service's sensitive fields; the results file alone holds those.
"""

import json
import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from django.core.files import File

from companies.models import Company
from imports.cli import EXIT_NOTHING_RAN, EXIT_OK, EXIT_ROWS_FAILED, CommandFailure
from imports.declare.lookups import get_lookup
from imports.declare.wording import counted
from imports.jobs.inprocess import job_run
from imports.jobs.lookup_services import (
    LookupRefused,
    lookup_cancel,
    lookup_error_log,
    lookup_job_create,
    lookup_results,
    lookup_retry,
)
from imports.models import AuditEvent, ImportExportJob

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
    done = counted(counts["total"], "row") if counts["processed"] == counts["total"] else (
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
