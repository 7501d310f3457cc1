"""A workbook's ZIP archive, checked before it is opened and counted while it is read.

An .xlsx file is a ZIP archive of XML parts, and a ZIP archive can unpack to a thousand times its size. Before any
part is read, the sizes its directory declares are checked: their sum against the unzipped limit, and each large
part's compression ratio against the ratio limit (the checks zip-bomb defences make). Declared sizes can lie, so
the bytes each part actually unpacks to are counted too, and reading stops past what it declared or past the limit.
"""

import zipfile
from pathlib import Path

from imports.declare.errors import ImportFileError
from imports.engine.readers.limits import ReadLimits

# Parts smaller than this unpacked are not judged by their ratio: a small part can compress far better than data
# does (a sheet of a few hundred identical rows, say), and a megabyte cannot hurt. Measured on 50,000-row workbooks
# written by openpyxl (both modes) and XlsxWriter (both modes): sheets of customers, of numbers, of sparse cells and
# of one row repeated unpack to 7-17 times their packed size, shared strings to 8 times; a bomb to hundreds or a
# thousand times. The default limit of 100 leaves real workbooks a wide margin.
RATIO_FLOOR_BYTES = 1024 * 1024
# Excel writes parts deflated or stored; other methods (bzip2, LZMA) decompress a read's worth of input at once,
# without a bound on the output.
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


class WorkbookArchive:
    """The ZIP archive of one workbook; `open(name)` gives a part as a counted stream."""

    def __init__(self, path: Path, limits: ReadLimits):
        self.limits = limits
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError) as error:
            raise ImportFileError(f"The Excel workbook cannot be opened: {error}.") from None
        try:
            self._members = {info.filename: info for info in self._zip.infolist()}
            self._check_declared_sizes()
        except BaseException:
            self._zip.close()
            raise

    def _check_declared_sizes(self) -> None:
        limits = self.limits
        total = sum(info.file_size for info in self._members.values())
        if total > limits.max_unzipped_bytes:
            raise ImportFileError(
                f"The Excel workbook unpacks to {_megabytes(total)}; the limit is "
                f"{_megabytes(limits.max_unzipped_bytes)} (IMPORT_MAX_UNZIPPED_MB)."
            )
        for info in self._members.values():
            if info.compress_type not in _METHODS:
                raise ImportFileError(f"The Excel workbook is packed in a way Excel never uses ({info.filename} is "
                                      "not deflated); save it again from a spreadsheet program.")
            if info.file_size >= RATIO_FLOOR_BYTES:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_zip_ratio:
                    raise ImportFileError(
                        f"The Excel workbook's part {info.filename} unpacks to {ratio:,.0f} times its packed size; the "
                        f"limit is {limits.max_zip_ratio:,} (IMPORT_MAX_ZIP_RATIO)."
                    )

    def has(self, name: str) -> bool:
        return name in self._members

    def size(self, name: str) -> int:
        return self._members[name].file_size

    def open(self, name: str, *, max_bytes: int | None = None) -> "CountedPart":
        """The part `name`; `max_bytes` refuses a part that declares more (for parts read into tables)."""
        if name not in self._members:
            raise ImportFileError(f"The Excel workbook is damaged: it has no part {name}.")
        if max_bytes is not None and self._members[name].file_size > max_bytes:
            raise ImportFileError(f"The Excel workbook is damaged: its part {name} unpacks to "
                                  f"{_megabytes(self._members[name].file_size)}, more than any workbook's.")
        return CountedPart(self._zip, self._members[name])

    def close(self) -> None:
        self._zip.close()


class CountedPart:
    """One part of the archive as a stream of bytes that stops the read once the part unpacks to more than it
    declared."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        self._info = info
        self._stream = archive.open(info)
        self._read = 0

    def read(self, size: int) -> bytes:
        try:
            block = self._stream.read(size)
        except (zipfile.BadZipFile, EOFError, OSError) as error:
            raise ImportFileError(f"The Excel workbook is damaged: {self._info.filename} cannot be unpacked "
                                  f"({error}).") from None
        self._read += len(block)
        # The declared sizes passed the limits, so a part held to its declared size keeps the archive within them.
        if self._read > self._info.file_size:
            raise ImportFileError(f"The Excel workbook is damaged: {self._info.filename} unpacks to more than the "
                                  f"{self._info.file_size:,} bytes it declares.")
        return block

    def close(self) -> None:
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
