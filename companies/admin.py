from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import ValidationError

from .models import Company, User
from .services import CompanySetupError, tenant_number_next


@admin.register(Company)
class CompanyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "tenant_number", "default_rate_code", "created_at"]
    search_fields = ["name", "slug"]
    readonly_fields = ["tenant_number"]

    def save_model(self, request, obj, form, change):
        if not change:
            try:
                obj.tenant_number = tenant_number_next()
            except CompanySetupError as error:
                raise ValidationError(str(error)) from None
        super().save_model(request, obj, form, change)


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "email", "company", "is_staff", "is_active"]
    list_filter = ["company", "is_staff", "is_active"]
    list_select_related = ["company"]
    fieldsets = [(None, {"fields": ["company"]}), *DjangoUserAdmin.fieldsets]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["company", "username", "password1", "password2"]})]
