"""What a progress bar shows of a job, for the job's page, the wizard's review page and the progress endpoint."""

from django.utils import timezone

from imports.engine.gate import validates_first
from imports.jobs.queueing import job_waiting_reason
from imports.models import ImportExportJob

Status = ImportExportJob.Status


def job_progress_data(job: ImportExportJob) -> dict:
    """What a progress bar shows: rows done of total, rows per second, seconds left, and the outcome counts."""
    elapsed = None
    if job.started_at is not None:
        elapsed = ((job.completed_at or timezone.now()) - job.started_at).total_seconds()
    rate = job.processed_records / elapsed if elapsed and job.processed_records else 0.0
    left = None
    if rate and not job.is_finished and job.total_records:
        left = max(0, round((job.total_records - job.processed_records) / rate))
    phase = ""
    if validates_first(job) and job.job_status == Status.RUNNING:
        phase = "writing" if job.writing else "checking every row"
    return {
        "id": str(job.pk),
        "status": job.job_status,
        "status_label": job.get_job_status_display(),
        "finished": job.is_finished,
        "dry_run": job.dry_run,
        "phase": phase,
        "waiting": job_waiting_reason(job),
        "progress": job.progress_percent,
        "total_rows": job.total_records,
        "processed_rows": job.processed_records,
        "created": job.created_records,
        "updated": job.updated_records,
        "unchanged": job.unchanged_records,
        "skipped": job.skipped_not_unchanged,  # the unchanged rows apart, as on every page and in the API
        "failed": job.failed_records,
        "rows_per_second": round(rate),
        "seconds_elapsed": round(elapsed) if elapsed is not None else None,
        "seconds_left": left,
        "error_message": job.error_message,
        "has_error_report": bool(job.error_report),
    }
