import factory

from requests_app import jurisdictions
from requests_app.choices import DataCategory
from requests_app.models import DeletionRequest
from requests_app.services import links
from requests_app.services import requests as request_services


class DeletionRequestFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DeletionRequest

    reference = factory.LazyFunction(request_services.new_reference)
    full_name = "Anna Müller"
    email = factory.Sequence(lambda n: f"member{n}@example.org")
    email_digest = factory.LazyAttribute(lambda o: links.email_digest(o.email))
    country = "DE"
    # A German member names her Land, whose authority is competent (Berlin here).
    subdivision = factory.LazyAttribute(lambda o: "BE" if o.country == "DE" else "")
    data_categories = factory.LazyFunction(lambda: [DataCategory.PROFILE.value, DataCategory.POSTS.value])
    regime_code = factory.LazyAttribute(lambda o: jurisdictions.regime_for(o.country, o.subdivision).code)
