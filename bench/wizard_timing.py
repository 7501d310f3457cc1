"""Seconds from sending a file to the wizard until its mapping page (with the preview of the first rows) is ready.

    wizard_timing.py FILE    prints {"upload": s, "mapping_page": s, "total": s}

Run in-process through Django's test client, so what is timed is the server's work: storing the upload, finding
the header, matching columns, and reading and validating the first ten rows.
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import override_settings, setup_test_environment  # noqa: E402

from companies.models import Company, User  # noqa: E402


# Static files from the source folders: the pages render without `collectstatic`'s manifest.
@override_settings(STORAGES={
    **settings.STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
})
def main(path: Path) -> None:
    setup_test_environment()
    company = Company.objects.get(slug="bench")
    user = User.objects.filter(username="bench-wizard").first() or User.objects.create_user(
        username="bench-wizard", password=None, company=company
    )
    client = Client()
    client.force_login(user)
    content = SimpleUploadedFile(path.name, path.read_bytes())
    started = time.perf_counter()
    response = client.post("/import/Customer/upload/", {"file": content})
    uploaded = time.perf_counter()
    if response.status_code != 302:
        raise SystemExit(f"upload failed: {response.status_code} {response.content[:300]!r}")
    page = client.get(response.url)
    if page.status_code == 302:  # a workbook with several sheets would ask which one first
        raise SystemExit(f"unexpected redirect to {page.url}")
    finished = time.perf_counter()
    if b"as they would be stored" not in page.content:
        raise SystemExit("the mapping page has no preview")
    print(json.dumps({"upload": uploaded - started, "mapping_page": finished - uploaded, "total": finished - started}))


if __name__ == "__main__":
    main(Path(sys.argv[1]))
