"""Writing the references a job's rows make to other records of its target (an account's parent account).

A row holds a reference as the key it names until its batch is written; then it becomes the id of that record.
The record may not be stored yet: it is defined further down the file, perhaps in a chunk that another worker is
importing at this moment. Such a row is written without it (an update keeps its stored reference meanwhile) and
linked as soon as a batch of the job writes the record, or at the job's end. Every reference a batch writes is
noted (ImportReference) until the job ends, which then:

- links the references whose record is stored now (chunks that ran at once could not see each other's rows);
- checks the job's links for cycles: imports.engine.references judged the file as if every row were imported, and a
  row that failed keeps its stored reference, which can close a cycle the file did not describe. The link of the
  latest row on such a cycle is undone, with a warning on that row;
- warns on each row whose reference is still unlinked, naming the row that defines the record it names.

A few statements a batch, and a few per thousand references at the end; nothing here runs for targets that
declare no `references_in_file`.
"""

from dataclasses import dataclass

from django.db import connection

from companies.models import Company
from imports.declare.bulk_insert import rows_insert
from imports.declare.outcomes import Outcome, RowPlan
from imports.declare.stored_rows import stored_rows
from imports.declare.targets import ImportTarget
from imports.engine import stored_files
from imports.engine.gate import Write, WriteGate
from imports.engine.planning import ImportContext
from imports.engine.readers.positioned import PositionedCsv
from imports.engine.references import ROW, cycles_find, stored_parents, verdict_name
from imports.models import ImportExportJob, ImportExportLog, ImportReference
from imports.sheet_rows import SHEET_ROW

WRITTEN = (Outcome.CREATED, Outcome.UPDATED)
REFERENCE_FIELDS = [field for field in ImportReference._meta.concrete_fields if not field.primary_key]
_QUERY_KEYS = 2000


@dataclass
class Link:
    """A reference one row of a batch writes."""

    plan: RowPlan
    field: str
    reference: str
    reference_row: int  # the row of the file with that key, 0 when none has it
    linked: bool


def links_prepare(*, target: ImportTarget, context: ImportContext, plans: list[RowPlan]) -> list[Link]:
    """Before a batch is written: each reference it writes becomes the id of the record it names; a reference to a
    record not stored yet is left out (an update keeps the one it has), to be linked once that record is written."""
    links = []
    for field in target.references_in_file:
        new = {plan: plan.values[field] for plan in plans if field in plan.values and _writes(plan, field)}
        if not new:
            continue
        # An update that changes one row's reference writes that column for every update of the batch
        # (imports.engine.bulk), so each of them needs the id of the reference it keeps.
        keeping = []
        if any(plan.outcome is Outcome.UPDATED for plan in new):
            keeping = [plan for plan in plans if plan.outcome is Outcome.UPDATED and plan.existing[field] is not None]
        ids = _stored_ids(target, context.company, {*new.values(), *(plan.existing[field] for plan in keeping)})
        for plan in keeping:
            plan.values[field] = ids.get(plan.existing[field])
        for plan, reference in new.items():
            linked = reference in ids
            if linked:
                plan.values[field] = ids[reference]
            elif plan.outcome is Outcome.CREATED:
                plan.values[field] = None
            else:  # the update keeps the reference it has until the new one can be linked
                plan.values[field] = ids.get(plan.existing[field])
                plan.changed = tuple(name for name in plan.changed if name != field)
            reference_row = context.duplicate_of(verdict_name(field, ROW), plan.number) or 0
            links.append(Link(plan, field, reference, reference_row, linked))
    return links


def _writes(plan: RowPlan, field: str) -> bool:
    return plan.outcome is Outcome.CREATED or (plan.outcome is Outcome.UPDATED and field in plan.changed)


