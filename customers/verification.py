"""Verifying a company's service addresses after an import: in batches, one run per company, never asking Google
twice about the same address.

A run works through the company's pending customers in primary-key order, a batch at a time (each batch saved
in its own transaction), for up to RUN_SECONDS, then hands over to a fresh task so a large company does not hold
a worker for long. With GOOGLE_MAPS_API_KEY set each distinct address of a batch is looked up once, unless the
look-up cache (AddressLookup) already has it; without a key the addresses are formatted offline and marked not
verified. A customer whose address an import changed while it was being checked is left pending, and is checked
again.
"""

import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from companies.models import Company

from .geocoding import LookupUnavailable, geocode, geocoding_enabled
from .leases import lease_release, lease_renew, lease_take
from .models import SERVICE_ADDRESS_FIELDS, STANDARDIZED_ADDRESS_FIELDS, AddressLookup, Customer
from .standardizing import PostalAddress, address_hash, standardize_address
from .verdicts import Verdict, verdict_from_results, verdict_offline

Status = Customer.AddressStatus

RESULT_FIELDS = ("address_status", *STANDARDIZED_ADDRESS_FIELDS, "address_note", "address_checked_at")
# How long one task works before handing over to the next (well below Celery's time limits).
RUN_SECONDS = 60


@dataclass
class VerificationRun:
    """What one run did. `outcome`: done (nothing pending is left), more (continue after `resume_after`),
    busy (another run holds the company's lease and will finish the work), or missing (no such company)."""

    outcome: str
    resume_after: int = 0
    statuses: Counter = field(default_factory=Counter)

    @property
    def checked(self) -> int:
        return sum(self.statuses.values())


class LookupsPaused(Exception):
    """Google Maps is unavailable for now; the batches before the one that met it are saved. Continue after
    customer `resume_after` later: the addresses already looked up are in the cache and cost nothing again."""

    def __init__(self, reason: str, *, resume_after: int):
        super().__init__(reason)
        self.resume_after = resume_after


def addresses_verify(*, company_id: int, holder: str = "", after_pk: int = 0,
                     seconds: float = RUN_SECONDS) -> VerificationRun:
    """Check the company's pending customers after customer `after_pk` for up to `seconds`.

    `holder` names the run (a task id: a redelivered task resumes its own lease). Raises LookupsPaused when
    Google Maps is unavailable, and geocoding.LookupRefused when it refuses the key.
    """
    holder = holder or f"run-{uuid.uuid4()}"
    if not Company.objects.filter(pk=company_id).exists():
        return VerificationRun("missing")
    if not lease_take(company_id=company_id, holder=holder):
        return VerificationRun("busy")
    run = VerificationRun("done")
    deadline = time.monotonic() + seconds
    try:
        while batch := _pending_batch(company_id, after_pk):
            try:
                verdicts = _verdicts(batch, renew=lambda: lease_renew(company_id=company_id, holder=holder))
            except LookupUnavailable as error:
                raise LookupsPaused(str(error), resume_after=after_pk) from error
            run.statuses.update(_save(batch, verdicts))
            after_pk = batch[-1][0]
            lease_renew(company_id=company_id, holder=holder)
            if time.monotonic() >= deadline:
                run.outcome, run.resume_after = "more", after_pk
                return run
    finally:
        lease_release(company_id=company_id, holder=holder)
    # Released first, then looked: a run that was turned away while this one held the lease left its customers
    # to this one, and customers saved behind this run's position (or changed while checked) are pending still.
    if Customer.objects.filter(company_id=company_id, address_status=Status.PENDING).exists():
        run.outcome, run.resume_after = "more", 0
    return run


def addresses_recheck(*, company: Company) -> int:
    """Send the company's not-verified addresses to be checked again (once a Google Maps key is configured)."""
    return Customer.objects.filter(company=company, address_status=Status.NOT_VERIFIED).update(
        address_status=Status.PENDING
    )


