"""Starting an import from the API: the same job the wizard and the command line create, queued for the workers."""

from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction

from companies.models import User
from imports.api.selectors import import_job_by_key
from imports.declare.targets import ImportTarget
from imports.engine.options import ImportOptions
from imports.jobs.services import job_create, job_enqueue
from imports.models import ImportExportJob


def api_import_start(
    *, user: User, target: ImportTarget, file: UploadedFile, options: ImportOptions, idempotency_key: str = "",
    mapping: dict | None = None, template_name: str | None = None,
) -> tuple[ImportExportJob, bool]:
    """Store the upload as a pending job of the user's company and queue it once the job is committed; return the
    job and whether it is new.

    With an `idempotency_key` the company already used, the job of that key comes back instead and nothing is
    stored: also when a retry of the same upload created it a moment ago, in a request running alongside (the
    database's unique constraint decides which one creates it).
    `mapping` is the explicit mapping (a template's already merged in, imports.api.mappings); `template_name` the
    template it came from, recorded on the job.
    Raises ImportFileError when the job cannot be created (the core's own checks of the file)."""
    try:
        with transaction.atomic():
            job = job_create(
                company=user.company, target_name=target.name, file=file, file_name=file.name, options=options,
                user=user, idempotency_key=idempotency_key, via=ImportExportJob.Via.API, mapping=mapping,
            )
            if template_name:
                job.options["template"] = template_name
                job.save(update_fields=["options"])
            job_enqueue(job)
    except IntegrityError:
        earlier = import_job_by_key(company=user.company, key=idempotency_key) if idempotency_key else None
        if earlier is None:
            raise
        return earlier, False
    job.refresh_from_db()  # as sending it on commit left it: queued, or waiting for an unreachable broker
    return job, True
