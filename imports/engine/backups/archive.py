"""Reading a backup archive under the limits every import file is read under, before anything is imported.

A ZIP archive can unpack to a thousand times its size, name its files `../../somewhere`, or lie about its sizes.
Opening one checks its directory first: plain member names, a bounded number of them, the methods backups use, the
declared sizes against IMPORT_MAX_UNZIPPED_MB in all and IMPORT_MAX_FILE_MB each (each file is imported as a file
of its own), and each large member's compression ratio against IMPORT_MAX_ZIP_RATIO. The manifest must name known
targets and exactly the files present. `verify` then streams every member once, counting the bytes as they come
(a member that unpacks to more than it declared stops the read), and checks that each is UTF-8 CSV text whose
header names its target's columns. `extract` streams a member to a file, counted the same way.
"""

import codecs
import csv
import io
import re
import zipfile
from pathlib import Path

from imports.declare.targets import all_targets
from imports.engine.backups.manifest import (
    MANIFEST_MAX_BYTES,
    MANIFEST_NAME,
    BackupArchiveError,
    BackupManifest,
    ManifestEntry,
    quoted,
)
from imports.engine.readers.limits import ReadLimits
from imports.engine.readers.workbook_archive import RATIO_FLOOR_BYTES

_BLOCK = 1024 * 1024
_HEADER_MAX_CHARS = 64 * 1024
# The names a backup gives its members: no folders, no "..", nothing a file system reads specially.
_PLAIN_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


def _megabytes(size: int) -> str:
    return f"{size / 1024 / 1024:,.0f} MB"


class BackupArchive:
    """A backup archive whose directory and manifest passed the checks; `verify()` reads every member once."""

    def __init__(self, path: Path, *, limits: ReadLimits, max_member_bytes: int):
        self.limits, self.max_member_bytes = limits, max_member_bytes
        try:
            self._zip = zipfile.ZipFile(path)
        except (zipfile.BadZipFile, OSError):
            raise BackupArchiveError(
                "The file is not a backup archive: it is no ZIP file. Upload the .zip file a company backup made."
            ) from None
        try:
            self._members = self._directory_checked()
            self.manifest = self._manifest_read()
            self._members_match_manifest()
        except BaseException:
            self._zip.close()
            raise

    # --- The directory ---------------------------------------------------------------------------------------------

    def _directory_checked(self) -> dict[str, zipfile.ZipInfo]:
        infos = self._zip.infolist()
        most = len(all_targets()) + 1
        if len(infos) > most:
            raise BackupArchiveError(
                f"The archive holds {len(infos):,} files; a backup holds at most {most} (its manifest and a file "
                "for each kind of record)."
            )
        members: dict[str, zipfile.ZipInfo] = {}
        for info in infos:
            name = info.filename
            if not _PLAIN_NAME.fullmatch(name) or ".." in name:
                raise BackupArchiveError(
                    f"The archive holds a file named {quoted(name)}; a backup names its files plainly, without "
                    "folders or '..', so this archive was not made by a backup."
                )
            if name in members:
                raise BackupArchiveError(f"The archive holds two files named {quoted(name)}.")
            if info.flag_bits & 0x1:
                raise BackupArchiveError(f"The archive's file {quoted(name)} is encrypted; a backup's files are not.")
            if info.compress_type not in _METHODS:
                raise BackupArchiveError(
                    f"The archive's file {quoted(name)} is packed in a way backups never use (they are deflated)."
                )
            members[name] = info
        self._sizes_checked(members.values())
        return members

    def _sizes_checked(self, infos) -> None:
        limits = self.limits
        total = sum(info.file_size for info in infos)
        if total > limits.max_unzipped_bytes:
            raise BackupArchiveError(
                f"The archive unpacks to {_megabytes(total)}; the limit is {_megabytes(limits.max_unzipped_bytes)} "
                "(IMPORT_MAX_UNZIPPED_MB)."
            )
        for info in infos:
            if info.file_size > self.max_member_bytes:
                raise BackupArchiveError(
                    f"The archive's file {quoted(info.filename)} unpacks to {_megabytes(info.file_size)}; each file "
                    f"may have at most {_megabytes(self.max_member_bytes)} (IMPORT_MAX_FILE_MB), as when it is "
                    "imported alone."
                )
            if info.file_size >= RATIO_FLOOR_BYTES:
                ratio = info.file_size / max(info.compress_size, 1)
                if ratio > limits.max_zip_ratio:
                    raise BackupArchiveError(
                        f"The archive's file {quoted(info.filename)} unpacks to {ratio:,.0f} times its packed size; "
                        f"the limit is {limits.max_zip_ratio:,} (IMPORT_MAX_ZIP_RATIO)."
                    )

    # --- The manifest ----------------------------------------------------------------------------------------------

    def _manifest_read(self) -> BackupManifest:
        info = self._members.get(MANIFEST_NAME)
        if info is None:
            raise BackupArchiveError(
                f"The archive has no {MANIFEST_NAME}, so it is not a company backup (a backup holds its manifest "
                "and a CSV file for each kind of record)."
            )
        if info.file_size > MANIFEST_MAX_BYTES:
            raise BackupArchiveError(f"The archive's {MANIFEST_NAME} is too large to be a backup's manifest.")
        with self._counted(info) as stream:
            text = stream.read_all()
        return BackupManifest.from_json(text)

    def _members_match_manifest(self) -> None:
        listed = {entry.file for entry in self.manifest.entries}
        for entry in self.manifest.entries:
            if entry.file not in self._members:
                raise BackupArchiveError(
                    f"The archive's {MANIFEST_NAME} lists {quoted(entry.file)}, but the archive has no such file."
                )
        for name in self._members:
            if name != MANIFEST_NAME and name not in listed:
                raise BackupArchiveError(f"The archive holds {quoted(name)}, which its {MANIFEST_NAME} does not list.")

    # --- The members -----------------------------------------------------------------------------------------------

    def verify(self) -> None:
        """Read every member through once: each must unpack to what it declares and be a CSV file of its target."""
        for entry in self.manifest.entries:
            with self._counted(self._members[entry.file]) as stream:
                _csv_checked(entry, stream)

    def extract(self, entry: ManifestEntry, destination: Path) -> int:
        """Write the member of `entry` to `destination`, counted as it streams; the bytes written."""
        written = 0
        with self._counted(self._members[entry.file]) as stream, open(destination, "wb") as out:
            while block := stream.read(_BLOCK):
                out.write(block)
                written += len(block)
        return written

    def _counted(self, info: zipfile.ZipInfo) -> "CountedMember":
        return CountedMember(self._zip, info)

    def close(self) -> None:
        self._zip.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


