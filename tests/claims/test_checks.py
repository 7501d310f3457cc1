"""`manage.py check` refuses a claims back end that does not exist."""

from claims.checks import check_claims_backend


def test_the_known_back_ends_pass(settings):
    for backend in ("local", "payer"):
        settings.CLAIMS_BACKEND = backend
        assert check_claims_backend() == []


def test_a_misspelt_back_end_is_an_error(settings):
    settings.CLAIMS_BACKEND = "payr"

    [error] = check_claims_backend()

    assert (error.id, error.msg) == ("claims.E001", "CLAIMS_BACKEND is 'payr': claim look-ups have no such back end.")
