"""The web faces, driven in a process of their own so a memory cap applies to the web side alone.

    python -m tests.hostile.faces api PATH TOKEN
    python -m tests.hostile.faces wizard PATH USER_ID
    python -m tests.hostile.faces claims PATH TOKEN      (the claims look-up upload)
    python -m tests.hostile.faces restore_api PATH TOKEN     (a backup archive uploaded to /api/restores/)
    python -m tests.hostile.faces restore_web PATH USER_ID   (a backup archive uploaded on the Backup & restore page)

Prints one JSON object: what the face answered (and, for a wizard upload it accepted, the dry run it started).
"""

import html
import json
import os
import re
import sys


def api(path: str, token: str) -> dict:
    from django.test import Client

    with open(path, "rb") as handle:
        response = Client().post("/api/customers/import", {"file": handle}, HTTP_AUTHORIZATION=f"Bearer {token}")
    return {"status": response.status_code, "content_type": response["Content-Type"],
            "body": response.content.decode("utf-8", "replace")}


def claims(path: str, token: str) -> dict:
    from django.test import Client

    with open(path, "rb") as handle:
        response = Client().post("/api/v1/claims/bulk/upload/", {"file": handle}, HTTP_AUTHORIZATION=f"Bearer {token}")
    return {"status": response.status_code, "content_type": response["Content-Type"],
            "body": response.content.decode("utf-8", "replace")}


def restore_api(path: str, token: str) -> dict:
    from django.test import Client

    with open(path, "rb") as handle:
        response = Client().post("/api/restores/", {"file": handle}, HTTP_AUTHORIZATION=f"Bearer {token}")
    return {"status": response.status_code, "content_type": response["Content-Type"],
            "body": response.content.decode("utf-8", "replace")}


def restore_web(path: str, user_id: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    with open(path, "rb") as handle:
        response = client.post("/backups/restore/", {"file": handle}, follow=True)
    return {"status": response.status_code, "page": _text(response.content.decode()),
            "path": response.request["PATH_INFO"]}


def wizard(path: str, user_id: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client

    from imports.models import ImportUpload

    client = Client()
    client.force_login(get_user_model().objects.get(pk=user_id))
    with open(path, "rb") as handle:
        response = client.post("/import/Customer/upload/", {"file": handle}, follow=True)
    result = {"status": response.status_code, "page": _text(response.content.decode()), "job": None}
    upload = ImportUpload.objects.order_by("-created_at").first()
    if upload is not None and "/mapping/" in response.request["PATH_INFO"]:
        client.post(f"/import/{upload.pk}/options/", {"import_mode": "upsert", "duplicate_handling": "skip"})
        upload.refresh_from_db()
        result["job"] = str(upload.validation_job_id) if upload.validation_job_id else None
    return result


def _text(page: str) -> str:
    """The page's text as a person reads it: no tags, entities decoded, spaces collapsed."""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.test.utils import setup_test_environment

    django.setup()
    from django.conf import settings

    # As the tests' own settings have it: pages link static files from the source folders, not a manifest.
    settings.STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
    setup_test_environment()
    face, file_path, who = sys.argv[1:4]
    faces = {"api": api, "wizard": wizard, "claims": claims, "restore_api": restore_api, "restore_web": restore_web}
    print(json.dumps(faces[face](file_path, who)))