class CountedMember:
    """One member as a stream of bytes that stops once it unpacks to more than it declared: the declared sizes
    passed the limits, so a member held to its own keeps the archive within them."""

    def __init__(self, archive: zipfile.ZipFile, info: zipfile.ZipInfo):
        self._info = info
        self._stream = archive.open(info)
        self._read = 0

    def read(self, size: int) -> bytes:
        try:
            block = self._stream.read(size)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError) as error:
            raise BackupArchiveError(
                f"The archive is damaged: {quoted(self._info.filename)} cannot be unpacked ({error})."
            ) from None
        self._read += len(block)
        if self._read > self._info.file_size:
            raise BackupArchiveError(
                f"The archive is damaged: {quoted(self._info.filename)} unpacks to more than the "
                f"{self._info.file_size:,} bytes it declares."
            )
        return block

    def read_all(self) -> bytes:
        """The whole member; only for one whose declared size is small (the manifest)."""
        blocks = []
        while block := self.read(_BLOCK):
            blocks.append(block)
        return b"".join(blocks)

    def close(self) -> None:
        self._stream.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()


def _csv_checked(entry: ManifestEntry, stream: CountedMember) -> None:
    """The member is UTF-8 text without NUL bytes, its first line names columns of its target only, and it holds
    data rows exactly when the manifest counts some (a restore skips the files of targets that had no records)."""
    target = entry.target

    def refuse(why: str) -> BackupArchiveError:
        return BackupArchiveError(f"The archive's {quoted(entry.file)} is not a CSV file of "
                                  f"{target.verbose_name_plural}: {why}.")

    decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="strict")
    header, has_rows, start = None, False, ""
    while True:
        block = stream.read(_BLOCK)
        if b"\x00" in block:
            raise refuse("it holds binary data")
        try:
            text = decoder.decode(block, final=not block)
        except UnicodeDecodeError:
            raise refuse("it is not UTF-8 text") from None
        if header is None:
            start += text
            if "\n" in start or not block:
                header, _newline, text = start.partition("\n")
            elif len(start) > _HEADER_MAX_CHARS:
                raise refuse("its first line is longer than any header")
        if header is not None and not has_rows:
            has_rows = bool(text.strip())
        if not block:
            break
    if not (header or "").strip():
        raise refuse("it is empty")
    columns = next(csv.reader(io.StringIO(header)))
    unknown = [column for column in columns if column not in target.fields_by_name]
    if unknown:
        raise refuse(f"its header names {quoted(unknown[0])}, which is no column of {target.verbose_name_plural}")
    if has_rows != bool(entry.rows):
        raise BackupArchiveError(
            f"The archive's {MANIFEST_NAME} counts {entry.rows:,} rows in {quoted(entry.file)}, but the file holds "
            f"{'some' if has_rows else 'none'}: the archive was changed after the backup made it."
        )
