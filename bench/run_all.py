"""Run every benchmark in bench/ in turn (`make bench`).

A benchmark is any bench/*.py (other than this file and names starting with
"_") that defines a top-level ``main()`` returning an exit status and ends
with ``if __name__ == "__main__": sys.exit(main())``. Each one runs in its own
interpreter (the project's .venv when present) so Django settings and other
process state never leak from one benchmark into the next; output streams
through as it comes. BENCH_* environment variables pass through unchanged.

Usage
    .venv/bin/python bench/run_all.py              # all benchmarks
    .venv/bin/python bench/run_all.py http_home    # only those named

Exit status: 0 when every benchmark exited 0, else 1.
"""

from __future__ import annotations

import ast
import signal
import subprocess
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent


def _has_main(path: Path) -> bool:
    tree = ast.parse(path.read_text(), filename=str(path))
    return any(isinstance(node, ast.FunctionDef) and node.name == "main" for node in tree.body)


def discover() -> list[Path]:
    this = Path(__file__).resolve()
    return [
        path
        for path in sorted(BENCH_DIR.glob("*.py"))
        if path.resolve() != this and not path.name.startswith("_") and _has_main(path)
    ]


def main(argv: list[str] | None = None) -> int:
    wanted = set(sys.argv[1:] if argv is None else argv)
    benchmarks = [path for path in discover() if not wanted or path.stem in wanted]
    unknown = wanted - {path.stem for path in benchmarks}
    if unknown:
        print(f"unknown benchmark(s): {', '.join(sorted(unknown))}", file=sys.stderr)
        return 1
    if not benchmarks:
        print("no benchmarks found in bench/", file=sys.stderr)
        return 1
    venv_python = ROOT / ".venv" / "bin" / "python"
    python = str(venv_python) if venv_python.exists() else sys.executable

    current: subprocess.Popen | None = None
    stopping = False

    def forward_sigterm(signum, frame):  # noqa: ARG001
        # Not from a terminal, so the child did not get it: pass it on (each
        # benchmark treats SIGTERM like Ctrl-C and cleans up), then stop.
        nonlocal stopping
        stopping = True
        if current is not None and current.poll() is None:
            current.send_signal(signal.SIGTERM)

    signal.signal(signal.SIGTERM, forward_sigterm)
    summary: list[tuple[str, int, float]] = []
    for path in benchmarks:
        if stopping:
            break
        print(f"=== {path.stem} ===", flush=True)
        started = time.monotonic()
        current = subprocess.Popen([python, str(path)], cwd=ROOT, stdin=subprocess.DEVNULL)
        try:
            status = current.wait()
        except KeyboardInterrupt:
            # The child got the same Ctrl-C: let it stop its servers (do not
            # kill it, which is what subprocess.run would do).
            print("interrupted; waiting for the benchmark to clean up", file=sys.stderr)
            try:
                current.wait(timeout=30)
            except (subprocess.TimeoutExpired, KeyboardInterrupt):
                current.terminate()
                current.wait()
            return 130
        summary.append((path.stem, status, time.monotonic() - started))
        print(flush=True)

    print("=== summary ===")
    if stopping:
        print("stopped by SIGTERM", file=sys.stderr)
    for name, status, seconds in summary:
        print(f"{name:<30} {'ok' if status == 0 else f'FAILED ({status})':<12} {seconds:7.1f} s")
    return 0 if summary and not stopping and all(status == 0 for _, status, _ in summary) else 1


if __name__ == "__main__":
    sys.exit(main())
