"""The client's address as the audit trail records it."""

import ipaddress

from django.http import HttpRequest

from companies.addresses import client_address


def audit_address(request: HttpRequest) -> str | None:
    """The client's address (behind NUM_PROXIES proxies, the one the farthest proxy saw); None when it is no IP
    address, which a client behind a proxy could otherwise write into the audit trail."""
    address = client_address(request)
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return None
