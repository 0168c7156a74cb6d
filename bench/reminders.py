"""Benchmark: the reminder sweep and delivery, against PostgreSQL and Redis.

What it measures (targets from the reminders issue, for the 2-core machine)
    sweep     services.outbox.sweep() with nothing due over BENCH_REQUESTS requests
              (default 1,000,000), each with one sent reminder in the past and
              three pending ones in the future; median of BENCH_SWEEP_RUNS
              sweeps, plus the EXPLAIN (ANALYZE) of its claiming UPDATE, whose
              SELECT must use the partial index reminder_pending_due
                                                          target <= 50 ms
    enqueue   BENCH_DUE (default 10,000) due reminders claimed and published
              to Redis: services.outbox.sweep() called until it claims nothing, the
              reminder ids in the Redis queue counted (so a sweep that sends
              several ids per message counts right); median of BENCH_RUNS runs.
              Also the SQL queries one sweep batch makes, for two batch sizes
              (they must not grow with the batch)   target >= 2,000 per second
    deliver   BENCH_WORKERS (default 2) real Celery workers (solo pool,
              concurrency 1) delivering BENCH_DELIVER (default 2,000) due
              reminders to an aiosmtpd sink on loopback; emails per second from
              the first to the last message the sink received; median of
              BENCH_RUNS runs after a small warm-up   target >= 350 per second
    ceiling   the delivery rate as a share of what the machine's CPUs could do
              for the same work: CPUs / CPU time per email of workers, bench
              (sink, sweep), PostgreSQL and Redis, read from /proc during the
              delivery runs (median)               target >= 90% of it
    smtplib   the same number of copies of one rendered reminder email sent
              by raw smtplib from as many processes as workers, one connection
              each, to the same sink (which runs in this process): delivery
              with nothing of LinkedOut's work, for comparison

How
    Creates its own database (BENCH_DB_NAME, default linkedout_bench) on the
    PostgreSQL server of BENCH_POSTGRES_URL and uses the Redis database of
    BENCH_REDIS_URL (default db 13), which it flushes at start and at the end:
    nothing else on either server is touched. The database is dropped at the
    end, also on errors and on Ctrl-C / SIGTERM. Django runs in this process
    with production settings (DEBUG=0, a random SECRET_KEY, a temporary
    VAR_DIR); the rows are bulk-inserted with INSERT ... SELECT over
    generate_series (about a minute for the default size), then VACUUM ANALYZE.
    Phase 2 uses "not sent yet (day 4)" rows and marks them sent afterwards;
    phase 3 uses "AI setting" rows of other requests, after purging the queue,
    so nothing from one phase reaches the next. The encrypted fields hold
    real ciphertext (one value per field, encrypted once through the app's
    own keys), so workers decrypt as in production; every member thus has
    the same address, and doubles are counted by Message-ID (one per outbox
    row). Everything stays on loopback.

    Enqueue and delivery runs also print the CPU time per item of each party,
    read from /proc: "bench" (this process: the sweep, and in phase 3 the SMTP
    sink too), "workers", "postgres", "redis", "others" (processes that are
    not ours, alive throughout: another job on the machine) and
    "exited+kernel" (processes that lived only during the run, such as a
    PostgreSQL backend opened for one task, and kernel time). A warning says
    when other processes took more than 10% of the CPUs: the rates are then
    pessimistic, the CPU figures still hold.

Usage
    .venv/bin/python bench/reminders.py
    BENCH_REQUESTS=100000 BENCH_RUNS=1 .venv/bin/python bench/reminders.py

Environment
    BENCH_POSTGRES_URL  server to create the database on
                        (default postgres://postgres@127.0.0.1:5432)
    BENCH_DB_NAME       database to create and drop (default linkedout_bench)
    BENCH_REDIS_URL     Redis database to use and flush (default redis://127.0.0.1:6379/13)
    BENCH_REQUESTS      requests in the table (default 1000000)
    BENCH_SWEEP_RUNS    timed sweeps with nothing due (default 25)
    BENCH_DUE           due reminders per enqueue run (default 10000)
    BENCH_DELIVER       reminders per delivery run (default 2000)
    BENCH_WORKERS       worker processes (default 2)
    BENCH_RUNS          enqueue and delivery runs (default 3)
    BENCH_STRICT=1      exit 1 when a target is missed (default: report only)

Exit status: 0 on success; 1 if PostgreSQL or Redis is unreachable, a worker
failed, or a message was lost or doubled (or, with BENCH_STRICT=1, a target
was missed); 130 when interrupted.
"""

from __future__ import annotations

import base64
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from common import HOST, env_int, env_str, free_port, hermetic_env, raise_on_sigterm, tail

from tests.processes import Processes

SWEEP_TARGET_MS = 50.0
ENQUEUE_TARGET_PER_S = 2000.0
DELIVER_TARGET_PER_S = 350.0
CEILING_TARGET_SHARE = 0.90
WORKER_START_TIMEOUT = 180.0  # a loaded machine starts Django and Celery slowly
QUEUE = "celery"


def _verdict(ok: bool) -> str:
    return "met" if ok else "MISSED"


# --- CPU accounting ---------------------------------------------------------------


