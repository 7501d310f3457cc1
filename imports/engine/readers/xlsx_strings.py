"""A workbook's shared strings: read only as far as the rows read so far need them, and kept in bounded memory.

Excel stores every text cell's text once, in xl/sharedStrings.xml, in the order the texts first appear. A million
rows of unique names and emails make millions of strings: held as Python strings they would cost hundreds of
megabytes. So the first strings (which hold the texts that repeat: cities, statuses, types) stay in memory up to a
budget of a few megabytes, and the rest are written to a temporary file as UTF-8, found again by their end
offsets, themselves written to a second file once there are more than a few thousand: memory stays the same
whether a workbook holds a thousand strings or ten million.
"""

import os
import tempfile
from array import array

from imports.declare.errors import ImportFileError
from imports.engine.readers import xlsx_xml
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.workbook_archive import WorkbookArchive

PART = "xl/sharedStrings.xml"
# What the strings kept in memory may cost, counted as a Python string costs: its characters and ~64 bytes more.
IN_MEMORY_BYTES = 8 * 1024 * 1024
_STRING_OVERHEAD = 64
_FLUSH_BYTES = 256 * 1024
_FLUSH_ENDS = 65_536
_WINDOW_BYTES = 64 * 1024
_SI, _T, _PHONETIC = xlsx_xml.MAIN + "si", xlsx_xml.MAIN + "t", xlsx_xml.MAIN + "rPh"


class SharedStrings:
    def __init__(self, archive: WorkbookArchive, limits: ReadLimits):
        self._archive, self._limits = archive, limits
        self.in_memory: list[str] = []  # the first strings; the list only grows
        self._in_memory_bytes = 0
        self._spilled: SpilledStrings | None = None
        self._count = 0  # strings read so far
        self._reader = None
        self._finished = not archive.has(PART)

    def __getitem__(self, index: int) -> str:
        while index >= self._count and not self._finished:
            if self._reader is None:
                self._reader = self._read()
            next(self._reader)
        if 0 <= index < len(self.in_memory):
            return self.in_memory[index]
        if index < 0 or index >= self._count:
            raise ImportFileError(f"The Excel workbook is damaged: a cell names shared text number {index:,}, but "
                                  f"the workbook holds only {self._count:,} (numbered from 0).")
        return self._spilled[index - len(self.in_memory)]

    def _read(self):
        """Parse the strings a block at a time; each step adds the strings that block completed."""
        parser = xlsx_xml.parser()
        parts: list[str] = []
        in_string = phonetic = False
        max_chars = self._limits.max_cell_chars

        def end_text(_name):
            parser.CharacterDataHandler = parser.EndElementHandler = None

        def start(name, _attributes):
            nonlocal parts, in_string, phonetic
            if name == _T:
                if in_string and not phonetic:
                    parser.CharacterDataHandler, parser.EndElementHandler = parts.append, end_text
            elif name == _SI:
                if in_string:
                    self._add("".join(parts))
                parts, in_string, phonetic = [], True, False
            elif name == _PHONETIC:
                phonetic = True  # phonetic guides come after the text's runs and are not part of it

        parser.StartElementHandler = start
        with self._archive.open(PART) as stream:
            for _block in xlsx_xml.feed(parser, stream, PART):
                if parts and sum(map(len, parts)) > max_chars:
                    self._limits.check_cell(sum(map(len, parts)))
                yield
        if in_string:
            self._add("".join(parts))
        self._finished = True
        yield

    def _add(self, text: str) -> None:
        if len(text) > self._limits.max_cell_chars:
            self._limits.check_cell(len(text))
        self._count += 1
        cost = len(text) + _STRING_OVERHEAD
        if self._spilled is None:
            if self._in_memory_bytes + cost <= IN_MEMORY_BYTES:
                self.in_memory.append(text)
                self._in_memory_bytes += cost
                return
            self._spilled = SpilledStrings()
        self._spilled.append(text)

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._spilled is not None:
            self._spilled.close()


class SpilledStrings:
    """Strings in a temporary file, each found by where it ends; the ends go to a file of their own in runs of
    `_FLUSH_ENDS`, so only the last run is held in memory. Rows name their strings roughly in the order the table
    holds them (first appearance), so both files are read back a window at a time, not a string at a time."""

    def __init__(self):
        self._texts = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._ends_file = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._pending = bytearray()  # text not yet written
        self._written = 0
        self._ends = array("q")  # the ends of the strings since the last run written
        self._ends_written = 0
        self._last_end_written = 0
        self._window, self._window_start = b"", 0  # texts read back
        self._ends_window, self._ends_window_first = array("q"), 0  # ends read back

    def __len__(self) -> int:
        return self._ends_written + len(self._ends)

    def append(self, text: str) -> None:
        self._pending += text.encode("utf-8")
        self._ends.append(self._written + len(self._pending))
        if len(self._pending) >= _FLUSH_BYTES:
            self._write_texts()
        if len(self._ends) >= _FLUSH_ENDS:
            self._ends_file.write(self._ends.tobytes())
            self._ends_file.flush()
            self._ends_written += len(self._ends)
            self._last_end_written = self._ends[-1]
            self._ends = array("q")

    def __getitem__(self, index: int) -> str:
        start, end = self._bounds(index)
        offset = start - self._window_start
        if offset < 0 or end - self._window_start > len(self._window):
            if end > self._written:
                self._write_texts()
            self._window, self._window_start, offset = (
                os.pread(self._texts.fileno(), max(_WINDOW_BYTES, end - start), start), start, 0)
        return self._window[offset : offset + end - start].decode("utf-8")

    def _bounds(self, index: int) -> tuple[int, int]:
        held = index - self._ends_written
        if held > 0:
            return self._ends[held - 1], self._ends[held]
        if held == 0:
            return self._last_end_written, self._ends[0]
        first = index - 1 if index else 0  # the window holds the end before this string's too
        at = first - self._ends_window_first
        if at < 0 or index - self._ends_window_first >= len(self._ends_window):
            size = self._ends.itemsize
            count = min(_WINDOW_BYTES // size, self._ends_written - first)
            self._ends_window = array("q", os.pread(self._ends_file.fileno(), count * size, first * size))
            self._ends_window_first, at = first, 0
        if index == 0:
            return 0, self._ends_window[0]
        return self._ends_window[at], self._ends_window[at + 1]

    def _write_texts(self) -> None:
        self._texts.write(self._pending)
        self._texts.flush()
        self._written += len(self._pending)
        self._pending.clear()

    def close(self) -> None:
        self._texts.close()
        self._ends_file.close()
