"""What every export writer is given and must do."""

from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, BinaryIO

from imports.engine.exports.columns import ExportColumn


class ExportTooLarge(Exception):
    """The rows do not fit the format (an Excel sheet's rows, say). `str(error)` is one sentence for the user."""


@dataclass(frozen=True)
class ReportInfo:
    """What a report for people says besides its rows (the PDF's title block; other formats may ignore it)."""

    title: str  # "Customers of Acme Utilities"
    generated_at: datetime  # aware
    filters: Sequence[str] = field(default_factory=tuple)  # each filter in words: "status is active"
    total_rows: int | None = None


class ExportWriter(ABC):
    """Writes one export file to a binary stream, a block of rows at a time.

    Subclasses set `extension` and `content_type`, and implement `write_rows` and `close`. Memory stays bounded by
    one block, whatever the number of rows (the PDF writer, whose rows are capped, excepted).
    """

    extension: str = ""
    content_type: str = ""

    def __init__(self, stream: BinaryIO, columns: Sequence[ExportColumn], report: ReportInfo):
        self.stream = stream
        self.columns = tuple(columns)
        self.report = report
        self.rows_written = 0

    @abstractmethod
    def write_rows(self, rows: Sequence[tuple[Any, ...]]) -> None:
        """Write a block of rows; add their number to `rows_written`."""

    @abstractmethod
    def close(self) -> None:
        """Finish the file (the stream stays open: the caller owns it)."""
