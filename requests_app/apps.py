from django.apps import AppConfig
from django.core.exceptions import ImproperlyConfigured

# checks registers the system checks on import; neither module touches models.
from . import checks, site_operator  # noqa: F401


class RequestsAppConfig(AppConfig):
    name = "requests_app"
    verbose_name = "LinkedOut requests"

    def ready(self) -> None:
        # A broken operator file stops every process at start, gunicorn
        # included (it runs no system checks), not the imprint page later.
        try:
            site_operator.current()
        except site_operator.OperatorFileError as error:
            raise ImproperlyConfigured(str(error)) from None
