"""One verification run per company at a time.

Two imports finishing together queue two runs for the same company; without a lease both would read the same
pending customers and pay Google twice for each address. The lease is a row, not a database lock, so it is held
across the network calls without holding a transaction open. Whoever releases it looks for pending customers
afterwards (see customers.verification), so a run turned away never leaves work behind.
"""

from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from .models import AddressVerificationLease

# Longer than the slowest look-up (timeout plus the client's retries); renewed after every look-up and batch.
LEASE_SECONDS = 300


def lease_take(*, company_id: int, holder: str) -> bool:
    """Hold the company's lease for `holder` (a task id); False when another live run holds it. A redelivered
    task has the same id, so it takes back the lease of its first delivery at once."""
    AddressVerificationLease.objects.get_or_create(company_id=company_id)
    now = timezone.now()
    free = Q(holder="") | Q(holder=holder) | Q(expires_at__lt=now)
    taken = AddressVerificationLease.objects.filter(free, company_id=company_id).update(
        holder=holder, expires_at=now + timedelta(seconds=LEASE_SECONDS)
    )
    return taken == 1


def lease_renew(*, company_id: int, holder: str) -> None:
    AddressVerificationLease.objects.filter(company_id=company_id, holder=holder).update(
        expires_at=timezone.now() + timedelta(seconds=LEASE_SECONDS)
    )


def lease_release(*, company_id: int, holder: str) -> None:
    AddressVerificationLease.objects.filter(company_id=company_id, holder=holder).update(holder="", expires_at=None)