class CpuMeter:
    """CPU seconds used between start() and stop(), by process group, from
    /proc (Linux; silently empty elsewhere). Tells a CPU-bound run from a
    waiting one, and shows when something else on the machine took the CPU."""

    def __init__(self) -> None:
        self.tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
        self.before: tuple[dict[int, tuple[str, float]], float, float, float] | None = None

    def _processes(self) -> dict[int, tuple[str, float]]:
        found = {}
        for entry in Path("/proc").glob("[0-9]*"):
            try:
                head, tail = (entry / "stat").read_text().rsplit(")", 1)
                fields = tail.split()  # utime and stime are fields 14 and 15 of stat
                found[int(entry.name)] = (head.split("(", 1)[1], (int(fields[11]) + int(fields[12])) / self.tick)
            except (OSError, ValueError, IndexError):
                continue
        return found

    def _machine(self) -> tuple[float, float]:
        values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
        return (values[3] + values[4]) / self.tick, sum(values) / self.tick  # idle + iowait, total

    def start(self) -> None:
        try:
            self.before = (self._processes(), *self._machine(), time.monotonic())
        except OSError:
            self.before = None

    def stop(self, groups: dict[str, set[int]]) -> dict[str, float]:
        """CPU seconds per group (the pids given; "postgres" and "redis" by
        process name; "others" for any other process alive throughout, e.g.
        another job on the machine; "exited+kernel" for the rest, such as
        PostgreSQL backends that lived for one task), the machine's "idle %"
        and "others %" (share of all CPUs used by "others")."""
        if self.before is None:
            return {}
        before, idle0, total0, wall0 = self.before
        after = self._processes()
        idle1, total1 = self._machine()
        wall = time.monotonic() - wall0
        result = dict.fromkeys([*groups, "postgres", "redis", "others", "exited+kernel"], 0.0)
        for pid, (comm, cpu) in after.items():
            seconds = max(0.0, cpu - before.get(pid, (comm, 0.0))[1])
            group = next((name for name, pids in groups.items() if pid in pids), None)
            if group is None:
                if comm.startswith("postgres"):
                    group = "postgres"
                elif comm.startswith("redis"):
                    group = "redis"
                elif pid in before:
                    group = "others"
                else:
                    group = "exited+kernel"  # started during the run
            result[group] += seconds
        busy = (total1 - total0) - (idle1 - idle0)
        result["exited+kernel"] += max(0.0, busy - sum(result.values()))
        result["idle %"] = 100 * (idle1 - idle0) / (total1 - total0) if total1 > total0 else float("nan")
        result["others %"] = 100 * result["others"] / (wall * (os.cpu_count() or 1)) if wall > 0 else 0.0
        return result


OTHERS_WARNING_PERCENT = 10.0


def _cpu_line(usage: dict[str, float], count: int) -> str:
    if not usage or not count:
        return ""
    parts = [f"{name} {1000 * seconds / count:.2f}" for name, seconds in usage.items() if not name.endswith("%")]
    line = f"CPU ms per item: {', '.join(parts)}; machine idle {usage['idle %']:.0f}%"
    if usage["others %"] > OTHERS_WARNING_PERCENT:
        line += (
            f"\n       WARNING: other processes on this machine used {usage['others %']:.0f}% of its CPUs "
            "during this run: the rate may be pessimistic"
        )
    return line


# --- services ---------------------------------------------------------------------


@dataclass
class Services:
    admin_url: str  # the server's "postgres" database, for CREATE/DROP DATABASE
    database_url: str  # the bench database, for Django
    db_name: str
    redis_url: str


def _services() -> Services:
    server = urlsplit(env_str("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432"))
    db_name = env_str("BENCH_DB_NAME", "linkedout_bench")
    if not re.fullmatch(r"[a-z_][a-z0-9_]*", db_name):
        raise RuntimeError(f"BENCH_DB_NAME {db_name!r}: use lower-case letters, digits and _")
    return Services(
        admin_url=urlunsplit(server._replace(path="/postgres")),
        database_url=urlunsplit(server._replace(path=f"/{db_name}")),
        db_name=db_name,
        redis_url=env_str("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13"),
    )


