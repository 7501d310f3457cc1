"""The address review page: one company's customers whose address needs review, and what a person decides."""

import pytest
from django.test import Client
from django.urls import reverse

from customers.models import Customer
from customers.services import review_token
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db

Status = Customer.AddressStatus
REVIEW = reverse("customers:address_review")


def to_review(company, *, suggestion=("123 Main St", "Springfield", "IL", "62704"), note="Google Maps matched only "
              "part of the address", **fields):
    """A customer whose address needs review, with Google's suggestion (or none)."""
    street, city, state, postal_code = suggestion or ("", "", "", "")
    values = {
        "service_address": "123 Mian Street", "city": "Springfield", "state": "IL", "postal_code": "62701",
        "billing_address": "123 Mian Street", "billing_city": "Springfield", "billing_state": "IL",
        "billing_postal_code": "62701", **fields,
    }
    return CustomerFactory(
        company=company, address_status=Status.NEEDS_REVIEW, standardized_address=street, standardized_city=city,
        standardized_state=state, standardized_postal_code=postal_code, address_note=note, **values,
    )


def decide(client, action: str, customer: Customer, **data):
    data.setdefault("token", review_token(customer))
    return client.post(reverse(f"customers:address_{action}", args=[customer.pk]), data)


def address_of(customer: Customer) -> tuple[str, str, str, str]:
    customer.refresh_from_db()
    return customer.service_address, customer.city, customer.state, customer.postal_code


def test_every_page_needs_sign_in(client, company):
    customer = to_review(company)
    for url in [REVIEW, *(reverse(f"customers:address_{a}", args=[customer.pk]) for a in ("accept", "edit",
                                                                                             "dismiss"))]:
        response = client.get(url)
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_the_page_lists_the_companys_addresses_to_review_side_by_side(client, user, company, other_company):
    first = to_review(company, account_number="1234000001")
    no_match = to_review(company, account_number="1234000002", suggestion=None, note="Google Maps found no such "
                         "address")
    to_review(other_company, account_number="4321000001", service_address="9 Foreign Rd")
    CustomerFactory(company=company, account_number="1234000003", address_status=Status.VERIFIED)
    client.force_login(user)

    response = client.get(REVIEW)

    page = response.content.decode()
    assert [row.customer for row in response.context["rows"]] == [first, no_match]
    assert "123 Mian Street" in page
    assert "<mark>62704</mark>" in page
    assert "Google Maps matched only part of the address" in page
    assert "No address found" in page
    assert "9 Foreign Rd" not in page
    assert "1234000003" not in page
    assert page.count("Accept suggestion") == 1  # nothing to accept without a suggestion
    assert page.count("Keep as entered") == 2
    assert 'href="/customers/addresses/review/"' in page  # the navigation links to it


def test_the_page_says_when_nothing_needs_review(client, user):
    client.force_login(user)

    assert "No address needs review." in client.get(REVIEW).content.decode()


def test_accept_makes_the_suggestion_the_address_on_file(client, user, company):
    customer = to_review(company)
    client.force_login(user)

    response = decide(client, "accept", customer)

    assert response.status_code == 302
    assert response.url == REVIEW
    assert address_of(customer) == ("123 Main St", "Springfield", "IL", "62704")
    assert (customer.billing_address, customer.billing_postal_code) == ("123 Main St", "62704")  # it followed
    assert customer.address_status == Status.VERIFIED
    assert customer.address_note == "Suggestion accepted by alice"
    messages = [str(m) for m in client.get(REVIEW).context["messages"]]
    assert messages == [f"Customer {customer.account_number}: the suggested address 123 Main St, Springfield, "
                        "IL 62704 is now on file."]


def test_a_billing_address_of_its_own_stays(client, user, company):
    customer = to_review(company, billing_address="PO Box 9", billing_postal_code="62705")
    client.force_login(user)

    decide(client, "accept", customer)

    customer.refresh_from_db()
    assert (customer.billing_address, customer.billing_postal_code) == ("PO Box 9", "62705")


def test_accept_without_a_suggestion_is_refused(client, user, company):
    customer = to_review(company, suggestion=None)
    client.force_login(user)

    response = decide(client, "accept", customer)

    assert address_of(customer) == ("123 Mian Street", "Springfield", "IL", "62701")
    assert customer.address_status == Status.NEEDS_REVIEW
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == [f"Google Maps suggested no address for customer {customer.account_number}: edit the "
                        "address or keep it as entered."]


def test_edit_saves_the_typed_address_verified_with_its_standard_form_beside(client, user, company):
    customer = to_review(company)
    client.force_login(user)

    response = decide(client, "edit", customer, street="125 main street", city="springfield", state="il",
                      postal_code="627041234", page="2")

    assert response.status_code == 302
    assert response.url == f"{REVIEW}?page=2"
    assert address_of(customer) == ("125 main street", "springfield", "IL", "62704-1234")
    assert (customer.standardized_address, customer.standardized_city, customer.standardized_postal_code) == (
        "125 Main St", "Springfield", "62704-1234"
    )
    assert (customer.address_status, customer.address_note) == (Status.VERIFIED, "Address entered by alice")
    assert customer.billing_address == "125 main street"


