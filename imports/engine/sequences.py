"""Numbers handed out once per company, e.g. for generated account numbers, safe under concurrent imports."""

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest

from companies.models import Company
from imports.engine.gate import Write, WriteGate
from imports.models import KeySequence


def sequence_reserve(*, gate: WriteGate, company: Company, name: str, count: int, above: int = 0) -> range:
    """Reserve `count` consecutive numbers of the company's sequence `name`, all above `above`, and commit.

    The UPDATE locks the sequence row until commit, so a concurrent import waits and then continues after our
    numbers (PostgreSQL row lock; SQLite's write lock). Call it outside a surrounding transaction, or the lock is
    held until that one ends. Numbers of a batch that later rolls back are not reused: gaps are harmless, repeats
    are not. Refused (WriteRefused) when `gate` allows no key to be reserved.
    """
    gate.check(Write.KEYS)
    if count <= 0:
        return range(0)
    with transaction.atomic():
        KeySequence.objects.get_or_create(company=company, name=name)
        sequence = KeySequence.objects.filter(company=company, name=name)
        sequence.update(last_value=Greatest(F("last_value"), above) + count)
        last = sequence.values_list("last_value", flat=True).get()
    return range(last - count + 1, last + 1)
