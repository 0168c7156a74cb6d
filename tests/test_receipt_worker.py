"""The receipt in real processes: the warm-up a worker runs at start makes its
first receipt as fast as any other, and in a real Celery worker (prefork, as
in production) a render that runs past RECEIPT_TIME_LIMIT_SECONDS is stopped,
stores nothing, and the worker goes on with the next receipt."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

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


FIRST_RECEIPT = """
import json, os, sys, time
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
import django
django.setup()
from requests_app import receipts
from requests_app.services.receipts import receipt_warm_up
from tests.test_receipts import unsaved_request
if sys.argv[1] == "warmed":
    receipt_warm_up(layout=True)
request, events = unsaved_request()
started = time.perf_counter()
pdf = receipts.render_receipt(request, events=events)
print(json.dumps({"ms": (time.perf_counter() - started) * 1000, "pdf": pdf[:5].decode()}))
"""


def first_receipt_ms(how: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", FIRST_RECEIPT, how],
        cwd=Path(__file__).resolve().parent.parent,
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    answer = json.loads(result.stdout.strip().splitlines()[-1])
    assert answer["pdf"] == "%PDF-"
    return answer["ms"]


def test_after_the_warm_up_a_process_renders_its_first_receipt_at_warm_speed():
    # Median of three each: the machine is shared. Cold, the first receipt
    # pays for WeasyPrint's imports, fonts and stylesheet (about 7 times a
    # warm render); warmed, the worker paid that before its first task.
    cold = sorted(first_receipt_ms("cold") for _ in range(3))[1]
    warmed = sorted(first_receipt_ms("warmed") for _ in range(3))[1]
    assert warmed < cold / 2, (cold, warmed)
