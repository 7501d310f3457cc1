import io
import uuid
from pathlib import Path

import pytest
from django.core.files import File
from django.core.management import call_command

from imports.engine.options import ImportOptions
from imports.jobs.inprocess import job_run
from imports.jobs.services import job_create

from .factories import CompanyFactory, UserFactory
from .workers import start_worker  # noqa: F401 - a fixture, shared by the tests that run real workers

GUIDE_HEADER = (
    "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number,status,"
    "customer_type"
)
GUIDE_ROWS = [
    "John,Doe,john.doe@example.com,555-555-5555,123 Main St,Springfield,IL,62701,MTR-001234,,active,residential",
    "Jane,Smith,jane.smith@example.com,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-001235,,active,commercial",
]
GUIDE_CSV = "\n".join([GUIDE_HEADER, *GUIDE_ROWS]) + "\n"


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploads, reports and error logs of each test go to its own folder; static files come from the source
    folders (production serves them from `collectstatic`'s hashed manifest)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.IMPORT_LOG_DIR = tmp_path / "logs"
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_throttle_counts(settings):
    """Each test starts with no requests counted against its client: a cache key prefix of its own (with Redis,
    clearing the cache would also empty the broker's queues, which share the database)."""
    settings.CACHES = {
        name: {**config, "KEY_PREFIX": f"test-{uuid.uuid4().hex}"} for name, config in settings.CACHES.items()
    }


@pytest.fixture
def company(db):
    return CompanyFactory(slug="acme", name="Acme Water", tenant_number=1234, default_rate_code="RES-1")


@pytest.fixture
def other_company(db):
    return CompanyFactory(slug="globex", name="Globex Power", tenant_number=4321)


@pytest.fixture
def user(company):
    return UserFactory(company=company, username="alice")


@pytest.fixture
def write_file(tmp_path):
    """Write text (or bytes) to a file under the test's folder and return its path."""

    def write(name: str, content, encoding: str = "utf-8") -> Path:
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding=encoding, newline="")
        return path

    return write


@pytest.fixture
def run_import(company):
    """Import a file synchronously through the services, as the command line does; return the finished job."""

    def run(path: Path, *, target="Customer", mode=None, duplicates=None, dry_run=False, into=None, fixes=None,
            **extra):
        options = ImportOptions.parse(mode=mode, duplicates=duplicates, dry_run=dry_run, fixes=fixes)
        with open(path, "rb") as handle:
            job = job_create(
                company=into or company,
                target_name=target,
                file=File(handle, name=Path(path).name),
                file_name=Path(path).name,
                options=options,
                **extra,
            )
        return job_run(job=job)

    return run


class CommandResult:
    def __init__(self, status: int, stdout: str, stderr: str):
        self.status, self.stdout, self.stderr = status, stdout, stderr


@pytest.fixture
def command():
    """Run a management command; return its exit status and output instead of raising SystemExit."""

    def run(name: str, *args) -> CommandResult:
        stdout, stderr = io.StringIO(), io.StringIO()
        try:
            call_command(name, *args, stdout=stdout, stderr=stderr)
            status = 0
        except SystemExit as exit_:
            status = exit_.code
        return CommandResult(status, stdout.getvalue(), stderr.getvalue())

    return run
