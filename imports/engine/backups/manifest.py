"""The manifest of a company backup: what the archive holds, in the order a restore imports it.

    {"format": "import-hub-company-backup", "version": 1, "company": "Acme Water",
     "created_at": "2026-12-06T09:30:00+00:00",
     "targets": [{"target": "CustomerGroup", "file": "customer-groups.csv", "rows": 3}, ...]}

A restore reads the manifest of an archive anyone may have edited: every part of it is checked here, and each
problem is refused with one sentence.
"""

import json
from dataclasses import dataclass
from datetime import datetime

from imports.declare.errors import ImportFileError
from imports.declare.targets import ImportTarget, all_targets, dependency_order, get_target

MANIFEST_NAME = "manifest.json"
FORMAT = "import-hub-company-backup"
VERSION = 1
# Far more than the manifest of every target ever needs; a larger one is no backup's.
MANIFEST_MAX_BYTES = 64 * 1024


class BackupArchiveError(ImportFileError):
    """An archive that a restore cannot read: one sentence saying what is wrong with it."""


def member_name(target: ImportTarget) -> str:
    """The file of a target in a backup: `customer-groups.csv`, `meter-readings.csv`."""
    return f"{target.verbose_name_plural.lower().replace(' ', '-')}.csv"


@dataclass(frozen=True)
class ManifestEntry:
    target: ImportTarget
    file: str
    rows: int

    def to_data(self) -> dict:
        return {"target": self.target.name, "file": self.file, "rows": self.rows}


@dataclass(frozen=True)
class BackupManifest:
    company: str
    created_at: datetime
    entries: tuple[ManifestEntry, ...]  # in the order a restore imports them

    @property
    def total_rows(self) -> int:
        return sum(entry.rows for entry in self.entries)

    def to_data(self) -> dict:
        return {
            "format": FORMAT, "version": VERSION, "company": self.company, "created_at": self.created_at.isoformat(),
            "targets": [entry.to_data() for entry in self.entries],
        }

    def to_json(self) -> bytes:
        return json.dumps(self.to_data(), indent=2, ensure_ascii=False).encode()

    @classmethod
    def from_json(cls, text: bytes) -> "BackupManifest":
        """The manifest as written; BackupArchiveError names the first thing wrong with it. Its entries come back
        in the targets' dependency order, whatever order the file lists them in."""
        try:
            data = json.loads(text.decode("utf-8-sig"))
        except UnicodeDecodeError:
            raise BackupArchiveError(f"The archive's {MANIFEST_NAME} is not UTF-8 text.") from None
        except json.JSONDecodeError as error:
            raise BackupArchiveError(f"The archive's {MANIFEST_NAME} is not valid JSON: {error}.") from None
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data) -> "BackupManifest":
        """The manifest from its parsed JSON (as a job keeps it too), checked the same way."""
        if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("targets"), list):
            raise BackupArchiveError(
                f"The archive's {MANIFEST_NAME} does not describe a company backup: upload a .zip file that a "
                "backup of this product made."
            )
        version = data.get("version")
        if not isinstance(version, int) or version > VERSION or version < 1:
            raise BackupArchiveError(
                f"The archive is a backup of format {version!r}, and this version of the product reads format "
                f"{VERSION}: restore it with the version that made it."
            )
        entries = [_entry(item) for item in data["targets"]]
        _no_repeats(entries)
        by_target = {entry.target.name: entry for entry in entries}
        ordered = tuple(by_target[target.name] for target in dependency_order(entry.target for entry in entries))
        return cls(
            company=str(data.get("company") or ""),
            created_at=_when(data.get("created_at")),
            entries=ordered,
        )


def _entry(item) -> ManifestEntry:
    if not isinstance(item, dict):
        raise BackupArchiveError(f"The archive's {MANIFEST_NAME} lists a target that is not an object.")
    name = item.get("target")
    try:
        target = get_target(str(name)) if isinstance(name, str) and name else None
    except KeyError:
        target = None
    if target is None:
        known = ", ".join(target.name for target in all_targets())
        raise BackupArchiveError(
            f"The archive's {MANIFEST_NAME} names {quoted(name)}, which is no kind of record this product imports "
            f"({known})."
        )
    file, rows = item.get("file"), item.get("rows")
    if not isinstance(file, str) or not file:
        raise BackupArchiveError(f"The archive's {MANIFEST_NAME} gives no file for {target.verbose_name_plural}.")
    if not isinstance(rows, int) or isinstance(rows, bool) or rows < 0:
        raise BackupArchiveError(f"The archive's {MANIFEST_NAME} gives no row count for {quoted(file)}.")
    return ManifestEntry(target, file, rows)


def _no_repeats(entries: list[ManifestEntry]) -> None:
    targets, files = set(), set()
    for entry in entries:
        if entry.target.name in targets:
            raise BackupArchiveError(
                f"The archive's {MANIFEST_NAME} lists {entry.target.verbose_name_plural} twice."
            )
        if entry.file in files:
            raise BackupArchiveError(f"The archive's {MANIFEST_NAME} lists the file {quoted(entry.file)} twice.")
        targets.add(entry.target.name)
        files.add(entry.file)


def _when(value) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise BackupArchiveError(f"The archive's {MANIFEST_NAME} does not say when the backup was made.") from None


def quoted(value, limit: int = 60) -> str:
    """A value of the archive quoted in a sentence, cut short: the archive may be anyone's."""
    text = repr(str(value))
    return text if len(text) <= limit else text[: limit - 4] + "...'"