def links_write(
    *, job: ImportExportJob, target: ImportTarget, context: ImportContext, plans: list[RowPlan], links: list[Link]
) -> None:
    """After a batch is written, in its transaction: link what can be linked now (the batch's own records, and
    references of earlier batches to records this batch created), and note every reference it wrote."""
    context.gate.check(Write.LINKS)
    links = [link for link in links if link.plan.outcome in WRITTEN]  # the database may have refused some rows
    waiting = _waiting_for(job, plans)
    pending = [link for link in links if not link.linked]
    ids = _stored_ids(
        target, context.company,
        {link.reference for link in pending} | {reference for _pk, _field, _key, reference in waiting},
    )
    changes = []
    for link in pending:
        if link.reference in ids:
            link.linked = True
            changes.append((link.field, ids[link.reference], link.plan.key))
    resolved = []
    for pk, field, key, reference in waiting:
        if reference in ids:
            resolved.append(pk)
            changes.append((field, ids[reference], key))
    _references_set(target, context.company, changes)
    if resolved:
        ImportReference.objects.filter(pk__in=resolved).update(linked=True)
    noted = [
        ImportReference(job=job, row_number=link.plan.number, field=link.field, key=link.plan.key,
                        reference=link.reference, reference_row=link.reference_row, linked=link.linked)
        for link in links
    ]
    rows = [[getattr(note, field.attname) for field in REFERENCE_FIELDS] for note in noted]
    rows_insert(ImportReference, REFERENCE_FIELDS, rows)


def _waiting_for(job: ImportExportJob, plans: list[RowPlan]) -> list[tuple[int, str, str, str]]:
    """References of the job's earlier batches to records this batch created, as (pk, field, key, reference).
    (Those of batches another worker has not committed yet are out of sight: the job's end links them.)"""
    created = [plan.key for plan in plans if plan.outcome is Outcome.CREATED]
    if not created:
        return []
    return list(
        ImportReference.objects.filter(job=job, linked=False, reference__in=created)
        .values_list("pk", "field", "key", "reference")
    )


def links_finish(*, gate: WriteGate, job: ImportExportJob, target: ImportTarget) -> None:
    """At the job's end (its last batch committed): link what is stored now, undo links that close a cycle,
    warn on rows left unlinked, and forget the job's references."""
    gate.check(Write.LINKS)
    references = ImportReference.objects.filter(job=job)
    if not references.exists():
        return
    _link_stored(job, target)
    warnings = _cycles_undo(job, target)
    unlinked = list(references.filter(linked=False).values_list("row_number", "field", "reference", "reference_row"))
    defining = _rows_cells(job, {defined_on for *_reference, defined_on in unlinked if defined_on})
    for row, field, reference, reference_row in unlinked:
        if reference_row:
            sheet_row = defining.get(reference_row, ([], None))[1]
            named = f"sheet row {sheet_row}" if sheet_row is not None else f"row {reference_row}"
            message = (
                f"{target.label_of(field)} '{reference}' was not set: {named}, the row with that {target.key_label}, "
                "was not imported; import it, then this row again"
            )
        else:
            message = (
                f"{target.label_of(field)} '{reference}' was not set: no {target.name.lower()} with that "
                f"{target.key_label} is stored"
            )
        warnings.setdefault(row, []).append(message)
    _warnings_log(job, warnings)
    references.delete()


def _link_stored(job: ImportExportJob, target: ImportTarget) -> None:
    unlinked = list(ImportReference.objects.filter(job=job, linked=False).values_list("pk", flat=True))
    for start in range(0, len(unlinked), _QUERY_KEYS):
        batch = ImportReference.objects.filter(pk__in=unlinked[start : start + _QUERY_KEYS])
        rows = list(batch.values_list("pk", "field", "key", "reference"))
        ids = _stored_ids(target, job.company, {reference for _pk, _field, _key, reference in rows})
        found = [(pk, field, key, ids[reference]) for pk, field, key, reference in rows if reference in ids]
        _references_set(target, job.company, [(field, id_, key) for _pk, field, key, id_ in found])
        ImportReference.objects.filter(pk__in=[pk for pk, *_rest in found]).update(linked=True)


def _cycles_undo(job: ImportExportJob, target: ImportTarget) -> dict[int, list[str]]:
    """Undo the latest link of this job on each cycle the stored references now make; the warnings, by row."""
    warnings: dict[int, list[str]] = {}
    for field in target.references_in_file:
        linked = {
            key: (row, reference)
            for key, row, reference in ImportReference.objects.filter(job=job, field=field, linked=True)
            .values_list("key", "row_number", "reference")
        }
        if not linked:
            continue
        cycles = cycles_find(
            list(linked), {}, lambda keys, field=field: stored_parents(target, job.company, field, keys)
        )
        undone = []
        for cycle in cycles:
            ours = [key for key in cycle if key in linked]
            if ours:
                undone.append(max(ours, key=lambda key: linked[key][0]))
        _references_set(target, job.company, [(field, None, key) for key in undone])
        ImportReference.objects.filter(job=job, field=field, key__in=undone).delete()
        for key in undone:
            row, reference = linked[key]
            warnings.setdefault(row, []).append(
                f"{target.label_of(field)} '{reference}' was not set: with the rows of this file that were not "
                f"imported, it would make a cycle of {target.phrase_of(field)} links; the {target.name.lower()} has no "
                f"{target.phrase_of(field)} now"
            )
    return warnings