def _check_services(services: Services) -> list[str]:
    import psycopg
    import redis

    problems = []
    try:
        with psycopg.connect(services.admin_url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        problems.append(f"PostgreSQL at {services.admin_url} is unreachable: {error}".strip())
    try:
        redis.Redis.from_url(services.redis_url, socket_connect_timeout=2, socket_timeout=5).ping()
    except redis.RedisError as error:
        problems.append(f"Redis at {services.redis_url} is unreachable: {error}")
    return problems


def _recreate_database(services: Services, *, create: bool) -> None:
    import psycopg

    with psycopg.connect(services.admin_url, autocommit=True, connect_timeout=3) as conn:
        # FORCE: a worker killed mid-run may still hold a connection.
        conn.execute(f'DROP DATABASE IF EXISTS "{services.db_name}" WITH (FORCE)')
        if create:
            conn.execute(f'CREATE DATABASE "{services.db_name}"')


def _flush_redis(services: Services) -> None:
    import redis

    redis.Redis.from_url(services.redis_url, socket_connect_timeout=2).flushdb()


def _environment(tmp: Path, services: Services, smtp_port: int) -> dict[str, str]:
    env = hermetic_env(
        tmp,
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=services.database_url,
        REDIS_URL=services.redis_url,
        EMAIL_URL=f"smtp://{HOST}:{smtp_port}",
        SITE_URL="http://127.0.0.1:8000",
    )
    for name in [name for name in env if name.startswith("REMINDER_") or name == "SWEEP_INTERVAL_SECONDS"]:
        env.pop(name)  # the app's defaults, as in production
    return env


def _setup_django(env: dict[str, str]) -> None:
    os.environ.clear()
    os.environ.update(env)
    import django

    django.setup()


# --- SMTP sink --------------------------------------------------------------------


_MESSAGE_ID = re.compile(rb"^Message-ID: *(\S+)", re.IGNORECASE | re.MULTILINE)


class CountingSink:
    """aiosmtpd handler: accepts everything, keeps only when and which
    message (its Message-ID, one per outbox row)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.times: list[float] = []
        self.message_ids: list[bytes] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ARG002
        now = time.monotonic()
        with self._lock:
            self.times.append(now)
            found = _MESSAGE_ID.search(envelope.content)
            self.message_ids.append(found.group(1) if found else b"")
        return "250 Message accepted for delivery"

    def reset(self) -> None:
        with self._lock:
            self.times = []
            self.message_ids = []

    def count(self) -> int:
        with self._lock:
            return len(self.times)

    def snapshot(self) -> tuple[list[float], list[bytes]]:
        with self._lock:
            return list(self.times), list(self.message_ids)


# --- workers ----------------------------------------------------------------------


class Workers:
    """BENCH_WORKERS real Celery workers (solo pool, concurrency 1), started
    and stopped as the delivery tests do it (tests/processes.py); on top, the
    wait until each is ready and a look at their logs."""

    def __init__(self, env: dict[str, str], logdir: Path) -> None:
        # At INFO the worker logs " ready." (awaited below), and two lines per
        # message of REMINDER_SEND_CHUNK emails; at the bench's WARNING it never says.
        self.processes = Processes({**env, "LOG_LEVEL": "INFO"}, logdir)
        self.started: list[tuple[subprocess.Popen, Path]] = []

    def start(self, count: int) -> None:
        for number in range(1, count + 1):
            name = f"bench{number}"
            self.started.append((self.processes.start("worker", name), self.processes.log_path("worker", name)))
        deadline = time.monotonic() + WORKER_START_TIMEOUT
        for process, log_path in self.started:
            while " ready." not in log_path.read_text(errors="replace"):
                if process.poll() is not None:
                    raise RuntimeError(f"worker exited with {process.returncode}:\n{tail(log_path)}")
                if time.monotonic() > deadline:
                    raise RuntimeError(f"worker not ready after {WORKER_START_TIMEOUT:.0f} s:\n{tail(log_path)}")
                time.sleep(0.2)

    def pids(self) -> set[int]:
        return {process.pid for process, _ in self.started}

    def check_alive(self) -> None:
        for process, log_path in self.started:
            if process.poll() is not None:
                raise RuntimeError(f"worker died with {process.returncode}:\n{tail(log_path)}")

    def errors(self) -> str:
        lines = []
        for _, log_path in self.started:
            text = log_path.read_text(errors="replace") if log_path.exists() else ""
            lines += [line for line in text.splitlines() if "ERROR" in line or "Traceback" in line]
        return "\n".join(lines[-20:])

    def stop(self) -> None:
        self.processes.stop_all()  # warm shutdown (SIGTERM), SIGKILL after 20 s
        self.started = []


# --- data -------------------------------------------------------------------------


def _insert_select(
    model, expressions: dict[str, str], source: str, source_params: list, constants: dict | None = None
) -> int:
    """INSERT INTO <model> SELECT ... FROM <source>: every column not given an
    SQL expression gets the value of `constants` or else the model field's
    default, each prepared once by the field (an encrypted field encrypts
    it), so new fields with defaults need no change here."""
    from django.db import connection

    columns, select, params = [], [], []
    for model_field in model._meta.concrete_fields:
        if model_field.primary_key:
            continue
        columns.append(connection.ops.quote_name(model_field.column))
        expression = expressions.get(model_field.attname, expressions.get(model_field.name))
        if expression is not None:
            select.append(expression)
            continue
        value = (constants or {}).get(model_field.name, model_field.get_default())
        if value is None and not model_field.null:
            if model_field.get_internal_type() in ("DateTimeField", "DateField"):
                select.append("now()")  # auto_now and the like
                continue
            raise RuntimeError(f"{model.__name__}.{model_field.name}: no default, add it to the bench's expressions")
        select.append("%s")
        params.append(model_field.get_db_prep_save(value, connection))
    sql = f"INSERT INTO {connection.ops.quote_name(model._meta.db_table)} ({', '.join(columns)}) SELECT {', '.join(select)} FROM {source}"  # noqa: E501
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *source_params])
        return cursor.rowcount


def _populate(requests: int) -> tuple[int, int]:
    """`requests` confirmed requests, not yet submitted, created an hour ago;
    each has its day-1 nudge sent and three reminders pending in the future
    (the AI setting, the day-4 nudge, the purge warning). Returns the first
    request id and the number of reminder rows."""
    from django.db import connection, transaction

    from requests_app import jurisdictions
    from requests_app.models import DeletionRequest, Reminder

    regime = jurisdictions.regime_for("DE", "").code
    with transaction.atomic(), connection.cursor() as cursor:
        # Skip the per-row foreign-key triggers: the rows are consistent by
        # construction, and this halves the set-up time.
        cursor.execute("SET LOCAL session_replication_role = replica")
        _insert_select(
            DeletionRequest,
            {
                "reference": "'BN' || lpad(g.i::text, 10, '0')",
                "status": f"'{DeletionRequest.Status.CREATED}'",
                "created_at": "now() - interval '1 hour'",
                "updated_at": "now() - interval '1 hour'",
                "creation_key": "NULL",
                "email_digest": "lpad(to_hex(g.i), 64, '0')",
                "country": "'DE'",
                "regime_code": f"'{regime}'",
                "email_confirmed_at": "now() - interval '50 minutes'",
                "fingerprint_salt": "md5(g.i::text)",
                "reminders_enabled": "true",
            },
            "generate_series(1, %s) AS g(i)",
            [requests],
            constants={"full_name": "Bench Member", "email": "member@bench.example.org"},
        )
        rows = _insert_select(
            Reminder,
            {
                "request_id": "r.id",
                "kind": "k.kind",
                "state": "k.state",
                # Pending rows spread over the next year; the sent row a day ago.
                "due_at": "CASE WHEN k.state = 'sent' THEN now() - interval '1 day' ELSE now() + "
                "make_interval(days => 1 + mod(r.id * 7 + k.n * 131, 365)::int, mins => mod(r.id, 1440)::int) END",
                "attempts": "CASE WHEN k.state = 'sent' THEN 1 ELSE 0 END",
                "claimed_at": "CASE WHEN k.state = 'sent' THEN now() - interval '1 day' END",
                "sent_at": "CASE WHEN k.state = 'sent' THEN now() - interval '1 day' END",
                "updated_at": "now()",
            },
            f"{connection.ops.quote_name(DeletionRequest._meta.db_table)} AS r CROSS JOIN (VALUES "
            f"('{Reminder.Kind.NOT_SENT_1}', 'sent', 0), ('{Reminder.Kind.AI_SETTING}', 'pending', 1), "
            f"('{Reminder.Kind.NOT_SENT_4}', 'pending', 2), ('{Reminder.Kind.PURGE_WARNING}', 'pending', 3)"
            ") AS k(kind, state, n)",
            [],
        )
        cursor.execute(f"SELECT min(id) FROM {connection.ops.quote_name(DeletionRequest._meta.db_table)}")
        first_id = cursor.fetchone()[0]
    with connection.cursor() as cursor:
        # Autovacuum would otherwise start on these fresh tables in the middle
        # of the measurements; VACUUM also sets the visibility map.
        for model in (DeletionRequest, Reminder):
            cursor.execute(f"VACUUM (ANALYZE) {connection.ops.quote_name(model._meta.db_table)}")
    return first_id, rows


def _make_due(kind: str, first_request: int, count: int) -> int:
    """Make one reminder of `count` requests due (pending, in the last 10
    minutes, spread so that ORDER BY due_at matters)."""
    from django.db import connection

    from requests_app.models import Reminder

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Reminder._meta.db_table} SET state = 'pending', claim = '', claimed_at = NULL, "
            "attempts = 0, due_at = now() - interval '1 second' * (1 + mod(id, 600)), updated_at = now() "
            "WHERE kind = %s AND request_id >= %s AND request_id < %s",
            [kind, first_request, first_request + count],
        )
        return cursor.rowcount


def _states(kind: str, first_request: int, count: int) -> dict[str, int]:
    from django.db.models import Count

    from requests_app.models import Reminder

    rows = (
        Reminder.objects.filter(kind=kind, request_id__gte=first_request, request_id__lt=first_request + count)
        .values("state")
        .annotate(n=Count("id"))
    )
    return {row["state"]: row["n"] for row in rows}


def _mark_sent(kind: str, first_request: int, count: int) -> None:
    from django.db import connection

    from requests_app.models import Reminder

    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Reminder._meta.db_table} SET state = 'sent', claim = '', sent_at = now(), updated_at = now() "
            "WHERE kind = %s AND request_id >= %s AND request_id < %s",
            [kind, first_request, first_request + count],
        )


def _pg_sessions() -> int:
    """Sessions ever opened to this database (PostgreSQL 14+; 0 before)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM information_schema.columns "
            "WHERE table_name = 'pg_stat_database' AND column_name = 'sessions'"
        )
        if not cursor.fetchone()[0]:
            return 0
        cursor.execute("SELECT sessions FROM pg_stat_database WHERE datname = current_database()")
        return int(cursor.fetchone()[0] or 0)


