"""The registry of job kinds: every kind is known, whichever kind's module a process happened to import first."""

import os
import subprocess
import sys

from django.conf import settings

# A process whose first kind module is the look-up kind's (the web pages import its services).
LOOKUP_KIND_FIRST = """
import django
django.setup()
import imports.jobs.lookup_kind
from imports.jobs.kinds import worker_job_types
print(sorted(str(job_type) for job_type in worker_job_types()))
"""


def test_every_kind_is_registered_when_another_kinds_module_was_imported_first():
    result = subprocess.run(
        [sys.executable, "-c", LOOKUP_KIND_FIRST], cwd=settings.BASE_DIR, capture_output=True, text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}, check=False,
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "['import', 'lookup']"
