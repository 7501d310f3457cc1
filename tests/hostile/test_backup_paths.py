"""Every hostile backup archive (tests/hostile/archives.py) on every path an archive takes: the command line, the
API upload and the page's upload, each in a process of its own capped at 400 MB of address space. Each is refused
with its sentence (exit status 2 and that one line on stderr / a 4xx JSON body / a message on the page), with no
job, no record written and no file left under MEDIA_ROOT.

And an archive whose one file unpacks to more than the cap itself is read through in flat memory: its last byte
is refused, so every byte before it was read, within the cap.
"""

import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from django.conf import settings

from companies.services import api_token_for
from customers.models import Customer
from imports.models import ImportExportJob
from tests.factories import CompanyFactory, UserFactory
from tests.workers import memory_capped, test_database_url

from .archives import ARCHIVES, CUSTOMER_ROW, CUSTOMERS_HEADER, manifest, valid_archive
from .corpus import HostileFile

pytestmark = pytest.mark.django_db(transaction=True)

MEMORY_CAP = 400 * 1024 * 1024
SECONDS = 30
ENVIRONMENT = {"MALLOC_ARENA_MAX": "2"}


@pytest.fixture(scope="module")
def archives_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("archives")


@pytest.fixture
def archive_path(archives_folder):
    def path(hostile: HostileFile) -> Path:
        made = archives_folder / hostile.name
        if not made.exists():
            hostile.make(made)
        return made

    return path


@pytest.fixture
def owner(db):
    company = CompanyFactory(slug="acme", name="Acme Water", tenant_number=1234)
    return UserFactory(company=company, username="alice")


def run_capped(*arguments: str, seconds: int = SECONDS, **environment) -> subprocess.CompletedProcess:
    environment = {
        **ENVIRONMENT, **environment,
        "DATABASE_URL": test_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_LOG_DIR": str(settings.IMPORT_LOG_DIR),
    }
    return subprocess.run(
        [sys.executable, *arguments], cwd=settings.BASE_DIR, env={**os.environ, **environment},
        capture_output=True, text=True, timeout=seconds, preexec_fn=memory_capped(MEMORY_CAP),
    )


def assert_nothing_kept() -> None:
    assert not ImportExportJob.objects.exists()
    assert Customer.objects.count() == 0
    assert [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()] == []


@pytest.mark.parametrize("hostile", ARCHIVES, ids=[hostile.name for hostile in ARCHIVES])
def test_the_command_line(owner, archive_path, hostile):
    result = run_capped("manage.py", "restore_company", str(archive_path(hostile)), "--company", "acme", "--json")

    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr
    assert hostile.refusal in result.stderr
    assert json.loads(result.stdout)["error"] == result.stderr.strip()
    assert_nothing_kept()


@pytest.mark.parametrize("hostile", ARCHIVES, ids=[hostile.name for hostile in ARCHIVES])
def test_the_api(owner, archive_path, hostile):
    result = run_capped("-m", "tests.hostile.faces", "restore_api", str(archive_path(hostile)),
                        api_token_for(user=owner))

    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert answer["content_type"] == "application/json", answer
    assert answer["status"] == 400, answer
    assert hostile.refusal in json.loads(answer["body"])["detail"]
    assert_nothing_kept()


@pytest.mark.parametrize("hostile", ARCHIVES, ids=[hostile.name for hostile in ARCHIVES])
def test_the_page(owner, archive_path, hostile):
    result = run_capped("-m", "tests.hostile.faces", "restore_web", str(archive_path(hostile)), str(owner.pk))

    assert result.returncode == 0, result.stderr[-3000:]
    answer = json.loads(result.stdout)
    assert (answer["status"], answer["path"]) == (200, "/backups/")
    assert hostile.refusal in answer["page"]
    assert "Traceback" not in answer["page"]
    assert_nothing_kept()


def test_a_valid_archive_is_restored_on_the_capped_command_line(owner, tmp_path):
    path = tmp_path / "backup.zip"
    valid_archive(path, rows=3)

    result = run_capped("manage.py", "restore_company", str(path), "--company", "acme", "--json")

    assert result.returncode == 0, result.stderr[-3000:]
    assert json.loads(result.stdout)["created"] == 3
    assert Customer.objects.count() == 3


def large_archive(path: Path, unpacked_bytes: int) -> int:
    """One customers file of `unpacked_bytes`, written a block at a time (the test holds none of it either), that
    is valid CSV up to its last byte, which is no UTF-8; its number of rows."""
    rows = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        with archive.open("customers.csv", "w", force_zip64=True) as member:
            member.write(CUSTOMERS_HEADER.encode())
            written = len(CUSTOMERS_HEADER)
            while written < unpacked_bytes:
                block = "".join(CUSTOMER_ROW.format(n=rows + n) for n in range(1, 20_001)).encode()
                member.write(block)
                written += len(block)
                rows += 20_000
            member.write(b"Zo\xff\r\n")
        archive.writestr("manifest.json", manifest(("Customer", "customers.csv", rows + 1)))
    return rows


def test_an_archive_larger_than_the_memory_cap_is_read_in_flat_memory(owner, tmp_path):
    path = tmp_path / "large.zip"
    large_archive(path, unpacked_bytes=MEMORY_CAP + 64 * 1024 * 1024)

    result = run_capped("manage.py", "restore_company", str(path), "--company", "acme", "--dry-run", seconds=120,
                        IMPORT_MAX_FILE_MB="1024")

    assert "MemoryError" not in result.stderr, result.stderr[-3000:]
    assert result.returncode == 2, result.stderr[-3000:]
    assert result.stderr.strip() == (
        "The archive's 'customers.csv' is not a CSV file of customers: it is not UTF-8 text."
    )
    assert_nothing_kept()
