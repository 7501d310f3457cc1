"""A workbook's shared strings: read only as far as the rows read so far need them, and kept in bounded memory.

Excel stores every text cell's text once, in xl/sharedStrings.xml, in the order the texts first appear. A million
rows of unique names and emails make millions of strings: held as Python strings they would cost hundreds of
megabytes. So the first strings (which hold the texts that repeat: cities, statuses, types) stay in memory up to a
budget of a few megabytes, and the rest are written to a temporary file as UTF-8, found again by an array of their
end offsets.
"""

import os
import tempfile
from array import array

from imports.errors import ImportFileError

from . import xlsx_xml
from .limits import ReadLimits
from .workbook_archive import WorkbookArchive

PART = "xl/sharedStrings.xml"
# What the strings kept in memory may cost, counted as a Python string costs: its characters and ~64 bytes more.
IN_MEMORY_BYTES = 8 * 1024 * 1024
_STRING_OVERHEAD = 64
_FLUSH_BYTES = 256 * 1024
_SI, _T, _PHONETIC = xlsx_xml.MAIN + "si", xlsx_xml.MAIN + "t", xlsx_xml.MAIN + "rPh"


class SharedStrings:
    def __init__(self, archive: WorkbookArchive, limits: ReadLimits):
        self._archive, self._limits = archive, limits
        self.in_memory: list[str] = []  # the first strings; the list only grows
        self._in_memory_bytes = 0
        self._spill = None
        # Where each spilled string ends in the file; the file is no larger than the part, itself within the
        # unzipped limit, so four bytes an offset do unless that limit is raised past 4 GB.
        self._ends = array("I" if limits.max_unzipped_bytes < 2**32 else "q")
        self._pending = bytearray()
        self._written = 0
        self._reader = None
        self._finished = not archive.has(PART)

    def __getitem__(self, index: int) -> str:
        if 0 <= index < len(self.in_memory):
            return self.in_memory[index]
        while index >= len(self.in_memory) + len(self._ends) and not self._finished:
            if self._reader is None:
                self._reader = self._read()
            next(self._reader)
        if 0 <= index < len(self.in_memory):
            return self.in_memory[index]
        spilled = index - len(self.in_memory)
        if index < 0 or spilled >= len(self._ends):
            held = len(self.in_memory) + len(self._ends)
            raise ImportFileError(f"The Excel workbook is damaged: a cell names shared text number {index:,}, but "
                                  f"the workbook holds only {held:,} (numbered from 0).")
        start = self._ends[spilled - 1] if spilled else 0
        end = self._ends[spilled]
        if end > self._written:
            self._flush()
        return os.pread(self._spill.fileno(), end - start, start).decode("utf-8")

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
        self._limits.check_cell(len(text))
        cost = len(text) + _STRING_OVERHEAD
        if self._spill is None and self._in_memory_bytes + cost <= IN_MEMORY_BYTES:
            self.in_memory.append(text)
            self._in_memory_bytes += cost
            return
        if self._spill is None:
            self._spill = tempfile.TemporaryFile()  # noqa: SIM115 - closed in close()
        self._pending += text.encode("utf-8")
        self._ends.append(self._written + len(self._pending))
        if len(self._pending) >= _FLUSH_BYTES:
            self._flush()

    def _flush(self) -> None:
        self._spill.write(self._pending)
        self._spill.flush()
        self._written += len(self._pending)
        self._pending.clear()

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
        if self._spill is not None:
            self._spill.close()
