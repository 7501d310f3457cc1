"""What a person decides about an address that needs review.

Accept: the suggestion becomes the service address; verified. Edit: the address the person types becomes the
service address (its standard form beside it); verified, since a person vouches for it and asking Google again
would only send it back for review. Keep as entered (dismiss): the address stays as the customer gave it, with its
offline standard form beside it; not verified, since nobody could confirm it, and the note says who kept it. It
is not listed for review again unless an import changes it.

A billing address that was the same as the service address (the import's default) follows the service address.
Each decision applies to what the person saw: if the address was checked again since the page was shown, the
decision is refused with a `ReviewConflict`.
"""

import hashlib

from django.db import transaction
from django.utils import timezone

from companies.models import Company, User

from .models import BILLING_ADDRESS_FIELDS, SERVICE_ADDRESS_FIELDS, STANDARDIZED_ADDRESS_FIELDS, Customer
from .standardizing import PostalAddress, standardize_address

Status = Customer.AddressStatus



class ReviewConflict(Exception):
    """The decision cannot apply: the address is no longer the one the person saw, or there is nothing to accept."""


def address_entered(customer: Customer) -> PostalAddress:
    return PostalAddress(*(getattr(customer, name) for name in SERVICE_ADDRESS_FIELDS))


def address_suggested(customer: Customer) -> PostalAddress | None:
    if not customer.has_suggestion:
        return None
    return PostalAddress(*(getattr(customer, name) for name in STANDARDIZED_ADDRESS_FIELDS))


def review_token(customer: Customer) -> str:
    """A fingerprint of what the review page shows for the customer, sent back with each decision."""
    shown = [
        customer.address_status,
        *(getattr(customer, name) for name in SERVICE_ADDRESS_FIELDS + STANDARDIZED_ADDRESS_FIELDS),
    ]
    return hashlib.sha256("\x1f".join(shown).encode()).hexdigest()[:16]


def address_accept(*, company: Company, customer_id: int, user: User, token: str) -> Customer:
    with transaction.atomic():
        customer = _customer_to_review(company, customer_id, token)
        suggestion = address_suggested(customer)
        if suggestion is None:
            raise ReviewConflict(
                f"Google Maps suggested no address for customer {customer.account_number}: "
                "edit the address or keep it as entered."
            )
        return _decide(customer, address=suggestion, status=Status.VERIFIED,
                       note=f"Suggestion accepted by {user.username}")


def address_edit(*, company: Company, customer_id: int, user: User, token: str, address: PostalAddress) -> Customer:
    with transaction.atomic():
        customer = _customer_to_review(company, customer_id, token)
        return _decide(customer, address=address, status=Status.VERIFIED, note=f"Address entered by {user.username}")


def address_dismiss(*, company: Company, customer_id: int, user: User, token: str) -> Customer:
    with transaction.atomic():
        customer = _customer_to_review(company, customer_id, token)
        return _decide(customer, address=address_entered(customer), status=Status.NOT_VERIFIED,
                       note=f"Kept as entered by {user.username}")


def _customer_to_review(company: Company, customer_id: int, token: str) -> Customer:
    customer = Customer.objects.select_for_update().filter(company=company, pk=customer_id).first()
    if customer is None:
        raise Customer.DoesNotExist(f"Company {company.pk} has no customer {customer_id}.")
    if customer.address_status != Status.NEEDS_REVIEW:
        raise ReviewConflict(
            f"The address of customer {customer.account_number} no longer needs review "
            f"(it is {customer.get_address_status_display().lower()} now)."
        )
    if token != review_token(customer):
        raise ReviewConflict(
            f"The address of customer {customer.account_number} was checked again since this page was shown: "
            "look at it again."
        )
    return customer


def _decide(customer: Customer, *, address: PostalAddress, status: str, note: str) -> Customer:
    entered = address_entered(customer)
    billing = tuple(getattr(customer, name) for name in BILLING_ADDRESS_FIELDS)
    changed = [*SERVICE_ADDRESS_FIELDS, *STANDARDIZED_ADDRESS_FIELDS, "address_status", "address_note",
               "address_checked_at", "updated_at"]
    new_values = (address.street, address.city, address.state, address.postal_code)
    for name, value in zip(SERVICE_ADDRESS_FIELDS, new_values, strict=True):
        setattr(customer, name, value)
    if billing == (entered.street, entered.city, entered.state, entered.postal_code):
        for name, value in zip(BILLING_ADDRESS_FIELDS, new_values, strict=True):
            setattr(customer, name, value)
        changed += BILLING_ADDRESS_FIELDS
    standard = standardize_address(address)
    for name, value in zip(STANDARDIZED_ADDRESS_FIELDS, (standard.street, standard.city, standard.state,
                                                 standard.postal_code), strict=True):
        setattr(customer, name, value)
    customer.address_status = status
    customer.address_note = note
    customer.address_checked_at = timezone.now()
    customer.save(update_fields=changed)
    return customer
