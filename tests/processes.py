"""Start real Celery worker and beat processes against the test database."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def database_url_for_subprocess() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    port = db.get("PORT") or 5432
    return f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{port}/{db['NAME']}"


class Processes:
    def __init__(self, env: dict[str, str], workdir: Path):
        self.env = env
        self.workdir = workdir
        self.running: list[subprocess.Popen] = []

    def log_path(self, role: str, name: str = "") -> Path:
        return self.workdir / f"{role}-{name or 'main'}.log"

    def start(self, role: str, name: str = "") -> subprocess.Popen:
        celery = [sys.executable, "-m", "celery", "-A", "config"]
        if role == "worker":
            args = [
                *celery,
                "worker",
                "--concurrency=1",
                "--pool=solo",
                # One process for both queues here; production runs the
                # sweep queue in a process of its own (Procfile).
                "--queues=celery,sweep",
                "--loglevel=INFO",
                f"--hostname={name or 'w'}@%h",
            ]
        else:
            args = [*celery, "beat", "--loglevel=INFO", f"--schedule={self.workdir / f'beat-{name}'}"]
        return self._spawn(args, role, name)

    def start_web(self, port: int) -> subprocess.Popen:
        """The web process as Procfile runs it, serving 127.0.0.1:`port`."""
        return self._spawn([sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"], "web")

    def _spawn(self, args: list[str], role: str, name: str = "") -> subprocess.Popen:
        # Own process group (session): a Ctrl-C reaches only the caller, who stops them.
        with open(self.log_path(role, name), "ab") as log:
            process = subprocess.Popen(
                args,
                env=self.env,
                cwd=ROOT,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.running.append(process)
        return process

    def kill(self, process: subprocess.Popen, sig: int = signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def logs(self) -> str:
        return "\n".join(path.read_text(errors="replace")[-3000:] for path in sorted(self.workdir.glob("*.log")))

    def stop_all(self) -> None:
        for process in self.running:
            if process.poll() is None:
                try:
                    os.killpg(process.pid, signal.SIGTERM)
                except ProcessLookupError:
                    continue
        for process in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=5)


@contextmanager
def celery_processes(workdir: Path, **env_overrides: str):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "DATABASE_URL": database_url_for_subprocess(),
        **env_overrides,
    }
    processes = Processes(env, workdir)
    try:
        yield processes
    finally:
        processes.stop_all()
