"""The import core's services: create a job, run it, export records, keep job files tidy.

The command line calls `job_run` directly; the web and the API queue `run_import_job`, which calls the same
function in a worker. A job's status changes only in `job_transition` (and `_job_claim`), and each change is
logged on the job.
"""

import logging
from collections.abc import Callable
from datetime import timedelta
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from companies.models import Company

from . import readers
from .errors import ImportFileError
from .exporting import records_export
from .mapping import map_columns, mapping_validate, normalise_header
from .models import DataTemplate, ImportExportJob, ImportExportLog
from .pipeline import BatchPlanner, ImportOptions
from .report import error_report_build
from .targets import ImportContext, ImportTarget, get_target
from .writing import batch_write

logger = logging.getLogger(__name__)

Status = ImportExportJob.Status
ProgressCallback = Callable[[ImportExportJob], None]
_FORMAT_OF_READER = {readers.CSV: "csv", readers.XLSX: "excel", readers.XLS: "excel", readers.JSON: "json"}


def job_log(job: ImportExportJob, message: str, *, level: str = ImportExportLog.Level.INFO) -> None:
    ImportExportLog.objects.create(job=job, log_level=level, message=message)


def job_transition(job: ImportExportJob, status: str, *, message: str = "") -> None:
    """Move `job` to `status`, stamp the time, and log the change."""
    now = timezone.now()
    changes = {"job_status": status}
    if status == Status.RUNNING:
        changes["started_at"] = now
    if status in (Status.COMPLETED, Status.FAILED, Status.CANCELLED):
        changes["completed_at"] = now
    if status == Status.FAILED:
        changes["error_message"] = message
    ImportExportJob.objects.filter(pk=job.pk).update(**changes)
    for name, value in changes.items():
        setattr(job, name, value)
    level = ImportExportLog.Level.ERROR if status == Status.FAILED else ImportExportLog.Level.INFO
    job_log(job, message or f"Job {status}.", level=level)


def _job_claim(job: ImportExportJob) -> bool:
    """Take a pending job for running; False when another run already has it (a task delivered twice)."""
    now = timezone.now()
    claimed = ImportExportJob.objects.filter(pk=job.pk, job_status=Status.PENDING).update(
        job_status=Status.RUNNING, started_at=now
    )
    if claimed:
        job.job_status, job.started_at = Status.RUNNING, now
        job_log(job, "Job started.")
    return bool(claimed)


def template_mapping(*, company: Company, target: ImportTarget, name: str) -> dict:
    """The column mapping of the company's active import template `name` for `target`."""
    template = DataTemplate.objects.filter(
        company=company,
        target_model=target.name,
        template_type=DataTemplate.TemplateType.IMPORT,
        template_name=name,
        is_active=True,
    ).first()
    if template is None:
        raise ImportFileError(f"No import template named '{name}' for {target.name}.")
    return mapping_validate(target, template.field_mapping)


def job_create(
    *,
    company: Company,
    target_name: str,
    file: File,
    file_name: str,
    options: ImportOptions,
    user=None,
    mapping: dict | None = None,
    template_name: str | None = None,
    sheet: str | None = None,
    batch_size: int | None = None,
) -> ImportExportJob:
    """Store the file and create a pending import job; nothing is read yet.

    The size limit, the template and the explicit mapping are checked here, so a bad request fails before a job
    exists. A template's mapping is copied onto the job, so editing the template later does not change the job.
    """
    target = get_target(target_name)
    limit = settings.IMPORT_MAX_FILE_MB
    if file.size > limit * 1024 * 1024:
        raise ImportFileError(f"The file is {file.size / 1024 / 1024:.1f} MB; the limit is {limit} MB.")
    explicit = template_mapping(company=company, target=target, name=template_name) if template_name else {}
    explicit.update(mapping_validate(target, {} if mapping is None else mapping))
    job = ImportExportJob(
        company=company,
        created_by=user,
        job_type=ImportExportJob.JobType.IMPORT,
        target_model=target.name,
        file_name=Path(file_name).name,
        import_mode=options.mode,
        duplicate_handling=options.duplicates,
        dry_run=options.dry_run,
        options={
            "sheet": sheet,
            "template": template_name,
            "mapping": explicit,
            "batch_size": batch_size or settings.IMPORT_BATCH_SIZE,
        },
    )
    job.file.save(Path(file_name).name, file, save=False)
    job.save()
    job_log(job, f"Job created for {job.file_name}.")
    return job


def job_enqueue(job: ImportExportJob) -> None:
    """Queue the job for a worker once the surrounding transaction commits."""
    from .tasks import run_import_job

    run_import_job.delay_on_commit(str(job.id))


