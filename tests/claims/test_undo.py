"""Undoing a claims import: what it kept is said by claim number and field name, never by a patient's details, in
the command's output, the undo's log, the application's log and a record's history."""

import json
import logging

import pytest

from claims.models import Claim
from imports.declare.targets import get_target
from imports.jobs.change_selectors import record_history

from .test_claim_import import GOOD_ROWS, HEADER

pytestmark = pytest.mark.django_db

PATIENT_DETAILS = ("CHANTAL", "KISA", "JOHN", "DOE", "JONATHAN", "JOHNNY", "0123456789", "057896633", "1975", "1980")


def test_an_undo_of_claims_names_no_patient_details(company, command, write_file, caplog):
    caplog.set_level(logging.DEBUG)
    command("import_data", "--model", "Claim", "--file", str(write_file("a.csv", "\n".join([HEADER, GOOD_ROWS[0]]))))
    later = ("claim_number,first_name,last_name,date_of_birth,subscriber_id\n"
             "ZE59426195,JONATHAN,DOE,1/15/1980,0123456789\n")
    imported = command("import_data", "--model", "Claim", "--file", str(write_file("b.csv", later)), "--json")
    job_id = json.loads(imported.stdout)["job_id"]
    claim = Claim.objects.get(claim_number="ZE59426195")
    claim.first_name = "JOHNNY"
    claim.save()

    result = command("undo_import", job_id)

    assert result.status == 1
    assert "ZE59426195 kept: changed since the import" in result.stdout
    assert "First name is no longer what the import set" in result.stdout
    history = record_history(company=company, target=get_target("Claim"), record_id=claim.pk)
    said = " ".join([result.stdout, result.stderr, caplog.text, repr([entry.fields for entry in history])])
    assert [detail for detail in PATIENT_DETAILS if detail in said] == []
