"""The records page: found by words and by a choice column's value, within one company, the search kept across
pages, with the fields' labels; health data is never searched."""

import pytest
from django.urls import reverse

from claims.models import Claim
from imports.declare.targets import get_target
from imports.engine.record_search import searched_fields
from tests.customers.test_customer_import import HEADER, row
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = reverse("imports:records", args=["Customer"])


@pytest.fixture
def customers(company, run_import, write_file):
    lines = [row(n, city="Springfield" if n % 2 else "Shelbyville") + ("," + ("active" if n % 3 else "inactive"))
             for n in range(1, 61)]
    job = run_import(write_file("customers.csv", "\n".join([HEADER + ",status", *lines]) + "\n"))
    assert job.created_records == 60
    return job


def account_numbers(response) -> set[str]:
    column = response.context["columns"].index("Account number")
    return {cells[column] for _pk, cells in response.context["rows"]}


def test_words_find_the_customers_holding_each_of_them(client, user, customers):
    client.force_login(user)

    response = client.get(URL, {"q": "shelbyville first12"})

    assert response.status_code == 200
    assert account_numbers(response) == {"5000000012"}
    assert "1 matches the search." in response.text


def test_a_choice_narrows_to_its_value_and_combines_with_words(client, user, customers):
    client.force_login(user)

    inactive = client.get(URL, {"status": "inactive"})
    both = client.get(URL, {"status": "inactive", "q": "Springfield"})

    assert account_numbers(inactive) == {f"{5000000000 + n}" for n in range(3, 61, 3)}
    assert account_numbers(both) == {f"{5000000000 + n}" for n in range(3, 61, 6)}
    assert '<option value="inactive" selected>Inactive</option>' in both.text


def test_the_search_is_kept_from_page_to_page(client, user, customers):
    client.force_login(user)

    response = client.get(URL, {"q": "Springfield"})

    assert response.context["page"].paginator.count == 30
    assert 'href="?q=Springfield&amp;page=2"' not in response.text  # 30 fit one page of 50
    many = client.get(URL, {"q": "Last"})
    assert many.context["page"].paginator.count == 60
    assert 'href="?q=Last&amp;page=2"' in many.text


def test_another_companys_customers_are_never_found(client, other_company, customers):
    client.force_login(UserFactory(company=other_company))

    response = client.get(URL, {"q": "Springfield"})

    assert response.context["page"].paginator.count == 0
    assert "Nothing matches the search." in response.text


def test_columns_are_headed_by_their_labels(client, user, customers):
    client.force_login(user)

    response = client.get(URL)

    assert '<th scope="col">Account number</th>' in response.text
    assert '<th scope="col">account_number</th>' not in response.text


def test_unknown_choices_are_ignored_and_every_customer_listed(client, user, customers):
    client.force_login(user)

    response = client.get(URL, {"status": "closed"})

    assert response.context["page"].paginator.count == 60


def test_health_data_is_never_searched(client, user, company):
    Claim.objects.create(company=company, claim_number="ZE59426195", first_name="CHANTAL", last_name="KISA",
                         date_of_birth="1975-05-10", subscriber_id="057896633")
    client.force_login(user)
    url = reverse("imports:records", args=["Claim"])

    assert client.get(url, {"q": "ZE59426195"}).context["page"].paginator.count == 1
    for secret in ("CHANTAL", "KISA", "057896633"):
        assert client.get(url, {"q": secret, "show": "details"}).context["page"].paginator.count == 0
    target = get_target("Claim")
    assert not {field.name for field in searched_fields(target)} & target.sensitive_fields
