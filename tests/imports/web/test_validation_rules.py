"""The company's own validation rules on the web: the editor on an import template's page (plain forms, a bad rule
refused in one sentence with what was entered), the wizard applying the template's rules to its preview and dry
run, a rule edited after a dry run asking for a new one, and the job page listing the rules a job ran with."""

import pytest
from django.urls import reverse

from imports.jobs.inprocess import job_run
from imports.models import DataTemplate, ImportExportJob
from imports.web.uploads import upload_apply_template, upload_preview
from tests.imports.web.test_review_guards import ONE_BAD_ROW, start
from tests.imports.web.test_wizard import uploaded

pytestmark = pytest.mark.django_db


@pytest.fixture
def template(company):
    return DataTemplate.objects.create(company=company, template_name="Springfield", target_model="Customer")


def add(client, template, **given):
    return client.post(reverse("imports:template_rule_add", args=[template.pk]),
                       {"field": "city", "rule": "required", "value": "", "message": "", **given})


def test_a_rule_added_on_the_template_page_is_saved_and_listed_by_the_fields_label(signed_in, template):
    response = add(signed_in, template, field="meter_number", rule="pattern", value="MTR-[0-9]+",
                   message="Meters are MTR- and digits")

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.validation_rules == {
        "meter_number": [{"rule": "pattern", "pattern": "MTR-[0-9]+", "message": "Meters are MTR- and digits"}],
    }
    page = signed_in.get(reverse("imports:template_edit", args=[template.pk])).content.decode()
    assert "<td>Meter number</td><td>matches MTR-[0-9]+</td><td>Meters are MTR- and digits</td>" in page


def test_the_library_says_which_import_templates_have_rules(signed_in, template, company):
    DataTemplate.objects.create(company=company, template_name="Plain", target_model="Customer")
    template.validation_rules = {"city": [{"rule": "required"}], "phone": [{"rule": "unique"}]}
    template.save()

    page = signed_in.get(reverse("imports:template_list")).content.decode()

    assert "<td>on 2 fields</td>" in page
    assert "<td>none</td>" in page


def test_allowed_values_are_entered_comma_separated(signed_in, template):
    add(signed_in, template, field="status", rule="allowed", value="Active, suspended")

    template.refresh_from_db()
    assert template.validation_rules == {"status": [{"rule": "allowed", "values": ["active", "suspended"]}]}


def test_a_bad_rule_is_refused_in_one_sentence_with_what_was_entered(signed_in, template):
    response = add(signed_in, template, field="city", rule="max", value="10", message="Too big")

    assert response.status_code == 400
    page = response.content.decode()
    assert "City is text: a max rule applies to numbers and dates." in page
    assert 'value="Too big"' in page
    template.refresh_from_db()
    assert template.validation_rules == {}


def test_a_rule_is_removed_by_its_button(signed_in, template):
    template.validation_rules = {"city": [{"rule": "required"}], "phone": [{"rule": "unique"}]}
    template.save()

    response = signed_in.post(reverse("imports:template_rule_remove", args=[template.pk, 0]))

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.validation_rules == {"phone": [{"rule": "unique"}]}


def test_another_companys_template_takes_no_rule(signed_in, other_company):
    theirs = DataTemplate.objects.create(company=other_company, template_name="X", target_model="Customer")

    assert add(signed_in, theirs).status_code == 404


def test_the_wizard_previews_and_validates_with_the_templates_rules(signed_in, template,
                                                                     django_capture_on_commit_callbacks):
    template.validation_rules = {"meter_number": [{"rule": "pattern", "pattern": "MTR-[12]",
                                                   "message": "Only meters 1 and 2 are ours"}]}
    template.save()
    created = uploaded(signed_in, ONE_BAD_ROW)
    upload_apply_template(created, template)

    preview = upload_preview(created)

    assert preview.rows[2].reasons == ["Meter ID: Only meters 1 and 2 are ours"]
    dry_run = dry_run_of(signed_in, django_capture_on_commit_callbacks, created)
    assert dry_run.validation_rules == template.validation_rules
    assert dry_run.failed_records == 2  # the bad e-mail, and the third meter
    review = signed_in.get(reverse("imports:wizard_review", args=[created.pk])).content.decode()
    assert "Checked with your validation rules" in review
    assert "Meter number: matches MTR-[12] — “Only meters 1 and 2 are ours”" in review


def dry_run_of(client, capture, created) -> ImportExportJob:
    """The upload's dry run, started from the options page and run to the end."""
    with capture():
        client.post(reverse("imports:wizard_options", args=[created.pk]),
                    {"import_mode": "upsert", "duplicate_handling": "skip"})
    created.refresh_from_db()
    return job_run(job=created.validation_job)


def test_rules_edited_after_the_dry_run_ask_for_a_new_one(signed_in, template, django_capture_on_commit_callbacks):
    created = uploaded(signed_in, ONE_BAD_ROW)
    upload_apply_template(created, template)
    dry_run_of(signed_in, django_capture_on_commit_callbacks, created)
    add(signed_in, template, field="phone", rule="unique")

    start(signed_in, django_capture_on_commit_callbacks, created, created.validation_job)

    created.refresh_from_db()
    assert created.import_job is None
    assert not ImportExportJob.objects.filter(dry_run=False).exists()


def test_the_job_page_lists_the_rules_the_job_ran_with(signed_in, company, run_import, write_file):
    DataTemplate.objects.create(company=company, template_name="T", target_model="Customer",
                                validation_rules={"city": [{"rule": "required", "message": "Say the town"}]})
    job = run_import(write_file("c.csv", ONE_BAD_ROW), template_name="T")

    page = signed_in.get(reverse("imports:job_detail", args=[job.pk])).content.decode()

    assert "Your validation rules" in page
    assert "City: required — “Say the town”" in page
