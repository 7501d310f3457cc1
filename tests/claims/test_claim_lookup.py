"""The claim look-up service: its declaration, the company's claims settings, and how `look_up` completes each
query with the company's defaults before the local store or the payer answers it."""

import datetime as dt
import sys
import types
from datetime import timedelta
from itertools import count

import pytest
from django.core.exceptions import ValidationError

import claims.import_targets
from claims.import_targets import ClaimLookup
from claims.matching import NOT_FOUND, claim_base
from claims.models import ClaimsSettings
from imports.declare import LookupResult, get_lookup

from .conftest import Context, query


@pytest.fixture
def service() -> ClaimLookup:
    return get_lookup("claim")


@pytest.fixture
def payer(monkeypatch):
    """A stand-in for the payer back end (claims.payer): records what it is asked, answers every query found."""
    calls = []

    def payer_look_up(queries, *, job_key):
        call = {"job_key": job_key, "queries": []}
        calls.append(call)
        for item in queries:
            call["queries"].append(item)
            yield LookupResult(row=item.row, success=True, values={"status": "Pending"})

    monkeypatch.setitem(sys.modules, "claims.payer", types.SimpleNamespace(payer_look_up=payer_look_up))
    return calls


@pytest.fixture
def local_queries(monkeypatch):
    """The queries the local store is handed (it still answers them)."""
    seen = []
    real = claims.import_targets.local_look_up

    def spy(queries, company):
        def recorded():
            for item in queries:
                seen.append(item)
                yield item

        return real(recorded(), company)

    monkeypatch.setattr(claims.import_targets, "local_look_up", spy)
    return seen


def test_the_service_is_registered_with_the_guides_columns(service):
    assert isinstance(service, ClaimLookup)
    assert (service.name, service.verbose_name, service.batch_size) == ("Claim", "claims look-up", 1000)
    assert service.required_columns() == ["claim_number", "first_name", "last_name", "date_of_birth",
                                          "subscriber_id"]
    assert [field.name for field in service.fields if not field.required] == [
        "payer_id", "provider_npi", "service_date_from", "service_date_to"
    ]
    assert list(service.result_columns) == [
        "row", "claim_number", "status", "patient_name", "total_charged", "total_paid", "processed_date",
        "success", "error", "status_code", "payer_claim_number", "paid_date", "check_number", "retryable",
    ]
    assert service.sensitive_fields == {"first_name", "last_name", "patient_name", "date_of_birth",
                                        "subscriber_id"}


def test_the_template_is_the_guides_sample(service):
    assert service.template_rows()[0] == {
        "claim_number": "ZE59426195", "first_name": "CHANTAL", "last_name": "KISA", "date_of_birth": "05/10/1975",
        "subscriber_id": "057896633",
    }


@pytest.mark.parametrize("name", ["claim_number", "first_name", "last_name", "subscriber_id", "payer_id"])
def test_every_text_column_refuses_x12_separators(service, name):
    assert service.fields_by_name[name].clean_or_none("A*B") is None


def test_time_limit_file_size_and_retention_come_from_the_settings(service, settings):
    settings.CLAIMS_JOB_TIME_LIMIT, settings.CLAIMS_RETENTION_DAYS, settings.CLAIMS_MAX_FILE_MB = 90, 7, 3

    assert (service.time_limit(), service.retention_days(), service.max_file_mb()) == (timedelta(seconds=90), 7, 3)


def test_no_time_limit_when_it_is_set_to_zero(service, settings):
    settings.CLAIMS_JOB_TIME_LIMIT = 0

    assert service.time_limit() is None


def test_failed_rows_are_named_by_claim_number_and_the_routes_are_the_guides(service):
    assert (service.identifier, service.api_path) == ("claim_number", "v1/claims")


def test_a_row_that_failed_its_checks_shows_its_own_columns_and_reads_error(service):
    values = {"claim_number": "ZE1", "first_name": "CHANTAL", "last_name": "KISA"}

    assert service.result_base(values) == {**claim_base(values), "status": "Error"} == {
        "claim_number": "ZE1", "patient_name": "CHANTAL KISA", "status": "Error"
    }


@pytest.mark.django_db
def test_a_company_without_claims_settings_has_the_defaults(company, settings):
    settings.CLAIMS_BACKEND = "payer"

    claims_settings = ClaimsSettings.for_company(company)

    assert claims_settings.pk is None
    assert (claims_settings.backend, claims_settings.backend_name, claims_settings.service_lookback_days) == (
        "", "payer", 365
    )
    assert (claims_settings.default_payer_id, claims_settings.default_provider_npi) == ("", "")


