"""System libraries LinkedOut needs outside Python, and how to get them."""

from __future__ import annotations

import ctypes.util
import shutil

APT_PACKAGES = (
    "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk fonts-noto-color-emoji"
)


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
