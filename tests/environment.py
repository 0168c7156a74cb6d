"""The environment of the test run, set before pytest-django reads the
settings (a plugin named in pyproject.toml's addopts; conftest.py is read too
late). The suite runs with DEBUG off, as production does, and the embedded
default EMAIL_URL (the console): pytest-django swaps in its in-memory backend,
and worker processes started by tests inherit this opt-in."""

import os

os.environ.setdefault("ALLOW_UNSENT_EMAIL", "1")
