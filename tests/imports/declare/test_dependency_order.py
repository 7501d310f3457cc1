"""Targets declare which targets they depend on; a restore imports them in that order, found by a topological
sort, and a declaration that names an unknown target, leaves out a column an import needs, or makes a circle fails
`manage.py check`."""

import pytest
from django.core.management import call_command
from django.test.utils import isolate_apps

from imports.declare.targets import DependencyCycle, all_targets, dependency_order, get_target
from tests.imports.declare.test_checks import UNIQUE_CODE, check_refusal, declare, widget_model


def position(order, name: str) -> int:
    return [target.name for target in order].index(name)


def test_every_target_comes_after_the_targets_it_depends_on():
    order = dependency_order()

    assert {target.name for target in order} == {target.name for target in all_targets()}
    for target in order:
        for needed in target.depends_on:
            assert position(order, needed) < position(order, target.name), (needed, target.name)
    assert position(order, "CustomerGroup") < position(order, "Account") < position(order, "Contact")
    assert position(order, "Customer") < position(order, "MeterReading")


def test_the_order_of_some_targets_leaves_out_the_others():
    order = dependency_order([get_target("Contact"), get_target("Claim"), get_target("CustomerGroup")])

    assert [target.name for target in order] == ["Claim", "CustomerGroup", "Contact"]


@isolate_apps("imports")
def test_targets_that_depend_on_each_other_in_a_circle_have_no_order(registry):
    declare(widget_model(**UNIQUE_CODE), depends_on=("Contact",))
    contact = type(get_target("Contact"))

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(contact, "depends_on", ("Widget",))
        with pytest.raises(DependencyCycle, match=r"in a circle \((Widget -> Contact -> Widget|Contact -> Widget "
                                                  r"-> Contact)\)"):
            dependency_order()
        assert "(imports.E009) Import targets depend on each other in a circle" in check_refusal()


@isolate_apps("imports")
def test_depending_on_an_unknown_target_fails_the_check(registry):
    declare(widget_model(**UNIQUE_CODE), depends_on=("Gadget",))

    assert "(imports.E007) Import target Widget: it depends on 'Gadget', which is no registered" in check_refusal()


@isolate_apps("imports")
def test_a_backup_may_leave_out_only_columns_an_import_can_do_without(registry):
    declare(widget_model(**UNIQUE_CODE), backup_omits=("code",))

    assert "(imports.E008) Import target Widget: its backup leaves out 'code', which is a field an import needs" in (
        check_refusal()
    )


@isolate_apps("imports")
def test_a_well_declared_dependency_passes(registry):
    declare(widget_model(**UNIQUE_CODE), depends_on=("Customer",), backup_omits=("colour",))

    call_command("check")