def job_run(*, job: ImportExportJob, on_progress: ProgressCallback | None = None) -> ImportExportJob:
    """Run an import job from start to end; harmless when the job is already taken or finished.

    A file that cannot be imported as a whole ends the job `failed` with one clear sentence and nothing written;
    rows that fail are logged and reported while the rest are imported.
    """
    if not _job_claim(job):
        job.refresh_from_db()
        return job
    try:
        _import(job, on_progress)
    except ImportFileError as error:
        job_transition(job, Status.FAILED, message=str(error))
    except Exception:
        logger.exception("Import job %s stopped on an unexpected error", job.pk)
        job.refresh_from_db()
        job_transition(
            job,
            Status.FAILED,
            message=(
                f"The import stopped on an unexpected error after row {job.processed_records}; rows up to there "
                f"were saved. Quote job {job.pk} when asking for help."
            ),
        )
    else:
        job.refresh_from_db()
        if job.error_records:
            error_report_build(job)
        job_transition(job, Status.COMPLETED, message=_summary(job))
    return job


def _import(job: ImportExportJob, on_progress: ProgressCallback | None) -> None:
    target = get_target(job.target_model)
    options = ImportOptions(mode=job.import_mode, duplicates=job.duplicate_handling, dry_run=job.dry_run)
    explicit = job.options.get("mapping") or {}
    explicit_headers = {normalise_header(column) for column in explicit}

    def header_score(cells: list[str]) -> int:
        return target.header_score(cells) + sum(1 for cell in cells if normalise_header(cell) in explicit_headers)

    with readers.Table(Path(job.file.path), sheet=job.options.get("sheet"), header_score=header_score) as table:
        mapping = map_columns(target, table.columns, explicit)
        missing = mapping.missing(target.required_columns(options.mode))
        if missing:
            raise ImportFileError(
                f"Missing required columns: {', '.join(missing)}. Add them to the file or map columns to them."
            )
        total = table.count_rows()
        if total == 0:
            raise ImportFileError("The file has a header row but no data rows.")
        if total > settings.IMPORT_MAX_ROWS:
            raise ImportFileError(
                f"The file has {total:,} rows; the limit is {settings.IMPORT_MAX_ROWS:,}. Split it into smaller files."
            )
        job.file_format = _FORMAT_OF_READER[table.format]
        job.field_mapping = mapping.as_dict()
        job.source_columns = table.columns
        job.total_records = total
        job.options = {**job.options, "sheet": table.sheet}
        job.save(update_fields=["file_format", "field_mapping", "source_columns", "total_records", "options"])
        for note in mapping.notes:
            job_log(job, note)

        context = ImportContext(company=job.company, today=timezone.localdate(), dry_run=options.dry_run)
        planner = BatchPlanner(
            target=target, mapping=mapping, width=len(table.columns), options=options, context=context
        )
        rows = table.rows()
        while batch := list(islice(rows, job.options["batch_size"])):
            plans = planner.plan(batch)
            batch_write(job=job, target=target, plans=plans, context=context, columns=table.columns)
            if on_progress is not None:
                job.refresh_from_db()
                on_progress(job)


def _summary(job: ImportExportJob) -> str:
    verb = "Dry run finished (nothing written)" if job.dry_run else "Import finished"
    return (
        f"{verb}: {job.total_records} rows, {job.created_records} created, {job.updated_records} updated, "
        f"{job.unchanged_records} unchanged, {job.skipped_records - job.unchanged_records} skipped, "
        f"{job.error_records} failed."
    )


def export_run(
    *, company: Company, target_name: str, file_format: str, output: Path, user=None
) -> ImportExportJob:
    """Export every record of the company to `output`, recorded as an export job."""
    target = get_target(target_name)
    job = ImportExportJob.objects.create(
        company=company,
        created_by=user,
        job_type=ImportExportJob.JobType.EXPORT,
        job_status=Status.RUNNING,
        started_at=timezone.now(),
        target_model=target.name,
        file_format=file_format,
        file_name=str(output),
    )
    try:
        encoding = "utf-8-sig" if file_format == "csv" else "utf-8"
        with open(output, "w", encoding=encoding, newline="") as stream:
            count = records_export(target=target, company=company, file_format=file_format, stream=stream)
    except OSError as error:
        job_transition(job, Status.FAILED, message=f"Could not write {output}: {error.strerror}.")
        return job
    ImportExportJob.objects.filter(pk=job.pk).update(total_records=count, processed_records=count)
    job.total_records = job.processed_records = count
    job_transition(job, Status.COMPLETED, message=f"Exported {count} {target.verbose_name_plural} to {output}.")
    return job


def job_files_purge(*, older_than_days: int | None = None) -> int:
    """Delete uploaded files and error reports of jobs finished more than the retention period ago.

    The jobs, their counts and logs stay; only the files (which may hold personal data) go.
    """
    days = settings.IMPORT_RETENTION_DAYS if older_than_days is None else older_than_days
    cutoff = timezone.now() - timedelta(days=days)
    expired = ImportExportJob.objects.filter(completed_at__lt=cutoff).exclude(file="", error_report="")
    purged = 0
    for job in expired.iterator():
        for stored in (job.file, job.error_report):
            if stored:
                stored.delete(save=False)
        with transaction.atomic():
            ImportExportJob.objects.filter(pk=job.pk).update(file="", error_report="")
            job_log(job, f"Uploaded file and error report deleted after {days} days.")
        purged += 1
    return purged
