"""The import target a page's address names, or a 404 that says nothing by that name can be imported."""

from django.http import Http404

from imports.declare.targets import ImportTarget, get_target


def target_or_404(name: str) -> ImportTarget:
    try:
        return get_target(name)
    except KeyError:
        raise Http404(f"Nothing named {name} can be imported.") from None
