"""Every hostile file of the corpus (each `tests/hostile/*_files.py`), on every path a file takes: the command line
(dry run and import), the API upload and the wizard's upload, each in a process of its own capped at 400 MB of
address space and 30 seconds, and the jobs they start on one real Celery worker capped the same way.

A file with a refusal must be refused with its sentence (exit status 2 and that one line on stderr / a 4xx JSON
body / a message on the wizard's page / a job that ends failed with it), with no traceback, no record written and
no file left under MEDIA_ROOT that no job or upload owns. A file without one must import exactly its rows.
"""

import importlib
import json
import os
import pkgutil
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

from companies.services import api_token_for
from customers.models import Customer
from imports.models import ImportExportJob, ImportUpload
from tests.factories import CompanyFactory, UserFactory
from tests.workers import WorkerProcess, memory_capped, test_database_url, wait_for

from .corpus import HostileFile

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

MEMORY_CAP = 400 * 1024 * 1024
SECONDS = 30
# Big enough for every file of the corpus: the readers' own limits, not the upload size, must stop them.
ENVIRONMENT = {"IMPORT_MAX_FILE_MB": "64", "CLAIMS_MAX_FILE_MB": "64", "MALLOC_ARENA_MAX": "2"}


def hostile_files() -> list[HostileFile]:
    """FILES of every corpus module next to this one, whoever wrote it."""
    files = []
    for module in sorted(pkgutil.iter_modules([str(Path(__file__).parent)]), key=lambda found: found.name):
        if module.name.endswith("_files"):
            files.extend(importlib.import_module(f"{__package__}.{module.name}").FILES)
    return files


FILES = hostile_files()


@pytest.fixture(scope="session")
def corpus_folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture
def hostile_path(corpus_folder):
    """The file on disk, made once per test session."""

    def path(hostile: HostileFile) -> Path:
        made = corpus_folder / hostile.name
        if not made.exists():
            hostile.make(made)
        return made

    return path


@pytest.fixture(scope="module")
def shared_folders(tmp_path_factory) -> dict[str, Path]:
    """MEDIA_ROOT and IMPORT_LOG_DIR for this module's tests: the shared worker was started with them."""
    return {"MEDIA_ROOT": tmp_path_factory.mktemp("media"), "IMPORT_LOG_DIR": tmp_path_factory.mktemp("logs")}


@pytest.fixture(autouse=True)
def _media(settings, _isolated_files, shared_folders):
    for name, folder in shared_folders.items():
        shutil.rmtree(folder)
        folder.mkdir()
        setattr(settings, name, folder)


@pytest.fixture(scope="module")
def capped_worker(django_db_setup, django_db_blocker, shared_folders, tmp_path_factory):
    """One real worker for every file, capped like the other processes; stopped with this module, so it never takes
    the tasks of later tests (it consumes the same queue, with this module's folders)."""
    environment = {**ENVIRONMENT, **{name: str(folder) for name, folder in shared_folders.items()}}
    with django_db_blocker.unblock():
        worker = WorkerProcess("hostile", tmp_path_factory.mktemp("worker") / "worker.log",
                               environment=environment, memory_limit=MEMORY_CAP)
    worker.wait_ready()
    yield worker
    worker.stop()


@pytest.fixture
def owner(db):
    company = CompanyFactory(slug="acme", name="Acme Water", tenant_number=1234, default_rate_code="RES-1")
    return UserFactory(company=company, username="alice")


def run_capped(*arguments: str) -> subprocess.CompletedProcess:
    environment = {
        **ENVIRONMENT,
        "DATABASE_URL": test_database_url(),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "IMPORT_LOG_DIR": str(settings.IMPORT_LOG_DIR),
    }
    return subprocess.run(
        [sys.executable, *arguments], cwd=settings.BASE_DIR, env={**os.environ, **environment},
        capture_output=True, text=True, timeout=SECONDS, preexec_fn=memory_capped(MEMORY_CAP),
    )


def finished_job(job_id: str, worker: WorkerProcess) -> ImportExportJob:
    job = ImportExportJob.objects.get(pk=job_id)

    def finished():
        job.refresh_from_db()
        return job.is_finished

    wait_for(finished, timeout=SECONDS, workers=[worker], what=f"job {job_id} to finish")
    return job


