import factory

from requests_app import jurisdictions, services
from requests_app.models import DataCategory, DeletionRequest


class DeletionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeletionRequest

    reference = factory.LazyFunction(services.new_reference)
    full_name = "Anna Müller"
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    email_digest = factory.LazyAttribute(lambda o: services.email_digest(o.email))
    country = "DE"
    subdivision = ""
    data_categories = factory.LazyFunction(lambda: [DataCategory.PROFILE.value, DataCategory.POSTS.value])
    regime_code = factory.LazyAttribute(lambda o: jurisdictions.regime_for(o.country, o.subdivision).code)
