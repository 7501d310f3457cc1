"""What the wizard's Import button may start: exactly what the dry run on the review page validated.

The review page names its dry run in the Import form, and each dry run keeps a fingerprint of the upload's choices
(sheet, mapping, value fixes, mode, duplicate handling, all or nothing) as they were when it started. The import
starts only when the form's dry run is still the upload's latest, it completed, the upload's choices are still the
ones it checked, and it allows the import (all or nothing with a failed row does not). Otherwise the page and the
server say why in one sentence, and the user validates again.
"""

import hashlib
import json

from imports.models import ImportExportJob, ImportUpload

Status = ImportExportJob.Status


def upload_choices_fingerprint(upload: ImportUpload) -> str:
    """A digest of everything about an upload that changes what its import does (the file itself never changes)."""
    choices = {
        "sheet": upload.sheet, "mapping": upload.mapping, "mode": upload.import_mode,
        "duplicates": upload.duplicate_handling, "all_or_nothing": upload.all_or_nothing,
        "value_fixes": upload.value_fixes,
    }
    return hashlib.sha256(json.dumps(choices, sort_keys=True).encode()).hexdigest()


def import_refusal(upload: ImportUpload, *, shown_dry_run: str | None = None) -> str | None:
    """Why the upload's import may not start from the review page of `shown_dry_run` (the dry run's id the page
    carried; None to judge the page being drawn now, which shows the latest), or None when it may."""
    job = upload.validation_job
    if job is None:
        return "Validate the file first: its dry run shows what the import would do."
    if shown_dry_run is not None and shown_dry_run != str(job.pk):
        return ("The file was validated again after the page you imported from was shown, so what it showed is "
                "not what would be imported: look at the latest validation before importing.")
    if not job.is_finished:
        return "The validation is still running: the import can start once it has checked every row."
    if job.job_status != Status.COMPLETED:
        return f"The validation did not complete ({job.get_job_status_display().lower()}): validate again."
    if job.options.get("choices") != upload_choices_fingerprint(upload):
        return ("The mapping or the options were changed after this validation, so its results no longer describe "
                "the import: validate again to see what it would do now.")
    if upload.all_or_nothing and job.failed_records:
        rows = "row" if job.failed_records == 1 else "rows"
        return (f"You chose to import nothing if any row fails, and {job.failed_records:,} {rows} failed validation: "
                "fix them in the error report and upload it again, or change that option and validate again.")
    return None


def refused_import_message(upload: ImportUpload, refusal: str) -> str:
    """The message after a refused Import: the review page the user lands on says why itself when the reason is
    its own validation's, so the message adds the reason only when the page would not show it."""
    latest = upload.validation_job
    told_on_page = latest is not None and latest.is_finished and refusal == import_refusal(upload)
    return "Nothing was imported." if told_on_page else f"Nothing was imported. {refusal}"
