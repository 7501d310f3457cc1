from django.contrib.auth.models import AbstractUser
from django.db import models


class Company(models.Model):
    """A tenant. Every domain row and every job belongs to exactly one company."""

    FIRST_TENANT_NUMBER = 1001
    LAST_TENANT_NUMBER = 9999

    name = models.CharField(max_length=200)
    slug = models.SlugField(max_length=50, unique=True)
    # Four digits that prefix generated account numbers (TTTTSSSSSS). Numbers start at 1001 so no generated
    # account number begins with a zero a spreadsheet would strip.
    tenant_number = models.PositiveSmallIntegerField(unique=True, editable=False)
    default_rate_code = models.CharField(
        max_length=50, default="STANDARD", help_text="Rate plan given to imported customers that name none."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "companies"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tenant_number__gte=1001) & models.Q(tenant_number__lte=9999),
                name="company_tenant_number_four_digits",
            ),
        ]

    def __str__(self):
        return self.name


class User(AbstractUser):
    """A person who signs in; each belongs to exactly one company and sees only its data."""

    company = models.ForeignKey(Company, on_delete=models.PROTECT, related_name="users")

    REQUIRED_FIELDS = ["email", "company"]

    def __str__(self):
        return self.username
