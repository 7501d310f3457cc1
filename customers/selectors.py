"""Reads of customers, always scoped to one company."""

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from companies.models import Company

from .models import Customer


def customers_needing_review(*, company: Company) -> QuerySet[Customer]:
    """The company's customers whose service address a person must look at, by account number."""
    return Customer.objects.filter(company=company, address_status=Customer.AddressStatus.NEEDS_REVIEW).order_by(
        "account_number"
    )


def customer_get(*, company: Company, customer_id: int) -> Customer:
    """The company's customer `customer_id`; another company's customer is a 404, like one that does not exist."""
    return get_object_or_404(Customer.objects.filter(company=company), pk=customer_id)