def _stored_ids(target: ImportTarget, company: Company, keys: set[str]) -> dict[str, int]:
    """{key: id} of the company's stored records among `keys`, in one query."""
    if not keys:
        return {}
    return dict(stored_rows(target.model, company_id=company.pk, field=target.key, values=keys,
                            columns=[target.key, "pk"]))


def _references_set(target: ImportTarget, company: Company, changes: list[tuple[str, int | None, str]]) -> None:
    """Set reference `field` of the record with key `key` to `id` for each (field, id, key): a statement a field."""
    meta, quote = target.model._meta, connection.ops.quote_name
    by_field: dict[str, list] = {}
    for field, id_, key in changes:
        by_field.setdefault(field, []).append((id_, company.pk, key))
    table, company_column = quote(meta.db_table), quote(meta.get_field("company").column)
    key_column = quote(meta.get_field(target.key).column)
    with connection.cursor() as cursor:
        for field, parameters in by_field.items():
            cursor.executemany(
                f"UPDATE {table} SET {quote(meta.get_field(field).column)} = %s "
                f"WHERE {company_column} = %s AND {key_column} = %s",
                parameters,
            )


def _warnings_log(job: ImportExportJob, warnings: dict[int, list[str]]) -> None:
    """A warning on each row (added to the row's warning when it has one already), with the row's cells for the
    error report."""
    if not warnings:
        return
    existing = {log.record_number: log for log in job.logs.filter(
        log_level=ImportExportLog.Level.WARNING, record_number__in=list(warnings),
    )}
    for row, log in existing.items():
        log.message = "; ".join([log.message, *warnings[row]])
        log.details = [*log.details, *({"warning": text} for text in warnings[row])]
    ImportExportLog.objects.bulk_update(existing.values(), ["message", "details"])
    cells = _rows_cells(job, set(warnings) - existing.keys())
    ImportExportLog.objects.bulk_create(
        ImportExportLog(
            job=job, record_number=row, log_level=ImportExportLog.Level.WARNING, message="; ".join(messages),
            record_data=_record_data(job.source_columns, *cells.get(row, ([], None))),
            details=[{"warning": text} for text in messages],
        )
        for row, messages in sorted(warnings.items())
        if row not in existing
    )


def _record_data(columns: list[str], cells: list[str], sheet_row: int | None) -> dict:
    data = dict(zip(columns, cells, strict=False))
    if len(cells) > len(columns):
        data["_extra"] = cells[len(columns) :]
    if sheet_row is not None:
        data[SHEET_ROW] = sheet_row
    return data


def _rows_cells(job: ImportExportJob, numbers: set[int]) -> dict[int, tuple[list[str], int | None]]:
    """The cells and sheet row (None for a file without sheet rows) of a few rows of the job's file, reading each
    chunk that holds one up to the last of them."""
    if not numbers or not job.layout.get("file"):
        return {}
    path = stored_files.staged_path(job)
    if not path.is_file():
        return {}
    reader, skip = PositionedCsv(path, job.layout["delimiter"]), job.layout["skip_columns"]
    sheet_rows = job.layout.get("sheet_rows")
    found = {}
    for chunk in job.chunks.order_by("index"):
        wanted = [number for number in numbers if chunk.first_row <= number <= chunk.last_row]
        if not wanted:
            continue
        last = max(wanted)
        known = sheet_rows is not None and chunk.index < len(sheet_rows)
        sheet_after = sheet_rows[chunk.index] - 1 if known else 0
        rows = reader.sheet_rows(chunk.start_offset, after=chunk.first_row - 1, sheet_after=sheet_after)
        for number, sheet_row, cells, _next_offset in rows:
            if number in numbers:
                found[number] = (cells[skip:], sheet_row if known else None)
            if number >= last:
                break
    return found
