"""The receipt in a real Celery worker (prefork, as in production): a render
that runs past RECEIPT_TIME_LIMIT_SECONDS is stopped, stores nothing, and the
worker goes on with the next receipt."""

from __future__ import annotations

import sys
import time

import pytest

from config.celery import app
from requests_app import queue
from requests_app.models import StoredReceipt
from tests.processes import celery_processes
from tests.test_receipts import ReceiptRequestFactory, add_timeline
from tests.test_worker_logs import wait_for_text

# Far worse than the form accepts (200 items): what only a forged row could
# hold, and minutes of layout without the limit.
WORSE_THAN_ACCEPTED = [f"https://www.linkedin.com/posts/{n:04d}-".ljust(500, "x") for n in range(3000)]


def wait_for_stored(request, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if StoredReceipt.objects.filter(request=request).exists():
            return True
        time.sleep(0.2)
    return False


@pytest.mark.django_db(transaction=True)
def test_a_render_past_the_time_limit_is_stopped_and_the_worker_renders_the_next(tmp_path):
    huge = ReceiptRequestFactory(specific_urls=WORSE_THAN_ACCEPTED)
    normal = ReceiptRequestFactory()
    add_timeline(normal)
    with celery_processes(tmp_path, RECEIPT_TIME_LIMIT_SECONDS="2") as processes:
        # Prefork, like the Procfile's and compose's worker: the solo pool
        # enforces no time limit.
        worker_args = ["worker", "--concurrency=1", "--queues=celery", "--loglevel=INFO", "--hostname=limits@%h"]
        processes._spawn([sys.executable, "-m", "celery", "-A", "config", *worker_args], "worker")
        app.send_task(queue.RENDER_RECEIPT, args=[huge.pk])
        app.send_task(queue.RENDER_RECEIPT, args=[normal.pk])
        log = wait_for_text(processes.log_path("worker"), "took too long to render", timeout=120)
        assert "took too long to render; not stored" in log, processes.logs()
        assert wait_for_stored(normal, timeout=60), processes.logs()
    assert not StoredReceipt.objects.filter(request=huge).exists()
