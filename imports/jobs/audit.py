"""The audit trail of a sensitive job's data (claim look-ups): every upload, results download, retry, cancel and
purge, with who did it, when, by which way in and from which address. Kept after the data itself is deleted."""

from imports.models import AuditEvent, ImportExportJob


def audit_record(*, job: ImportExportJob, action: str, via: str, user=None, address: str | None = None) -> None:
    AuditEvent.objects.create(
        company_id=job.company_id, job=job, action=action, via=via,
        user=user if user is not None and user.is_authenticated else None, address=address or None,
    )
