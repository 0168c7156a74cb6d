"""Helpers shared by the benchmarks (each runs as its own script)."""

from __future__ import annotations

import os
import secrets
import socket
import string
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"

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
