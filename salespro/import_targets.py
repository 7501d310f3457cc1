"""SalesPro appointments as an import target: the columns of SalesPro's CSV export, keyed by its `_id`.

An export is a snapshot of SalesPro, so importing it again must change nothing, and an older export must never
undo a newer one: a known appointment is updated only when the file's `_updated_at` is newer than the stored one.
Sales reps are SalesPro users known by email (in any case); a rep the company does not know yet is created.
"""

from django.db.models import F
from django.db.models.functions import Lower

from imports.declare import EmailField, ImportField, ImportTarget, Outcome, register, stored_rows

from .fields import IsoDateTimeField, MoneyField, YesNoField
from .models import SalesProAppointment, SalesProUser

# The rep's columns belong to the SalesProUser the appointment points to, not to the appointment itself.
REP_FIELDS = {"salesrep_email": "email", "salesrep_first_name": "first_name", "salesrep_last_name": "last_name"}
WRITTEN = (Outcome.CREATED, Outcome.UPDATED)


@register
class SalesProAppointmentTarget(ImportTarget):
    name = "SalesProAppointment"
    verbose_name_plural = "SalesPro appointments"
    model = SalesProAppointment
    key = "salespro_id"
    key_label = "appointment _id"
    example_rows = (
        {"salespro_id": "Xk3fP9a2Qe", "salespro_created_at": "2025-06-18T14:30:00.000Z",
         "salespro_updated_at": "2025-06-18T16:05:12.000Z", "is_sale": "true",
         "result_full_string": "Sale - Windows (8) - Financing approved", "customer_last_name": "Doe",
         "customer_first_name": "John", "customer_estimate_name": "Doe Residence - Windows",
         "salesrep_email": "ann.rep@example.com", "salesrep_first_name": "Ann", "salesrep_last_name": "Rep",
         "sale_amount": "$12,450.00"},
        {"salespro_id": "Lm7tR2b8Wc", "salespro_created_at": "2025-06-18T15:00:00.000Z",
         "salespro_updated_at": "2025-06-18T15:45:00.000Z", "is_sale": "false",
         "result_full_string": "No Sale - Price - Follow up in 30 days", "customer_last_name": "Smith",
         "customer_first_name": "Jane", "customer_estimate_name": "Smith Residence - Roof",
         "salesrep_email": "ann.rep@example.com", "salesrep_first_name": "Ann", "salesrep_last_name": "Rep",
         "sale_amount": ""},
    )
    fields = (
        ImportField("salespro_id", required=True, max_length=64, synonyms=["_id"],
                    help_text="SalesPro's `_id` of the appointment."),
        IsoDateTimeField("salespro_created_at", column="_created_at"),
        IsoDateTimeField("salespro_updated_at", column="_updated_at",
                         help_text="A known appointment is updated only when this is newer than what is stored."),
        YesNoField("is_sale", column="isSale", default=False),
        ImportField("result_full_string", synonyms=["resultFullString"]),
        ImportField("customer_last_name", max_length=150, synonyms=["customer.nameLast"]),
        ImportField("customer_first_name", max_length=150, synonyms=["customer.nameFirst"]),
        ImportField("customer_estimate_name", max_length=255, synonyms=["customer.estimateName"]),
        EmailField("salesrep_email", synonyms=["salesrep.email"],
                   help_text="The sales rep, a SalesPro user matched by email in any case; created when new."),
        ImportField("salesrep_first_name", max_length=150, synonyms=["salesrep.nameFirst"],
                    help_text="Used when the rep is new."),
        ImportField("salesrep_last_name", max_length=150, synonyms=["salesrep.nameLast"],
                    help_text="Used when the rep is new."),
        MoneyField("sale_amount", column="saleAmount", max_digits=12, decimal_places=2),
    )
    stored_field_names = [field.name for field in fields] + ["sales_rep"]

    def queryset(self, company):
        return SalesProAppointment.objects.filter(company=company).annotate(
            **{name: F(f"sales_rep__{rep_field}") for name, rep_field in REP_FIELDS.items()}
        )

    def existing_by_key(self, company, keys, names):
        """The stored appointments in the core's one look-up a batch (the index probed key by key), and their
        reps' email and names in one more, small, query."""
        if not keys:
            return {}
        columns = ["pk", *(name for name in names if name not in REP_FIELDS)]
        rows = stored_rows(SalesProAppointment, company_id=company.pk, field=self.key, values=keys, columns=columns)
        records = [dict(zip(columns, row, strict=True)) for row in rows]
        reps = _reps_by_id({record["sales_rep"] for record in records if record["sales_rep"] is not None})
        no_rep = dict.fromkeys(REP_FIELDS)
        for record in records:
            record.update(reps.get(record["sales_rep"], no_rep))
        return {record[self.key]: record for record in records}

    def check_batch(self, plans, context):
        """An update is written only when the file's `_updated_at` is newer than the stored one, and then only
        the appointment's own fields and a change of rep (an email in another case is the same rep)."""
        for plan in plans:
            if plan.outcome is not Outcome.UPDATED:
                continue
            stored = plan.existing
            if _not_newer(plan.values.get("salespro_updated_at"), stored["salespro_updated_at"]):
                plan.outcome, plan.changed = Outcome.UNCHANGED, ()
                continue
            changed = [name for name in plan.changed if name not in REP_FIELDS]
            email = plan.values.get("salesrep_email")
            if email is not None and email.lower() != (stored["salesrep_email"] or "").lower():
                changed.append("sales_rep")  # its id is known once the rep exists (before_write)
            plan.changed = tuple(changed)
            if not changed:
                plan.outcome = Outcome.UNCHANGED

    def before_write(self, plans, context):
        """Create the batch's reps the company does not know yet, and point each written row to its rep."""
        with_rep = [plan for plan in plans if plan.outcome in WRITTEN and plan.values.get("salesrep_email")]
        if not with_rep:
            return
        firsts = {}  # a rep's names come from the first row naming the rep
        for plan in with_rep:
            firsts.setdefault(plan.values["salesrep_email"].lower(), plan.values)
        company = context.company
        SalesProUser.objects.bulk_create(
            [
                SalesProUser(
                    company=company, email=values["salesrep_email"],
                    first_name=values.get("salesrep_first_name", ""), last_name=values.get("salesrep_last_name", ""),
                )
                for values in firsts.values()
            ],
            ignore_conflicts=True,  # the reps already known stay as they are
        )
        reps = (
            SalesProUser.objects.filter(company=company).annotate(email_key=Lower("email"))
            .filter(email_key__in=list(firsts)).values_list("email", "pk")
        )
        rep_ids = {email.lower(): pk for email, pk in reps}
        for plan in with_rep:
            rep = rep_ids.get(plan.values["salesrep_email"].lower())
            if rep is None:  # a database that folds case other than Python does: refuse rather than guess
                plan.fail("salesrep_email", f"{self.label_of('salesrep_email')} {plan.values['salesrep_email']} "
                                            "matches no SalesPro user and none could be created")
                plan.outcome = Outcome.FAILED
            else:
                plan.values["sales_rep"] = rep


def _reps_by_id(ids: set[int]) -> dict[int, dict[str, str]]:
    """The rep fields of the reps `ids` ({"salesrep_email": ..., ...} by id), in one query."""
    if not ids:
        return {}
    rows = SalesProUser.objects.filter(pk__in=ids).values_list("pk", *REP_FIELDS.values())
    return {pk: dict(zip(REP_FIELDS, values, strict=True)) for pk, *values in rows}


def _not_newer(given, stored) -> bool:
    """Whether the file's `_updated_at` is known and no newer than the stored one (both known)."""
    return given is not None and stored is not None and given <= stored
