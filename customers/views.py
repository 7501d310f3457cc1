"""The address review page: the company's customers whose service address needs a person's decision.

Every customer is looked up through the user's company: another company's customer is a 404.
"""

from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from . import selectors, services
from .forms import AddressForm
from .geocoding import geocoding_enabled
from .models import Customer
from .standardizing import PostalAddress, city_key

PER_PAGE = 25


@dataclass
class ReviewRow:
    customer: Customer
    entered: PostalAddress
    suggested: PostalAddress | None
    token: str
    form: AddressForm

    @property
    def changed(self) -> dict[str, bool]:
        """Which parts of the suggestion differ from what was entered, to highlight them."""
        if self.suggested is None:
            return {}
        entered, suggested = self.entered, self.suggested
        return {
            "street": entered.street.upper() != suggested.street.upper(),
            "city": city_key(entered.city) != city_key(suggested.city),
            "state": entered.state != suggested.state,
            "postal_code": entered.postal_code != suggested.postal_code,
        }


def _row(customer: Customer, form: AddressForm | None = None) -> ReviewRow:
    entered, suggested = services.address_entered(customer), services.address_suggested(customer)
    start = suggested or entered
    initial = {"street": start.street, "city": start.city, "state": start.state, "postal_code": start.postal_code}
    return ReviewRow(
        customer=customer, entered=entered, suggested=suggested, token=services.review_token(customer),
        form=form or AddressForm(initial=initial, customer_id=customer.pk),
    )


def _back_to_list(request):
    """The review list, on the page the decision was taken from."""
    url = reverse("customers:address_review")
    page = request.POST.get("page", "")
    return redirect(f"{url}?page={page}" if page.isdigit() and page != "1" else url)


@login_required
def address_review(request):
    customers = selectors.customers_needing_review(company=request.user.company)
    page = Paginator(customers, PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "customers/address_review.html", {
        "page": page, "rows": [_row(customer) for customer in page],
        "geocoding": geocoding_enabled(),  # the page says what verification does, with or without a key
    })


@login_required
@require_POST
def address_accept(request, customer_id: int):
    customer = selectors.customer_get(company=request.user.company, customer_id=customer_id)
    try:
        customer = services.address_accept(company=request.user.company, customer_id=customer.pk, user=request.user,
                                           token=request.POST.get("token", ""))
    except services.ReviewConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, f"Customer {customer.account_number}: the suggested address "
                                  f"{services.address_entered(customer).one_line()} is now on file.")
    return _back_to_list(request)


@login_required
def address_edit(request, customer_id: int):
    """Type the address; shown on a page of its own when the review list's form had errors (or without it)."""
    customer = selectors.customer_get(company=request.user.company, customer_id=customer_id)
    if request.method != "POST":
        if customer.address_status != Customer.AddressStatus.NEEDS_REVIEW:
            messages.info(request, f"The address of customer {customer.account_number} does not need review.")
            return redirect("customers:address_review")
        row = _row(customer)
        return render(request, "customers/address_edit.html", {"row": row, "token": row.token, "page_number": ""})
    form = AddressForm(request.POST, customer_id=customer.pk)
    if form.is_valid():
        try:
            customer = services.address_edit(company=request.user.company, customer_id=customer.pk,
                                             user=request.user, token=request.POST.get("token", ""),
                                             address=form.address)
        except services.ReviewConflict as conflict:
            messages.error(request, str(conflict))
        else:
            messages.success(request, f"Customer {customer.account_number}: the address "
                                      f"{services.address_entered(customer).one_line()} is now on file.")
        return _back_to_list(request)
    # The token the person's page carried, not a fresh one: the decision still applies only to what they saw.
    return render(request, "customers/address_edit.html", {
        "row": _row(customer, form), "token": request.POST.get("token", ""),
        "page_number": request.POST.get("page", ""),
    })


@login_required
@require_POST
def address_dismiss(request, customer_id: int):
    customer = selectors.customer_get(company=request.user.company, customer_id=customer_id)
    try:
        customer = services.address_dismiss(company=request.user.company, customer_id=customer.pk,
                                            user=request.user, token=request.POST.get("token", ""))
    except services.ReviewConflict as conflict:
        messages.error(request, str(conflict))
    else:
        messages.success(request, f"Customer {customer.account_number}: the address is kept as entered "
                                  f"({services.address_entered(customer).one_line()}), not verified.")
    return _back_to_list(request)
