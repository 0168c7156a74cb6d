"""Benchmark: render time per email, for every kind of email.

What it measures
    The work a worker does for one email before SMTP: the send function of
    emails.py (context, the three templates, CSS inlining, the MIME message)
    into Django's in-memory backend, for each kind of email (tests/email_samples.py,
    one request in the state that sends each kind). BENCH_RUNS rounds over
    every kind, after one warm-up round; prints the median per kind and the
    median over every email rendered.

How
    One process against a temporary SQLite database and VAR_DIR, production
    settings (DEBUG=0, a random SECRET_KEY); nothing outside the temp dir is
    touched and nothing leaves the machine.

Usage
    .venv/bin/python bench/emails.py
    BENCH_RUNS=50 BENCH_LANGUAGE=de .venv/bin/python bench/emails.py

Environment
    BENCH_RUNS       measured rounds over every kind (default 200)
    BENCH_LANGUAGE   language of the emails (default en)

Exit status: 0 on success, 130 when interrupted.
"""

from __future__ import annotations

import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import env_int, env_str, hermetic_env, raise_on_sigterm


def main() -> int:
    signal.signal(signal.SIGTERM, raise_on_sigterm)
    runs = env_int("BENCH_RUNS", 200)
    language = env_str("BENCH_LANGUAGE", "en")
    tmp = Path(tempfile.mkdtemp(prefix="linkedout-bench-emails-"))
    try:
        os.environ.clear()
        os.environ.update(hermetic_env(tmp, DJANGO_SETTINGS_MODULE="config.settings"))
        import django

        django.setup()
        from django.conf import settings
        from django.core.management import call_command

        call_command("migrate", "--noinput", verbosity=0)
        settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
        from tests.email_samples import samples

        kinds = samples(language)
        from django.core import mail

        cpu: dict[str, list[float]] = {sample.name: [] for sample in kinds}
        wall: dict[str, list[float]] = {sample.name: [] for sample in kinds}
        for round_number in range(runs + 1):
            for sample in kinds:
                start_cpu, start_wall = time.thread_time(), time.perf_counter()
                sample.send()
                if round_number:  # the first round warms the template and translation caches
                    cpu[sample.name].append((time.thread_time() - start_cpu) * 1000)
                    wall[sample.name].append((time.perf_counter() - start_wall) * 1000)
            mail.outbox.clear()
        print(f"emails: render time per email, ms (median of {runs} runs, language {language})")
        print(f"  {'kind':<24} {'CPU':>7} {'wall':>7}")
        for name in cpu:
            print(f"  {name:<24} {statistics.median(cpu[name]):7.2f} {statistics.median(wall[name]):7.2f}")
        every_cpu = [value for values in cpu.values() for value in values]
        every_wall = [value for values in wall.values() for value in values]
        print(f"  {'every email':<24} {statistics.median(every_cpu):7.2f} {statistics.median(every_wall):7.2f}")
        return 0
    except KeyboardInterrupt:
        return 130
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
