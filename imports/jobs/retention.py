"""Files kept no longer than IMPORT_RETENTION_DAYS: a finished job's upload and error report, and a wizard upload
nobody went on with. Beat runs the purge (imports.jobs.tasks.purge_expired_job_files) every six hours.
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from imports.engine import stored_files
from imports.jobs.status import job_log
from imports.models import ImportExportJob, ImportUpload


def job_files_purge(*, older_than_days: int | None = None) -> int:
    """Delete uploaded files and error reports of jobs finished more than the retention period ago, from the file
    storage (MEDIA_ROOT or the object store), with any working file left behind (a staged copy of the rows).

    The jobs, their counts and logs stay; only the files (which may hold personal data) go.
    """
    days = settings.IMPORT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    expired = ImportExportJob.objects.filter(completed_at__lt=cutoff).exclude(file="", error_report="")
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
