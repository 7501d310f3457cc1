"""A lease's heartbeat, kept fresh by a thread for as long as the work that holds it runs.

Batches refresh a chunk's heartbeat as they commit, but some steps commit nothing for a long while (staging a big
workbook, scanning a chunk, merging the scans). Without a beat of their own, a stale threshold short enough to
notice a dead worker within a minute would take live work away from them. The thread beats only while its process
lives, so a killed worker still goes silent at once; it never revives a lease another run has taken over.
"""

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


@contextmanager
def lease_kept(model, pk, lease) -> Iterator[None]:
    """Refresh `heartbeat_at` of the `model` row `pk` every IMPORT_HEARTBEAT_SECONDS while it holds `lease`."""
    stop = threading.Event()
    period = settings.IMPORT_HEARTBEAT_SECONDS

    def beat() -> None:
        try:
            while not stop.wait(period):
                try:
                    model.objects.filter(pk=pk, lease=lease).update(heartbeat_at=timezone.now())
                except DatabaseError as error:  # the next beat tries again; the work itself notices a lost database
                    logger.warning("Heartbeat of %s %s missed: %s", model.__name__, pk, error)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=beat, name=f"heartbeat-{model.__name__}-{pk}", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)
