"""Each face records itself on the import jobs it creates: the browser wizard, the API and the command line; the
API's job says which."""

import pytest

from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV
from tests.imports.api.conftest import IMPORTS_URL, token_client, upload
from tests.imports.web.test_review_guards import validated

pytestmark = pytest.mark.django_db


def test_the_wizard_records_its_jobs_as_from_the_browser(client, user, django_capture_on_commit_callbacks):
    client.force_login(user)

    created = validated(client, django_capture_on_commit_callbacks)

    assert created.validation_job.via == ImportExportJob.Via.WEB


def test_the_api_records_its_jobs_and_says_where_each_came_from(user, write_file, run_import):
    api = token_client(user)
    response = upload(api, IMPORTS_URL, GUIDE_CSV, target="Customer")
    from_the_command_line = run_import(write_file("c.csv", GUIDE_CSV), user=user, via="cli")
    from_before = run_import(write_file("old.csv", GUIDE_CSV), user=user)

    assert response.status_code == 202, response.content
    assert response.json()["via"] == "api"
    assert ImportExportJob.objects.get(pk=response.json()["id"]).via == ImportExportJob.Via.API
    assert api.get(f"{IMPORTS_URL}{from_the_command_line.pk}").json()["via"] == "cli"
    assert api.get(f"{IMPORTS_URL}{from_before.pk}").json()["via"] is None


def test_the_command_line_records_its_jobs(company, command, write_file):
    result = command("import_customers", "--model", "Customer", "--file", str(write_file("c.csv", GUIDE_CSV)),
                     "--company", company.slug)

    assert result.status == 0, result.stderr
    assert ImportExportJob.objects.get().via == ImportExportJob.Via.CLI
