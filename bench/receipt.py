"""Benchmark: the PDF receipt. Render times, warm-up, memory, download after a change.

What it measures (targets from issue 17, for the 2-core machine)
    warm      render_receipt() in a warmed-up process (median of BENCH_WARM_RUNS):
              typical: two A4 pages                        target <= 100 ms
              largest: what the form accepts, 200 specific items of 500
              characters                                   target <  500 ms
    first     the first render in a fresh process (Django set up, nothing
              rendered yet): as it was (cold) and after receipt_warm_up(),
              what the worker runs at start (median of BENCH_FIRST_RUNS)
                                                            target <= 100 ms warmed
    memory    VmRSS after 20, 100, ... BENCH_RSS_RENDERS renders and the peak
              (ru_maxrss)                 target < 150 MB, flat after warm-up
    download  GET /r/<token>/receipt.pdf over HTTP (gunicorn) right after a
              POST that changed the request, with a real Celery worker that
              renders on commit: the click once the worker has stored the PDF
              (the common case: a member reads the page first), and the GET
              sent at once after the POST's redirect (it waits for the worker,
              never renders in the web process). p50 of BENCH_AFTER_CHANGE_RUNS
              fresh requests each                           target < 10 ms

How
    Every measurement runs in its own child interpreter (this file with
    --child KIND) against a temporary VAR_DIR and SQLite database, production
    settings (DEBUG=0, a random SECRET_KEY), the filesystem broker and the
    embedded file cache; Redis, database and email variables from the calling
    shell are removed, so nothing outside the temp dir is touched and nothing
    is fetched from the network.

Usage
    .venv/bin/python bench/receipt.py
    BENCH_WARM_RUNS=20 BENCH_RSS_RENDERS=100 BENCH_AFTER_CHANGE_RUNS=10 .venv/bin/python bench/receipt.py

Environment
    BENCH_WARM_RUNS          measured warm renders (default 50, at least 5)
    BENCH_FIRST_RUNS         fresh processes for each first-render figure (default 5)
    BENCH_RSS_RENDERS        renders for the memory figure (default 500)
    BENCH_AFTER_CHANGE_RUNS  requests changed and downloaded, per case (default 20)
    BENCH_STRICT=1           exit 1 when a target is missed (default: report only)

Exit status: 0 on success; 1 if a child failed (or, with BENCH_STRICT=1, a
target was missed); 130 when interrupted.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import HOST, env_int, free_port, hermetic_env, python_executable, raise_on_sigterm, tail

ROOT = Path(__file__).resolve().parent.parent
CHILD_TIMEOUT = 900

WARM_TARGET_MS = 100.0
LARGEST_TARGET_MS = 500.0
FIRST_TARGET_MS = 100.0
RSS_TARGET_MB = 150.0
DOWNLOAD_TARGET_MS = 10.0
# The largest input the form accepts: 200 items of 500 characters, none with a
# natural line break (the slowest text to lay out).
LARGEST_URLS = [(f"https://www.linkedin.com/posts/anna-mueller_activity-{n:03d}-").ljust(500, "x") for n in range(200)]
# "Flat after warm-up": growth between the 100th and the last render.
RSS_FLAT_TOLERANCE_MB = 10.0


# --- children ---------------------------------------------------------------------


def _setup_django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def _sample_request():
    """An unsaved request and its timeline: rendering needs no database."""
    from datetime import UTC, date, datetime

    from requests_app.models import DeletionRequest, RequestEvent

    created = datetime(2026, 1, 30, 9, 15, tzinfo=UTC)
    request = DeletionRequest(
        reference="LO-7Q4M-2KXP",
        full_name="Anna Müller",
        email="anna.mueller@example.org",
        profile_url="https://www.linkedin.com/in/anna-mueller",
        country="DE",
        language="en",
        letter_language="en",
        regime_code="gdpr",
        status=DeletionRequest.Status.SUBMITTED,
        data_categories=["ai_training", "posts", "comments"],
        specific_urls=[f"https://www.linkedin.com/posts/anna-mueller_activity-74{n}0000000" for n in range(3)],
        object_to_processing=True,
        created_at=created,
        submitted_on=date(2026, 1, 31),
        ai_setting_off_on=date(2026, 1, 30),
        linkedin_case_number="260131-001234",
        fingerprint_salt="0f" * 16,
    )
    events = [
        RequestEvent(kind=RequestEvent.Kind.CREATED, at=created),
        RequestEvent(kind=RequestEvent.Kind.AI_SETTING_OFF, at=created, on_date=date(2026, 1, 30)),
        RequestEvent(kind=RequestEvent.Kind.SUBMITTED, at=created, on_date=date(2026, 1, 31), detail="260131-001234"),
    ]
    return request, events


def _page_count(pdf: bytes) -> int:
    from io import BytesIO

    try:
        from pypdf import PdfReader
    except ImportError:  # pypdf is a dev dependency; count page objects instead
        import re

        return len(re.findall(rb"/Type\s*/Page(?!s)", pdf))
    return len(PdfReader(BytesIO(pdf)).pages)


def _rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def _child_first(warmed: bool) -> dict:
    _setup_django()
    from requests_app.receipts import render_receipt
    from requests_app.services.receipts import receipt_warm_up

    request, events = _sample_request()
    started = time.perf_counter()
    if warmed:
        receipt_warm_up(layout=True)  # what the worker does at start
    warm_up_ms = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    render_receipt(request, events=events)
    return {"first_ms": (time.perf_counter() - started) * 1000, "warm_up_ms": warm_up_ms}


def _child_warm(runs: int, size: str) -> dict:
    _setup_django()
    from requests_app.receipts import render_receipt

    request, events = _sample_request()
    if size == "largest":
        request.specific_urls = LARGEST_URLS
    for _ in range(2):
        pdf = render_receipt(request, events=events)
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        pdf = render_receipt(request, events=events)
        timings.append((time.perf_counter() - start) * 1000)
    return {"timings_ms": timings, "pages": _page_count(pdf), "bytes": len(pdf)}


def _child_rss(renders: int) -> dict:
    import gc
    import resource

    _setup_django()
    from requests_app.receipts import render_receipt

    request, events = _sample_request()
    checkpoints = sorted({n for n in (1, 20, 100, 250, renders) if n <= renders})
    samples = {}
    for number in range(1, renders + 1):
        render_receipt(request, events=events)
        if number in checkpoints:
            gc.collect()
            samples[number] = _rss_mb()
    # Linux reports ru_maxrss in KiB.
    return {"rss_mb": samples, "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def _http(port: int, method: str, path: str, *, body: str = "", cookie: str = "") -> tuple[int, dict, bytes]:
    import http.client

    connection = http.client.HTTPConnection(HOST, port, timeout=60)
    headers = {"Cookie": cookie} if cookie else {}
    if body:
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    try:
        connection.request(method, path, body=body or None, headers=headers)
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


def _child_after_change(runs: int) -> dict:
    """Gunicorn and a Celery worker on this child's database; for each of
    `runs` fresh requests (a private link makes at most 30 changes an hour):
    open its page, POST "sent to LinkedIn", follow the redirect, GET the receipt."""
    import re
    import urllib.parse

    from http_home import _start_gunicorn, _stop_gunicorn, _wait_ready

    _setup_django()
    from django.core.management import call_command

    from requests_app.models import DeletionRequest, RequestEvent, StoredReceipt
    from requests_app.services.receipts import receipt_issue
    from requests_app.tokens import token_issue

    call_command("migrate", "--noinput", verbosity=0)
    call_command("collectstatic", "--noinput", verbosity=0)  # pages need the manifest
    var = Path(os.environ["VAR_DIR"])
    port = free_port()
    web = worker = None
    worker_log = open(var / "worker.log", "ab")  # noqa: SIM115 - closed below
    try:
        web = _start_gunicorn(dict(os.environ), port, var / "gunicorn.log")
        worker = subprocess.Popen(
            [python_executable(), "-m", "celery", "-A", "config", "worker", "-Q", "celery", "--pool=solo",
             "-n", "bench-receipts@%h"],
            cwd=ROOT, env=dict(os.environ), stdin=subprocess.DEVNULL, stdout=worker_log, stderr=subprocess.STDOUT,
            start_new_session=True,
        )  # fmt: skip
        _wait_ready(web, port, var / "gunicorn.log")
        results = {"stored": [], "at_once": [], "worker_ms": [], "again": []}
        for case in ("stored", "at_once"):
            for number in range(runs + 2):  # the first two warm the server up
                request, events = _sample_request()
                request.pk = None
                request.reference = f"LO-{case[:2].upper()}{number:02d}-BNCH"[:12]
                request.status = DeletionRequest.Status.CREATED
                request.submitted_on = None
                request.save()
                for event in events[:2]:
                    RequestEvent.objects.create(request=request, kind=event.kind, at=event.at, on_date=event.on_date)
                receipt_issue(request=request)  # stored before the change, as after creation
                token = token_issue(request=request)
                status, headers, page = _http(port, "GET", f"/r/{token}/")
                cookie = headers.get("Set-Cookie", "").split(";", 1)[0]
                csrf = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1).decode()
                form = urllib.parse.urlencode({"csrfmiddlewaretoken": csrf, "submitted-submitted_on": "2026-02-02"})
                posted = time.perf_counter()
                status, headers, _ = _http(port, "POST", f"/r/{token}/submitted/", body=form, cookie=cookie)
                if status != 302:
                    raise RuntimeError(f"POST submitted answered {status}")
                _http(port, "GET", headers["Location"], cookie=cookie)  # what the browser does next
                if case == "stored":
                    request.refresh_from_db()
                    deadline = time.monotonic() + 60
                    while not StoredReceipt.objects.filter(
                        request=request, request_updated_at=request.updated_at
                    ).exists():
                        if time.monotonic() > deadline:
                            raise RuntimeError(f"the worker stored no receipt in 60 s:\n{tail(var / 'worker.log')}")
                        time.sleep(0.005)
                    worker_ms = (time.perf_counter() - posted) * 1000
                started = time.perf_counter()
                status, headers, pdf = _http(port, "GET", f"/r/{token}/receipt.pdf")
                elapsed = (time.perf_counter() - started) * 1000
                if status != 200 or not pdf.startswith(b"%PDF"):
                    raise RuntimeError(f"GET receipt answered {status}")
                if number >= 2:
                    results[case].append(elapsed)
                    if case == "stored":
                        results["worker_ms"].append(worker_ms)
                        # The same download again: already recorded as issued, nothing written.
                        started = time.perf_counter()
                        _http(port, "GET", f"/r/{token}/receipt.pdf")
                        results["again"].append((time.perf_counter() - started) * 1000)
        return results
    finally:
        _stop_gunicorn(web)
        if worker is not None:
            worker.terminate()
            worker.wait(timeout=30)
        worker_log.close()


def _run_child(kind: str, argument: str) -> dict:
    if kind == "first":
        return _child_first(argument == "warmed")
    if kind in ("warm", "largest"):
        return _child_warm(int(argument), "largest" if kind == "largest" else "typical")
    if kind == "rss":
        return _child_rss(int(argument))
    if kind == "after_change":
        return _child_after_change(int(argument))
    raise SystemExit(f"unknown child kind {kind!r}")


# --- parent -----------------------------------------------------------------------


def _child_env(tmp: Path) -> dict[str, str]:
    return hermetic_env(tmp, ALLOWED_HOSTS="testserver,127.0.0.1", SITE_URL="https://linkedout.example")


def _child(env: dict[str, str], kind: str, argument: str = "") -> tuple[dict, float]:
    started = time.perf_counter()
    result = subprocess.run(
        [python_executable(), str(Path(__file__).resolve()), "--child", kind, argument],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=CHILD_TIMEOUT,
    )
    wall_ms = (time.perf_counter() - started) * 1000
    if result.returncode != 0:
        raise RuntimeError(f"child {kind} failed ({result.returncode}):\n{result.stdout}{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1]), wall_ms


def _verdict(ok: bool) -> str:
    return "ok" if ok else "MISSED"


def main() -> int:
    if len(sys.argv) >= 3 and sys.argv[1] == "--child":
        print(json.dumps(_run_child(sys.argv[2], sys.argv[3] if len(sys.argv) > 3 else "")))
        return 0

    warm_runs = max(5, env_int("BENCH_WARM_RUNS", 50))
    first_runs = max(1, env_int("BENCH_FIRST_RUNS", 5))
    rss_renders = env_int("BENCH_RSS_RENDERS", 500)
    after_change_runs = max(1, env_int("BENCH_AFTER_CHANGE_RUNS", 20))
    strict = os.environ.get("BENCH_STRICT") == "1"

    previous_sigterm = signal.signal(signal.SIGTERM, raise_on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="linkedout-bench-receipt-"))
    try:
        env = _child_env(tmp)
        missed = []

        def report(label: str, value: float, target: float, detail: str, unit: str = "ms") -> None:
            # Every figure with its target and the ratio to it (< 1: met).
            ok = value < target if label.startswith(("largest", "download")) else value <= target
            print(
                f"{label:<26} {value:8.1f} {unit}  target {'<' if label.startswith(('largest', 'download')) else '<='} "
                f"{target:g} {unit}, ratio {value / target:.2f}: {_verdict(ok)}  ({detail})",
                flush=True,
            )
            if not ok:
                missed.append(label)

        # Other work on the machine shows directly in the render times.
        print(f"load average at start: {os.getloadavg()[0]:.2f} ({os.cpu_count()} CPUs)", flush=True)

        for kind, label, target in (("warm", "warm render, typical", WARM_TARGET_MS),
                                    ("largest", "largest input, warm", LARGEST_TARGET_MS)):  # fmt: skip
            warm, _ = _child(env, kind, str(warm_runs))
            timings = warm["timings_ms"]
            report(
                label,
                statistics.median(timings),
                target,
                f"median of {warm_runs}, min {min(timings):.1f}, max {max(timings):.1f}; {warm['pages']} pages, "
                f"{warm['bytes'] / 1024:.0f} KiB",
            )

        for warmed in ("cold", "warmed"):
            firsts = [_child(env, "first", warmed)[0] for _ in range(first_runs)]
            first_ms = statistics.median(f["first_ms"] for f in firsts)
            detail = f"median of {first_runs} fresh processes"
            if warmed == "warmed":
                warm_up_ms = statistics.median(f["warm_up_ms"] for f in firsts)
                detail += f"; the warm-up itself, at process start: {warm_up_ms:.0f} ms"
                report("first render, warmed", first_ms, FIRST_TARGET_MS, detail)
            else:
                print(f"{'first render, cold':<26} {first_ms:8.1f} ms  (before warming: {detail})", flush=True)

        if rss_renders:
            rss, _ = _child(env, "rss", str(rss_renders))
            samples = {int(k): v for k, v in rss["rss_mb"].items()}
            growth = samples[max(samples)] - samples.get(100, samples[min(samples)])
            rss_ok = rss["peak_mb"] < RSS_TARGET_MB and growth <= RSS_FLAT_TOLERANCE_MB
            print(
                f"{'memory':<26} {rss['peak_mb']:8.1f} MB peak after {rss_renders} renders; VmRSS "
                + ", ".join(f"{samples[n]:.1f} MB @{n}" for n in sorted(samples))
                + f"; growth after warm-up {growth:+.1f} MB  target < {RSS_TARGET_MB:.0f} MB and flat: "
                + _verdict(rss_ok),
                flush=True,
            )
            if not rss_ok:
                missed.append("memory")

        after, _ = _child(env, "after_change", str(after_change_runs))
        report(
            "download after a change",
            statistics.median(after["stored"]),
            DOWNLOAD_TARGET_MS,
            f"p50 over HTTP of {after_change_runs}, p90 {statistics.quantiles(after['stored'], n=10)[-1]:.1f} ms; "
            f"the worker had stored it {statistics.median(after['worker_ms']):.0f} ms (p50) after the POST; "
            f"the same download again, nothing to record: {statistics.median(after['again']):.1f} ms",
        )
        print(
            f"{'download at once':<26} {statistics.median(after['at_once']):8.1f} ms  (p50 of {after_change_runs}: "
            "the GET right after the POST's redirect waits for the worker's PDF; no target)",
            flush=True,
        )

        print(f"load average at end: {os.getloadavg()[0]:.2f}")
        if missed:
            print(f"targets missed: {', '.join(missed)}")
            return 1 if strict else 0
        print("all targets met")
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except (RuntimeError, subprocess.TimeoutExpired) as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        signal.signal(signal.SIGTERM, previous_sigterm)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
