"""Taking back a batch of an import's changeset: the records it created are deleted, those it updated get their
before-values back, and what cannot be taken back safely is kept and said why.

A record is kept when it was changed since the import (its `updated_at` is no longer the one the import gave it:
a person, the admin or another import saved it), unless the undo is forced; when it is gone (deleted since); and,
for a record the import created, when other records now depend on it (readings of a customer, contacts or child
accounts of an account), forced or not, since deleting it would delete or orphan them. Each batch costs a query
for the records, one per kind of dependent, and one statement for the deletes and per set of restored fields.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db import connection, models
from django.utils import timezone

from imports.declare.targets import ImportTarget
from imports.engine.changesets import STAMP, plain, restored_value
from imports.models import ImportChange

Action = ImportChange.Action


@dataclass(frozen=True)
class KeptRecord:
    """A record the undo left as it is, and why, in words (no value of a sensitive field)."""

    row_number: int
    record_id: int
    label: str
    reason: str


@dataclass
class UndoneBatch:
    deleted: int = 0
    restored: int = 0
    kept: list[KeptRecord] = field(default_factory=list)
    deleted_ids: list[int] = field(default_factory=list)
    restored_ids: list[int] = field(default_factory=list)


def undo_batch(*, target: ImportTarget, company_id: int, changes: list[ImportChange], force: bool) -> UndoneBatch:
    """Undo `changes` (one batch of a changeset, latest first), inside the caller's transaction."""
    model, meta = target.model, target.model._meta
    names = sorted({name for change in changes if change.after for name in change.after})
    key_attname = meta.get_field(target.key).attname
    # By primary key alone, the company checked here: right after a large import the planner's statistics may
    # not know the company's records yet, and a query on both would walk the company's index.
    stored = {
        row["pk"]: row
        for row in model._base_manager.filter(pk__in=[change.record_id for change in changes]).values(
            "pk", "company_id", STAMP, key_attname, *names,
        )
        if row["company_id"] == company_id
    }
    scope = target.undo_scope(company_id, list(stored))
    outcome = UndoneBatch()
    to_delete: dict[int, ImportChange] = {}
    to_restore: list[ImportChange] = []
    for change in changes:
        current = stored.get(change.record_id)
        if current is None:
            if change.action == Action.UPDATED:
                outcome.kept.append(_kept(change, "", "deleted since the import: nothing to restore"))
            continue  # a created record deleted since: nothing left to take back
        label = str(current[key_attname] or "")
        if current[STAMP] != change.written_at and not force:
            outcome.kept.append(_kept(change, label, _changed_since(target, change, current)))
        elif change.action == Action.CREATED:
            to_delete[change.record_id] = change
        else:
            to_restore.append(change)
    owned = target.undo_owned(company_id, {record_id: change.written_at for record_id, change in to_delete.items()})
    for record_id, reason in _depended_on(model, list(to_delete), owned).items():
        change = to_delete.pop(record_id)
        outcome.kept.append(_kept(change, str(stored[record_id][key_attname] or ""), reason))
    if to_delete:
        by_model: dict[type[models.Model], list[int]] = defaultdict(list)
        for record_id in to_delete:
            for owned_model, owned_id in owned.get(record_id, ()):
                by_model[owned_model].append(owned_id)
        for owned_model, owned_ids in by_model.items():
            _delete(owned_model, owned_ids)
        _delete(model, list(to_delete))
        outcome.deleted, outcome.deleted_ids = len(to_delete), list(to_delete)
    _restore(model, to_restore)
    outcome.restored, outcome.restored_ids = len(to_restore), [change.record_id for change in to_restore]
    if outcome.deleted or outcome.restored:
        target.after_undo(company_id, scope)
    return outcome


def _kept(change: ImportChange, label: str, reason: str) -> KeptRecord:
    return KeptRecord(row_number=change.row_number, record_id=change.record_id, label=label, reason=reason)


