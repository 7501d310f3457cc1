"""Company backups and restores for the faces (the page, the API, the command line): start a backup, download its
archive (recorded in the audit trail), check an uploaded archive and start its dry run or restore, restore for
real after a dry run, and say what a restore did (or would do) with each file.

An uploaded archive is checked whole before any job exists (imports.engine.backups.archive): a bad one is refused
with one sentence. A backup holds the company's claims, which are health data: every download of one and every
upload of an archive is recorded in the audit trail.
"""

import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.db import transaction

from companies.models import Company
from imports.engine.backups.manifest import BackupArchiveError
from imports.engine.readers.limits import file_size_refusal
from imports.jobs import status
from imports.jobs.audit import audit_record
from imports.jobs.backup_kind import COMPANY, backup_file_name
from imports.jobs.restore_children import COUNTS, child_of, outcome_of
from imports.jobs.restore_kind import archive_opened, restore_manifest
from imports.jobs.services import job_enqueue
from imports.models import AuditEvent, ImportExportJob

Status = ImportExportJob.Status
JobType = ImportExportJob.JobType
ZIP_CONTENT_TYPE = "application/zip"


class BackupRefused(Exception):
    """A request about a backup or a restore that cannot be done: `status` is the HTTP status that says why (400 a
    bad archive, 409 not now, 410 its file deleted, 413 too large)."""

    def __init__(self, message: str, status: int = 400):
        super().__init__(message)
        self.status = status


def _asker(user):
    return user if user is not None and user.is_authenticated else None


# --- Backups ---------------------------------------------------------------------------------------------------


def backup_job_create(*, company: Company, via: str, user=None, enqueue: bool = True) -> ImportExportJob:
    """A pending backup of the whole company, queued in its company's turn (unless `enqueue` is false: the caller
    runs it itself, as the command line does). It holds the records as they stand now."""
    job = ImportExportJob(
        company=company, created_by=_asker(user), job_type=JobType.BACKUP, via=via, target_model=COMPANY,
        file_format=ImportExportJob.FileFormat.ZIP, options={"via": via},
    )
    with transaction.atomic():
        job.save()
        job.file_name = backup_file_name(job)
        ImportExportJob.objects.filter(pk=job.pk).update(file_name=job.file_name)
        status.job_log(job, "Backup of the company asked for.")
        if enqueue:
            job_enqueue(job)
    return job


def backup_file_open(job: ImportExportJob, *, via: str, user=None, address: str | None = None):
    """The backup's archive, opened for download, with its name and content type; every download is recorded in
    the audit trail. BackupRefused: 409 while it runs (or when it failed), 410 once the file was deleted."""
    if job.job_status != Status.COMPLETED:
        raise BackupRefused(
            f"The backup has no file to download: it is {job.get_job_status_display().lower()}.", 409
        )
    if not job.file:
        raise BackupRefused("The backup's file was deleted after its retention period: make a new backup.", 410)
    handle = job.file.open("rb")
    audit_record(job=job, action=AuditEvent.Action.DOWNLOAD, via=via, user=user, address=address)
    return handle, job.file_name, ZIP_CONTENT_TYPE


# --- Restores --------------------------------------------------------------------------------------------------


def restore_job_create(
    *, company: Company, file: File, file_name: str, via: str, user=None, dry_run: bool = True,
    address: str | None = None, enqueue: bool = True,
) -> ImportExportJob:
    """Check an uploaded backup archive and create a pending restore of it (a dry run unless `dry_run` is false).
    BackupRefused says, in one sentence, why an archive cannot be restored; no job exists then."""
    if not file.size:
        raise BackupRefused("The file is empty.")
    if refusal := file_size_refusal(file.size):
        raise BackupRefused(refusal, 413)
    with _on_disk(file) as path:
        try:
            with archive_opened(path) as archive:
                archive.verify()
                manifest = archive.manifest
        except BackupArchiveError as error:
            raise BackupRefused(str(error)) from None
    job = _restore_job(company=company, user=user, file_name=Path(file_name).name, dry_run=dry_run,
                       options={"via": via, "manifest": manifest.to_data()}, total=manifest.total_rows)
    file.seek(0)
    return _restore_saved(job, file, via=via, user=user, address=address, enqueue=enqueue)


