"""What every page's navigation needs: a link to each registered look-up service's page."""

from imports.declare.lookups import all_lookups
from imports.web.lookups import lookup_url


def lookup_links(request) -> dict:
    if not request.user.is_authenticated:
        return {}
    return {"lookup_links": [
        {"title": service.verbose_name[:1].upper() + service.verbose_name[1:], "url": lookup_url(service)}
        for service in all_lookups()
    ]}
