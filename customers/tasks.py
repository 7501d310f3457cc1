"""Celery tasks of the customers app: checking service addresses after an import, off the import's path."""

import logging
import random

from celery import shared_task

from imports.declare import RELIABLE

from .verification import LookupsPaused, addresses_verify

logger = logging.getLogger(__name__)

# When Google Maps stays unavailable after the client's own retries: wait this long, doubling each time, up to
# the maximum (RELIABLE allows 8 retries: about 45 minutes in all), then leave the customers pending.
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 600


def retry_countdown(retries: int) -> float:
    """Seconds before retry number `retries` + 1: doubling, capped, with jitter so paused runs do not return
    together."""
    return min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2**retries) * random.uniform(0.75, 1.0)


# No stored results: the outcome of each run of the chain lives on the customers, and nobody reads "done" or
# "more" back (failures are in the worker's log).
@shared_task(**RELIABLE, ignore_result=True)
def verify_customer_addresses(self, company_id: int, after_pk: int = 0) -> str:
    """Check the company's pending service addresses, a batch at a time, and queue the rest as a new task.

    Harmless when delivered twice: one run per company holds the lease, and only pending customers are read.
    """
    try:
        run = addresses_verify(company_id=company_id, holder=self.request.id or "", after_pk=after_pk)
    except LookupsPaused as paused:
        countdown = retry_countdown(self.request.retries)
        logger.warning("Address verification of company %s paused for %.0f s: %s", company_id, countdown, paused)
        raise self.retry(args=[company_id, paused.resume_after], countdown=countdown, exc=paused) from paused
    if run.outcome == "more":
        verify_customer_addresses.delay(company_id, run.resume_after)
    return run.outcome