def _queued(client) -> tuple[int, int]:
    """(messages, reminder ids in them) waiting in the Redis queue. Counts ids,
    not messages, so that a sweep sending several ids per message counts
    right. kombu's Redis transport: one list per queue and priority step."""
    messages = ids = 0
    for key in client.scan_iter(f"{QUEUE}*"):
        if client.type(key) != b"list":
            continue
        for raw in client.lrange(key, 0, -1):
            messages += 1
            envelope = json.loads(raw)
            body = envelope["body"]
            if envelope.get("properties", {}).get("body_encoding") == "base64":
                body = base64.b64decode(body)
            args = json.loads(body)[0]  # task protocol 2: [args, kwargs, embed]
            first = args[0] if args else None
            ids += len(first) if isinstance(first, list) else 1
    return messages, ids


def _purge_queue(client) -> None:
    for key in list(client.scan_iter(f"{QUEUE}*")):
        if client.type(key) == b"list":
            client.delete(key)


def _sweep_until_empty() -> tuple[int, int]:
    """Sweep until a sweep claims nothing: (claimed, sweeps)."""
    from requests_app.services import outbox as reminders

    total = sweeps = 0
    while True:
        claimed = reminders.sweep()
        sweeps += 1
        total += len(claimed)
        if not claimed:
            return total, sweeps


