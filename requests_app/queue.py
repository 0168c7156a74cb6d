"""Work handed to the Celery worker, named here and enqueued after commit.

Services say *what* should happen in the background; `tasks.py`, at the edge,
says how. Tasks are enqueued by name, so no service imports `tasks` (which
imports the services): the arrows point one way, and the worker, which imports
`tasks` first, never meets a half-initialised module. Every name below is a
task declared in `tasks.py`; a test checks that each is registered.
"""

from __future__ import annotations

from celery import current_app
from django.db import transaction

SEND_REMINDERS = "requests_app.tasks.send_reminders"
PURGE_EXPIRED = "requests_app.tasks.purge_expired"
RENDER_RECEIPT = "requests_app.tasks.render_receipt"


def enqueue_on_commit(task_name: str, *args) -> None:
    """Send the task once the current transaction commits (at once outside
    one): a worker must never look for a row that is not committed yet, and
    a rolled-back change must enqueue nothing."""
    # robust: a broker that is down must not turn a committed change into an
    # error page; what was enqueued here is found again by the sweep.
    transaction.on_commit(lambda: registered_task(task_name).delay(*args), robust=True)


def registered_task(task_name: str):
    """The task registered under `task_name`. The registered task itself, not
    a bare send_task, so its options and task_always_eager apply as for
    `.delay()`. A web process has not discovered the tasks yet the first time:
    Celery's own autodiscovery runs then, as it does when a worker starts."""
    if task_name not in current_app.tasks:
        current_app.loader.import_default_modules()
    return current_app.tasks[task_name]
