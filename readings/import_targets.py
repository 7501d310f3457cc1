"""Meter readings as an import target, with the rules of the FlowTrack guide's "Meter Reading Import".

A reading belongs to the company's customer with the row's account number, on that customer's meter; a meter has
one reading a day (the key is the meter and the day). Each reading stores its consumption since the meter's
previous reading; a reading below the previous one is imported with a warning (a roll-over or a misread).
"""

from bisect import bisect_left
from collections import defaultdict
from decimal import Decimal
from itertools import pairwise

from django.db import connection
from django.db.models import F

from customers.models import Customer
from imports.declare import (
    ChoiceField,
    DateField,
    DecimalField,
    ImportField,
    ImportTarget,
    Outcome,
    register,
    stored_rows,
)

from .consumption import (
    Reading,
    consumption_between,
    consumption_recompute,
    consumption_recompute_meters,
    neighbours_fetch,
)
from .models import MeterReading

WRITTEN = (Outcome.CREATED, Outcome.UPDATED)


@register
class MeterReadingTarget(ImportTarget):
    name = "MeterReading"
    verbose_name_plural = "meter readings"
    model = MeterReading
    api_path = "readings"  # the FlowTrack guide's /api/readings/import
    key = "reading_key"
    key_parts = ("meter_number", "reading_date")
    key_label = "meter reading"
    depends_on = ("Customer",)
    example_rows = (  # the reading template of the guide
        {"account_number": "1234567890", "meter_number": "MTR-001234", "reading_date": "2024-01-15",
         "reading_value": "12345", "reading_type": "manual", "notes": "Clear access"},
        {"account_number": "1234567891", "meter_number": "MTR-001235", "reading_date": "2024-01-15",
         "reading_value": "23456", "reading_type": "manual", "notes": "Dog on premises"},
    )
    fields = (
        ImportField("account_number", required=True, max_length=20,
                    synonyms=["account", "account no", "account #", "acct", "acct no", "customer account"],
                    help_text="The account number of one of your customers.", example="1234567890"),
        ImportField("meter_number", required=True, max_length=50,
                    synonyms=["meter", "meter id", "meter no", "meter serial", "meter serial no"],
                    help_text="The customer's meter.", example="MTR-001234"),
        DateField("reading_date", required=True, synonyms=["date", "read date", "reading day"],
                  help_text="Not in the future.", example="2024-01-15"),
        DecimalField("reading_value", required=True, max_digits=15, decimal_places=3, min_value=Decimal(0),
                     synonyms=["reading", "value", "read", "meter reading"], example="12345"),
        ChoiceField("reading_type", choices=MeterReading.ReadingType, default=MeterReading.ReadingType.MANUAL,
                    synonyms=["type", "read type"], example="manual"),
        ImportField("notes", max_length=500, synonyms=["note", "comments", "reading notes"], example="Clear access"),
    )
    # account_number is the customer's: a reading stores the customer, and is compared through it.
    stored_field_names = [field.name for field in fields] + ["customer", "reading_key", "consumption"]
    read_only_fields = (
        DecimalField("consumption", max_digits=16, decimal_places=3,
                     help_text="The reading minus the meter's previous reading."),
    )

    @property
    def duplicate_message(self) -> str:
        return f"Duplicate reading for this {self.phrase_of('meter_number')} and {self.phrase_of('reading_date')}"

    def unknown_key_message(self, key: str) -> str:
        meter, _at, day = key.rpartition("@")
        return f"No reading of meter {meter} on {day} to update: update mode only changes existing readings"

    def queryset(self, company):
        return MeterReading.objects.filter(company=company).annotate(account_number=F("customer__account_number"))

    def existing_by_key(self, company, keys, names):
        if not keys:
            return {}
        stored = [name for name in names if name != "account_number"]
        rows = self.queryset(company).filter(reading_key__in=keys).order_by().values("pk", "account_number", *stored)
        return {row["reading_key"]: row for row in rows}

    def check_rows(self, plans, context):
        """The reading's day is not in the future, and its account and meter are one customer's."""
        for plan in plans:
            day = plan.values.get("reading_date")
            if day is not None and day > context.today:
                plan.fail("reading_date",
                          f"{self.label_of('reading_date')} {day} is in the future (today is {context.today})")
        accounts = {account for plan in plans if (account := plan.values.get("account_number")) is not None}
        customers = {
            account: (pk, meter)
            for account, pk, meter in stored_rows(
                Customer, company_id=context.company.pk, field="account_number", values=accounts,
                columns=["account_number", "pk", "meter_number"],
            )
        }
        for plan in plans:
            account = plan.values.get("account_number")
            if account is None:
                continue
            if account not in customers:
                plan.fail("account_number",
                          f"Unknown {self.phrase_of('account_number')} '{account}': no customer of yours has it")
                continue
            customer, meter = customers[account]
            plan.values["customer"] = customer
            given = plan.values.get("meter_number")
            if given is None or given == meter:
                continue
            if given.casefold() == meter.casefold():  # the customer's own spelling, so keys match
                plan.values["meter_number"] = meter
                plan.key = plan.values[self.key] = self.compose_key(plan.values)
            else:
                plan.fail("meter_number", f"{self.label_of('meter_number')} {given} is not the meter of account "
                                          f"{account} (the customer's meter is {meter})")

    def check_batch(self, plans, context):
        """Each written reading's consumption since the meter's previous reading, among stored readings and the
        batch's own rows whatever their order; a drop is imported, with a warning."""
        written = [plan for plan in plans if plan.outcome in WRITTEN]
        by_meter = defaultdict(list)
        for plan in written:
            by_meter[plan.values["meter_number"]].append(plan)
        stored = neighbours_fetch(context.company.pk, _days(by_meter))
        for meter, meter_plans in by_meter.items():
            timeline = {reading.day: reading for reading in stored.get(meter, ())}
            for plan in meter_plans:  # the batch's rows replace stored readings of their day
                day = plan.values["reading_date"]
                timeline[day] = Reading(day, plan.values["reading_value"])
            days = sorted(timeline)
            for plan in meter_plans:
                day, value = plan.values["reading_date"], plan.values["reading_value"]
                position = bisect_left(days, day)
                previous = timeline[days[position - 1]] if position else None
                plan.values["consumption"] = consumption = consumption_between(value, previous)
                if plan.outcome is Outcome.UPDATED:
                    changed = [name for name in plan.changed if name != "account_number"]  # stored as customer
                    if plan.existing["consumption"] != consumption:
                        changed.append("consumption")
                    plan.changed = tuple(changed)
                if previous is not None and value < previous.value:
                    plan.warn(
                        f"reading_value {_text(value)} is lower than the meter's previous reading "
                        f"{_text(previous.value)} on {previous.day}: possible meter roll-over or misread "
                        f"(imported, consumption {_text(consumption)})"
                    )

    def after_write(self, plans, context):
        """The stored readings that follow the batch's new ones get their consumption worked out again: a reading
        dated before one already stored changes what that one consumed."""
        by_meter = defaultdict(list)
        for plan in plans:
            if plan.outcome in WRITTEN:
                by_meter[plan.values["meter_number"]].append(plan)
        changes = []
        for timeline in neighbours_fetch(context.company.pk, _days(by_meter)).values():
            for previous, reading in pairwise(timeline):
                consumption = consumption_between(reading.value, previous)
                if reading.consumption != consumption:
                    changes.append((consumption, reading.id))
        if changes:
            table = connection.ops.quote_name(MeterReading._meta.db_table)
            with connection.cursor() as cursor:
                cursor.executemany(f"UPDATE {table} SET consumption = %s WHERE id = %s", changes)

    def undo_scope(self, company_id, record_ids):
        """The meters of the readings an undo deletes or restores: their other readings' consumption changes."""
        return set(
            MeterReading.objects.filter(company_id=company_id, pk__in=record_ids)
            .values_list("meter_number", flat=True).distinct()
        )

    def after_undo(self, company_id, scope):
        consumption_recompute_meters(company_id, scope)

    def after_import(self, job):
        """Chunks of one job that ran at once on several workers could not see each other's readings: once the
        whole job is in, every consumption of the meters it touched is put right."""
        consumption_recompute(job.company_id, changed_since=job.started_at)


def _days(by_meter: dict) -> dict:
    return {meter: [plan.values["reading_date"] for plan in plans] for meter, plans in by_meter.items()}


def _text(value: Decimal) -> str:
    return format(value.normalize(), "f")