# --- phases -----------------------------------------------------------------------


@dataclass
class Results:
    sweep_ms: float = float("nan")
    index_used: bool = False
    enqueue_rate: float = float("nan")
    queries: dict[int, int] = field(default_factory=dict)
    deliver_rate: float = float("nan")
    ceiling_rate: float = float("nan")
    ceiling_left_rate: float = float("nan")  # on the CPUs other processes left
    smtplib_rate: float = float("nan")
    problems: list[str] = field(default_factory=list)


def _phase_sweep(results: Results, requests: int, runs: int) -> None:
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from requests_app import tasks
    from requests_app.services import outbox as reminders

    print(f"\n[1] sweep with nothing due over {requests:,} requests", flush=True)
    for _ in range(3):  # warm-up: connection, plans, caches
        if reminders.sweep():
            results.problems.append("phase 1: the sweep claimed rows although none is due")
            return
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        reminders.sweep()
        timings.append((time.perf_counter() - started) * 1000)
    task_timings = []
    for _ in range(runs):
        started = time.perf_counter()
        tasks.sweep()  # what beat runs: the sweep plus the heartbeat row
        task_timings.append((time.perf_counter() - started) * 1000)
    statements: list[tuple[float, str]] = []

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            statements.append(((time.perf_counter() - started) * 1000, sql))

    with CaptureQueriesContext(connection) as captured, connection.execute_wrapper(timed):
        reminders.sweep()
    results.sweep_ms = statistics.median(timings)
    print(
        f"reminders.sweep()  median {results.sweep_ms:.2f} ms  (min {min(timings):.2f}, max {max(timings):.2f}; "
        f"{runs} runs)  target <= {SWEEP_TARGET_MS:.0f} ms: {_verdict(results.sweep_ms <= SWEEP_TARGET_MS)}"
    )
    print(f"tasks.sweep()      median {statistics.median(task_timings):.2f} ms  (sweep + heartbeat, for information)")
    print(
        f"{len(statements)} SQL statements per sweep ({len(captured.captured_queries)} with BEGIN and COMMIT; "
        "one sweep, client-side time):"
    )
    for elapsed, sql in statements:
        print(f"  {elapsed:7.2f} ms  {' '.join(sql.split())[:110]}")
    updates = [q["sql"] for q in captured.captured_queries if q["sql"].lstrip().upper().startswith("UPDATE")]
    claim = next((sql for sql in updates if "IN (SELECT" in sql.upper()), None)
    if claim is None:
        results.problems.append("phase 1: could not find the claiming UPDATE among the sweep's queries")
        return
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + claim)
        plan = [row[0] for row in cursor.fetchall()]
        transaction.set_rollback(True)  # EXPLAIN ANALYZE runs the UPDATE
    print("EXPLAIN (ANALYZE, BUFFERS) of the claiming UPDATE (its SELECT picks the due rows):")
    for line in plan:
        print(f"  {line}")
    results.index_used = any("reminder_pending_due" in line for line in plan)
    print(f"partial index reminder_pending_due used: {'yes' if results.index_used else 'NO'}")
    if not results.index_used:
        results.problems.append("phase 1: the sweep does not use the partial index reminder_pending_due")


def _phase_enqueue(results: Results, redis_client, first_request: int, due: int, runs: int) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from requests_app.models import Reminder
    from requests_app.services import outbox as reminders

    kind = Reminder.Kind.NOT_SENT_4
    print(
        f"\n[2] {due:,} due reminders claimed and enqueued to Redis (sweep batch {reminders.SWEEP_BATCH})", flush=True
    )
    _purge_queue(redis_client)
    _make_due(kind, first_request, min(due, reminders.SWEEP_BATCH))  # warm-up: broker connection, queue declared
    _sweep_until_empty()
    _purge_queue(redis_client)

    header = f"{'run':>6} {'claimed':>8} {'sweeps':>7} {'messages':>9} {'ids queued':>11} {'seconds':>8} {'per s':>9}"
    print(header)
    print("-" * len(header))
    rates = []
    for number in range(1, runs + 1):
        made = _make_due(kind, first_request, due)
        meter = CpuMeter()
        meter.start()
        started = time.perf_counter()
        claimed, sweeps = _sweep_until_empty()
        elapsed = time.perf_counter() - started
        usage = meter.stop({"bench": {os.getpid()}})
        messages, queued = _queued(redis_client)
        rates.append(claimed / elapsed)
        print(f"{number:>6} {claimed:>8} {sweeps:>7} {messages:>9} {queued:>11} {elapsed:>8.2f} {rates[-1]:>9.0f}")
        if usage:
            print(f"       {_cpu_line(usage, claimed)}")
        if not claimed == queued == made:
            results.problems.append(f"phase 2 run {number}: {made} due, {claimed} claimed, {queued} queued")
        _purge_queue(redis_client)
    print("-" * len(header))
    results.enqueue_rate = statistics.median(rates)
    print(
        f"median {results.enqueue_rate:,.0f} claimed and enqueued per second  target >= {ENQUEUE_TARGET_PER_S:,.0f}: "
        f"{_verdict(results.enqueue_rate >= ENQUEUE_TARGET_PER_S)}"
    )

    print("SQL queries and Redis messages for one sweep batch, by batch size:")
    original = reminders.SWEEP_BATCH
    try:
        for batch in (50, original):
            reminders.SWEEP_BATCH = batch
            _make_due(kind, first_request, batch)
            with CaptureQueriesContext(connection) as captured:
                claimed = reminders.sweep()
            messages, _ = _queued(redis_client)
            _purge_queue(redis_client)
            results.queries[batch] = len(captured.captured_queries)
            print(
                f"  batch {batch:>4}: {len(claimed):>4} claimed, {len(captured)} SQL queries "
                f"(with BEGIN and COMMIT), {messages} messages"
            )
            if len(claimed) != batch:
                results.problems.append(f"phase 2: batch size {batch} claimed {len(claimed)} (SWEEP_BATCH not used?)")
    finally:
        reminders.SWEEP_BATCH = original
    if len(set(results.queries.values())) != 1:
        results.problems.append(f"phase 2: SQL queries per sweep grow with the batch: {results.queries}")
    print(f"  constant: {'yes' if len(set(results.queries.values())) == 1 else 'NO'}")
    # Nothing of this phase may reach the workers of the next one.
    _mark_sent(kind, first_request, due)
    _purge_queue(redis_client)


