"""Benchmark: requests per second and latency of GET / through gunicorn.

What it does
    1. Makes a temporary directory with a fresh SQLite database and VAR_DIR,
       runs ``manage.py migrate`` and ``manage.py collectstatic`` into it.
    2. Starts gunicorn (the project's .venv, falling back to the current
       interpreter) on 127.0.0.1 and a free port: 2 sync workers, no access
       log, production settings (DEBUG=0, a random 50-character SECRET_KEY,
       the embedded filesystem broker; Redis/SMTP variables from the calling
       shell are removed so nothing outside the temp dir is touched).
    3. Waits for /healthz to answer (200 or 503 are both fine: beat is not
       running, so the "beat" check fails) and checks that GET / is 200.
    4. Runs a short warm-up, then BENCH_RUNS measured runs of BENCH_SECONDS
       each with BENCH_CONNECTIONS concurrent keep-alive connections against
       GET / and prints per-run figures plus the median requests/s, p50 and
       p99 latency across runs.
    5. Stops gunicorn (SIGTERM, then SIGKILL after 10 s) and deletes the temp
       dir, also on errors and on Ctrl-C / SIGTERM.

Load generator
    ``wrk`` when it is on PATH (Debian: ``apt-get install -y wrk``); otherwise a
    bounded pure-Python fallback (one thread per connection, http.client
    keep-alive, stops at BENCH_SECONDS or BENCH_MAX_REQUESTS per run). The
    fallback shares the GIL and the CPU with itself, so its requests/s is a
    lower bound; compare figures only between runs that used the same tool
    (the "tool" line says which). Sync gunicorn workers close the connection
    after each response, so both tools reconnect per request: that is part of
    what is measured.

Everything stays on the loopback interface.

Usage
    .venv/bin/python bench/http_home.py
    BENCH_RUNS=2 BENCH_SECONDS=3 .venv/bin/python bench/http_home.py

Environment
    BENCH_RUNS          measured runs (default 5)
    BENCH_SECONDS       seconds per run (default 10)
    BENCH_CONNECTIONS   concurrent connections (default 8)
    BENCH_WARMUP        warm-up seconds before the first run (default 2, 0 = none)
    BENCH_MAX_REQUESTS  per-run request cap for the Python fallback (default 200000)
    BENCH_TOOL          force "wrk" or "python" (default: wrk if available)

Exit status: 0 on success, 1 if the server could not be started, / was not
200, or any run saw errors or non-2xx responses.
"""

from __future__ import annotations

import http.client
import os
import shutil
import signal
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

from common import (
    RunResult,
    env_float,
    env_int,
    free_port,
    hermetic_env,
    http_get,
    manage,
    raise_on_sigterm,
    run_wrk,
    start_gunicorn,
    stop_gunicorn,
    tail,
    wait_ready,
)

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
PATH = "/"
WORKERS = 2


def _server_env(tmp: Path) -> dict[str, str]:
    return hermetic_env(tmp, ALLOWED_HOSTS=HOST, SITE_URL="http://127.0.0.1", SECURE_SSL_REDIRECT="0")


def _percentile(sorted_values: list[float], fraction: float) -> float:
    if not sorted_values:
        return float("nan")
    index = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[index]


def _run_python(port: int, seconds: float, connections: int, max_requests: int) -> RunResult:
    deadline = time.monotonic() + seconds
    budget = threading.Semaphore(max_requests)  # bounded request count per run
    latencies: list[list[float]] = [[] for _ in range(connections)]
    errors = [0] * connections

    def worker(slot: int) -> None:
        conn = http.client.HTTPConnection(HOST, port, timeout=10)
        own = latencies[slot]
        try:
            while time.monotonic() < deadline and budget.acquire(blocking=False):
                start = time.perf_counter()
                try:
                    conn.request("GET", PATH)
                    response = conn.getresponse()
                    response.read()
                    if response.will_close:
                        conn.close()  # sync gunicorn: reconnects on the next request
                except (OSError, http.client.HTTPException):
                    errors[slot] += 1
                    conn.close()
                    continue
                own.append((time.perf_counter() - start) * 1000)
                if not 200 <= response.status < 300:
                    errors[slot] += 1
        finally:
            conn.close()

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(slot,), daemon=True) for slot in range(connections)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 30)
    elapsed = time.monotonic() - started
    merged = sorted(value for own in latencies for value in own)
    return RunResult(
        requests=len(merged),
        seconds=elapsed,
        rps=len(merged) / elapsed if elapsed else 0.0,
        p50_ms=_percentile(merged, 0.50),
        p99_ms=_percentile(merged, 0.99),
        errors=sum(errors),
    )


