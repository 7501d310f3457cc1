from django import forms
from django.contrib import admin

from .models import Account, Contact, CustomerGroup


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ["name", "group_type", "company"]
    list_filter = ["company", "group_type"]
    search_fields = ["name"]
    list_select_related = ["company"]
    readonly_fields = ["created_at", "updated_at"]


class AccountForm(forms.ModelForm):
    """What imports check, checked here too: the group and the parent are the company's, and following parents
    never leads back to the account."""

    website = forms.URLField(required=False, assume_scheme="https")  # example.com means https://, as in imports

    class Meta:
        model = Account
        fields = [
            "company", "account_number", "name", "legal_name", "customer_group", "parent_account", "website",
            "industry", "description",
        ]

    def clean(self):
        cleaned = super().clean()
        company, group, parent = cleaned.get("company"), cleaned.get("customer_group"), cleaned.get("parent_account")
        if company and group and group.company_id != company.pk:
            self.add_error("customer_group", "Choose a customer group of the account's company.")
        if company and parent:
            if parent.company_id != company.pk:
                self.add_error("parent_account", "Choose a parent account of the account's company.")
            seen, ancestor = set(), parent
            while ancestor is not None and ancestor.pk not in seen:
                if self.instance.pk is not None and ancestor.pk == self.instance.pk:
                    self.add_error("parent_account", "This parent would make a cycle: its parents lead back here.")
                    break
                seen.add(ancestor.pk)
                ancestor = ancestor.parent_account
        return cleaned


@admin.register(Account)
class AccountAdmin(admin.ModelAdmin):
    form = AccountForm
    list_display = ["account_number", "name", "customer_group", "parent_account", "industry", "company"]
    list_filter = ["company", "customer_group__group_type"]
    search_fields = ["account_number", "name", "legal_name"]
    list_select_related = ["company", "customer_group", "parent_account"]
    raw_id_fields = ["customer_group", "parent_account"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ["first_name", "last_name", "email", "account", "is_primary", "company"]
    list_filter = ["company", "is_primary"]
    search_fields = ["first_name", "last_name", "email", "account__account_number"]
    list_select_related = ["company", "account"]
    raw_id_fields = ["account"]
    exclude = ["company"]
    readonly_fields = ["contact_key", "created_at", "updated_at"]

    def save_model(self, request, obj, form, change):
        # The company is the account's, and imports find the contact by its key: both follow from the form.
        obj.company_id = obj.account.company_id
        obj.contact_key = Contact.key_for(obj.account_id, obj.email)
        super().save_model(request, obj, form, change)
