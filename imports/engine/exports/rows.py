"""Reading an export's rows, oldest first, through the ORM's own `values_list`, so filters, the readable lookups of a
target (ReadableQuerySet) and the ORM's converters give the values every other reader of records sees. They are
given a block at a time, as the writers take them, so memory stays flat whatever their number, and no row costs a
step of its own on the way. Two ways, one result:

* **Fetched ahead** (PostgreSQL): one server-side cursor in a transaction of its own, on a connection of its own,
  read by a thread while the caller writes the rows before. The database's work (scanning, formatting the values,
  sending them: about two seconds for a million customers) then happens beside the writer's instead of between its
  blocks. In a transaction the cursor is a plain one that the server streams, not a WITH HOLD cursor (Django's way
  outside a transaction), which the server computes whole before giving its first row; and the progress the export
  commits on the caller's connection about once a second never meets it. The rows are those of one moment, the
  cursor's.
* **A page at a time** by primary key (SQLite, inside a transaction, and without server-side cursors): each page a
  short query on the key's index, so no read stays open while the job commits its progress (SQLite could not write
  behind an open read). Rows are read as they are when their page is read. A second connection would not see the
  caller's uncommitted rows, hence this way inside a transaction.
"""

import queue
import threading
from collections.abc import Iterator
from itertools import islice

from django.db import connections, models, transaction

BLOCK_ROWS = 2000
PAGE_ROWS = 5000
# Blocks fetched before the writer asks for them: enough that the writer rarely waits, few enough that memory stays
# at a few megabytes.
_BLOCKS_AHEAD = 3
_PUT_WAIT_SECONDS = 0.1
_END = object()


def blocks_read(queryset: models.QuerySet, names: list[str]) -> Iterator[list[tuple]]:
    """The values of fields `names` of the records of `queryset`, in the order of their primary keys, in blocks of
    rows (none empty)."""
    queryset = queryset.order_by("pk")
    connection = connections[queryset.db]
    # DISABLE_SERVER_SIDE_CURSORS (set behind some connection poolers) turns Django's cursor into one that takes
    # every row into memory at once: pages keep memory flat there too.
    server_side = not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")
    if connection.vendor == "postgresql" and server_side and not connection.in_atomic_block:
        return _blocks_fetched_ahead(queryset.values_list(*names))
    return _pages(queryset, names)


def _pages(queryset: models.QuerySet, names: list[str]) -> Iterator[list[tuple]]:
    after = None
    while True:
        page = queryset if after is None else queryset.filter(pk__gt=after)
        rows = list(page.values_list("pk", *names)[:PAGE_ROWS])
        if rows:
            yield [row[1:] for row in rows]
        if len(rows) < PAGE_ROWS:
            return
        after = rows[-1][0]


def _blocks_fetched_ahead(values: models.QuerySet) -> Iterator[list[tuple]]:
    blocks: queue.Queue = queue.Queue(maxsize=_BLOCKS_AHEAD)
    stop = threading.Event()
    reader = threading.Thread(target=_fetch, args=(values, blocks, stop), name="export-rows", daemon=True)
    reader.start()
    try:
        while (block := blocks.get()) is not _END:
            if isinstance(block, BaseException):
                raise block
            yield block
    finally:
        # Everything read, or the caller stopped early (a cancelled export, a writer's error): either way the reader
        # ends, closing its cursor and its connection.
        stop.set()
        reader.join()


def _fetch(values: models.QuerySet, blocks: queue.Queue, stop: threading.Event) -> None:
    """In the reader thread: put the rows in `blocks` a block at a time, then _END (or the error that stopped it)."""

    def put(item) -> bool:
        while not stop.is_set():
            try:
                blocks.put(item, timeout=_PUT_WAIT_SECONDS)
                return True
            except queue.Full:
                continue
        return False

    try:
        with transaction.atomic(using=values.db):
            rows = values.iterator(chunk_size=BLOCK_ROWS)
            try:
                while block := list(islice(rows, BLOCK_ROWS)):
                    if not put(block):
                        return
            finally:
                rows.close()  # the cursor closes inside its transaction
        put(_END)
    except BaseException as error:  # raised again by the caller, in its own thread
        put(error)
    finally:
        connections[values.db].close()  # this thread's own connection