def assert_nothing_written_and_no_orphan() -> None:
    assert Customer.objects.count() == 0
    owned = [Path(job.file.path).parent for job in ImportExportJob.objects.exclude(file="")]
    owned += [Path(job.error_report.path).parent for job in ImportExportJob.objects.exclude(error_report="")]
    owned += [Path(upload.file.path) for upload in ImportUpload.objects.all()]
    files = [path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()]
    orphans = [path for path in files if not any(path == mine or mine in path.parents for mine in owned)]
    assert orphans == []


def assert_job_refused(job: ImportExportJob, hostile: HostileFile) -> None:
    assert job.job_status == ImportExportJob.Status.FAILED, job.error_message
    assert hostile.refusal in job.error_message
    assert "Traceback" not in job.error_message
    assert "unexpected error" not in job.error_message


@pytest.mark.parametrize("dry_run", [True, False], ids=["dry-run", "import"])
@pytest.mark.parametrize("hostile", FILES, ids=[hostile.name for hostile in FILES])
def test_the_command_line(owner, hostile_path, hostile, dry_run):
    path = hostile_path(hostile)

    result = run_capped("manage.py", "import_data", "--model", "Customer", "--file", str(path), "--json",
                        *(["--dry-run"] if dry_run else []))

    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    if hostile.refusal:
        assert result.returncode == 2, (result.returncode, result.stderr[-3000:])
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert hostile.refusal in result.stderr
        assert_nothing_written_and_no_orphan()
    else:
        assert result.returncode == 0, (result.returncode, result.stderr[-3000:])
        outcome = json.loads(result.stdout)
        assert (outcome["total"], outcome["created"]) == (hostile.rows, hostile.rows)
        assert Customer.objects.count() == (0 if dry_run else hostile.rows)


@pytest.mark.parametrize("hostile", FILES, ids=[hostile.name for hostile in FILES])
def test_the_api_and_a_worker(owner, hostile_path, hostile, capped_worker):
    path = hostile_path(hostile)

    result = run_capped("-m", "tests.hostile.faces", "api", str(path), api_token_for(user=owner))

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    answer = json.loads(result.stdout)
    assert answer["content_type"].startswith("application/json"), answer
    if answer["status"] == 202:
        job = finished_job(json.loads(answer["body"])["id"], capped_worker)
        if hostile.refusal:
            assert_job_refused(job, hostile)
        else:
            assert job.job_status == ImportExportJob.Status.COMPLETED, job.error_message
            assert (job.total_records, Customer.objects.count()) == (hostile.rows, hostile.rows)
            return
    else:
        assert hostile.refusal, answer
        assert 400 <= answer["status"] < 500, answer
        assert hostile.refusal in json.loads(answer["body"])["detail"], answer
    assert_nothing_written_and_no_orphan()


@pytest.mark.parametrize("hostile", FILES, ids=[hostile.name for hostile in FILES])
def test_the_wizard(owner, hostile_path, hostile, capped_worker):
    path = hostile_path(hostile)

    result = run_capped("-m", "tests.hostile.faces", "wizard", str(path), str(owner.pk))

    assert result.returncode == 0, result.stderr[-3000:]
    assert "Traceback" not in result.stderr
    answer = json.loads(result.stdout)
    assert answer["status"] == 200
    assert "Traceback" not in answer["page"]
    if hostile.refusal and answer["job"] is None:  # refused as it arrived
        assert hostile.refusal in answer["page"], answer["page"][:3000]
        assert not ImportUpload.objects.exists()
        assert_nothing_written_and_no_orphan()
    elif hostile.refusal:
        # A workbook is read past its first rows by the dry run alone (its rows are not counted at upload, which
        # would cost seconds for a big one): the Validate step reports the refusal, with the same sentence.
        assert hostile.name.endswith(".xlsx"), answer["page"][:3000]
        assert_job_refused(finished_job(answer["job"], capped_worker), hostile)
        assert_nothing_written_and_no_orphan()
    else:
        job = finished_job(answer["job"], capped_worker)
        assert job.job_status == ImportExportJob.Status.COMPLETED, job.error_message
        assert (job.total_records, job.created_records) == (hostile.rows, hostile.rows)
        assert Customer.objects.count() == 0  # a dry run