def _changed_since(target: ImportTarget, change: ImportChange, current: dict[str, Any]) -> str:
    """Why a record changed since is kept: when, and for an update which of its fields now differ from what the
    import left (their values, except sensitive ones)."""
    when = f"changed since the import (saved {timezone.localtime(current[STAMP]):%Y-%m-%d %H:%M})"
    if change.action == Action.CREATED or not change.after:
        return when
    meta, differing = target.model._meta, []
    for attname, imported in change.after.items():
        now = plain(current[attname])
        if now == imported:
            continue
        name = _field_by_attname(meta, attname).name
        if name in target.sensitive_fields:
            differing.append(f"{target.label_of(name)} is no longer what the import set")
        else:
            differing.append(f"{target.label_of(name)} is now {_shown(now)} (the import set {_shown(imported)})")
    return f"{when}: {'; '.join(differing)}" if differing else when


def _shown(value: Any) -> str:
    return "empty" if value in (None, "") else f"'{value}'"


def _field_by_attname(meta, attname: str) -> models.Field:
    return next(f for f in meta.concrete_fields if f.attname == attname)


def _depended_on(
    model: type[models.Model], record_ids: list[int], owned: dict[int, list[tuple[type, int]]]
) -> dict[int, str]:
    """The records among `record_ids` that others depend on, with what depends on them: a query per kind of
    dependent. A dependent that is itself among `record_ids` and deleted with them does not count, so a child
    account the same batch deletes does not keep its parent; checked again until nothing more is kept. Nor does
    a record `owned` by one of them (deleted with it)."""
    kept: dict[int, str] = {}
    candidates = set(record_ids)
    owned_ids = defaultdict(set)
    for records in owned.values():
        for owned_model, owned_id in records:
            owned_ids[owned_model].add(owned_id)
    while candidates:
        found: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for relation in model._meta.related_objects:
            if not (relation.one_to_many or relation.one_to_one):
                continue
            dependents = relation.related_model._base_manager.filter(**{f"{relation.field.name}__in": candidates})
            if relation.related_model is model:
                dependents = dependents.exclude(pk__in=candidates)
            if owned_ids.get(relation.related_model):
                dependents = dependents.exclude(pk__in=owned_ids[relation.related_model])
            counts = defaultdict(int)
            for parent in dependents.values_list(relation.field.attname, flat=True).iterator():
                counts[parent] += 1
            for parent, count in counts.items():
                noun = (relation.related_model._meta.verbose_name if count == 1
                        else relation.related_model._meta.verbose_name_plural)
                found[parent].append((count, f"{count:,} {noun}"))
        if not found:
            break
        for parent, what in found.items():
            verb = "depends" if [count for count, _ in what] == [1] else "depend"
            kept[parent] = f"created by the import, but {' and '.join(text for _, text in what)} now {verb} on it"
        candidates -= set(found)
    return kept


def _delete(model: type[models.Model], record_ids: list[int]) -> None:
    """One statement, past the ORM's collector: what depends on these records was checked, nothing cascades."""
    quote = connection.ops.quote_name
    marks = ", ".join(["%s"] * len(record_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"DELETE FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} IN ({marks})", record_ids
        )


def _restore(model: type[models.Model], changes: list[ImportChange]) -> None:
    """The before-values back, a statement per set of fields (an import's updates mostly share one)."""
    meta = model._meta
    by_fields: dict[tuple[str, ...], list[ImportChange]] = defaultdict(list)
    for change in changes:
        by_fields[tuple(sorted(change.before))].append(change)
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), quote(meta.pk.column)
    for attnames, group in by_fields.items():
        fields = [_field_by_attname(meta, attname) for attname in attnames]
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        rows = [
            [f.get_db_prep_save(restored_value(f, change.before[f.attname]), connection) for f in fields]
            + [change.record_id]
            for change in group
        ]
        with connection.cursor() as cursor:
            cursor.executemany(f"UPDATE {table} SET {assignments} WHERE {pk} = %s", rows)
