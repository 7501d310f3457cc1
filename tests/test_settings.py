"""Settings come from the environment; the defaults run on one machine with nothing installed."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection

PRINT_SETTINGS = """
import django, json
django.setup()
from django.conf import settings as s
print(json.dumps({
    "engine": s.DATABASES["default"]["ENGINE"], "name": str(s.DATABASES["default"]["NAME"]),
    "broker": s.CELERY_BROKER_URL, "results": s.CELERY_RESULT_BACKEND, "media": str(s.MEDIA_ROOT),
    "logs": str(s.IMPORT_LOG_DIR), "max_mb": s.IMPORT_MAX_FILE_MB, "max_rows": s.IMPORT_MAX_ROWS,
    "batch": s.IMPORT_BATCH_SIZE, "static": str(s.STATIC_ROOT), "debug": s.DEBUG,
}))
"""


def settings_with(**environment) -> dict:
    """Settings as a fresh process reads them with only these variables set (and no .env file applied)."""
    clean = {key: value for key, value in os.environ.items() if key not in {
        "DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "MEDIA_ROOT", "IMPORT_LOG_DIR",
        "IMPORT_MAX_FILE_MB", "IMPORT_MAX_ROWS", "IMPORT_BATCH_SIZE", "DEBUG",
    }}
    clean.update(environment, DJANGO_SETTINGS_MODULE="config.settings")
    output = subprocess.run(
        [sys.executable, "-c", PRINT_SETTINGS], cwd=settings.BASE_DIR, env=clean, capture_output=True, text=True,
        check=True,
    )
    return json.loads(output.stdout)


def test_defaults_need_nothing_installed(tmp_path):
    values = settings_with(VAR_DIR=str(tmp_path))

    assert values == {
        "engine": "django.db.backends.sqlite3",
        "name": str(tmp_path / "db.sqlite3"),
        "broker": "filesystem://localhost/",
        "results": "django-db",
        "media": str(tmp_path / "media"),
        "logs": str(tmp_path / "logs"),
        "max_mb": 10,
        "max_rows": 1_000_000,
        "batch": 1000,
        "static": str(tmp_path / "staticfiles"),
        "debug": False,
    }
    assert (tmp_path / "media").is_dir()
    assert (tmp_path / "celery" / "queue").is_dir()


def test_every_knob_is_read_from_the_environment(tmp_path):
    values = settings_with(
        VAR_DIR=str(tmp_path), DATABASE_URL="postgres://u@db.example:5433/imports", REDIS_URL="redis://r:6379/1",
        MEDIA_ROOT=str(tmp_path / "m"), IMPORT_LOG_DIR=str(tmp_path / "l"), IMPORT_MAX_FILE_MB="25",
        IMPORT_MAX_ROWS="5000", IMPORT_BATCH_SIZE="250", DEBUG="true",
    )

    assert (values["engine"], values["name"]) == ("django.db.backends.postgresql", "imports")
    assert (values["broker"], values["results"]) == ("redis://r:6379/1", "django-db")
    assert (values["media"], values["logs"]) == (str(tmp_path / "m"), str(tmp_path / "l"))
    assert (values["max_mb"], values["max_rows"], values["batch"], values["debug"]) == (25, 5000, 250, True)


def test_celery_broker_url_overrides_redis_url(tmp_path):
    values = settings_with(VAR_DIR=str(tmp_path), REDIS_URL="redis://r:6379/1", CELERY_BROKER_URL="redis://b:6379/2")

    assert values["broker"] == "redis://b:6379/2"


@pytest.mark.django_db(transaction=True)
def test_a_command_line_import_on_the_default_broker_prints_nothing_on_stderr(company, tmp_path):
    """kombu warned "No hostname was supplied" whenever a command sent a task (an import's address check) over
    the default filesystem transport."""
    from tests.conftest import GUIDE_CSV
    from tests.workers import test_database_url

    path = tmp_path / "customers.csv"
    path.write_text(GUIDE_CSV)
    environment = {key: value for key, value in os.environ.items() if key not in {"REDIS_URL", "CELERY_BROKER_URL"}}
    environment.update(DATABASE_URL=test_database_url(), VAR_DIR=str(tmp_path / "var"),
                       DJANGO_SETTINGS_MODULE="config.settings")

    run = subprocess.run(
        [sys.executable, "manage.py", "import_data", "--model", "Customer", "--file", str(path), "--company",
         company.slug], cwd=settings.BASE_DIR, env=environment, capture_output=True, text=True, timeout=300,
    )

    assert run.returncode == 0, run.stderr
    assert "No hostname was supplied" not in run.stderr
    assert run.stderr == ""
    assert "Imported customers.csv into Customer" in run.stdout


@pytest.mark.django_db
def test_tests_run_on_the_configured_database():
    """Bare runs use SQLite in WAL mode with a busy timeout; with DATABASE_URL set they really use PostgreSQL."""
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        assert connection.vendor == "postgresql"
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        journal_mode = cursor.fetchone()[0]
        cursor.execute("PRAGMA busy_timeout")
        busy_timeout = cursor.fetchone()[0]

    assert (connection.vendor, journal_mode, busy_timeout) == ("sqlite", "wal", 30_000)


def test_media_is_outside_static_files():
    assert not str(settings.MEDIA_ROOT).startswith(str(settings.STATIC_ROOT))
    assert all(not str(settings.MEDIA_ROOT).startswith(str(folder)) for folder in settings.STATICFILES_DIRS)
