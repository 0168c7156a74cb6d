"""Helpers shared by the benchmarks (each runs as its own script)."""

from __future__ import annotations

import http.client
import os
import re
import secrets
import signal
import socket
import string
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
STARTUP_TIMEOUT = 60.0

# A benchmark runs as a script from bench/: the repository root goes on the
# import path for the app (imported after django.setup()) and for the test
# helpers a benchmark shares with the suite (tests/processes.py).
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def env_float(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    return float(value) if value else default


def env_str(name: str, default: str) -> str:
    return os.environ.get(name, "").strip() or default


def python_executable() -> str:
    """The project's venv interpreter, so child processes see its packages."""
    venv_python = ROOT / ".venv" / "bin" / "python"
    return str(venv_python) if venv_python.exists() else sys.executable


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log)"


def raise_on_sigterm(signum, frame):  # noqa: ARG001
    """Installed as the SIGTERM handler: clean up as on Ctrl-C."""
    raise KeyboardInterrupt


def hermetic_env(tmp: Path, **overrides: str) -> dict[str, str]:
    """Environment for a benchmark's Django processes: production settings
    (DEBUG off, a random key), SQLite and VAR_DIR in `tmp`, and nothing from
    the caller's Redis, SMTP or database settings."""
    env = dict(os.environ)
    for name in ("REDIS_URL", "CELERY_BROKER_URL", "EMAIL_URL", "DATABASE_URL", "DJANGO_SETTINGS_MODULE"):
        env.pop(name, None)
    alphabet = string.ascii_letters + string.digits
    env.update(
        {
            "DEBUG": "0",
            "SECRET_KEY": "".join(secrets.choice(alphabet) for _ in range(50)),
            "DATABASE_URL": f"sqlite:///{tmp / 'db.sqlite3'}",
            "VAR_DIR": str(tmp / "var"),
            "LOG_LEVEL": "WARNING",
            # The console backend unless a benchmark sets EMAIL_URL (DEBUG is off).
            "ALLOW_UNSENT_EMAIL": "1",
            "PYTHONDONTWRITEBYTECODE": "1",
            **overrides,
        }
    )
    return env


# --- gunicorn and wrk (shared by the HTTP benchmarks) ---------------------------


@dataclass
class RunResult:
    requests: int
    seconds: float
    rps: float
    p50_ms: float
    p99_ms: float
    errors: int  # socket errors, timeouts and non-2xx responses


def manage(env: dict[str, str], *args: str) -> None:
    result = subprocess.run(
        [python_executable(), "manage.py", *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
    )
    if result.returncode != 0:
        raise RuntimeError(f"manage.py {' '.join(args)} failed ({result.returncode}):\n{result.stdout}{result.stderr}")


def http_get(port: int, path: str, timeout: float = 5.0) -> tuple[int, bytes]:
    conn = http.client.HTTPConnection(HOST, port, timeout=timeout)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def start_gunicorn(
    env: dict[str, str],
    port: int,
    log_path: Path,
    *,
    workers: int,
    app: str = "config.wsgi:application",
    cwd: Path = ROOT,
) -> subprocess.Popen:
    log = open(log_path, "ab")  # noqa: SIM115 - closed in stop_gunicorn
    process = subprocess.Popen(
        [
            python_executable(),
            "-m",
            "gunicorn",
            app,
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--error-logfile",
            "-",
            "--log-level",
            "warning",
            # gunicorn >= 25.1 opens a control socket at ~/.gunicorn/gunicorn.ctl
            # by default, which would take over that of a dev server running beside.
            "--no-control-socket",
        ],
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=log,
        stderr=subprocess.STDOUT,
        # Own process group: a Ctrl-C in the terminal reaches only us, and we
        # shut gunicorn down ourselves (gracefully) in `finally`.
        start_new_session=True,
    )
    process._bench_log = log  # type: ignore[attr-defined]
    return process


def stop_gunicorn(process: subprocess.Popen | None) -> None:
    if process is None:
        return
    try:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)  # graceful: master stops its workers
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                # Master and workers share the process group we created for it.
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)
    finally:
        log = getattr(process, "_bench_log", None)
        if log is not None:
            log.close()


def wait_ready(
    process: subprocess.Popen, port: int, log_path: Path, *, path: str = "/healthz", statuses=(200, 503)
) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    last_error = ""
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn exited with {process.returncode}:\n{tail(log_path)}")
        try:
            status, body = http_get(port, path, timeout=2)
            if status in statuses:
                print(f"{path} answered {status}: {body[:200].decode(errors='replace')}")
                return
            last_error = f"{path} answered {status}"
        except OSError as exc:
            last_error = f"{type(exc).__name__}: {exc}"
        time.sleep(0.2)
    raise RuntimeError(f"gunicorn not ready after {STARTUP_TIMEOUT:.0f} s ({last_error}):\n{tail(log_path)}")


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0, "h": 3_600_000.0}


def _wrk_ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text.strip())
    if not match:
        raise ValueError(f"cannot parse wrk latency {text!r}")
    return float(match.group(1)) * _WRK_UNITS[match.group(2)]


def run_wrk(wrk: str, port: int, path: str, seconds: float, connections: int) -> RunResult:
    threads = max(1, min(2, connections))
    result = subprocess.run(
        [
            wrk,
            f"-t{threads}",
            f"-c{connections}",
            f"-d{max(1, round(seconds))}s",
            "--latency",
            "--timeout",
            "10s",
            f"http://{HOST}:{port}{path}",
        ],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=seconds + 60,
    )
    out = result.stdout
    if result.returncode != 0:
        raise RuntimeError(f"wrk failed ({result.returncode}):\n{out}{result.stderr}")
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    total = re.search(r"(\d+) requests in ([\d.]+)(us|ms|s|m)", out)
    p50 = _wrk_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1))
    p99 = _wrk_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1))
    errors = 0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if socket_errors:
        errors += sum(int(socket_errors.group(i)) for i in range(1, 5))
    non_2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if non_2xx:
        errors += int(non_2xx.group(1))
    requests = int(total.group(1)) if total else round(rps * seconds)
    elapsed = _wrk_ms(total.group(2) + total.group(3)) / 1000 if total else seconds
    return RunResult(requests, elapsed, rps, p50, p99, errors)
