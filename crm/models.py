from django.db import models

from companies.models import Company


class CustomerGroup(models.Model):
    """A company's kind of account. An account in an INDIVIDUAL group is one person, whose details (the primary
    contact) come with the account's own row when accounts are imported."""

    class GroupType(models.TextChoices):
        INDIVIDUAL = "INDIVIDUAL", "Individual"
        BUSINESS = "BUSINESS", "Business"

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="customer_groups")
    name = models.CharField(max_length=100)
    group_type = models.CharField(max_length=20, choices=GroupType.choices)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.UniqueConstraint(fields=["company", "name"], name="uniq_customer_group_name")]

    def __str__(self):
        return self.name


class Account(models.Model):
    """A CRM account: a business or a person the company deals with, in a customer group, perhaps part of a
    parent account."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="crm_accounts")
    account_number = models.CharField(max_length=20, help_text="Generated as ACC-TTTT-SSSSSSS when left blank.")
    name = models.CharField(max_length=255)
    legal_name = models.CharField(max_length=255, blank=True)
    customer_group = models.ForeignKey(CustomerGroup, on_delete=models.PROTECT, related_name="accounts")
    parent_account = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="child_accounts"
    )
    website = models.URLField(blank=True)
    industry = models.CharField(max_length=100, blank=True)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["account_number"]
        constraints = [models.UniqueConstraint(fields=["company", "account_number"], name="uniq_crm_account_number")]

    def __str__(self):
        return f"{self.account_number} {self.name}"


class Contact(models.Model):
    """A person at an account. An account has at most one primary contact."""

    company = models.ForeignKey(Company, on_delete=models.CASCADE, related_name="crm_contacts")
    account = models.ForeignKey(Account, on_delete=models.CASCADE, related_name="contacts")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    email = models.EmailField(max_length=254, blank=True)
    phone = models.CharField(max_length=20, blank=True, help_text="E.164, e.g. +15555555555.")
    job_title = models.CharField(max_length=100, blank=True)
    department = models.CharField(max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)
    # Imports find a contact by its account and email: "<account id>@<email>", blank for a contact without email.
    contact_key = models.CharField(max_length=300, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["account", "email"], condition=~models.Q(email=""), name="uniq_contact_email_per_account"
            ),
            models.UniqueConstraint(
                fields=["account"], condition=models.Q(is_primary=True), name="uniq_primary_contact_per_account"
            ),
            models.UniqueConstraint(
                fields=["company", "contact_key"], condition=~models.Q(contact_key=""), name="uniq_contact_key"
            ),
        ]

    def __str__(self):
        return f"{self.first_name} {self.last_name}"

    @staticmethod
    def key_for(account_id: int, email: str | None) -> str:
        return f"{account_id}@{email}" if email else ""