def _deliver_run(sink: CountingSink, workers: Workers, first_request: int, count: int) -> dict:
    from requests_app.models import Reminder

    kind = Reminder.Kind.AI_SETTING
    sink.reset()
    made = _make_due(kind, first_request, count)
    sessions = _pg_sessions()
    meter = CpuMeter()
    meter.start()
    enqueue_started = time.monotonic()
    claimed, _ = _sweep_until_empty()
    enqueue_seconds = time.monotonic() - enqueue_started
    deadline = time.monotonic() + max(60.0, count / 20)
    while sink.count() < made and time.monotonic() < deadline:
        workers.check_alive()
        time.sleep(0.05)
    usage = meter.stop({"workers": workers.pids(), "bench (sink, sweep)": {os.getpid()}})
    # The row turns "sent" just after the message is accepted.
    states: dict[str, int] = {}
    settle = time.monotonic() + 10
    while time.monotonic() < settle:
        states = _states(kind, first_request, count)
        if states.get("sent", 0) >= made or sink.count() < made:
            break
        time.sleep(0.1)
    time.sleep(0.5)  # a double would arrive now
    sessions = _pg_sessions() - sessions
    times, message_ids = sink.snapshot()
    span = times[-1] - times[0] if len(times) > 1 else float("nan")
    return {
        "made": made,
        "claimed": claimed,
        "received": len(times),
        "unique": len(set(message_ids)),
        "span": span,
        "rate": (len(times) - 1) / span if len(times) > 1 and span > 0 else float("nan"),
        "enqueue": enqueue_seconds,
        "states": states,
        "cpu": usage,
        "sessions": sessions,
    }


def _phase_deliver(
    results: Results, sink: CountingSink, workers: Workers, first_request: int, count: int, worker_count: int, runs: int
) -> None:
    print(
        f"\n[3] {worker_count} workers (solo pool, concurrency 1) delivering {count:,} reminders to an SMTP sink",
        flush=True,
    )
    warm_up = 25 * worker_count
    started = time.monotonic()
    workers.start(worker_count)
    print(f"workers ready after {time.monotonic() - started:.1f} s")
    run = _deliver_run(sink, workers, first_request, warm_up)
    first_request += warm_up
    print(f"warm-up: {run['received']}/{run['made']} delivered")
    if run["received"] != run["made"]:
        results.problems.append(f"phase 3 warm-up: {run['received']} of {run['made']} delivered; {run['states']}")
        print(workers.errors())
        return

    header = (
        f"{'run':>6} {'due':>6} {'received':>9} {'unique':>7} {'enqueue s':>10} {'first→last s':>13} {'emails/s':>9}"
    )
    print(header)
    print("-" * len(header))
    rates = []
    usages = []
    for number in range(1, runs + 1):
        run = _deliver_run(sink, workers, first_request, count)
        first_request += count
        rates.append(run["rate"])
        if run["cpu"] and run["received"]:
            usages.append((run["cpu"], run["received"]))
        print(
            f"{number:>6} {run['made']:>6} {run['received']:>9} {run['unique']:>7} {run['enqueue']:>10.2f} "
            f"{run['span']:>13.2f} {run['rate']:>9.1f}"
        )
        if not run["made"] == run["claimed"] == run["received"] == run["unique"] == run["states"].get("sent", 0):
            results.problems.append(
                f"phase 3 run {number}: {run['made']} due, {run['claimed']} claimed, {run['received']} received "
                f"({run['unique']} distinct Message-IDs); rows by state {run['states']}"
            )
            errors = workers.errors()
            if errors:
                print(errors)
        if run["cpu"]:
            print(f"       {_cpu_line(run['cpu'], run['received'])}")
        if run["received"]:
            print(
                f"       PostgreSQL sessions opened during the run: {run['sessions']} "
                f"({run['sessions'] / run['received']:.2f} per email)"
            )
    print("-" * len(header))
    results.deliver_rate = statistics.median(rates)
    print(
        f"median {results.deliver_rate:,.1f} emails per second  target >= {DELIVER_TARGET_PER_S:.0f}: "
        f"{_verdict(results.deliver_rate >= DELIVER_TARGET_PER_S)}"
    )
    if usages:
        # What the machine could do if nothing else ran. "exited+kernel" is
        # ours too when workers open a connection per task, but may also hold
        # other jobs' short processes: shown both without and with it.
        cpus = os.cpu_count() or 1
        names = ("workers", "bench (sink, sweep)", "postgres", "redis")
        ours = statistics.median(sum(usage[name] for name in names) / received for usage, received in usages)
        more = statistics.median(
            sum(usage[name] for name in (*names, "exited+kernel")) / received for usage, received in usages
        )
        results.ceiling_rate = cpus / ours
        print(
            f"CPU-bound ceiling on {cpus} CPUs: {1000 * ours:.2f} ms of CPU per email in workers, bench, postgres "
            f"and redis -> at most {cpus / ours:,.0f} emails/s; with exited processes and kernel time "
            f"{1000 * more:.2f} ms -> {cpus / more:,.0f} emails/s"
        )
        share = results.deliver_rate / results.ceiling_rate
        # On a shared machine the CPUs other processes took were never ours:
        # the same ceiling on what they left tells waiting from crowding.
        left = 1 - statistics.median(usage["others %"] for usage, _received in usages) / 100
        results.ceiling_left_rate = results.ceiling_rate * left
        print(
            f"delivery at {share:.0%} of the CPU-bound ceiling ({cpus / ours:,.0f} emails/s)  "
            f"target >= {CEILING_TARGET_SHARE:.0%}: {_verdict(share >= CEILING_TARGET_SHARE)}; "
            f"at {results.deliver_rate / results.ceiling_left_rate:.0%} of it on the {left:.0%} of the CPUs "
            f"other processes left ({results.ceiling_left_rate:,.0f} emails/s)"
        )


