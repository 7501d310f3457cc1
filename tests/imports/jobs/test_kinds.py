"""The registry of kinds of job knows every kind, whichever declaring module a process imports first."""

import os
import subprocess
import sys

from django.conf import settings


def test_every_kind_is_known_when_the_lookup_kind_was_imported_first():
    # A fresh interpreter: in this one every kind is long registered.
    program = (
        "import django; django.setup(); import imports.jobs.lookup_kind; "
        "from imports.jobs.kinds import worker_job_types; print(sorted(map(str, worker_job_types())))"
    )
    result = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, cwd=settings.BASE_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"},
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['import', 'lookup']"
