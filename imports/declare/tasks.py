"""The options every background task of the product runs with, the core's and a domain's follow-up tasks alike.

Acknowledged late and rejected (so re-queued) when their worker is lost, retried with backoff and jitter when the
database connection drops: a task written to be harmless when delivered twice survives any worker's death.
"""

from django.db import InterfaceError, OperationalError

RELIABLE = {
    "bind": True,
    "acks_late": True,
    "reject_on_worker_lost": True,
    "autoretry_for": (OperationalError, InterfaceError),
    "retry_backoff": 2,
    "retry_backoff_max": 120,
    "retry_jitter": True,
    "max_retries": 8,
}