@pytest.mark.django_db
def test_saved_claims_settings_choose_the_back_end_over_the_environment(company, other_company, settings):
    settings.CLAIMS_BACKEND = "payer"
    ClaimsSettings.objects.create(company=company, backend="local", service_lookback_days=30)

    ours, theirs = ClaimsSettings.for_company(company), ClaimsSettings.for_company(other_company)

    assert (ours.pk is not None, ours.backend_name, ours.service_lookback_days) == (True, "local", 30)
    assert theirs.backend_name == "payer"


@pytest.mark.django_db
def test_claims_settings_refuse_a_bad_npi_and_x12_separators(company):
    with pytest.raises(ValidationError) as caught:
        ClaimsSettings(company=company, default_provider_npi="1234567890", default_payer_id="6*54").full_clean()

    assert set(caught.value.message_dict) == {"default_provider_npi", "default_payer_id"}
    ClaimsSettings(company=company, default_provider_npi="1234567893", default_payer_id="60054").full_clean()


@pytest.mark.django_db
def test_the_local_store_gets_the_companys_payer_and_npi_but_no_service_dates(
    company, store_claim, service, local_queries
):
    store_claim(payer_id="60054")
    ClaimsSettings.objects.create(company=company, default_payer_id="62308", default_provider_npi="1234567893")

    defaulted, own = service.look_up([query(row=1), query(row=2, payer_id="60054")], Context(company))

    assert (defaulted.success, defaulted.error, own.success) == (False, NOT_FOUND, True)
    assert [(item.values["payer_id"], item.values["provider_npi"]) for item in local_queries] == [
        ("62308", "1234567893"), ("60054", "1234567893")
    ]
    assert not any("service_date_from" in item.values for item in local_queries)


@pytest.mark.django_db
def test_without_defaults_the_local_store_gets_the_queries_as_they_are(company, store_claim, service,
                                                                       local_queries):
    store_claim()
    given = query()

    [result] = service.look_up([given], Context(company))

    assert result.success
    assert local_queries == [given]


@pytest.mark.django_db
def test_the_payer_gets_service_dates_back_from_the_jobs_day(company, service, payer):
    ClaimsSettings.objects.create(company=company, backend="payer", service_lookback_days=30,
                                  default_provider_npi="1234567893")
    queries = [query(row=1), query(row=2, service_date_from=dt.date(2025, 1, 2), provider_npi="1245319599")]

    results = list(service.look_up(queries, Context(company, today=dt.date(2025, 10, 10), job_id=42)))

    assert [result.row for result in results] == [1, 2]
    [call] = payer
    assert call["job_key"] == "42"
    first, second = (item.values for item in call["queries"])
    assert (first["service_date_from"], first["service_date_to"], first["provider_npi"]) == (
        dt.date(2025, 9, 10), dt.date(2025, 10, 10), "1234567893"
    )
    assert (second["service_date_from"], second["service_date_to"], second["provider_npi"]) == (
        dt.date(2025, 1, 2), dt.date(2025, 10, 10), "1245319599"
    )
    assert "payer_id" not in first  # no default payer: the query keeps none


@pytest.mark.django_db
def test_the_environment_sends_companies_without_settings_to_the_payer(company, service, payer, settings):
    settings.CLAIMS_BACKEND = "payer"

    [result] = service.look_up([query()], Context(company))

    assert result.success
    assert len(payer) == 1


@pytest.mark.django_db
@pytest.mark.parametrize("backend", ["local", "payer"])
def test_queries_are_consumed_lazily(company, store_claim, service, payer, backend):
    store_claim()
    ClaimsSettings.objects.create(company=company, backend=backend)
    taken = count()

    def endless():
        for row in count(1):
            next(taken)
            yield query(row=row)

    results = service.look_up(endless(), Context(company))
    first = next(results)

    assert first.success
    assert next(taken) <= service.batch_size
    results.close()


@pytest.mark.django_db
def test_an_unknown_back_end_is_refused_before_any_look_up(company, service, settings):
    settings.CLAIMS_BACKEND = "payr"

    with pytest.raises(ValueError, match="CLAIMS_BACKEND must be local or payer"):
        service.look_up([query()], Context(company))


def test_a_company_asking_a_payer_gets_smaller_chunks(service, company, other_company, settings):
    """A payer answers a few claims a second: its jobs are cut finer, so a chunk ends well within a task's time
    limit and several workers share the job."""
    settings.CLAIMS_BACKEND = "local"
    ClaimsSettings.objects.create(company=company, backend="payer")

    assert service.chunk_rows_for(company) == 1000
    assert service.chunk_rows_for(other_company) == service.chunk_rows == 5000
