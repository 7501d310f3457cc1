"""What a target's hooks may read of the job whose rows they judge: whose data, which day it is, and the repeats.

The engine keeps the job's runtime state (imports.engine.planning.ImportContext); a hook sees only this much of it,
so a domain cannot come to depend on how a job is run.
"""

from datetime import date, datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from companies.models import Company


class RowContext(Protocol):
    company: "Company"
    today: date  # the day the job was prepared: every row of a job is judged against the same day
    dry_run: bool  # hooks that write (before_write, after_write) are not called in a dry run; checks may read it
    written_at: datetime | None  # the stamp the batch being written gives its records (None before writing)

    def duplicate_of(self, field_name: str, row_number: int) -> int | None:
        """The earlier row of the file with the same value of `field_name`, if this row repeats one."""

    def earlier_row(self, field_name: str, row_number: int) -> str | None:
        """That earlier row as a message names it: "sheet row 8", or "row 3" in a file without sheet rows."""
