"""The operator's admin: adding companies and templates checks what the services check."""

import pytest
from django.urls import reverse

from companies.models import Company
from imports.models import DataTemplate
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, company):
    client.force_login(UserFactory(company=company, is_staff=True, is_superuser=True))
    return client


def test_adding_a_company_in_the_admin_assigns_the_next_tenant_number(admin_client, company):
    response = admin_client.post(
        reverse("admin:companies_company_add"), {"name": "Initech", "slug": "initech", "default_rate_code": "STD"}
    )

    assert response.status_code == 302
    assert Company.objects.get(slug="initech").tenant_number == company.tenant_number + 1


def test_a_template_mapping_naming_an_unknown_field_is_refused(admin_client, company):
    response = admin_client.post(reverse("admin:imports_datatemplate_add"), {
        "company": company.pk, "template_name": "Legacy", "target_model": "Customer", "template_type": "import",
        "field_mapping": '{"Fax": "fax_number"}', "is_active": "on",
    })

    assert response.status_code == 200
    assert "The mapping names fields Customer does not have: fax_number." in response.content.decode()
    assert not DataTemplate.objects.exists()


def test_a_valid_template_is_saved(admin_client, company):
    admin_client.post(reverse("admin:imports_datatemplate_add"), {
        "company": company.pk, "template_name": "Legacy", "target_model": "Customer", "template_type": "import",
        "field_mapping": '{"Given": "first_name", "Fax": null}', "is_active": "on",
    })

    assert DataTemplate.objects.get().field_mapping == {"Given": "first_name", "Fax": None}
