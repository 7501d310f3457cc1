"""System checks of the claims settings, run by `manage.py check` and at start-up: a misspelt back end would
otherwise be found only when a look-up job starts."""

from django.conf import settings
from django.core import checks

from claims.models import ClaimsSettings


def check_claims_backend(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    if settings.CLAIMS_BACKEND in (ClaimsSettings.Backend.LOCAL, ClaimsSettings.Backend.PAYER):
        return []
    return [
        checks.Error(
            f"CLAIMS_BACKEND is {settings.CLAIMS_BACKEND!r}: claim look-ups have no such back end.",
            hint="Set CLAIMS_BACKEND to local (the local claims store) or payer (the payer's claim-status API).",
            id="claims.E001",
        )
    ]
