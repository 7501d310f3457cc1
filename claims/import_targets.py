"""Claims, declared to the core twice: as an import target (Claim, filling a company's local claims store) and as
a look-up service (claim look-ups: a file of claim queries answered with a file of results)."""

from collections.abc import Iterable, Iterator
from datetime import timedelta
from typing import Any

from django.conf import settings

from claims.fields import (
    ClaimDateField,
    MoneyField,
    NPIField,
    StatusCodeField,
    StatusWordField,
    SubscriberIdField,
    X12TextField,
)
from claims.local_store import BATCH_SIZE, local_look_up
from claims.matching import claim_base
from claims.models import Claim, ClaimsSettings
from claims.statuses import StatusWord, category_verdict
from imports.declare import (
    ImportTarget,
    LookupContext,
    LookupQuery,
    LookupResult,
    LookupService,
    lookup_register,
    register,
)

# The guide's sample patients.
CHANTAL = {"claim_number": "ZE59426195", "first_name": "CHANTAL", "last_name": "KISA", "date_of_birth": "05/10/1975",
           "subscriber_id": "057896633"}
JOHN = {"claim_number": "ZE59426196", "first_name": "JOHN", "last_name": "DOE", "date_of_birth": "01/15/1980",
        "subscriber_id": "123456789"}


def _patient_fields() -> tuple:
    """The columns that say which claim of which patient: the guide's five, in its order."""
    return (
        X12TextField("claim_number", required=True, max_length=50,
                     synonyms=["claim", "claim no", "claim #", "claim id", "claim number"], example="ZE59426195"),
        X12TextField("first_name", required=True, max_length=35,
                     synonyms=["first", "fname", "patient first name", "given name"], example="CHANTAL"),
        X12TextField("last_name", required=True, max_length=60,
                     synonyms=["last", "lname", "patient last name", "surname"], example="KISA"),
        ClaimDateField("date_of_birth", required=True, synonyms=["dob", "birth date", "birthdate", "patient dob"],
                       example="05/10/1975"),
        SubscriberIdField("subscriber_id", label="Subscriber ID", required=True, max_length=80,
                          synonyms=["subscriber", "member id", "member number", "insurance id", "subscriber number"],
                          example="057896633"),
    )


def _payer_id_field() -> X12TextField:
    return X12TextField("payer_id", max_length=80, synonyms=["payer", "payer code"])


def _service_date_fields() -> tuple:
    return (
        ClaimDateField("service_date_from", synonyms=["date of service", "dos", "service date", "dos from"]),
        ClaimDateField("service_date_to", synonyms=["dos to", "service date to"]),
    )


@register
class ClaimTarget(ImportTarget):
    """The local claims store: claims as their payers reported them, which claim look-ups read."""

    name = "Claim"
    verbose_name_plural = "claims"
    model = Claim
    api_path = "claims"
    key = "claim_number"
    key_label = "claim number"
    sensitive_fields = frozenset({"first_name", "last_name", "date_of_birth", "subscriber_id"})
    example_rows = (
        {**CHANTAL, "payer_id": "60054", "status": "Finalized", "status_code": "F1", "total_charged": "720.00",
         "total_paid": "351.00", "processed_date": "08/08/2025", "payer_claim_number": "E12345678",
         "check_number": "CHK100234", "service_date_from": "07/14/2025", "service_date_to": "07/14/2025",
         "paid_date": "08/12/2025"},
        {**JOHN, "payer_id": "60054", "status": "Pending", "status_code": "P1", "total_charged": "500.00",
         "total_paid": "0.00", "processed_date": "08/10/2025", "payer_claim_number": "E12345679",
         "check_number": "", "service_date_from": "07/21/2025", "service_date_to": "07/21/2025", "paid_date": ""},
    )
    fields = (
        *_patient_fields(),
        _payer_id_field(),
        StatusWordField("status", synonyms=["claim status"], help_text="Taken from status_code when blank."),
        StatusCodeField("status_code", synonyms=["category code", "status category", "claim status code"]),
        MoneyField("total_charged", synonyms=["charged", "billed", "total billed", "charge amount"]),
        MoneyField("total_paid", synonyms=["paid", "paid amount", "payment amount"]),
        ClaimDateField("processed_date", synonyms=["processed", "adjudication date", "adjudicated"]),
        X12TextField("payer_claim_number", max_length=50, synonyms=["payer claim id", "icn", "payer icn"]),
        X12TextField("check_number", max_length=50, synonyms=["check", "check no", "eft number", "trace number"]),
        *_service_date_fields(),
        ClaimDateField("paid_date", synonyms=["payment date", "check date"]),
    )

    def check_rows(self, plans, context):
        """A status left blank is the status code's word; a status that contradicts its code fails the row."""
        words = set(Claim.Status.values)
        for plan in plans:
            code = plan.values.get("status_code")
            if code is None:
                continue
            word = str(category_verdict(code).word)
            given = plan.values.get("status")
            if given is None:
                if word in words:
                    plan.values["status"] = word
            elif given != word:
                plan.fail("status", f"{self.label_of('status')} does not agree with {self.phrase_of('status_code')}: "
                                    f"leave {self.phrase_of('status')} blank to take the code's")


