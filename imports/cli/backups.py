"""The command line's backups and restores (`backup_company`, `restore_company`): each creates its job through the
same services as the page and the API, runs it in this process, and prints what came of it.

Exit statuses, as for imports (imports.cli): 0 when every row went through, 1 when some rows of the restore
failed and the rest were restored, 2 when nothing could run (a refused archive, a failed job), 130 when the
operator stopped it (Ctrl-C).
"""

import json
import shutil
from pathlib import Path

from django.core.files import File

from companies.models import Company
from imports.cli import EXIT_NOTHING_RAN, EXIT_OK, EXIT_ROWS_FAILED, CommandFailure, ProgressBar, interrupted
from imports.declare.wording import counted
from imports.engine.stored_files import error_report_local_path
from imports.jobs.backup_services import (
    BackupRefused,
    backup_file_open,
    backup_job_create,
    restore_job_create,
    restore_results,
)
from imports.jobs.inprocess import job_run
from imports.jobs.restore_children import EMPTY, NOT_STARTED
from imports.jobs.stopping import job_cancel
from imports.models import AuditEvent, ImportExportJob

CLI = AuditEvent.Via.CLI


def backup_to_file(*, company: Company, output: Path) -> ImportExportJob:
    """Back the company up in this process and copy the archive to `output` (the copy is a download, recorded in
    the audit trail); CommandFailure says why no archive was written."""
    if not output.parent.is_dir():
        raise CommandFailure(f"Folder not found: {output.parent}")
    progress = ProgressBar("Backup", unit="records")
    try:
        job = job_run(job=backup_job_create(company=company, via=CLI, enqueue=False), on_progress=progress)
    finally:
        progress.close()
    if job.job_status != ImportExportJob.Status.COMPLETED:
        raise CommandFailure(job.error_message or f"The backup ended {job.get_job_status_display().lower()}.")
    try:
        handle, _name, _type = backup_file_open(job, via=CLI)
    except BackupRefused as error:
        raise CommandFailure(str(error)) from None
    with handle, open(output, "wb") as out:
        shutil.copyfileobj(handle, out, 1024 * 1024)
    return job


def backup_lines(job: ImportExportJob, output: Path) -> list[str]:
    lines = [f"Backed up {job.processed_records:,} records of {job.company.name} to {output} (job {job.pk})."]
    for entry in job.options["manifest"]["targets"]:
        lines.append(f"  {entry['file']}: {counted(entry['rows'], 'row')}")
    return lines


def restore_from_file(*, company: Company, path: Path, dry_run: bool) -> ImportExportJob:
    """Check the archive at `path`, then restore it (or rehearse it, for a dry run) in this process; CommandFailure
    says why the archive was refused. Ctrl-C reaches the caller, with the job: see `interrupted`."""
    if not path.is_file():
        raise CommandFailure(f"File not found: {path}")
    with open(path, "rb") as handle:
        try:
            job = restore_job_create(company=company, file=File(handle, name=path.name), file_name=path.name,
                                     via=CLI, dry_run=dry_run, enqueue=False)
        except BackupRefused as error:
            raise CommandFailure(str(error)) from None
    return job


def restore_run(job: ImportExportJob) -> ImportExportJob:
    progress = ProgressBar("Restore")
    try:
        return job_run(job=job, on_progress=progress)
    finally:
        progress.close()


def restore_interrupted(job: ImportExportJob | None) -> str:
    """Ctrl-C during a restore: the job ends cancelled; returns the line to print."""
    if job is None:
        return "Stopped before anything was restored."
    if job.dry_run:
        job_cancel(job, "Stopped from the command line; a dry run writes nothing.")
        return "Stopped; the dry run wrote nothing (job cancelled)."
    return interrupted(job)


def restore_exit_status(job: ImportExportJob) -> int:
    if job.job_status != ImportExportJob.Status.COMPLETED:
        return EXIT_NOTHING_RAN
    return EXIT_ROWS_FAILED if job.failed_records else EXIT_OK


def restore_json(job: ImportExportJob | None, *, error: str | None = None) -> str:
    """The one JSON object `--json` prints: the restore's counts and each file's."""
    result = {
        "job_id": str(job.pk) if job else None,
        "status": job.job_status if job else ImportExportJob.Status.FAILED.value,
        "dry_run": job.dry_run if job else None,
        "total": job.total_records if job else 0,
        "created": job.created_records if job else 0,
        "updated": job.updated_records if job else 0,
        "unchanged": job.unchanged_records if job else 0,
        "skipped": job.skipped_not_unchanged if job else 0,
        "failed": job.failed_records if job else 0,
        "files": restore_results(job) if job else [],
    }
    if error or (job and job.error_message):
        result["error"] = error or job.error_message
    return json.dumps(result)


def _counts(counts: dict, *, dry_run: bool) -> str:
    if dry_run:
        return (f"would create {counts['created']:,}, update {counts['updated']:,}, leave {counts['unchanged']:,} "
                f"unchanged, skip {counts['skipped']:,}, fail {counts['failed']:,}")
    return (f"created {counts['created']:,}, updated {counts['updated']:,}, unchanged {counts['unchanged']:,}, "
            f"skipped {counts['skipped']:,}, failed {counts['failed']:,}")


def restore_lines(job: ImportExportJob) -> list[str]:
    """The restore's summary, then a line for each file (and the first rows that failed)."""
    heading = "Dry run of a restore (nothing was written)" if job.dry_run else "Restored"
    lines = [f"{heading}: {job.file_name} into {job.company.name} (job {job.pk})"]
    for outcome in restore_results(job):
        if outcome["status"] in (NOT_STARTED, EMPTY):
            what = "no records" if outcome["status"] == EMPTY else "not restored"
            lines.append(f"  {outcome['label']} ({outcome['file']}): {what}")
            continue
        lines.append(f"  {outcome['label']} ({outcome['file']}): {counted(outcome['total'], 'row')}, "
                     f"{_counts(outcome, dry_run=job.dry_run)}")
        lines.extend(f"    row {error['row']}: {error['message']}" for error in outcome["errors"])
        if outcome["job_id"]:
            child = job.children.get(pk=outcome["job_id"])
            if report := error_report_local_path(child):
                lines.append(f"    Error report: {report}")
    totals = {"created": job.created_records, "updated": job.updated_records, "unchanged": job.unchanged_records,
              "skipped": job.skipped_not_unchanged, "failed": job.failed_records}
    lines.append(f"  In all: {counted(job.total_records, 'row')}, {_counts(totals, dry_run=job.dry_run)}")
    return lines
