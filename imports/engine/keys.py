"""Generated keys: each row of a job that names no key gets one, the same whichever worker writes it.

When a job is prepared, it reserves one number for every such row, above any number of the generated form that
the file itself names; each chunk then numbers its key-less rows from its share of the block. A number that turns
out to be taken already (given explicitly by an earlier import), and every record `create_new` adds, gets a fresh
number instead.
"""

from companies.models import Company
from imports.declare.outcomes import Outcome, RowPlan
from imports.declare.stored_rows import stored_rows
from imports.declare.targets import ImportTarget
from imports.engine.gate import Write, WriteGate
from imports.engine.sequences import sequence_reserve
from imports.models import ImportChunk


def keys_reserve_for_chunks(
    *, gate: WriteGate, target: ImportTarget, company: Company, chunks: list[ImportChunk], above: int
) -> None:
    """Give each chunk the first number of its share of a block reserved for all of the job's key-less rows."""
    gate.check(Write.KEYS)
    total = sum(chunk.blank_keys for chunk in chunks)
    if not total:
        return
    numbers = sequence_reserve(gate=gate, company=company, name=target.key_sequence, count=total, above=above)
    base = numbers.start
    for chunk in chunks:
        chunk.key_base = base
        base += chunk.blank_keys


def keys_assign(
    *, gate: WriteGate, target: ImportTarget, company: Company, chunk: ImportChunk, plans: list[RowPlan]
) -> None:
    """Give every new record of the batch that has no key its generated key (call it outside a transaction): part
    of writing the batch, so refused where its rows are not written."""
    gate.check(Write.ROWS)
    needing = [plan for plan in plans if plan.outcome is Outcome.CREATED and plan.key is None]
    if not needing:
        return
    numbers = {
        plan: chunk.key_base + plan.source.blank_key
        for plan in needing
        if plan.source.blank_key is not None and chunk.key_base is not None
    }
    usable = {plan: target.format_key(company, n) for plan, n in numbers.items() if n <= target.last_key_number}
    found = stored_rows(target.model, company_id=company.pk, field=target.key, values=usable.values(),
                        columns=[target.key])
    taken = {key for (key,) in found}
    fresh = [plan for plan in needing if plan not in numbers or usable.get(plan) in taken]
    if fresh:
        reserved = sequence_reserve(gate=gate, company=company, name=target.key_sequence, count=len(fresh))
        numbers.update(zip(fresh, reserved, strict=True))
    for plan in needing:
        if numbers[plan] > target.last_key_number:
            plan.fail(target.key, f"No {target.key_label}s left to generate: give one in the file")
            plan.outcome = Outcome.FAILED
        else:
            plan.key = plan.values[target.key] = target.format_key(company, numbers[plan])
