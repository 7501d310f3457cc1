"""A phone number's extension is kept, never silently dropped: stored after the E.164 number as " x2"."""

import pytest

from imports.declare.errors import FieldError
from imports.declare.fields import PhoneField
from imports.declare.formulas import escape_formula


@pytest.mark.parametrize("raw", [
    "(617) 555-0101 ext 2", "(617) 555-0101 ext. 2", "617-555-0101 EXT 2", "617.555.0101 extension 2",
    "617-555-0101 x2", "617-555-0101x2", "(617) 555-0101 #2", "617-555-0101, ext. 2", "+1 617 555 0101 ext:2",
])
def test_an_extension_in_any_usual_spelling_is_kept_after_the_number(raw):
    assert PhoneField("phone").clean(raw) == "+16175550101 x2"


def test_a_number_with_its_own_country_code_keeps_its_extension_too():
    assert PhoneField("phone").clean("+44 20 7946 0958 ext. 12") == "+442079460958 x12"


def test_the_stored_form_reads_back_unchanged():
    field = PhoneField("phone")
    stored = field.clean("(617) 555-0101 ext 2")

    assert field.clean(field.to_text(stored)) == stored


def test_a_number_without_extension_is_stored_as_before():
    assert PhoneField("phone").clean("(617) 555-0101") == "+16175550101"


def test_an_extension_too_long_for_the_stored_column_is_refused_with_the_limit():
    with pytest.raises(FieldError) as refused:
        PhoneField("phone").clean("+44 20 7946 0958 ext 1234567")  # +442079460958 x1234567: 22 characters

    assert str(refused.value) == "Phone is too long: 22 characters, at most 20"


def test_an_extension_after_no_number_is_still_an_invalid_phone():
    with pytest.raises(FieldError, match="Invalid phone number"):
        PhoneField("phone").clean("ext 2")


def test_an_exported_number_with_extension_is_formula_escaped_and_imports_back():
    """Excel reads `+16175550101 x2` as a formula (a number, then the intersection with cell X2), so exports write
    it escaped; the import takes the escape off again."""
    field = PhoneField("phone")
    exported = escape_formula(field.to_text("+16175550101 x2"))

    assert exported == "'+16175550101 x2"
    assert field.clean(exported) == "+16175550101 x2"
