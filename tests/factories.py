import factory

from companies.models import Company, User
from customers.models import Customer


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Company

    name = factory.Sequence(lambda n: f"Utility {n}")
    slug = factory.Sequence(lambda n: f"utility-{n}")
    tenant_number = factory.Sequence(lambda n: 1001 + n)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    company = factory.SubFactory(CompanyFactory)
    password = factory.PostGenerationMethodCall("set_password", "s3cret-pass-123")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    company = factory.SubFactory(CompanyFactory)
    account_number = factory.Sequence(lambda n: f"9{n:09d}")
    first_name = "Ada"
    last_name = "Lovelace"
    email = factory.Sequence(lambda n: f"ada{n}@example.com")
    phone = "+15555550100"
    service_address = "1 Engine Way"
    city = "Springfield"
    state = "IL"
    postal_code = "62701"
    billing_address = "1 Engine Way"
    billing_city = "Springfield"
    billing_state = "IL"
    billing_postal_code = "62701"
    meter_number = factory.Sequence(lambda n: f"MTR-F{n:06d}")
    rate_code = "STANDARD"
