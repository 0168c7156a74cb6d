#!/usr/bin/env python
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.conf import settings
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line

    try:
        settings.INSTALLED_APPS  # noqa: B018 (reads config/settings.py)
    except ImproperlyConfigured as error:
        # A setting the environment got wrong (a missing SECRET_KEY, an email
        # backend that does not send): its message says what to do, and a
        # traceback above it would bury that.
        sys.exit(f"LinkedOut cannot start: {error}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
