"""The Celery app. Workers and beat start with `celery -A config ...`."""

import logging.config
import os

from celery import Celery
from celery.signals import beat_init, setup_logging, task_prerun, worker_init
from django.conf import settings

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("linkedout")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@setup_logging.connect
def use_the_project_logging(**kwargs):
    # With a receiver here Celery leaves the root logger alone: without one
    # it replaces its handlers with its own, which have no redaction filter,
    # so task logs and whatever a task prints (stdout is redirected into the
    # log) would carry private links and addresses. Worker and beat log
    # through settings.LOGGING, at LOG_LEVEL (their --loglevel is not used).
    logging.config.dictConfig(settings.LOGGING)


@beat_init.connect
def sweep_on_start(sender, **kwargs):
    # Interval entries first fire one interval after beat starts; sweeping at
    # once sends anything that fell due while beat was down and makes
    # /healthz green without a minute's wait.
    sender.app.send_task("requests_app.tasks.sweep")


@worker_init.connect
def warm_up_the_receipt_renderer(**kwargs):
    # In the worker's main process, before the pool forks its children: they
    # start with WeasyPrint's fonts and stylesheet loaded (shared, copy on
    # write), so no child's first receipt takes 0.5 s more, and no child has
    # to do it in worker_process_init, whose time Celery limits to 4 s.
    from requests_app.services.receipts import receipt_warm_up

    receipt_warm_up(layout=True)


@task_prerun.connect
def close_stale_connections(task=None, **kwargs):
    # With CELERY_DB_REUSE_MAX the connection outlives a task; drop it when
    # CONN_MAX_AGE or a failed health check says so, as Django does per request.
    # Not for a task run inline (eager), which shares its caller's transaction.
    if task is not None and task.request.is_eager:
        return
    from django.db import close_old_connections

    close_old_connections()
