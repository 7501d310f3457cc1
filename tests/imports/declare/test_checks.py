"""Each wrong declaration of a target fails `manage.py check`, naming the target and what is wrong. The models are
throwaway ones (isolate_apps), and the targets are in the registry for one test only (the `registry` fixture)."""

import pytest
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import models
from django.db.models import F
from django.test.utils import isolate_apps

from companies.models import Company
from imports.declare.fields import ImportField
from imports.declare.targets import ImportTarget, register

UNIQUE_CODE = {"unique_together": [("company", "code")]}


def widget_model(*, company="company", code=True, colour=True, **meta) -> type[models.Model]:
    """A throwaway Widget model: a foreign key to the company (named `company`), a code and a colour."""
    attributes = {
        "__module__": __name__,
        company: models.ForeignKey(Company, on_delete=models.CASCADE),
        "Meta": type("Meta", (), {"app_label": "imports", **meta}),
    }
    if code:
        attributes["code"] = models.CharField(max_length=20, blank=True)
    if colour:
        attributes["colour"] = models.CharField(max_length=20)
    return type("Widget", (models.Model,), attributes)


def declare(model, *, fields=("code", "colour"), **attributes) -> type[ImportTarget]:
    """Register a Widget target of `model`, keyed by its code."""
    return register(type("WidgetTarget", (ImportTarget,), {
        "name": "Widget", "verbose_name_plural": "widgets", "model": model, "key": "code",
        "fields": tuple(ImportField(field) for field in fields), **attributes,
    }))


def check_refusal() -> str:
    with pytest.raises(SystemCheckError) as refusal:
        call_command("check")
    return str(refusal.value)


def test_the_declared_targets_pass_the_checks():
    call_command("check")


@isolate_apps("imports")
def test_a_well_declared_target_passes(registry):
    # Blank codes are left out of the constraint: imports never write a blank key.
    blank_codes_apart = models.UniqueConstraint(fields=["company", "code"], condition=~models.Q(code=""),
                                                name="uniq_widget_code")

    class WidgetTarget(ImportTarget):
        name = "Widget"
        model = widget_model(constraints=[blank_codes_apart])
        key = "code"
        fields = (ImportField("code"), ImportField("colour"), ImportField("maker"))
        api_path = "widgets"

        def queryset(self, company):  # the maker is kept on another record, read under the field's name
            return super().queryset(company).annotate(maker=F("company__name"))

    register(WidgetTarget)

    call_command("check")


@isolate_apps("imports")
def test_a_model_without_a_company_foreign_key_fails_the_check(registry):
    declare(widget_model(company="owner", unique_together=[("owner", "code")]))

    message = check_refusal()
    assert "(imports.E001) Import target Widget: imports.Widget has no ForeignKey named 'company'" in message


@isolate_apps("imports")
def test_a_key_that_is_no_field_of_the_model_fails_the_check(registry):
    declare(widget_model(code=False), fields=("colour",))

    assert "(imports.E002) Import target Widget: its key 'code' is no field of imports.Widget" in check_refusal()


@isolate_apps("imports")
def test_a_key_not_unique_within_a_company_fails_the_check(registry):
    # Unique only among red widgets: a widget of another colour could repeat a code.
    red_only = models.UniqueConstraint(fields=["company", "code"], condition=models.Q(colour="red"),
                                       name="uniq_red_widget_code")
    declare(widget_model(constraints=[red_only]))

    message = check_refusal()
    assert "(imports.E003) Import target Widget: imports.Widget has no unique constraint on (company, code)" in message


@isolate_apps("imports")
def test_unique_together_on_company_and_key_passes(registry):
    declare(widget_model(**UNIQUE_CODE))

    call_command("check")


@isolate_apps("imports")
def test_a_stored_field_missing_from_the_model_fails_the_check(registry):
    declare(widget_model(colour=False, **UNIQUE_CODE))

    message = check_refusal()
    assert ("(imports.E004) Import target Widget: the field 'colour' is compared with stored records "
            "(stored_field_names), but imports.Widget has no field 'colour'") in message


@isolate_apps("imports")
def test_a_field_left_out_of_the_stored_fields_need_not_be_on_the_model(registry):
    declare(widget_model(colour=False, **UNIQUE_CODE), stored_field_names=["code"])

    call_command("check")


@isolate_apps("imports")
def test_two_targets_of_one_api_path_fail_the_check(registry):
    declare(widget_model(**UNIQUE_CODE), api_path="customers")

    message = check_refusal()
    assert "(imports.E005) Import targets Customer, Widget declare one API path 'customers'" in message


@isolate_apps("imports")
def test_a_target_on_the_generic_api_path_fails_the_check(registry):
    declare(widget_model(**UNIQUE_CODE), api_path="imports")

    assert "(imports.E006) Import target Widget: the API path 'imports' is the generic" in check_refusal()
