"""import_data --resume JOB_ID: the command line's part in continuing a cancelled or failed import
(imports.jobs.resuming); the command then runs the job in its own process, as it runs a new import."""

import uuid

from companies.models import Company
from imports.cli import CommandFailure
from imports.jobs.resuming import ResumeRefused, job_resume
from imports.models import ImportExportJob

# The options that describe a new import: a continued job keeps its own file, mapping and options.
NEW_IMPORT_OPTIONS = (
    "model", "file", "mapping", "template", "sheet", "batch_size", "mode", "duplicates", "dry_run", "all_or_nothing",
    "retry_failed", "date_format", "value_map", "no_zip_padding", "rules",
)


def resume_conflicts(options: dict) -> list[str]:
    """The options given beside --resume that only a new import takes, as the command line spells them."""
    return new_import_options_given(options)


def new_import_options_given(options: dict, *, besides: tuple[str, ...] = ()) -> list[str]:
    """The options that only a new import takes given in `options` (but those of `besides`), as the command line
    spells them."""
    return [f"--{name.replace('_', '-')}" for name in NEW_IMPORT_OPTIONS
            if name not in besides and options.get(name) not in (None, False)]


def job_resume_here(*, job_id: str, company: Company | None) -> ImportExportJob:
    """Make the import `job_id` (of `company`, when given) pending again, for this process to run; CommandFailure
    says why it cannot be continued."""
    try:
        pk = uuid.UUID(job_id)
    except ValueError:
        raise CommandFailure(f"'{job_id}' is not a job id: give the id the import printed (job_id).") from None
    jobs = ImportExportJob.objects.filter(pk=pk, job_type=ImportExportJob.JobType.IMPORT)
    if company is not None:
        jobs = jobs.filter(company=company)
    job = jobs.first()
    if job is None:
        where = f" of company '{company.slug}'" if company is not None else ""
        raise CommandFailure(f"No import job {job_id}{where}.")
    try:
        return job_resume(job, enqueue=False)
    except ResumeRefused as refusal:
        raise CommandFailure(str(refusal)) from None