@pytest.mark.parametrize(("field", "value", "message"), [
    ("street", "", "Enter the street address (number and street)."),
    ("city", "   ", "Enter the city."),
    ("state", "Illinois", "Invalid state code"),
    ("state", "ZZ", "Invalid state code"),
    ("postal_code", "1234", "Invalid postal code &#x27;1234&#x27;: use 5 digits (62701) or 9 digits (62701-1234); "
                            "if Excel dropped a leading zero, format the column as Text"),
    ("street", "x" * 256, "Ensure this value has at most 255 characters (it has 256)."),
])
def test_a_bad_edit_shows_the_form_again_with_a_clear_message_and_saves_nothing(client, user, company, field, value,
                                                                                message):
    customer = to_review(company)
    client.force_login(user)
    data = {"street": "125 Main St", "city": "Springfield", "state": "IL", "postal_code": "62704", field: value}

    response = decide(client, "edit", customer, **data)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert address_of(customer) == ("123 Mian Street", "Springfield", "IL", "62701")
    assert customer.address_status == Status.NEEDS_REVIEW


def test_the_edit_page_shows_the_form_filled_with_the_suggestion(client, user, company):
    customer = to_review(company)
    client.force_login(user)

    response = client.get(reverse("customers:address_edit", args=[customer.pk]))

    assert response.status_code == 200
    assert response.context["row"].form.initial == {
        "street": "123 Main St", "city": "Springfield", "state": "IL", "postal_code": "62704",
    }


def test_dismiss_keeps_the_address_as_entered_not_verified(client, user, company):
    customer = to_review(company)
    client.force_login(user)

    decide(client, "dismiss", customer)

    assert address_of(customer) == ("123 Mian Street", "Springfield", "IL", "62701")
    assert (customer.address_status, customer.address_note) == (Status.NOT_VERIFIED, "Kept as entered by alice")
    assert customer.standardized_address == "123 Mian St"  # the offline form of what was entered
    assert customer not in client.get(REVIEW).context["rows"]


def test_a_decision_on_an_address_checked_again_since_the_page_was_shown_is_refused(client, user, company):
    customer = to_review(company)
    shown = review_token(customer)
    Customer.objects.filter(pk=customer.pk).update(standardized_postal_code="62799")  # checked again meanwhile
    client.force_login(user)

    response = decide(client, "accept", customer, token=shown)

    assert address_of(customer)[3] == "62701"
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == [f"The address of customer {customer.account_number} was checked again since this page "
                        "was shown: look at it again."]


def test_a_decision_on_an_address_no_longer_to_review_is_refused(client, user, company):
    customer = to_review(company)
    token = review_token(customer)
    Customer.objects.filter(pk=customer.pk).update(address_status=Status.PENDING)  # an import changed it
    client.force_login(user)

    response = decide(client, "dismiss", customer, token=token)

    customer.refresh_from_db()
    assert customer.address_status == Status.PENDING
    messages = [str(m) for m in client.get(response.url).context["messages"]]
    assert messages == [f"The address of customer {customer.account_number} no longer needs review (it is "
                        "pending now)."]


def test_another_companys_customer_is_a_404(client, user, other_company):
    foreign = to_review(other_company)
    client.force_login(user)

    for action in ("accept", "edit", "dismiss"):
        response = decide(client, action, foreign, street="1 A St", city="X", state="IL", postal_code="62701")
        assert response.status_code == 404
    assert client.get(reverse("customers:address_edit", args=[foreign.pk])).status_code == 404
    foreign.refresh_from_db()
    assert (foreign.address_status, foreign.service_address) == (Status.NEEDS_REVIEW, "123 Mian Street")


def test_decisions_are_posts_with_a_csrf_token(company):
    customer = to_review(company)
    user = UserFactory(company=company, username="bob")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)

    refused = decide(client, "accept", customer)
    assert refused.status_code == 403
    assert client.get(reverse("customers:address_accept", args=[customer.pk])).status_code == 405
    assert client.get(reverse("customers:address_dismiss", args=[customer.pk])).status_code == 405

    page = client.get(REVIEW)
    token = page.cookies["csrftoken"].value
    accepted = client.post(reverse("customers:address_accept", args=[customer.pk]),
                           {"token": review_token(customer), "csrfmiddlewaretoken": token})
    assert accepted.status_code == 302
    assert address_of(customer)[0] == "123 Main St"


def test_without_a_google_maps_key_the_page_says_what_happens_instead(client, user, settings):
    settings.GOOGLE_MAPS_API_KEY = ""
    client.force_login(user)

    page = client.get(REVIEW).content.decode()

    assert "no Google Maps key is set (GOOGLE_MAPS_API_KEY)" in page
    assert "only put in the USPS's standard form, offline, and marked \"not verified\"" in page
    assert "Google Maps found no such address, or" not in page


def test_with_a_google_maps_key_the_page_speaks_of_google_maps(client, user, settings):
    settings.GOOGLE_MAPS_API_KEY = "AIzaSyTestKey"
    client.force_login(user)

    page = client.get(REVIEW).content.decode()

    assert "Google Maps found no such address, or" in page
    assert "no Google Maps key is set" not in page
