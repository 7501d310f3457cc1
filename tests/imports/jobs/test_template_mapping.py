"""A job started with a saved template's name (the command line's --template, the API) reads the templates of its
own company only."""

import pytest

from imports.declare.errors import ImportFileError
from imports.declare.targets import get_target
from imports.jobs.services import template_mapping
from imports.models import DataTemplate

pytestmark = pytest.mark.django_db


def test_another_companys_template_of_the_same_name_is_not_found(company, other_company):
    DataTemplate.objects.create(company=other_company, template_name="Legacy CRM", target_model="Customer",
                                field_mapping={"Given Name Here": "first_name"})
    target = get_target("Customer")

    with pytest.raises(ImportFileError, match="No import template named 'Legacy CRM' for Customer"):
        template_mapping(company=company, target=target, name="Legacy CRM")
    assert template_mapping(company=other_company, target=target, name="Legacy CRM") == {
        "Given Name Here": "first_name"
    }
