"""System libraries LinkedOut needs outside Python, and how to get them."""

from __future__ import annotations

import ctypes.util
import shutil
from pathlib import Path

# The one list of Debian packages, also read by .ci/run and the Dockerfile.
SYSTEM_PACKAGES = Path(__file__).resolve().parent.parent / "system-packages.txt"


def apt_packages(*groups: str) -> list[str]:
    """The packages of these groups ("runtime", "test") in system-packages.txt,
    read as the shell readers do: lines starting with # are skipped, a line is
    a package and its group."""
    packages = []
    for line in SYSTEM_PACKAGES.read_text(encoding="utf-8").splitlines():
        if line[:1] not in ("", "#"):
            name, group, *_comment = line.split()
            if group in groups:
                packages.append(name)
    return packages


def missing_system_libraries() -> list[str]:
    """Names of the missing native libraries WeasyPrint loads at import."""
    missing = [
        name
        for name, library in (
            ("Pango (libpango-1.0-0)", "pango-1.0"),
            ("PangoFT2 (libpangoft2-1.0-0)", "pangoft2-1.0"),
            ("HarfBuzz subset (libharfbuzz-subset0)", "harfbuzz-subset"),
        )
        if ctypes.util.find_library(library) is None
    ]
    if not missing:
        try:
            import weasyprint  # noqa: F401  (fails with OSError on a broken install)
        except OSError as error:
            missing.append(f"a library WeasyPrint could not load: {error}")
    return missing


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")