@lookup_register
class ClaimLookup(LookupService):
    """Claim look-ups: each row names a claim and its patient; the result says the claim's status, amounts and
    dates, or why it could not be given."""

    name = "Claim"
    verbose_name = "claims look-up"
    fields = (
        *_patient_fields(),
        _payer_id_field(),
        NPIField("provider_npi", label="Provider NPI", synonyms=["npi", "provider", "rendering npi", "billing npi"]),
        *_service_date_fields(),
    )
    result_columns = (
        "row", "claim_number", "status", "patient_name", "total_charged", "total_paid", "processed_date",
        "success", "error", "status_code", "payer_claim_number", "paid_date", "check_number", "retryable",
    )
    sensitive_fields = frozenset({"first_name", "last_name", "patient_name", "date_of_birth", "subscriber_id"})
    identifier = "claim_number"
    api_path = "v1/claims"  # the guide's /api/v1/claims/bulk/upload/ and /api/v1/claims/csv-jobs/
    batch_size = BATCH_SIZE
    example_rows = (CHANTAL, JOHN)

    def chunk_rows_for(self, company) -> int:
        # A payer answers a few claims a second: a chunk of a thousand takes minutes, well within a task's time
        # limit, and several workers share a long job; the local store answers thousands a second.
        if ClaimsSettings.for_company(company).backend_name == ClaimsSettings.Backend.PAYER:
            return 1000
        return self.chunk_rows

    def time_limit(self) -> timedelta | None:
        seconds = settings.CLAIMS_JOB_TIME_LIMIT
        return timedelta(seconds=seconds) if seconds > 0 else None

    def max_file_mb(self) -> int:
        return settings.CLAIMS_MAX_FILE_MB

    def retention_days(self) -> int | None:
        return settings.CLAIMS_RETENTION_DAYS

    def result_base(self, values: dict[str, Any]) -> dict[str, str]:
        # The core gives these columns to a row that failed its checks: its status reads Error, as every
        # failure's does (a look-up's own result puts its status in their place).
        return {**claim_base(values), "status": str(StatusWord.ERROR)}

    def look_up(self, queries: Iterable[LookupQuery], context: LookupContext) -> Iterator[LookupResult]:
        """Each query completed with the company's defaults, looked up where the company's claims settings say:
        the local claims store, or the payer's API."""
        claims_settings = ClaimsSettings.for_company(context.company)
        backend = claims_settings.backend_name
        if backend not in (ClaimsSettings.Backend.LOCAL, ClaimsSettings.Backend.PAYER):
            raise ValueError(f"Unknown claims back end {backend!r}: CLAIMS_BACKEND must be local or payer")
        defaults = {"payer_id": claims_settings.default_payer_id,
                    "provider_npi": claims_settings.default_provider_npi}
        if backend == ClaimsSettings.Backend.PAYER:
            # A payer asks which service dates a claim is for; the local store knows claims by number alone.
            lookback = timedelta(days=claims_settings.service_lookback_days)
            defaults.update(service_date_from=context.today - lookback, service_date_to=context.today)
        defaults = {name: value for name, value in defaults.items() if value}
        completed = (_with_defaults(query, defaults) for query in queries)
        if backend == ClaimsSettings.Backend.LOCAL:
            return local_look_up(completed, context.company)
        from claims.payer import payer_look_up  # the HTTP client, loaded only by companies that ask payers

        return payer_look_up(completed, job_key=str(context.job_id))


def _with_defaults(query: LookupQuery, defaults: dict[str, Any]) -> LookupQuery:
    missing = {name: value for name, value in defaults.items() if query.values.get(name) is None}
    return LookupQuery(query.row, {**query.values, **missing}) if missing else query
