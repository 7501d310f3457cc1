"""Claim look-ups against a company's local claims store (the Claim records it imported).

Queries are answered a thousand at a time with one database query each: the claims of the company whose numbers
the batch names, read as plain tuples. A look-up job against the store is bound by reading and writing its files,
not by the database.
"""

from collections.abc import Iterable, Iterator
from dataclasses import fields
from itertools import islice

from claims.matching import ClaimFound, claim_result
from claims.models import Claim
from companies.models import Company
from imports.declare.lookups import LookupQuery, LookupResult

BATCH_SIZE = 1000

# Read in ClaimFound's own order, so each row builds one by position.
_COLUMNS = [item.name for item in fields(ClaimFound)]


def local_look_up(
    queries: Iterable[LookupQuery], company: Company, *, batch_size: int = BATCH_SIZE
) -> Iterator[LookupResult]:
    """One result per query, from the company's stored claims: taken `batch_size` queries at a time, each
    batch's results given before the next batch is read."""
    queries = iter(queries)
    # itertools.batched, which Python 3.11 lacks.
    while batch := tuple(islice(queries, batch_size)):
        numbers = {query.values["claim_number"] for query in batch}
        rows = (
            Claim.objects.filter(company=company, claim_number__in=numbers)
            .order_by()
            .values_list(*_COLUMNS)
        )
        by_number: dict[str, list[ClaimFound]] = {}
        for row in rows:
            by_number.setdefault(row[0], []).append(ClaimFound(*row))
        for query in batch:
            yield claim_result(query, by_number.get(query.values["claim_number"], ()))
