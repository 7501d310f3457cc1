"""Every kind of job is known to a process, whichever kind's module it happened to import first."""

import json
import os
import subprocess
import sys

from django.conf import settings

KINDS_AFTER_LOOKUPS = """
import django, json
django.setup()
import imports.jobs.lookup_services  # what a claims page or API view imports, before any import job runs
from imports.jobs.kinds import kinds_all
print(json.dumps(sorted(str(kind.job_type) for kind in kinds_all())))
"""


def test_a_process_that_loaded_the_look_up_kind_first_still_knows_imports():
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings"}

    output = subprocess.run([sys.executable, "-c", KINDS_AFTER_LOOKUPS], cwd=settings.BASE_DIR, env=environment,
                            capture_output=True, text=True, check=True)

    assert json.loads(output.stdout) == ["backup", "export", "import", "lookup", "restore", "undo"]
