"""Writing a backup archive: each target's rows as the import-compatible CSV an export gives, one ZIP member after
another, streamed (zipfile's `open(name, "w")` compresses a member as it is written, holding none of it), then the
manifest.

A backup is of the records as they stood when it was asked for: records created later are left out of every file,
so a reading never names a customer that the customers' file, written a moment earlier, lacks.
"""

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import BinaryIO

from django.db import models
from django.utils import timezone

from imports.declare.targets import ImportTarget
from imports.engine.backups.manifest import MANIFEST_NAME, BackupManifest
from imports.engine.exports.columns import ExportColumn, columns_import_compatible
from imports.engine.exports.spec import ExportSpec

_CURSOR_ROWS = 2000


def backup_columns(target: ImportTarget) -> tuple[ExportColumn, ...]:
    """The columns of a target's file: those an import takes back, less those another target's file holds."""
    return tuple(column for column in columns_import_compatible(target) if column.name not in target.backup_omits)


def _spec(target: ImportTarget) -> ExportSpec:
    return ExportSpec(target=target, columns=backup_columns(target), filters=(), file_format="csv")


def _as_of(queryset: models.QuerySet, as_of: datetime) -> models.QuerySet:
    if any(field.name == "created_at" for field in queryset.model._meta.concrete_fields):
        return queryset.filter(created_at__lte=as_of)
    return queryset


def backup_rows_count(target: ImportTarget, company, *, as_of: datetime) -> int:
    return _as_of(_spec(target).queryset(company), as_of).count()


def backup_rows(target: ImportTarget, company, *, as_of: datetime) -> Iterator[tuple]:
    """The company's records of `target` that existed at `as_of`, oldest first, in `backup_columns`' order, read
    from a server-side cursor a block at a time."""
    spec = _spec(target)
    names = [column.name for column in spec.columns]
    return _as_of(spec.queryset(company), as_of).values_list(*names).iterator(chunk_size=_CURSOR_ROWS)


class BackupWriter:
    """A ZIP archive written to `stream` member by member, each dated `made_at` (in local time, as ZIP dates are);
    `close(manifest)` adds the manifest and ends it."""

    def __init__(self, stream: BinaryIO, *, made_at: datetime):
        self._zip = zipfile.ZipFile(stream, "w", compression=zipfile.ZIP_DEFLATED, allowZip64=True)
        self._date_time = timezone.localtime(made_at).timetuple()[:6]

    def _info(self, name: str) -> zipfile.ZipInfo:
        info = zipfile.ZipInfo(name, date_time=self._date_time)
        info.compress_type = zipfile.ZIP_DEFLATED
        return info

    @contextmanager
    def member(self, name: str) -> Iterator[BinaryIO]:
        """A member being written: its bytes are compressed as they come. Its size is not known ahead, so it is
        written ready for ZIP64 (a file over 4 GB needs it)."""
        with self._zip.open(self._info(name), "w", force_zip64=True) as handle:
            yield handle

    def sizes(self) -> dict[str, int]:
        """The unpacked size of each member written so far."""
        return {info.filename: info.file_size for info in self._zip.infolist()}

    def close(self, manifest: BackupManifest) -> None:
        self._zip.writestr(self._info(MANIFEST_NAME), manifest.to_json())
        self._zip.close()
