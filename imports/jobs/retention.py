"""Files kept no longer than IMPORT_RETENTION_DAYS: a finished job's upload and error report, and a wizard upload
nobody went on with; a look-up's upload and results no longer than its service's retention period (claims: 30
days); an export's or a backup's file no longer than EXPORT_RETENTION_DAYS (7); and what an import changed, which
an undo needs, no longer than IMPORT_UNDO_DAYS (30). Beat runs the purge (imports.jobs.tasks.purge_expired_job_files)
every six hours.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imports.declare.lookups import all_lookups
from imports.engine import stored_files
from imports.jobs.audit import audit_record
from imports.jobs.status import job_log
from imports.models import AuditEvent, ImportChange, ImportExportJob, ImportUpload

# Kinds whose files follow a retention period of their own: a look-up's (kept for a retry until
# lookup_data_purge), and the files exports and backups made (export_files_purge).
_MADE_FILES = (ImportExportJob.JobType.EXPORT, ImportExportJob.JobType.BACKUP)
_OWN_RETENTION = (ImportExportJob.JobType.LOOKUP, *_MADE_FILES)


def export_files_purge(*, now=None) -> int:
    """Delete the files exports and backups made, EXPORT_RETENTION_DAYS after they finished: the job, its counts,
    its log and its audit trail stay, and its download then says the file was deleted."""
    now = now or timezone.now()
    days = settings.EXPORT_RETENTION_DAYS
    expired = ImportExportJob.objects.filter(
        job_type__in=_MADE_FILES, completed_at__lt=now - timedelta(days=days)
    ).exclude(file="")
    purged = 0
    for job in expired.iterator():
        stored_files.working_files_delete(job)
        job.file.delete(save=False)
        stored_files.job_folder_remove_if_empty(job)
        with transaction.atomic():
            ImportExportJob.objects.filter(pk=job.pk).update(file="")
            job_log(job, f"The file was deleted after {days} days (EXPORT_RETENTION_DAYS).")
        purged += 1
    return purged


def changesets_purge(*, now=None) -> int:
    """Forget what imports changed IMPORT_UNDO_DAYS after they finished: each such import then says it can no longer
    be undone (its counts and log stay). Imports that are not finished keep theirs."""
    now = now or timezone.now()
    days = settings.IMPORT_UNDO_DAYS
    expired = ImportExportJob.objects.filter(
        job_type=ImportExportJob.JobType.IMPORT, completed_at__lt=now - timedelta(days=days),
        changes_purged_at__isnull=True, dry_run=False,
    )
    purged = 0
    for job in expired.only("pk").iterator():
        with transaction.atomic():
            ImportChange.objects.filter(job_id=job.pk).delete()
            ImportExportJob.objects.filter(pk=job.pk).update(changes_purged_at=now)
            job_log(job, f"What this import changed was forgotten after {days} days (IMPORT_UNDO_DAYS): it can no "
                         "longer be undone.")
        purged += 1
    return purged


def job_files_purge(*, older_than_days: int | None = None) -> int:
    """Delete uploaded files and error reports of jobs finished more than the retention period ago, from the file
    storage (MEDIA_ROOT or the object store), with any working file left behind (a staged copy of the rows).

    The jobs, their counts and logs stay; only the files (which may hold personal data) go.
    """
    days = settings.IMPORT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    expired = (
        ImportExportJob.objects.filter(completed_at__lt=cutoff)
        .exclude(file="", error_report="")
        .exclude(job_type__in=_OWN_RETENTION)
    )
    purged = 0
    for job in expired.iterator():
        stored_files.working_files_delete(job)
        for stored in (job.file, job.error_report):
            if stored:
                stored.delete(save=False)
        stored_files.job_folder_remove_if_empty(job)
        with transaction.atomic():
            ImportExportJob.objects.filter(pk=job.pk).update(file="", error_report="")
            job_log(job, f"Uploaded file and error report deleted after {days} days.")
        purged += 1
    return purged


def uploads_purge(*, older_than_days: int | None = None) -> int:
    """Delete wizard uploads (the file and the choices made about it) older than the retention period; the jobs
    started from them keep their own copy until their own files expire."""
    days = settings.IMPORT_RETENTION_DAYS if older_than_days is None else older_than_days
    expired = ImportUpload.objects.filter(created_at__lt=timezone.now() - timedelta(days=days))
    purged = 0
    for upload in expired.iterator():
        upload.file.delete(save=False)
        upload.delete()
        purged += 1
    return purged


def lookup_data_purge(*, now=None) -> int:
    """Delete the upload, working files and results of look-up jobs finished more than their service's retention
    period ago; the job then says so (and its results answer 410), its counts and the audit trail stay."""
    now = now or timezone.now()
    purged = 0
    for service in all_lookups():
        days = service.retention_days() or settings.IMPORT_RETENTION_DAYS
        expired = ImportExportJob.objects.filter(
            job_type=ImportExportJob.JobType.LOOKUP, target_model=service.name, purged_at__isnull=True,
            completed_at__lt=now - timedelta(days=days),
        )
        for job in expired.iterator():
            stored_files.working_files_delete(job)
            if job.file:
                job.file.delete(save=False)
            stored_files.job_folder_remove_if_empty(job)
            with transaction.atomic():
                job.lookup_results.all().delete()
                ImportExportJob.objects.filter(pk=job.pk).update(file="", purged_at=now)
                job_log(job, f"The uploaded file and the results were deleted after {days} days (retention period).")
                audit_record(job=job, action=AuditEvent.Action.PURGE, via=AuditEvent.Via.SYSTEM)
            purged += 1
    return purged