def _smtplib_sender(port: int, message: bytes, count: int, offset: int) -> None:
    import smtplib

    with smtplib.SMTP(HOST, port) as smtp:
        for number in range(count):
            smtp.sendmail("noreply@bench.example.org", [f"ceiling{offset + number}@bench.example.org"], message)


def _phase_raw_smtplib(
    results: Results, sink: CountingSink, port: int, first_request: int, count: int, senders: int, runs: int
) -> None:
    """Delivery without LinkedOut's work, for comparison: raw smtplib sending a real
    reminder email (rendered once) to the same sink from as many processes as
    there are workers, one connection each, nothing else."""
    import multiprocessing

    from requests_app import emails
    from requests_app.models import Reminder

    print(f"\n[4] for comparison: raw smtplib from {senders} processes, {count:,} copies of one email", flush=True)
    # The kind the workers delivered in phase 3, as they render it.
    reminder = Reminder.objects.select_related("request").get(request_id=first_request, kind=Reminder.Kind.AI_SETTING)
    message = emails.reminder_message(reminder=reminder, token="t" * 43, unsubscribe="u" * 43)
    # As Django's SMTP backend sends it: CRLF line ends.
    data = message.message().as_bytes(linesep="\r\n")
    context = multiprocessing.get_context("fork")
    rates = []
    for _ in range(runs):
        sink.reset()
        share = count // senders
        children = [
            context.Process(target=_smtplib_sender, args=(port, data, share, number * share))
            for number in range(senders)
        ]
        for child in children:
            child.start()
        for child in children:
            child.join(120)
        times, _message_ids = sink.snapshot()
        span = times[-1] - times[0] if len(times) > 1 else float("nan")
        rates.append((len(times) - 1) / span if span and span > 0 else float("nan"))
    results.smtplib_rate = statistics.median(rates)
    print(
        f"median {results.smtplib_rate:,.1f} emails per second ({len(data) / 1024:.1f} KiB each); "
        f"LinkedOut's delivery ({results.deliver_rate:,.1f} /s) is {results.deliver_rate / results.smtplib_rate:.0%} "
        "of it"
    )


# --- main -------------------------------------------------------------------------


def _ratio(value: float, target: float) -> str:
    """Measured over target: at least 1 meets a ">=" target, at most 1 a "<=" one."""
    return f"x{value / target:.2f}" if target and value == value else "-"


