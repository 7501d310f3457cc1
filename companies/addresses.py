"""The address a request comes from, as the API's throttles and the sign-in lock-out count it."""

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str:
    """The client's address: the connection's own, or, behind NUM_PROXIES proxies that each append the address they
    saw to X-Forwarded-For, the entry the farthest of them wrote.

    Entries further left were written by the client and are ignored: trusting them would let one client take a new
    address, and so a fresh allowance, with every request.
    """
    proxies = settings.NUM_PROXIES
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if proxies and forwarded:
        return forwarded[-min(proxies, len(forwarded))]
    return request.META.get("REMOTE_ADDR", "")
