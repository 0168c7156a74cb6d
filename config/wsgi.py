import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

application = get_wsgi_application()

# The web server's first receipt download would otherwise read the render
# inputs, the law files and the templates: done here, once per process, so
# no member pays for it. Not WeasyPrint: the web process never lays a PDF out
# itself (the worker does; its own fallback runs in a child process). Only
# the WSGI servers (gunicorn, runserver) import this module, never
# manage.py's other commands or the tests.
from requests_app.services.receipts import receipt_warm_up  # noqa: E402

receipt_warm_up(layout=False)
