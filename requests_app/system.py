"""System libraries LinkedOut needs outside Python, and how to get them."""

from __future__ import annotations

import ctypes.util
import functools
import shutil
import subprocess
from dataclasses import dataclass
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


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# --- One check per package ---------------------------------------------------
# How to tell, without a package manager, that each package of
# system-packages.txt is there: its library loads, its program is on PATH, or
# fontconfig knows its fonts. A test fails when a line of that file has no
# check here.


@dataclass(frozen=True)
class Library:
    name: str  # as ctypes.util.find_library takes it

    def problem(self) -> str | None:
        return None if ctypes.util.find_library(self.name) else f"the library {self.name} is not found"


@dataclass(frozen=True)
class Program:
    names: tuple[str, ...]  # any one of them will do

    def problem(self) -> str | None:
        if any(shutil.which(name) for name in self.names):
            return None
        return f"{' or '.join(self.names)} is not on PATH"


@dataclass(frozen=True)
class Fonts:
    families: tuple[str, ...]  # every one must be known to fontconfig

    def problem(self) -> str | None:
        known = _font_families()
        if known is None:
            return "fc-list (fontconfig) is not installed, so its fonts cannot be found"
        missing = [family for family in self.families if family not in known]
        return f"fontconfig knows no font {', '.join(missing)}" if missing else None


@functools.cache
def _font_families() -> frozenset[str] | None:
    if shutil.which("fc-list") is None:
        return None
    listed = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, check=False).stdout  # noqa: S607
    # A line lists a font's family names, comma-separated ("Noto Sans CJK JP,Noto Sans CJK JP Bold").
    return frozenset(name.strip() for line in listed.splitlines() for name in line.split(","))


PACKAGE_CHECKS: dict[str, Library | Program | Fonts] = {
    "libpango-1.0-0": Library("pango-1.0"),
    "libpangoft2-1.0-0": Library("pangoft2-1.0"),
    "libharfbuzz-subset0": Library("harfbuzz-subset"),
    # Latin, Greek, Cyrillic, Arabic and Hebrew names on the receipt.
    "fonts-noto-core": Fonts(("Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew")),
    "fonts-noto-cjk": Fonts(("Noto Sans CJK JP", "Noto Sans CJK KR", "Noto Sans CJK SC")),
    "fonts-noto-color-emoji": Fonts(("Noto Color Emoji",)),
    "gettext": Program(("msgfmt",)),
    "chromium": Program(("chromium", "chromium-browser")),
    "poppler-utils": Program(("pdftotext",)),
    "postgresql-client": Program(("psql",)),
    "redis-tools": Program(("redis-cli",)),
}


def package_problem(package: str) -> str | None:
    """Why `package` (a line of system-packages.txt) looks missing, with the
    command that installs it; None when it is there."""
    problem = PACKAGE_CHECKS[package].problem()
    if problem is None:
        return None
    return f"{package} is missing ({problem}); install it with: {apt_install_command([package])}"


def missing_packages(*groups: str) -> list[str]:
    """The packages of these groups that look missing."""
    return [package for package in apt_packages(*groups) if PACKAGE_CHECKS[package].problem() is not None]


def apt_install_command(packages: list[str]) -> str:
    return "sudo apt-get install " + " ".join(packages)


# What WeasyPrint loads at import: without them no PDF at all.
PDF_LIBRARIES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz-subset0")


def missing_system_libraries() -> list[str]:
    """The packages of the native libraries WeasyPrint loads at import that
    are missing, or why it could not load them."""
    missing = [package for package in PDF_LIBRARIES if PACKAGE_CHECKS[package].problem() is not None]
    if not missing:
        try:
            import weasyprint  # noqa: F401  (fails with OSError on a broken install)
        except OSError as error:
            missing.append(f"a library WeasyPrint could not load: {error}")
    return missing