# --- main ------------------------------------------------------------------------


def _print_table(tool: str, connections: int, seconds: float, results: list[RunResult]) -> None:
    print()
    print(f"GET {PATH}  gunicorn {WORKERS} sync workers  {connections} connections  {seconds:g} s/run  tool: {tool}")
    header = f"{'run':>6} {'requests':>9} {'req/s':>10} {'p50 ms':>9} {'p99 ms':>9} {'errors':>7}"
    print(header)
    print("-" * len(header))
    for number, r in enumerate(results, 1):
        print(f"{number:>6} {r.requests:>9} {r.rps:>10.1f} {r.p50_ms:>9.2f} {r.p99_ms:>9.2f} {r.errors:>7}")
    print("-" * len(header))
    print(
        f"{'median':>6} {int(statistics.median(r.requests for r in results)):>9} "
        f"{statistics.median(r.rps for r in results):>10.1f} "
        f"{statistics.median(r.p50_ms for r in results):>9.2f} "
        f"{statistics.median(r.p99_ms for r in results):>9.2f} "
        f"{sum(r.errors for r in results):>7}"
    )


def main() -> int:
    runs = env_int("BENCH_RUNS", 5)
    seconds = env_float("BENCH_SECONDS", 10.0)
    connections = env_int("BENCH_CONNECTIONS", 8)
    warmup = env_float("BENCH_WARMUP", 2.0)
    max_requests = env_int("BENCH_MAX_REQUESTS", 200_000)
    forced = os.environ.get("BENCH_TOOL", "").strip().lower()
    wrk = shutil.which("wrk") if forced in ("", "wrk") else None
    if forced == "wrk" and wrk is None:
        print("BENCH_TOOL=wrk but wrk is not on PATH (apt-get install -y wrk)", file=sys.stderr)
        return 1
    tool = "wrk" if wrk else "python (fallback: lower bound)"

    def measure(duration: float) -> RunResult:
        if wrk:
            return run_wrk(wrk, port, PATH, duration, connections)
        return _run_python(port, duration, connections, max_requests)

    previous_sigterm = signal.signal(signal.SIGTERM, raise_on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="linkedout-bench-"))
    process = None
    try:
        env = _server_env(tmp)
        print(f"preparing {tmp} (migrate, collectstatic)")
        manage(env, "migrate", "--noinput")
        manage(env, "collectstatic", "--noinput")
        port = free_port()
        log_path = tmp / "gunicorn.log"
        process = start_gunicorn(env, port, log_path, workers=WORKERS)
        wait_ready(process, port, log_path)
        status, body = http_get(port, PATH)
        if status != 200:
            print(f"GET {PATH} answered {status}, expected 200:\n{body[:2000].decode(errors='replace')}")
            print(tail(log_path))
            return 1
        if warmup > 0:
            measure(warmup)
        results = []
        for number in range(1, runs + 1):
            result = measure(seconds)
            print(
                f"run {number}/{runs}: {result.rps:.1f} req/s, p50 {result.p50_ms:.2f} ms, p99 {result.p99_ms:.2f} ms"
            )
            results.append(result)
        if process.poll() is not None:
            print(f"gunicorn died during the benchmark:\n{tail(log_path)}")
            return 1
        _print_table(tool, connections, seconds, results)
        if any(r.errors for r in results):
            print("errors were seen during the runs; server log tail:")
            print(tail(log_path))
            return 1
        return 0
    except KeyboardInterrupt:
        print("interrupted; stopping gunicorn", file=sys.stderr)
        return 130
    except RuntimeError as exc:
        print(exc, file=sys.stderr)
        return 1
    finally:
        stop_gunicorn(process)
        signal.signal(signal.SIGTERM, previous_sigterm)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
