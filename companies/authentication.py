from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """DRF token authentication with the header integrators expect: `Authorization: Bearer <key>`."""

    keyword = "Bearer"
