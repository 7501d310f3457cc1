"""The one answer to "may this job write?", asked by every path that writes.

A dry run writes nothing: no rows, no generated keys, no references, no follow-up work. Neither does the first
pass of an all-or-nothing import, which checks every row as a dry run does before the second pass writes any; it
only reserves the job's block of generated keys, once, when the chunks are merged before that first pass, for
the writing pass to number its rows from.

The gate is built from the job where a step of it starts (`WriteGate.of`). The writers take it and refuse with
`WriteRefused` when it is closed to them, rather than skipping quietly: a caller that forgets to ask then fails
the job (and its test) instead of writing.
"""

import enum
from dataclasses import dataclass

from imports.declare.targets import ImportTarget
from imports.models import ImportExportJob


class Write(enum.Enum):
    """What a job may or may not do to the database and the queues."""

    ROWS = "write a batch's records"
    KEYS = "reserve generated keys"
    LINKS = "write the references between records"
    FOLLOW_UP = "queue follow-up work"


class WriteRefused(RuntimeError):
    """A writer was called while the gate is closed to it: a call site forgot to ask the gate."""


def validates_first(job: ImportExportJob) -> bool:
    """An all-or-nothing import checks every row, as a dry run does, before it writes any."""
    return bool(job.options.get("all_or_nothing")) and not job.dry_run


@dataclass(frozen=True)
class WriteGate:
    dry_run: bool
    validating: bool = False

    @classmethod
    def of(cls, job: ImportExportJob) -> "WriteGate":
        return cls(dry_run=job.dry_run, validating=validates_first(job) and not job.writing)

    def allows(self, write: Write) -> bool:
        if self.dry_run:
            return False
        return not self.validating or write is Write.KEYS

    def check(self, write: Write) -> None:
        """Raise WriteRefused unless the gate allows `write`."""
        if not self.allows(write):
            why = "a dry run" if self.dry_run else "the validation pass of an all-or-nothing import"
            raise WriteRefused(f"Refused to {write.value} in {why}")


WRITES_ALL = WriteGate(dry_run=False)
WRITES_NOTHING = WriteGate(dry_run=True)


def follow_up_queue(*, gate: WriteGate, target: ImportTarget, job: ImportExportJob) -> None:
    """Queue the target's follow-up work of a completed import (its `after_import`): never for a dry run."""
    gate.check(Write.FOLLOW_UP)
    target.after_import(job)
