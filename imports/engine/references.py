"""References within a file: rows that name another record of the same target by its key, such as an account's
parent account, which may be stored already or defined further down the file, in a chunk another worker imports.

They are judged once, on the whole file, before any row is written, so every worker reaches the same verdict:

- a reference that names no row of the file and no stored record is *missing*;
- a reference that closes a *cycle* (following references from a row leads back to it, through rows of the file
  or stored records) fails every row whose reference is part of the cycle.

The verdicts are stored with the file's repeats (ImportDuplicate, as `<field>:missing` and `<field>:cycle`, plus
`<field>:row` naming the row that defines a referenced record, for later messages); the pipeline turns them into
row errors and imports.engine.links writes the references. The file is judged as if each of its rows were imported;
what rows that fail for other reasons change is settled by imports.engine.links at the job's end.

Unlike repeats, which are found one bucket at a time, the rows that name another row are held all at once (three
values each, about 300 bytes): memory grows with those rows, which is fine for files of account hierarchies.
"""

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterable
from pathlib import Path

from companies.models import Company
from imports.declare.targets import ImportTarget
from imports.engine.spill import bucket_of, bucket_read, records_read

MISSING, CYCLE, ROW = "missing", "cycle", "row"
_QUERY_KEYS = 2000  # keys per look-up query


def verdict_name(field: str, kind: str) -> str:
    """The name a verdict on `field` is stored under (ImportDuplicate.field)."""
    return f"{field}:{kind}"


def verdict_field(name: str) -> str:
    """The field a stored repeat or verdict (ImportDuplicate.field) is about."""
    return name.split(":", 1)[0]


def references_judge(
    *, target: ImportTarget, company: Company, chunk_folders: list[Path], buckets: int
) -> list[tuple[int, str, int]]:
    """The verdicts on the file's references as (row, verdict name, row it points at or 0), the scans having
    kept each referencing row as (row, its key, the key it names)."""
    verdicts = []
    for field in target.references_in_file:
        references = list(records_read(chunk_folders, field))
        if references:
            verdicts.extend(_judge(target, company, field, references, chunk_folders, buckets))
    return verdicts


def _judge(target, company, field, references, chunk_folders, buckets) -> list[tuple[int, str, int]]:
    wanted = {reference for _row, _key, reference in references}
    wanted.update(key for _row, key, _reference in references if key is not None)
    first_rows = _first_rows(chunk_folders, target.key, wanted, buckets)
    # A key's reference in the file is the one on the row where the key first appears (rows that repeat a key
    # fail as duplicates). A row without one keeps its stored reference, which the walk fetches when it needs it.
    parents = {
        key: reference for row, key, reference in references if key is not None and first_rows.get(key) == row
    }
    starts = list(parents)
    outside = {reference for _row, _key, reference in references if reference not in first_rows}
    stored = stored_parents(target, company, field, outside)
    missing = outside - stored.keys()
    parents.update(stored)
    parents.update(dict.fromkeys(missing))
    cycles = cycles_find(starts, parents, lambda keys: stored_parents(target, company, field, keys))
    on_cycle = {key for cycle in cycles for key in cycle}

    verdicts = []
    for row, key, reference in references:
        if reference in missing:
            verdicts.append((row, verdict_name(field, MISSING), 0))
        elif key in on_cycle and first_rows.get(key) == row:
            verdicts.append((row, verdict_name(field, CYCLE), first_rows.get(reference, 0)))
        elif reference in first_rows:
            verdicts.append((row, verdict_name(field, ROW), first_rows[reference]))
    return verdicts


def _first_rows(chunk_folders: list[Path], key_field: str, wanted: set, buckets: int) -> dict[str, int]:
    """The row where each wanted key first appears in the file, reading only the key buckets that hold them."""
    by_bucket = defaultdict(set)
    for key in wanted:
        by_bucket[bucket_of(key, buckets)].add(key)
    found: dict[str, int] = {}
    for number, keys in by_bucket.items():
        values, rows = bucket_read(chunk_folders, key_field, number)
        for value, row in zip(values, rows, strict=True):
            if value in keys and value not in found:
                found[value] = row
    return found


def stored_parents(target: ImportTarget, company: Company, field: str, keys: Iterable[str]) -> dict[str, str | None]:
    """For the company's stored records among `keys`: the key their `field` names (None when it names none)."""
    keys = list(keys)
    found = {}
    records = target.model.objects.filter(company=company).order_by()
    for start in range(0, len(keys), _QUERY_KEYS):
        batch = keys[start : start + _QUERY_KEYS]
        found.update(
            records.filter(**{f"{target.key}__in": batch}).values_list(target.key, f"{field}__{target.key}")
        )
    return found


def cycles_find(
    starts: list[Hashable],
    parents: dict[Hashable, Hashable | None],
    fetch: Callable[[set], dict[Hashable, Hashable | None]],
) -> list[list[Hashable]]:
    """The cycles reached from `starts` in a graph where every node has at most one parent.

    `parents` holds the parents known so far (None: no parent); `fetch(nodes)` gives the parents of others, as a
    dict that leaves out nodes with none, and is called once per step up the graph for all nodes of that step.
    """
    frontier, seen = set(starts), set(starts)
    while frontier:
        unknown = {node for node in frontier if node not in parents}
        if unknown:
            fetched = fetch(unknown)
            parents.update((node, fetched.get(node)) for node in unknown)
        following = set()
        for node in frontier:
            parent = parents[node]
            if parent is not None and parent not in seen:
                seen.add(parent)
                following.add(parent)
        frontier = following

    on_path, done, cycles = set(), set(), []
    for start in starts:
        path, node = [], start
        while node is not None and node not in done and node not in on_path:
            on_path.add(node)
            path.append(node)
            node = parents[node]
        if node is not None and node in on_path:
            cycles.append(path[path.index(node) :])
        on_path.difference_update(path)
        done.update(path)
    return cycles
