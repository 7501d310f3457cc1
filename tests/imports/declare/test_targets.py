import pytest

from customers.import_targets import CustomerTarget
from customers.models import Customer
from imports.declare.fields import ImportField
from imports.declare.targets import AlreadyRegistered, ImportTarget, get_target, register


def test_a_second_target_of_one_name_in_another_case_is_refused_naming_both_classes(registry):
    class ShadowCustomers(ImportTarget):
        name = "CUSTOMER"
        model = Customer
        key = "account_number"
        fields = (ImportField("account_number"),)

    with pytest.raises(AlreadyRegistered) as refusal:
        register(ShadowCustomers)

    message = str(refusal.value)
    assert "'CUSTOMER'" in message
    assert "ShadowCustomers" in message
    assert "customers.import_targets.CustomerTarget" in message
    assert type(get_target("customer")) is CustomerTarget


def test_a_target_of_a_new_name_is_registered(registry):
    class Widgets(ImportTarget):
        name = "Widget"
        model = Customer
        key = "account_number"
        fields = ()

    assert register(Widgets) is Widgets
    assert type(get_target("widget")) is Widgets