def restore_now(dry_run: ImportExportJob, *, via: str, user=None, address: str | None = None,
                enqueue: bool = True) -> ImportExportJob:
    """Restore for real the archive of a dry run that completed: a new restore job of the same archive, which
    keeps the dry run's prediction beside its own counts."""
    if dry_run.job_type != JobType.RESTORE or not dry_run.dry_run:
        raise BackupRefused("Only the dry run of a restore can be restored for real.", 409)
    if dry_run.job_status != Status.COMPLETED:
        raise BackupRefused(
            f"The dry run is {dry_run.get_job_status_display().lower()}: only a dry run that completed can be "
            "restored for real.", 409,
        )
    if not dry_run.file:
        raise BackupRefused("The archive of this dry run was deleted after its retention period: upload it again.",
                            410)
    options = {
        "via": via, "manifest": dry_run.options["manifest"], "dry_run_job": str(dry_run.pk),
        "predicted": dry_run.options.get("prediction", []),
    }
    job = _restore_job(company=dry_run.company, user=user, file_name=dry_run.file_name, dry_run=False,
                       options=options, total=dry_run.total_records)
    with dry_run.file.open("rb") as archive:
        return _restore_saved(job, File(archive), via=via, user=user, address=address, enqueue=enqueue)


def _restore_job(*, company, user, file_name: str, dry_run: bool, options: dict, total: int) -> ImportExportJob:
    return ImportExportJob(
        company=company, created_by=_asker(user), job_type=JobType.RESTORE, via=options.get("via", ""),
        target_model=COMPANY,
        file_format=ImportExportJob.FileFormat.ZIP, file_name=file_name, dry_run=dry_run,
        import_mode=ImportExportJob.Mode.UPSERT, options=options, total_records=total,
    )


def _restore_saved(job: ImportExportJob, file: File, *, via, user, address, enqueue: bool) -> ImportExportJob:
    job.file.save(job.file_name or "backup.zip", file, save=False)
    try:
        with transaction.atomic():
            job.save()
            what = "Dry run of a restore" if job.dry_run else "Restore"
            status.job_log(job, f"{what} of {job.file_name} asked for.")
            audit_record(job=job, action=AuditEvent.Action.UPLOAD, via=via, user=user, address=address)
            if enqueue:
                job_enqueue(job)
    except BaseException:
        job.file.delete(save=False)
        raise
    return job


@contextmanager
def _on_disk(file: File) -> Iterator[Path]:
    """A path to the upload's bytes: Django's temporary file for a large upload, else a copy (the archive is read
    by path)."""
    if hasattr(file, "temporary_file_path"):
        yield Path(file.temporary_file_path())
        return
    with tempfile.NamedTemporaryFile(prefix="restore-upload-", suffix=".zip") as copy:
        file.seek(0)
        for block in file.chunks():
            copy.write(block)
        copy.flush()
        yield Path(copy.name)


def restore_results(job: ImportExportJob) -> list[dict]:
    """What the restore did with each file of its archive, in the order it restores them (imports.jobs.
    restore_children.outcome_of): for a dry run what it would do; for a restore after a dry run, each with what
    the dry run predicted (`predicted`) and whether the restore did just that (`as_predicted`)."""
    entries = restore_manifest(job).entries
    if job.dry_run:
        predicted = {outcome["target"]: outcome for outcome in job.options.get("prediction", [])}
        return [predicted.get(entry.target.name) or outcome_of(entry, None) for entry in entries]
    before = {outcome["target"]: outcome for outcome in job.options.get("predicted", [])}
    results = []
    for entry in entries:
        outcome = outcome_of(entry, child_of(job, entry.target))
        if entry.target.name in before:
            outcome["predicted"] = {name: before[entry.target.name][name] for name in COUNTS}
            outcome["as_predicted"] = all(outcome[name] == outcome["predicted"][name] for name in COUNTS)
        results.append(outcome)
    return results
