"""Finding rows that repeat an earlier row's value of a must-be-unique field, in flat memory, in parallel.

Each chunk's scan spreads its values over bucket files by a checksum of the value (CRC-32, the same in every
process, unlike Python's randomised hash), so every repeat of a value lands in the same bucket number, whichever
chunk and worker it is in. The merge then reads one bucket at a
time, from every chunk in row order, and checks it with a dict. Memory holds one bucket, and a bigger file has
more buckets, so it does not grow with the file; the chunks' scans can run on several workers at once.

A chunk can also keep whole records, unbucketed, for what the merge must hold all at once: the rows that name
another row of the file (imports.engine.references).
"""

import pickle
import shutil
import zlib
from collections.abc import Iterator
from pathlib import Path

ROWS_PER_BUCKET = 100_000
# Values a chunk holds in memory before it writes its buckets out: a bound on the whole chunk, so a bigger file
# (more buckets) does not hold more.
_BUFFERED = 16_384


def bucket_count(total_rows: int) -> int:
    return max(1, total_rows // ROWS_PER_BUCKET)


def bucket_of(value, buckets: int) -> int:
    """The bucket `ChunkSpill.add` puts a value in (which inlines the rule: it runs for every value of a file)."""
    return 0 if buckets == 1 else zlib.crc32(str(value).encode()) % buckets


class ChunkSpill:
    """One chunk's values, written to `folder` in buckets; `add` them in row order, then `close`."""

    def __init__(self, folder: Path, buckets: int):
        shutil.rmtree(folder, ignore_errors=True)  # a scan that is run again starts afresh
        folder.mkdir(parents=True)
        self.folder = folder
        self.buckets = buckets
        self._blocks: dict[tuple[str, int], tuple[list, list]] = {}
        self._files: dict[tuple[str, int], object] = {}
        self._records: dict[str, list[tuple]] = {}
        self._buffered = 0

    def add(self, field: str, values: list, rows: list[int]) -> None:
        """Add a column of values (None where a row has none) with their row numbers."""
        count = self.buckets
        if count == 1:
            kept = [(value, row) for value, row in zip(values, rows, strict=True) if value is not None]
            self._append((field, 0), [value for value, _row in kept], [row for _value, row in kept])
            return
        grouped: dict[int, tuple[list, list]] = {}
        for value, row in zip(values, rows, strict=True):
            if value is not None:
                bucket = grouped.setdefault(zlib.crc32(str(value).encode()) % count, ([], []))
                bucket[0].append(value)
                bucket[1].append(row)
        for number, (bucket_values, bucket_rows) in grouped.items():
            self._append((field, number), bucket_values, bucket_rows)

    def add_records(self, name: str, records: list[tuple]) -> None:
        """Keep whole records (tuples of plain values, in row order) in the file `name`, unbucketed."""
        if not records:
            return
        self._records.setdefault(name, []).extend(records)
        self._buffered += len(records)
        if self._buffered >= _BUFFERED:
            self._spill_all()

    def _append(self, key: tuple[str, int], values: list, rows: list[int]) -> None:
        block = self._blocks.setdefault(key, ([], []))
        block[0].extend(values)
        block[1].extend(rows)
        self._buffered += len(values)
        if self._buffered >= _BUFFERED:
            self._spill_all()

    def _spill_all(self) -> None:
        for key, block in self._blocks.items():
            if block[0]:
                self._spill(key)
        for name, records in self._records.items():
            if records:
                with open(self.folder / f"{name}.records", "ab") as handle:
                    pickle.dump(records, handle, protocol=pickle.HIGHEST_PROTOCOL)
                self._records[name] = []
        self._buffered = 0

    def _spill(self, key: tuple[str, int]) -> None:
        handle = self._files.get(key)
        if handle is None:
            field, number = key
            handle = self._files[key] = open(self.folder / f"{field}.{number}", "wb")  # noqa: SIM115
        pickle.dump(self._blocks[key], handle, protocol=pickle.HIGHEST_PROTOCOL)
        self._blocks[key] = ([], [])

    def close(self) -> None:
        self._spill_all()
        for handle in self._files.values():
            handle.close()


def bucket_read(chunk_folders: list[Path], field: str, number: int) -> tuple[list, list[int]]:
    """One bucket of one field, from every chunk in row order: its values and their rows."""
    values, rows = [], []
    for folder in chunk_folders:
        for block_values, block_rows in _spilled_blocks(folder / f"{field}.{number}"):
            values.extend(block_values)
            rows.extend(block_rows)
    return values, rows


def records_read(chunk_folders: list[Path], name: str) -> Iterator[tuple]:
    """The records chunks kept under `name`, in row order."""
    for folder in chunk_folders:
        for block in _spilled_blocks(folder / f"{name}.records"):
            yield from block


def _spilled_blocks(path: Path) -> Iterator:
    """The blocks a chunk's spill wrote to one file, in the order written (none when it wrote no file)."""
    if not path.exists():
        return
    with open(path, "rb") as spilled:
        while True:
            try:
                yield pickle.load(spilled)
            except EOFError:
                return


def duplicates_find(chunk_folders: list[Path], fields: list[str], buckets: int) -> list[tuple[int, str, int]]:
    """Every row that repeats an earlier row's value, as (row, field, first row), in row order.

    `chunk_folders` are the chunks' spill folders, in row order; one bucket of one field is in memory at a time.
    """
    found = []
    for field in fields:
        for number in range(buckets):
            values, rows = bucket_read(chunk_folders, field, number)
            # Built from the end, so each value keeps the row where it first appeared (in C, not a Python loop).
            first = dict(zip(reversed(values), reversed(rows), strict=True))
            found.extend(
                (row, field, first[value]) for value, row in zip(values, rows, strict=True) if first[value] != row
            )
    found.sort()
    return found
