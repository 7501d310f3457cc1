"""The `options` of an upload: the guide's JSON object, checked before any job exists, each mistake a 400 that
says which values are allowed."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from imports.models import ImportExportJob
from tests.conftest import GUIDE_CSV

from .conftest import CUSTOMERS_URL, job_of, upload

pytestmark = pytest.mark.django_db


def refused(api, options) -> str:
    response = upload(api, CUSTOMERS_URL, GUIDE_CSV, options=options)
    assert response.status_code == 400, response.content
    assert not ImportExportJob.objects.exists()
    return response.json()["detail"]


def stored_options(job: ImportExportJob) -> tuple:
    return job.import_mode, job.duplicate_handling, job.dry_run


def test_without_options_the_defaults_apply(api):
    response = upload(api, CUSTOMERS_URL, GUIDE_CSV)

    assert stored_options(job_of(response)) == ("upsert", "skip", False)
    assert response.json()["options"] == {"mode": "upsert", "duplicateStrategy": "skip", "validateOnly": False}


@pytest.mark.parametrize(
    ("options", "stored"),
    [
        ({"mode": "update", "duplicateStrategy": "error", "validateOnly": True}, ("update", "error", True)),
        ({"mode": "CREATE", "duplicateStrategy": "Create_New"}, ("create", "create_new", False)),
        ({"mode": "create_only"}, ("create", "skip", False)),
        ({"mode": "create_update"}, ("upsert", "skip", False)),
        ({"mode": None, "duplicateStrategy": None, "validateOnly": None}, ("upsert", "skip", False)),
        ({}, ("upsert", "skip", False)),
        ("", ("upsert", "skip", False)),
    ],
    ids=["all-three", "any-case", "alias-create-only", "alias-create-update", "nulls", "empty-object", "empty-text"],
)
def test_options_are_read_as_the_command_line_reads_them(api, options, stored):
    assert stored_options(job_of(upload(api, CUSTOMERS_URL, GUIDE_CSV, options=options))) == stored


def test_options_may_come_as_a_file_part(api):
    form = {
        "file": SimpleUploadedFile("customers.csv", GUIDE_CSV.encode()),
        "options": SimpleUploadedFile("options.json", b'{"mode": "create", "validateOnly": true}'),
    }

    response = api.post(CUSTOMERS_URL, form, format="multipart")

    assert stored_options(job_of(response)) == ("create", "skip", True)


def test_invalid_json_is_400(api):
    assert refused(api, "{mode: create}") == (
        "options is not valid JSON (Expecting property name enclosed in double quotes at character 2): send an "
        'object such as {"mode": "create", "duplicateStrategy": "skip", "validateOnly": false}.'
    )


def test_json_that_is_no_object_is_400(api):
    assert refused(api, '["create"]') == (
        'options must be a JSON object such as {"mode": "create", "duplicateStrategy": "skip", "validateOnly": false}.'
    )


def test_an_unknown_mode_is_400_naming_the_modes(api):
    assert refused(api, {"mode": "merge"}) == (
        'Unknown mode "merge": use create, update or upsert (create_only, update_only and create_update are '
        "accepted too)."
    )


def test_a_mode_that_is_no_text_is_400(api):
    assert refused(api, {"mode": 1}).startswith("Unknown mode 1: use create, update or upsert")


def test_an_unknown_duplicate_strategy_is_400_naming_the_strategies(api):
    assert refused(api, {"duplicateStrategy": "overwrite"}) == (
        'Unknown duplicateStrategy "overwrite": use skip, update, error or create_new.'
    )


@pytest.mark.parametrize("value", ["true", 1, "yes", 0])
def test_validate_only_must_be_a_json_boolean(api, value):
    assert refused(api, {"validateOnly": value}) == f"validateOnly must be true or false, not {json.dumps(value)}."


def test_unknown_option_names_are_400_listing_the_options(api):
    assert refused(api, {"mode": "create", "dryRun": True}) == (
        "Unknown option dryRun: the options are mode, duplicateStrategy, validateOnly, dateFormats, valueMaps, "
        "padZipCodes and validationRules."
    )
    assert refused(api, {"duplicates": "skip", "dry_run": True}) == (
        "Unknown options dry_run, duplicates: the options are mode, duplicateStrategy, validateOnly, dateFormats, "
        "valueMaps, padZipCodes and validationRules."
    )
