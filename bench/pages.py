"""Benchmark: the guided form and the private page against plain Django.

What it does
    1. Makes a temporary directory with two fresh SQLite databases: LinkedOut's
       (``manage.py migrate`` and ``collectstatic``) and that of the plain
       version of the first step, ``bench/_plain_site.py`` (the same fields,
       all countries, Django's own form renderer, database sessions).
    2. Serves each with gunicorn, 3 sync workers, DEBUG=0, on 127.0.0.1.
       LinkedOut trusts one proxy (TRUSTED_PROXY_COUNT=1) so that each
       simulated visitor has its own address for the creation rate limit.
    3. Creates one request through the guided form, for its private page.
    4. Alternates BENCH_RUNS rounds (odd rounds in reverse order) of:
         first step     GET /start/you/   (wrk, no cookie: a new visitor)
         plain step     GET /you/ of the plain site (wrk)
         private page   GET /r/<token>/   (wrk)
         journey        whole guided journeys: GET and POST of each of the
                        five steps, the last POST creating the request
                        (10 round trips, with cookies and CSRF tokens)
         plain trips    the same 10 round trips on the plain form (GET, then a
                        POST that stores the form in the session and redirects)
       and prints per-run figures, medians and the ratios
         first step / plain step     (target 1.5)
         private page / plain step   (target 1.5)
         journey / plain trips       (target 1.0)
       The machine is shared: compare ratios, which alternation keeps fair.
    5. Stops both servers and deletes the temp dir, also on Ctrl-C / SIGTERM.

Journeys are driven by Python threads (http.client, a cookie jar per
visitor), the same client for both sides; wrk must be on PATH
(``apt-get install -y wrk``; ``make bench`` installs it when run as root).

Usage
    .venv/bin/python bench/pages.py
    BENCH_RUNS=3 BENCH_SECONDS=5 .venv/bin/python bench/pages.py

Environment
    BENCH_RUNS          rounds (default 5)
    BENCH_SECONDS       seconds per measurement (default 10)
    BENCH_CONNECTIONS   concurrent connections / visitors (default 8)
    BENCH_WARMUP        warm-up seconds per target before the first round (default 2)

Exit status: 0 on success; 1 if wrk is missing, a server could not start, a
page did not answer as expected, or any run saw errors. A missed target is
printed, not an error: the figures depend on the machine's load.
"""

from __future__ import annotations

import http.client
import itertools
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode

from common import (
    HOST,
    env_float,
    env_int,
    free_port,
    hermetic_env,
    http_get,
    manage,
    python_executable,
    raise_on_sigterm,
    run_wrk,
    start_gunicorn,
    stop_gunicorn,
    tail,
    wait_ready,
)

BENCH_DIR = Path(__file__).resolve().parent
WORKERS = 3
PLAIN_PATH = "/you/"
FIRST_STEP_PATH = "/start/you/"
TARGETS = {"first step": 1.5, "private page": 1.5, "journey": 1.0}

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
CREATION_KEY = re.compile(r'name="review-creation_key" value="([^"]+)"')

YOU = {
    "first_name": "Anna",
    "last_name": "Müller",
    "email": "anna@example.org",
    "profile_url": "https://www.linkedin.com/in/anna-mueller",
    "country": "DE",
    "subdivision": "BE",
    "language": "en",
    "letter_language": "en",
}
WIZARD_STEPS = [
    ("you", YOU),
    ("what", {"scope": "ai_training", "data_categories": ["profile", "posts"], "object_to_processing": "on"}),
    ("ai-setting", {"status": "off", "switched_off_on": date.today().isoformat()}),
    ("reminders", {"reminders_enabled": "yes"}),
    ("review", {}),
]
ROUND_TRIPS = 2 * len(WIZARD_STEPS)


class JourneyError(RuntimeError):
    pass


