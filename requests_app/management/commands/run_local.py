"""`make run`'s process manager: collects the static files when DEBUG is
off, starts every process of the Procfile (web, worker, sweeper, beat),
prints their output with honcho's prefixes, says where LinkedOut answers once
it does (after the Celery banners), and on Ctrl-C stops them all and exits
cleanly.

Not `honcho start` itself: honcho sends SIGTERM to each process *group*, so
the worker's pool processes are killed under their parent (which then logs
them as lost, and is killed after 5 s), and it exits with 130, which make
reports as an error. Here each process is asked to stop (SIGTERM to the
process alone, which Celery and runserver take as "finish and exit"), and
only what is still running after STOP_SECONDS is killed.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import queue
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection
from honcho.colour import get_colours
from honcho.environ import parse_procfile
from honcho.printer import Message, Printer

from requests_app.dev_outbox import OutboxEmailBackend, where_to_look
from requests_app.health import health_report

STOP_SECONDS = 10
# The ready line waits for this much silence, so no banner scrolls it away.
QUIET_SECONDS = 1.0
# After this long the address is printed even if /healthz is not green yet.
READY_TIMEOUT_SECONDS = 90


class Command(BaseCommand):
    help = "Start web, worker, sweeper and beat (the Procfile) together; Ctrl-C stops them all (what `make run` runs)."
    requires_system_checks = []  # the web process runs them

    def add_arguments(self, parser):
        parser.add_argument("--procfile", default=str(Path(settings.BASE_DIR) / "Procfile"))

    def handle(self, *args, procfile: str, **options):
        try:
            processes = parse_procfile(Path(procfile).read_text(encoding="utf-8")).processes
        except OSError as error:
            raise CommandError(f"Cannot read the Procfile {procfile}: {error.strerror}.") from error
        if not processes:
            raise CommandError(f"The Procfile {procfile} names no process.")
        if not settings.DEBUG:
            # Without DEBUG, pages name hashed static files from a manifest
            # that only collectstatic writes: every page would be a 500.
            self.stdout.write("DEBUG is off: collecting the static files (WhiteNoise serves them) ...")
            call_command("collectstatic", interactive=False, verbosity=0)
        sys.exit(Launcher(processes).run())


class Launcher:
    def __init__(self, processes: dict[str, str]) -> None:
        self.commands = processes
        self.address = f"http://127.0.0.1:{settings.PORT}/"
        self.printer = Printer(sys.stdout, width=max(len(name) for name in [*processes, "system"]))
        self.colours = dict(zip(processes, get_colours(), strict=False))
        self.lines: queue.Queue[tuple[str, bytes | None]] = queue.Queue()
        self.running: dict[str, subprocess.Popen] = {}
        self.stop_requested = threading.Event()
        self.ready = threading.Event()
        # Celery workers say "<name>@<host> ready." once they consume; the
        # address waits for that line too, or it would scroll away under it.
        self.workers_starting = {
            name for name, command in processes.items() if "celery" in command and " worker" in command
        }
        self.healthy = False
        self.health_problem = ""

    # --- output ---------------------------------------------------------------

    def say(self, text: str, name: str = "system") -> None:
        now = datetime.datetime.now()
        self.printer.write(Message(type="line", data=text, time=now, name=name, colour=self.colours.get(name)))

    def announce(self, text: str) -> None:
        # Unprefixed and set apart: the one thing to read in the output.
        print(f"\n  {text}\n", flush=True)

    # --- processes --------------------------------------------------------------

    def start(self) -> None:
        env = {**os.environ, "PORT": str(settings.PORT)}
        # The Procfile names `python` and `celery`: the ones of this interpreter.
        env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
        for name, command in self.commands.items():
            process = subprocess.Popen(  # noqa: S602 (the Procfile's own command lines)
                # exec: the shell becomes the process, so the signal to stop
                # reaches the process itself, not a shell that would leave it running.
                f"exec {command}",
                shell=True,
                env=env,
                cwd=settings.BASE_DIR,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                # Its own session: the terminal's Ctrl-C reaches only this
                # launcher, which stops each process in order.
                start_new_session=True,
            )
            self.running[name] = process
            threading.Thread(target=self._read, args=(name, process), daemon=True).start()

    def _read(self, name: str, process: subprocess.Popen) -> None:
        for line in iter(process.stdout.readline, b""):
            self.lines.put((name, line))
        self.lines.put((name, None))

    def _signal_all(self, signum: int, *, group: bool) -> None:
        for process in self.running.values():
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError, PermissionError):
                    if group:
                        os.killpg(process.pid, signum)
                    else:
                        os.kill(process.pid, signum)

    def _watch_health(self) -> None:
        """Ready: the web process answers and /healthz's checks pass (asked
        here, in-process: polling /healthz itself would log its 503s as
        errors until beat's first sweep ran)."""
        deadline = time.monotonic() + READY_TIMEOUT_SECONDS
        try:
            while not self.stop_requested.is_set():
                self.healthy, report = health_report()
                self.health_problem = ", ".join(
                    f"{check} {result['detail']}" for check, result in report.items() if not result["ok"]
                )
                if self._web_answers() and self.healthy:
                    break
                if time.monotonic() > deadline:
                    break
                time.sleep(0.5)
        finally:
            connection.close()  # this thread's own
        self.ready.set()

    def _web_answers(self) -> bool:
        try:
            with urllib.request.urlopen(self.address, timeout=2):  # noqa: S310 (our own http://127.0.0.1 address)
                return True
        except urllib.error.HTTPError:
            return True  # it answered
        except OSError:
            self.health_problem = "the web process does not answer yet"
            return False

    # --- the loop ---------------------------------------------------------------

    def run(self) -> int:
        def request_stop(signum, frame):
            if self.stop_requested.is_set():  # a second Ctrl-C: no more waiting
                self._signal_all(signal.SIGKILL, group=True)
            self.stop_requested.set()

        signal.signal(signal.SIGINT, request_stop)
        signal.signal(signal.SIGTERM, request_stop)
        names = ", ".join(self.commands)
        self.say(f"starting {names}; LinkedOut will answer at {self.address}")
        self.start()
        threading.Thread(target=self._watch_health, daemon=True).start()

        exit_code = 0
        started_at = time.monotonic()
        announced = False
        last_output = time.monotonic()
        kill_at = None
        open_streams = set(self.commands)
        while open_streams or any(process.poll() is None for process in self.running.values()):
            try:
                name, line = self.lines.get(timeout=0.1)
            except queue.Empty:
                pass
            else:
                if line is None:
                    open_streams.discard(name)
                else:
                    text = line.decode("utf-8", "replace").rstrip("\n")
                    self.say(text, name)
                    last_output = time.monotonic()
                    if text.endswith(" ready."):
                        self.workers_starting.discard(name)
            if kill_at is None:
                died = [name for name, process in self.running.items() if process.poll() is not None]
                if died and not self.stop_requested.is_set():
                    code = self.running[died[0]].returncode
                    self.say(f"{died[0]} stopped on its own (exit status {code}): stopping the others")
                    exit_code = 1
                    self.stop_requested.set()
                if self.stop_requested.is_set():
                    self.say(f"stopping {names} (the workers finish their tasks first; Ctrl-C again kills them)")
                    self._signal_all(signal.SIGTERM, group=False)
                    kill_at = time.monotonic() + STOP_SECONDS
                elif not announced and self._started(started_at) and time.monotonic() - last_output > QUIET_SECONDS:
                    announced = True
                    self.announce(self._ready_text())
            elif time.monotonic() > kill_at:
                late = [name for name, process in self.running.items() if process.poll() is None]
                self.say(f"{', '.join(late)} did not stop within {STOP_SECONDS} s: killed")
                self._signal_all(signal.SIGKILL, group=True)
                kill_at = float("inf")
        # Whatever a process left behind in its group goes with it.
        for process in self.running.values():
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(process.pid, signal.SIGKILL)
        self.say("stopped" if exit_code == 0 else "stopped after an error (see above)")
        return exit_code

    def _started(self, started_at: float) -> bool:
        if time.monotonic() - started_at > READY_TIMEOUT_SECONDS:
            return True  # say where it is anyway, with what is not healthy
        return self.ready.is_set() and not self.workers_starting

    def _ready_text(self) -> str:
        lines = [f"LinkedOut is ready at {self.address}"]
        if not self.healthy:
            lines.append(f"(but it is not healthy yet: {self.health_problem})")
        if settings.EMAIL_BACKEND.endswith(f".{OutboxEmailBackend.__name__}"):
            lines.append(f"Emails land in {where_to_look()}")
        lines.append(f"Ctrl-C stops {', '.join(self.commands)}")
        return "\n  ".join(lines)
