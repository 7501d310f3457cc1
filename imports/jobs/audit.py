"""The audit trail of sensitive data (claim look-ups, the claims store): every upload, results download, retry,
cancel, purge and showing of masked details, with who did it, when, by which way in and from which address. Kept
after the data itself is deleted."""

from imports.models import AuditEvent, ImportExportJob


def audit_record(
    *, action: str, via: str, job: ImportExportJob | None = None, company=None, user=None, address: str | None = None
) -> None:
    """Record an access: to a job's data, or (without a job) to `company`'s records of sensitive data."""
    AuditEvent.objects.create(
        company_id=job.company_id if job is not None else company.pk, job=job, action=action, via=via,
        user=user if user is not None and user.is_authenticated else None, address=address or None,
    )