Batch = list[tuple[int, tuple[str, str, str, str]]]


def _pending_batch(company_id: int, after_pk: int) -> Batch:
    """The next pending customers after `after_pk`, walking the primary key. Pending rows have no index of their
    own (every imported row would have to enter it: a fifth more time for COPY), and right after a big import
    PostgreSQL's statistics are stale, so it is told not to read and sort the company's rows instead."""
    rows = (
        Customer.objects.filter(company_id=company_id, address_status=Status.PENDING, pk__gt=after_pk)
        .order_by("pk")
        .values_list("pk", *SERVICE_ADDRESS_FIELDS)[: settings.ADDRESS_VERIFICATION_BATCH_SIZE]
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_sort = off")
                cursor.execute("SET LOCAL enable_seqscan = off")
        return [(pk, tuple(address)) for pk, *address in rows]


def _verdicts(batch: Batch, *, renew) -> dict[int, Verdict]:
    addresses = {pk: PostalAddress(*address) for pk, address in batch}
    if not geocoding_enabled():
        return {pk: verdict_offline(address) for pk, address in addresses.items()}
    answers = _answers({address_hash(address): address for address in addresses.values()}, renew=renew)
    return {pk: verdict_from_results(address, answers[address_hash(address)]) for pk, address in addresses.items()}


def _answers(addresses: dict[str, PostalAddress], *, renew) -> dict[str, list[dict]]:
    """The Geocoding API's results for each address (by hash): from the cache, else asked once and cached at
    once, so an answer paid for is kept even if the batch goes no further."""
    fresh_since = timezone.now() - timedelta(days=settings.GOOGLE_MAPS_CACHE_DAYS)
    answers = dict(
        AddressLookup.objects.filter(key__in=addresses, looked_up_at__gte=fresh_since).values_list("key", "results")
    )
    for key, address in addresses.items():
        if key in answers:
            continue
        query = standardize_address(address).one_line()
        answers[key] = geocode(query)
        AddressLookup.objects.update_or_create(
            key=key, defaults={"query": query[:400], "results": answers[key], "looked_up_at": timezone.now()}
        )
        renew()
    return answers


def _save(batch: Batch, verdicts: dict[int, Verdict]) -> Counter:
    """Store the verdicts of the customers whose address is still the one checked and still pending."""
    ids = [pk for pk, _address in batch]
    with transaction.atomic():
        current = {
            pk: (tuple(address), status)
            for pk, *address, status in Customer.objects.select_for_update()
            .filter(pk__in=ids)
            .order_by("pk")
            .values_list("pk", *SERVICE_ADDRESS_FIELDS, "address_status")
        }
        checked = [(pk, verdicts[pk]) for pk, address in batch if current.get(pk) == (address, Status.PENDING)]
        _write_verdicts(checked)
    return Counter(verdict.status for _pk, verdict in checked)


def _write_verdicts(checked: list[tuple[int, Verdict]]) -> None:
    """One constant UPDATE run for every customer (executemany): the ORM's bulk_update builds a CASE per column
    and row, and cost nine tenths of a batch's time."""
    if not checked:
        return
    meta, quote = Customer._meta, connection.ops.quote_name
    checked_at = meta.get_field("address_checked_at").get_db_prep_save(timezone.now(), connection)
    assignments = ", ".join(f"{quote(meta.get_field(name).column)} = %s" for name in RESULT_FIELDS)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"
    rows = []
    for pk, verdict in checked:
        suggestion = verdict.suggestion or PostalAddress("", "", "", "")
        rows.append((
            str(verdict.status), suggestion.street[:255], suggestion.city[:100], suggestion.state[:2],
            suggestion.postal_code[:10], _shortened(verdict.note, 255), checked_at, pk,
        ))
    with connection.cursor() as cursor:
        cursor.executemany(sql, rows)


def _shortened(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
