"""A backup archive is read under limits it cannot talk its way past: every hostile archive of the corpus is refused
with its one sentence, from its directory or while its bytes stream; a valid one is read and extracted."""

import io
import zipfile
from pathlib import Path

import pytest

from imports.engine.backups.archive import BackupArchive, CountedMember
from imports.engine.backups.manifest import BackupArchiveError, BackupManifest
from imports.engine.readers.limits import ReadLimits, max_file_bytes
from tests.hostile.archives import ARCHIVES, customers_csv, manifest, valid_archive


def opened(path: Path, **limits) -> BackupArchive:
    return BackupArchive(path, limits=ReadLimits(**limits) if limits else ReadLimits.from_settings(),
                         max_member_bytes=max_file_bytes())


@pytest.mark.parametrize("hostile", ARCHIVES, ids=[hostile.name for hostile in ARCHIVES])
def test_a_hostile_archive_is_refused_with_its_sentence(hostile, tmp_path):
    path = tmp_path / hostile.name
    hostile.make(path)

    with pytest.raises(BackupArchiveError) as refused, opened(path) as archive:
        archive.verify()

    assert hostile.refusal in str(refused.value)
    assert len(str(refused.value).splitlines()) == 1


def test_a_valid_archive_is_read_and_its_files_extracted(tmp_path):
    path = tmp_path / "backup.zip"
    valid_archive(path, rows=3)

    with opened(path) as archive:
        archive.verify()
        entry = archive.manifest.entries[0]
        written = archive.extract(entry, tmp_path / "customers.csv")

    assert (entry.target.name, entry.file, entry.rows) == ("Customer", "customers.csv", 3)
    assert (tmp_path / "customers.csv").read_bytes() == customers_csv(3)
    assert written == len(customers_csv(3))


def test_the_total_unpacked_size_is_held_to_its_limit(tmp_path):
    path = tmp_path / "backup.zip"
    valid_archive(path, rows=50)

    with pytest.raises(BackupArchiveError, match=r"unpacks to 0 MB; the limit is 0 MB \(IMPORT_MAX_UNZIPPED_MB\)"):
        opened(path, max_unzipped_bytes=1000)


def test_each_file_is_held_to_the_size_an_import_takes(tmp_path, settings):
    settings.IMPORT_MAX_FILE_MB = 1
    path = tmp_path / "backup.zip"
    valid_archive(path, rows=15_000)  # about 1.5 MB, well packed

    with pytest.raises(BackupArchiveError, match=r"each file may have at most 1 MB \(IMPORT_MAX_FILE_MB\)"):
        opened(path)


def test_a_member_that_unpacks_to_more_than_it_declares_is_stopped_while_it_streams():
    info = zipfile.ZipInfo("customers.csv")
    info.file_size = 10
    archive = zipfile.ZipFile(io.BytesIO(), "w")
    archive.open = lambda member: io.BytesIO(b"x" * 64)  # what a lying archive would unpack to

    member = CountedMember(archive, info)

    assert member.read(8) == b"x" * 8
    with pytest.raises(BackupArchiveError, match="unpacks to more than the 10 bytes it declares"):
        member.read(8)


def test_the_manifest_lists_each_target_once(tmp_path):
    path = tmp_path / "backup.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("customers.csv", customers_csv(1))
        archive.writestr("manifest.json", manifest(("Customer", "customers.csv", 1), ("Customer", "customers.csv", 1)))

    with pytest.raises(BackupArchiveError, match="lists customers twice"):
        opened(path)


def test_the_manifest_comes_back_in_the_order_a_restore_imports_it():
    text = manifest(("Contact", "contacts.csv", 1), ("Account", "accounts.csv", 1),
                    ("CustomerGroup", "customer-groups.csv", 1))

    entries = BackupManifest.from_json(text).entries

    assert [entry.target.name for entry in entries] == ["CustomerGroup", "Account", "Contact"]
