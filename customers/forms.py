"""The review page's form: a service address typed by a person, checked by the same rules as an import's."""

from dataclasses import fields

from django import forms

from imports.declare import FieldError, get_target
from imports.web.forms import PlainLabels

from .models import SERVICE_ADDRESS_FIELDS
from .standardizing import PostalAddress

# Form field → the customer import field whose rules (length, state code, ZIP format) it follows.
IMPORT_FIELDS = dict(zip((field.name for field in fields(PostalAddress)), SERVICE_ADDRESS_FIELDS, strict=True))


class AddressForm(PlainLabels, forms.Form):
    street = forms.CharField(label="Street", max_length=255,
                             error_messages={"required": "Enter the street address (number and street)."})
    city = forms.CharField(label="City", max_length=100, error_messages={"required": "Enter the city."})
    # No length limits here: the import's rules below say what is wrong with a state or a ZIP code.
    state = forms.CharField(label="State", error_messages={"required": "Enter the two-letter state code."})
    postal_code = forms.CharField(label="ZIP code", error_messages={"required": "Enter the ZIP code."})

    def __init__(self, *args, customer_id: int, **kwargs):
        # Each row of the review page has its own form: ids must not repeat on the page.
        kwargs.setdefault("auto_id", f"address-{customer_id}-%s")
        super().__init__(*args, **kwargs)
        for form_field in self.fields.values():
            form_field.widget.attrs["autocomplete"] = "off"  # a customer's address, not the person's own

    def clean(self):
        cleaned = super().clean()
        rules = get_target("Customer").fields_by_name
        for name, import_name in IMPORT_FIELDS.items():
            if cleaned.get(name) is None:
                continue
            try:
                cleaned[name] = rules[import_name].clean(cleaned[name])
            except FieldError as error:
                self.add_error(name, str(error))
        return cleaned

    @property
    def address(self) -> PostalAddress:
        data = self.cleaned_data
        return PostalAddress(data["street"], data["city"], data["state"], data["postal_code"])
