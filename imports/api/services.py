"""Starting an import from the API: the same job the wizard and the command line create, queued for the workers."""

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from companies.models import User
from imports.models import ImportExportJob
from imports.pipeline import ImportOptions
from imports.services import job_create, job_enqueue
from imports.targets import ImportTarget


def api_import_start(
    *, user: User, target: ImportTarget, file: UploadedFile, options: ImportOptions
) -> ImportExportJob:
    """Store the upload as a pending job of the user's company and queue it once the job is committed.

    Raises ImportFileError when the job cannot be created (the core's own checks of the file)."""
    with transaction.atomic():
        job = job_create(
            company=user.company, target_name=target.name, file=file, file_name=file.name, options=options, user=user
        )
        job_enqueue(job)
    return job
