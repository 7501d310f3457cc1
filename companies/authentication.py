from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed

from .throttling import FailedAuthenticationThrottle


class BearerTokenAuthentication(TokenAuthentication):
    """DRF token authentication with the header integrators expect: `Authorization: Bearer <key>`.

    An address that sent too many wrong tokens is refused (429) before its token is even looked up, and every wrong
    token counts against its address (see FailedAuthenticationThrottle).
    """

    keyword = "Bearer"

    def authenticate(self, request):
        failures = FailedAuthenticationThrottle()
        failures.check(request)
        try:
            return super().authenticate(request)
        except AuthenticationFailed:
            failures.failure_record()
            raise