def _print_summary(results: Results, requests: int, due: int, deliver: int, worker_count: int) -> list[str]:
    missed = []
    share = results.deliver_rate / results.ceiling_rate
    rows = [
        (
            f"sweep, nothing due, {requests:,} requests",
            f"{results.sweep_ms:.2f} ms",
            f"<= {SWEEP_TARGET_MS:.0f} ms",
            results.sweep_ms <= SWEEP_TARGET_MS,
            _ratio(results.sweep_ms, SWEEP_TARGET_MS),
        ),
        (
            f"claim + enqueue {due:,} due",
            f"{results.enqueue_rate:,.0f} /s",
            f">= {ENQUEUE_TARGET_PER_S:,.0f} /s",
            results.enqueue_rate >= ENQUEUE_TARGET_PER_S,
            _ratio(results.enqueue_rate, ENQUEUE_TARGET_PER_S),
        ),
        (
            "SQL queries per sweep batch",
            " / ".join(f"{n} @{batch}" for batch, n in results.queries.items()) or "-",
            "constant",
            len(set(results.queries.values())) == 1,
            "-",
        ),
        (
            f"deliver {deliver:,}, {worker_count} workers",
            f"{results.deliver_rate:,.1f} /s",
            f">= {DELIVER_TARGET_PER_S:.0f} /s",
            results.deliver_rate >= DELIVER_TARGET_PER_S,
            _ratio(results.deliver_rate, DELIVER_TARGET_PER_S),
        ),
        (
            f"deliver / CPU ceiling ({results.ceiling_rate:,.0f} /s)",
            f"{share:.0%}",
            f">= {CEILING_TARGET_SHARE:.0%}",
            share >= CEILING_TARGET_SHARE,
            _ratio(share, CEILING_TARGET_SHARE),
        ),
    ]
    print("\n=== reminders: summary (medians) ===")
    header = f"{'measure':<40} {'median':>16} {'target':>12} {'ratio':>7}  verdict"
    print(header)
    print("-" * len(header))
    for name, value, target, ok, ratio in rows:
        print(f"{name:<40} {value:>16} {target:>12} {ratio:>7}  {_verdict(ok)}")
        if not ok:
            missed.append(name)
    print(f"partial index used by the sweep: {'yes' if results.index_used else 'NO'}")
    print(
        f"deliver / CPU ceiling on what other processes left ({results.ceiling_left_rate:,.0f} /s): "
        f"{results.deliver_rate / results.ceiling_left_rate:.0%} (for information: the machine is shared)"
    )
    print(
        f"for comparison, raw smtplib to the same sink, {worker_count} processes: {results.smtplib_rate:,.1f} /s; "
        f"delivery {results.deliver_rate:,.1f} /s is {results.deliver_rate / results.smtplib_rate:.0%} of it"
    )
    return missed


def main() -> int:
    requests = env_int("BENCH_REQUESTS", 1_000_000)
    sweep_runs = env_int("BENCH_SWEEP_RUNS", 25)
    due = env_int("BENCH_DUE", 10_000)
    deliver = env_int("BENCH_DELIVER", 2_000)
    worker_count = env_int("BENCH_WORKERS", 2)
    runs = env_int("BENCH_RUNS", 3)
    strict = os.environ.get("BENCH_STRICT") == "1"
    needed = due + 25 * worker_count + deliver * runs
    if requests < needed:
        print(f"BENCH_REQUESTS must be at least {needed:,} for these sizes", file=sys.stderr)
        return 1

    try:
        services = _services()
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    problems = _check_services(services)
    if problems:
        for problem in problems:
            print(problem, file=sys.stderr)
        print("the reminders benchmark needs PostgreSQL and Redis (see BENCH_POSTGRES_URL, BENCH_REDIS_URL)")
        return 1

    from aiosmtpd.controller import Controller

    previous_sigterm = signal.signal(signal.SIGTERM, raise_on_sigterm)
    tmp = Path(tempfile.mkdtemp(prefix="linkedout-bench-reminders-"))
    database_created = django_ready = False
    controller = None
    workers = None
    results = Results()
    try:
        import redis

        redis_client = redis.Redis.from_url(services.redis_url, socket_connect_timeout=2)
        _flush_redis(services)
        _recreate_database(services, create=True)
        database_created = True
        sink = CountingSink()
        smtp_port = free_port()
        controller = Controller(sink, hostname=HOST, port=smtp_port)
        controller.start()
        env = _environment(tmp, services, smtp_port)
        _setup_django(env)
        django_ready = True

        from django.core.management import call_command
        from django.db import connection

        call_command("migrate", "--noinput", verbosity=0)
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            pg_version = cursor.fetchone()[0]
        redis_version = redis_client.info("server").get("redis_version", "?")
        print(
            f"PostgreSQL {pg_version} ({services.db_name}), Redis {redis_version} ({services.redis_url}), "
            f"{os.cpu_count()} CPUs"
        )

        print(f"populating {requests:,} requests and {requests * 4:,} reminders ...", flush=True)
        started = time.monotonic()
        first_request, reminder_rows = _populate(requests)
        print(f"populated {reminder_rows:,} reminders in {time.monotonic() - started:.1f} s (incl. VACUUM ANALYZE)")

        _phase_sweep(results, requests, sweep_runs)
        _phase_enqueue(results, redis_client, first_request, due, runs)
        workers = Workers(env, tmp)
        _phase_deliver(results, sink, workers, first_request + due, deliver, worker_count, runs)
        _phase_raw_smtplib(results, sink, smtp_port, first_request, deliver, worker_count, runs)

        missed = _print_summary(results, requests, due, deliver, worker_count)
        if results.problems:
            print("problems:")
            for problem in results.problems:
                print(f"  {problem}")
            return 1
        if missed:
            print(f"targets missed: {', '.join(missed)}")
            return 1 if strict else 0
        print("all targets met")
        return 0
    except KeyboardInterrupt:
        print("interrupted; stopping workers and dropping the database", file=sys.stderr)
        return 130
    except RuntimeError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        if workers is not None:
            workers.stop()
        if controller is not None:
            controller.stop()
        if django_ready:
            from django.db import connections

            connections.close_all()
        if database_created:
            try:
                _recreate_database(services, create=False)
                _flush_redis(services)
            except Exception as error:  # noqa: BLE001 - report, keep cleaning
                print(f"cleanup: {error}", file=sys.stderr)
        signal.signal(signal.SIGTERM, previous_sigterm)
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
