from django.apps import AppConfig
from django.core import checks


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        from claims.checks import check_claims_backend

        checks.register(check_claims_backend)
