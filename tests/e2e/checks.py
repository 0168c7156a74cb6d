"""What every page must pass in the browser: axe-core (shipped inside the
axe-playwright-python package, injected into the page), no horizontal
scrolling, and a screenshot for a person to look at."""

from __future__ import annotations

import json
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe

AXE_REPORTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "axe"
# WCAG 2.0, 2.1 and 2.2 at levels A and AA, plus axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa", "best-practice"]
BLOCKING_IMPACTS = {"serious", "critical"}

_axe = Axe()


def axe_run(page) -> dict:
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations", "incomplete"]}
    return _axe.run(page, options=options).response


def describe(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:5]:
            lines.append(f"    {', '.join(map(str, node['target']))}: {node.get('failureSummary', '')!r}")
    return "\n".join(lines)


def assert_accessible(page, name: str) -> list[dict]:
    """No serious or critical axe violation. Lesser ones are written to
    test-artifacts/axe/<name>.json for a person to review, and returned."""
    results = axe_run(page)
    violations = results["violations"]

    def summary(rules: list[dict]) -> list[dict]:
        return [{"id": r["id"], "impact": r["impact"], "targets": [n["target"] for n in r["nodes"]]} for r in rules]

    # "incomplete" is what axe could not decide alone (e.g. contrast over a
    # background image): kept for a person to review, never a failure.
    report = {"url": page.url, "violations": summary(violations), "needs_review": summary(results["incomplete"])}
    AXE_REPORTS.mkdir(parents=True, exist_ok=True)
    (AXE_REPORTS / f"{name}.json").write_text(json.dumps(report, indent=2))
    blocking = [v for v in violations if v["impact"] in BLOCKING_IMPACTS]
    assert not blocking, f"axe on {name} ({page.url}):\n{describe(blocking)}"
    return violations


def assert_fits_width(page, name: str) -> None:
    """Nothing sticks out sideways: the page never scrolls horizontally."""
    width = page.viewport_size["width"]
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    if scroll_width > width:
        culprits = page.evaluate(
            """(width) => Array.from(document.querySelectorAll('body *'))
                .filter((el) => el.getBoundingClientRect().right > width + 0.5)
                .slice(0, 8)
                .map((el) => el.outerHTML.slice(0, 80))""",
            width,
        )
        raise AssertionError(f"{name} scrolls sideways at {width}px: scrollWidth {scroll_width}; too wide: {culprits}")


def allow_status(page, status: int) -> None:
    """The test expected this error status: take it off the failed-response list."""
    expected = [entry for entry in page.failed_responses if entry.startswith(f"{status} ")]
    assert expected, f"expected a {status} response, got {page.failed_responses}"
    for entry in expected:
        page.failed_responses.remove(entry)
