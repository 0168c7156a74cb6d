"""Who runs this instance: the imprint, the privacy policy's controller, the
accessibility contact and enforcement body.

Pure Python apart from reading two JSON files: the defaults shipped in
``data/operator.json`` and, when settings.OPERATOR_FILE names one, the
operator's own file, whose entries replace the defaults one by one. Checked
when loaded (at start-up, by apps.py): a wrong entry stops the app with a
message naming the file and the field. Nothing here invents an identity: an
empty name, address or email leaves the operator "not configured", and the
pages say so.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings

DEFAULTS_PATH = Path(__file__).with_name("data") / "operator.json"
_TEXTS = ("name", "email", "phone", "contact_url", "responsible_person", "register", "vat_id", "country", "subdivision")


class OperatorFileError(ValueError):
    """The operator file is malformed; the message names the file and field."""


@dataclass(frozen=True)
class Party:
    """A company the operator names (hosting or email provider, an authority)."""

    name: str
    address_lines: tuple[str, ...]
    email: str = ""
    url: str = ""


@dataclass(frozen=True)
class Enforcement:
    body: Party
    source: str
    checked_on: date
    unverified: bool


@dataclass(frozen=True)
class Accessibility:
    statement_date: date
    feedback_email: str
    enforcement: Enforcement | None


@dataclass(frozen=True)
class Operator:
    name: str
    address_lines: tuple[str, ...]
    email: str
    phone: str
    contact_url: str
    responsible_person: str
    register: str
    vat_id: str
    country: str
    subdivision: str
    hosting_provider: Party | None
    email_provider: Party | None
    log_retention_days: int | None
    accessibility: Accessibility

    @property
    def is_configured(self) -> bool:
        """What § 5 DDG asks at the least: who, where, and how to reach them."""
        return bool(self.name and self.address_lines and self.email)


def _text(where: str, name: str, raw: Any) -> str:
    if raw is None:
        return ""
    if not isinstance(raw, str):
        raise OperatorFileError(f"{where}: {name!r} must be a text")
    return raw.strip()


def _email(where: str, name: str, raw: Any) -> str:
    value = _text(where, name, raw)
    if value and ("@" not in value or any(c.isspace() or c in "<>\"'" for c in value)):
        raise OperatorFileError(f"{where}: {name!r} must be an email address, not {value!r}")
    return value


def _url(where: str, name: str, raw: Any) -> str:
    # Shown as a link on every imprint: only a web address, never javascript: or data:.
    value = _text(where, name, raw)
    if value and not value.startswith("https://"):
        raise OperatorFileError(f"{where}: {name!r} must start with https://, not {value!r}")
    return value


def _lines(where: str, name: str, raw: Any) -> tuple[str, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not all(isinstance(line, str) for line in raw):
        raise OperatorFileError(f"{where}: {name!r} must be a list of lines")
    return tuple(line.strip() for line in raw if line.strip())


def _party(where: str, name: str, raw: Any) -> Party | None:
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise OperatorFileError(f"{where}: {name!r} must be null or an object with name and address_lines")
    here = f"{where}, {name}"
    party = Party(
        name=_text(here, "name", raw.get("name")),
        address_lines=_lines(here, "address_lines", raw.get("address_lines")),
        email=_email(here, "email", raw.get("email")),
        url=_url(here, "url", raw.get("url")),
    )
    if not party.name:
        raise OperatorFileError(f"{here}: 'name' is missing")
    return party


def _date(where: str, name: str, raw: Any) -> date:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise OperatorFileError(f"{where}: {name!r} must be a date as YYYY-MM-DD, not {raw!r}") from None


def _enforcement(where: str, raw: Any) -> Enforcement | None:
    body = _party(where, "enforcement", raw)
    if body is None:
        return None
    here = f"{where}, enforcement"
    source = _text(here, "source", raw.get("source"))
    if not source:
        raise OperatorFileError(f"{here}: 'source' must say where the body's address was seen")
    unverified = raw.get("unverified", False)
    if not isinstance(unverified, bool):
        raise OperatorFileError(f"{here}: 'unverified' must be true or false")
    return Enforcement(body=body, source=source, checked_on=_date(here, "checked_on", raw.get("checked_on")),
                       unverified=unverified)  # fmt: skip


def _retention_days(where: str, raw: Any) -> int | None:
    if raw is None:
        return None
    if not isinstance(raw, int) or isinstance(raw, bool) or raw < 0:
        raise OperatorFileError(f"{where}: 'log_retention_days' must be null or a whole number of days")
    return raw


def parse_operator(document: dict[str, Any], *, where: str) -> Operator:
    """The operator of a merged document (defaults and the operator's file)."""
    texts = {name: _text(where, name, document.get(name)) for name in _TEXTS}
    texts["email"] = _email(where, "email", document.get("email"))
    texts["contact_url"] = _url(where, "contact_url", document.get("contact_url"))
    raw_accessibility = document.get("accessibility") or {}
    if not isinstance(raw_accessibility, dict):
        raise OperatorFileError(f"{where}: 'accessibility' must be an object")
    here = f"{where}, accessibility"
    accessibility = Accessibility(
        statement_date=_date(here, "statement_date", raw_accessibility.get("statement_date")),
        feedback_email=_email(here, "feedback_email", raw_accessibility.get("feedback_email")) or texts["email"],
        enforcement=_enforcement(here, raw_accessibility.get("enforcement")),
    )
    return Operator(
        **texts,
        address_lines=_lines(where, "address_lines", document.get("address_lines")),
        hosting_provider=_party(where, "hosting_provider", document.get("hosting_provider")),
        email_provider=_party(where, "email_provider", document.get("email_provider")),
        log_retention_days=_retention_days(where, document.get("log_retention_days")),
        accessibility=accessibility,
    )


def _read(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise OperatorFileError(f"OPERATOR_FILE {path}: cannot be read ({error.strerror})") from None
    except json.JSONDecodeError as error:
        raise OperatorFileError(
            f"{path.name}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise OperatorFileError(f"{path.name}: the top level must be an object")
    return document


def merged(defaults: dict[str, Any], own: dict[str, Any]) -> dict[str, Any]:
    """The operator's entries over the defaults; "accessibility" entry by entry."""
    document = {**defaults, **own}
    document["accessibility"] = {**defaults.get("accessibility", {}), **(own.get("accessibility") or {})}
    return document


@functools.cache
def load(operator_file: str) -> Operator:
    defaults = _read(DEFAULTS_PATH)
    if not operator_file:
        return parse_operator(defaults, where=DEFAULTS_PATH.name)
    path = Path(operator_file)
    return parse_operator(merged(defaults, _read(path)), where=f"OPERATOR_FILE {path.name}")


def current() -> Operator:
    """This instance's operator, from settings.OPERATOR_FILE (read once per path)."""
    return load(settings.OPERATOR_FILE)
