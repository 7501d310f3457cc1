"""How a page masks a sensitive value: enough kept to tell rows apart, never the value, never its length."""

import pytest

from imports.web.masking import mask


@pytest.mark.parametrize(("value", "masked"), [
    ("05/10/1975", "••/••/1975"),
    ("5/1/1975", "••/••/1975"),
    ("1975-05-10", "1975-••-••"),
    ("057896633", "•••••6633"),
    ("W123456789012", "•••••9012"),
    ("1234", "•••••"),
    ("CHANTAL KISA", "C••• K•••"),
    ("José  de la Cruz", "J••• d••• l••• C•••"),
    ("Li", "L•••"),
    ("", ""),
    ("   ", ""),
])
def test_a_sensitive_value_is_masked_by_its_shape(value, masked):
    assert mask(value) == masked


def test_the_masked_form_does_not_follow_the_values_length():
    assert len(mask("AL BO")) == len(mask("ALEXANDRA BONAPARTE"))
    assert mask("123456789") == "•••••6789"
    assert mask("99999999999996789") == "•••••6789"