class Visitor:
    """One browser: its own cookies and address, a new connection per request
    (sync gunicorn closes each one)."""

    _addresses = itertools.count(1)

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        n = next(self._addresses)
        self.address = f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str, str]:
        headers = {"X-Forwarded-For": self.address}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection(HOST, self.port, timeout=10)
        try:
            conn.request(method, path, body, headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", errors="replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in SimpleCookie(header).items():
                    if morsel.value and morsel["max-age"] != "0":
                        self.cookies[name] = morsel.value
                    else:
                        self.cookies.pop(name, None)
            return response.status, response.getheader("Location", ""), text
        finally:
            conn.close()

    def get_form(self, path: str) -> str:
        status, _location, text = self.request("GET", path)
        if status != 200:
            raise JourneyError(f"GET {path} answered {status}")
        return text

    def post_form(self, path: str, page: str, fields: dict) -> str:
        token = CSRF.search(page)
        if token is None:
            raise JourneyError(f"no CSRF token on {path}")
        status, location, text = self.request("POST", path, {"csrfmiddlewaretoken": token.group(1), **fields})
        if status != 302:
            raise JourneyError(f"POST {path} answered {status}: {text[:300]}")
        return location


def linkedout_journey(port: int) -> str:
    """The five steps and the creation; returns the private page's path."""
    visitor = Visitor(port)
    location = ""
    for step, fields in WIZARD_STEPS:
        path = f"/start/{step}/"
        page = visitor.get_form(path)
        data = {"start_wizard-current_step": step, **{f"{step}-{name}": value for name, value in fields.items()}}
        if step == "review":
            key = CREATION_KEY.search(page)
            if key is None:
                raise JourneyError("no creation key on the review step")
            data["review-creation_key"] = key.group(1)
        location = visitor.post_form(path, page, data)
    if not location.startswith("/r/"):
        raise JourneyError(f"creating answered a redirect to {location!r}, not to a private page")
    return location


def plain_round_trips(port: int) -> str:
    visitor = Visitor(port)
    for _ in WIZARD_STEPS:
        page = visitor.get_form(PLAIN_PATH)
        visitor.post_form(PLAIN_PATH, page, YOU)
    return PLAIN_PATH


@dataclass
class Result:
    rate: float  # requests/s, or journeys/s
    p50_ms: float
    errors: int


def run_journeys(journey: Callable[[int], str], port: int, seconds: float, visitors: int) -> Result:
    deadline = time.monotonic() + seconds
    durations: list[float] = []
    errors: list[str] = []

    def visitor_loop() -> None:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            try:
                journey(port)
            except (OSError, http.client.HTTPException, JourneyError) as error:
                errors.append(str(error))
                continue
            durations.append((time.perf_counter() - started) * 1000)

    started = time.monotonic()
    threads = [threading.Thread(target=visitor_loop, daemon=True) for _ in range(visitors)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    elapsed = time.monotonic() - started
    if errors:
        print(f"  {len(errors)} journeys failed, first: {errors[0]}")
    return Result(len(durations) / elapsed, statistics.median(durations) if durations else float("nan"), len(errors))


def _django(env: dict[str, str], *args: str) -> None:
    """A django-admin command against the plain site's settings."""
    result = subprocess.run(
        [python_executable(), "-m", "django", *args],
        cwd=BENCH_DIR,
        env={**env, "PYTHONPATH": str(BENCH_DIR)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        command = " ".join(args)
        raise RuntimeError(f"django-admin {command} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def _print_results(results: dict[str, list[Result]], seconds: float, connections: int) -> dict[str, float]:
    print()
    print(f"gunicorn {WORKERS} sync workers, DEBUG=0, {connections} connections, {seconds:g} s per run; medians")
    header = f"{'target':<16} {'unit':<12} {'runs':<40} {'median':>8} {'p50 ms':>8} {'errors':>6}"
    print(header)
    print("-" * len(header))
    medians = {}
    for name, runs in results.items():
        unit = "journeys/s" if "journey" in name or "trips" in name else "req/s"
        medians[name] = statistics.median(r.rate for r in runs)
        figures = " ".join(f"{r.rate:.1f}" for r in runs)
        p50 = statistics.median(r.p50_ms for r in runs)
        errors = sum(r.errors for r in runs)
        print(f"{name:<16} {unit:<12} {figures:<40} {medians[name]:>8.1f} {p50:>8.2f} {errors:>6}")
    print("-" * len(header))
    ratios = {
        "first step": medians["first step"] / medians["plain step"],
        "private page": medians["private page"] / medians["plain step"],
        "journey": medians["journey"] / medians["plain trips"],
    }
    versus = {"first step": "plain step", "private page": "plain step", "journey": "plain trips"}
    for name, ratio in ratios.items():
        verdict = "met" if ratio >= TARGETS[name] else "NOT met"
        print(f"{name} / {versus[name]}: {ratio:.2f}x (target {TARGETS[name]:g}x: {verdict})")
    return ratios


def main() -> int:
    runs = env_int("BENCH_RUNS", 5)
    seconds = env_float("BENCH_SECONDS", 10.0)
    connections = env_int("BENCH_CONNECTIONS", 8)
    warmup = env_float("BENCH_WARMUP", 2.0)
    wrk = shutil.which("wrk")
    if wrk is None:
        print("wrk is not on PATH (apt-get install -y wrk)", file=sys.stderr)
        return 1

    previous_sigterm = signal.signal(signal.SIGTERM, raise_on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="linkedout-bench-pages-"))
    servers: list[subprocess.Popen] = []
    try:
        app_env = hermetic_env(
            tmp, ALLOWED_HOSTS=HOST, SITE_URL="http://127.0.0.1", SECURE_SSL_REDIRECT="0", TRUSTED_PROXY_COUNT="1"
        )
        plain_env = hermetic_env(tmp, DJANGO_SETTINGS_MODULE="_plain_site", PLAIN_SITE_DB=str(tmp / "plain.sqlite3"))
        print(f"preparing {tmp} (migrate, collectstatic; the plain site's migrate)")
        manage(app_env, "migrate", "--noinput")
        manage(app_env, "collectstatic", "--noinput")
        _django(plain_env, "migrate", "--noinput")

        app_port, plain_port = free_port(), free_port()
        servers.append(start_gunicorn(app_env, app_port, tmp / "app.log", workers=WORKERS))
        servers.append(
            start_gunicorn(
                plain_env, plain_port, tmp / "plain.log", workers=WORKERS, app="_plain_site:application", cwd=BENCH_DIR
            )
        )
        wait_ready(servers[0], app_port, tmp / "app.log")
        wait_ready(servers[1], plain_port, tmp / "plain.log", path=PLAIN_PATH, statuses=(200,))
        private_path = linkedout_journey(app_port)
        plain_round_trips(plain_port)
        for path in (FIRST_STEP_PATH, private_path):
            status, _body = http_get(app_port, path)
            if status != 200:
                raise RuntimeError(f"GET {path} answered {status}, expected 200:\n{tail(tmp / 'app.log')}")

        measures: dict[str, Callable[[float], Result]] = {
            "first step": lambda s: _wrk(wrk, app_port, FIRST_STEP_PATH, s, connections),
            "plain step": lambda s: _wrk(wrk, plain_port, PLAIN_PATH, s, connections),
            "private page": lambda s: _wrk(wrk, app_port, private_path, s, connections),
            "journey": lambda s: run_journeys(linkedout_journey, app_port, s, connections),
            "plain trips": lambda s: run_journeys(plain_round_trips, plain_port, s, connections),
        }
        if warmup > 0:
            for measure in measures.values():
                measure(warmup)
        results: dict[str, list[Result]] = {name: [] for name in measures}
        for number in range(runs):
            order = list(measures) if number % 2 == 0 else list(reversed(measures))
            for name in order:
                result = measures[name](seconds)
                results[name].append(result)
                print(f"run {number + 1}/{runs} {name:<13} {result.rate:8.1f}/s  p50 {result.p50_ms:7.2f} ms")
        for server, log in zip(servers, ("app.log", "plain.log"), strict=True):
            if server.poll() is not None:
                print(f"gunicorn died during the benchmark:\n{tail(tmp / log)}")
                return 1
        _print_results(results, seconds, connections)
        if any(r.errors for runs_ in results.values() for r in runs_):
            print("errors were seen during the runs; server log tails:")
            print(tail(tmp / "app.log"))
            print(tail(tmp / "plain.log"))
            return 1
        return 0
    except KeyboardInterrupt:
        print("interrupted; stopping gunicorn", file=sys.stderr)
        return 130
    except (RuntimeError, OSError, JourneyError) as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        for server in servers:
            stop_gunicorn(server)
        signal.signal(signal.SIGTERM, previous_sigterm)
        shutil.rmtree(tmp, ignore_errors=True)


def _wrk(wrk: str, port: int, path: str, seconds: float, connections: int) -> Result:
    run = run_wrk(wrk, port, path, seconds, connections)
    return Result(run.rps, run.p50_ms, run.errors)


if __name__ == "__main__":
    sys.exit(main())
