"""The wizard loads a saved import template of the user's own company only: another company's template is 404,
even to a user who posts its id from an upload of their own."""

import pytest
from django.urls import reverse

from imports.models import DataTemplate
from tests.imports.web.test_wizard import uploaded

pytestmark = pytest.mark.django_db


def test_a_user_cannot_load_another_companys_template_into_their_own_upload(client, user, other_company):
    theirs = DataTemplate.objects.create(company=other_company, target_model="Customer", template_name="Theirs",
                                         field_mapping={"Town": "city", "Zip": None})
    ours = DataTemplate.objects.create(company=user.company, target_model="Customer", template_name="Ours",
                                       field_mapping={"Town": None})
    client.force_login(user)
    upload = uploaded(client)
    mapping = dict(upload.mapping)
    load = reverse("imports:wizard_template_load", args=[upload.pk])

    assert client.post(load, {"template": theirs.pk}).status_code == 404

    upload.refresh_from_db()
    assert (upload.mapping, upload.template_name) == (mapping, "")
    assert client.post(load, {"template": ours.pk}).status_code == 302  # the company's own template loads
    upload.refresh_from_db()
    assert (upload.mapping["Town"], upload.template_name) == (None, "Ours")
