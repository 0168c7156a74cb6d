"""The operator's data file of facts about LinkedIn, read and checked once.

Pure Python: no Django models, no I/O beyond reading ``data/facts.json`` at
import. Each fact carries its own source and checked-on date, and may be
marked unverified; pages show the oldest date of the facts they use and say
which are unverified (see `FactSet`). A malformed file stops the app at start
with a message naming the entry and the field, not with a KeyError on some
page later.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

FACTS_PATH = Path(__file__).with_name("data") / "facts.json"

# The facts the code reads, and the keys each value must have. A fact the
# code does not know is allowed (an operator's note); a missing one is not.
REQUIRED_FACTS: dict[str, tuple[str, ...]] = {
    "deletion_form": ("url", "name"),
    "deletion_form_fields": (),
    "objection_form": ("url", "name"),
    "objection_form_fields": (),
    "objection_type": ("option_words", "fallback_option"),
    "privacy_contact_form": ("url",),
    "dpo_form": ("url",),
    "account_closure": ("url", "deletion_days"),
    "account_closure_keeps_data": (),
    "ai_setting": ("url", "section_heading", "setting_name", "switch_label", "desktop_path", "mobile_path"),
    "opt_out_is_future_only": (),
    "ai_training_data": (),
    "ai_training_not_used": (),
    "uk_microsoft_sharing": ("countries",),
    "linkedin_founded": (),
    "controller_linkedin_ireland": ("name", "address_lines"),
    "controller_linkedin_corporation": ("name", "address_lines"),
}
# The fields of LinkedIn's forms that letters.py knows how to fill in.
KNOWN_FORM_FIELDS = frozenset({"first_name", "last_name", "email", "details", "objection_type", "explanation"})
LINKEDIN_URL_PREFIX = "https://www.linkedin.com/"


class FactsError(ValueError):
    """The data file is malformed; the message names the entry and field."""


@dataclass(frozen=True)
class Fact:
    name: str
    value: Any
    source: str
    checked_on: date
    unverified: bool = False


@dataclass(frozen=True)
class FormField:
    key: str
    max_chars: int | None


@dataclass(frozen=True)
class FactSet:
    """The facts one page or text relies on: what it shows as 'last checked
    on …' and whether it must say that some are unverified."""

    facts: tuple[Fact, ...]

    @property
    def oldest_checked_on(self) -> date | None:
        return min((fact.checked_on for fact in self.facts), default=None)

    @property
    def unverified(self) -> tuple[Fact, ...]:
        return tuple(fact for fact in self.facts if fact.unverified)

    @property
    def any_unverified(self) -> bool:
        return bool(self.unverified)


def _date(where: str, raw: Any) -> date:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise FactsError(f"{where}: checked_on must be a date as YYYY-MM-DD, not {raw!r}") from None


def _parse_fact(name: str, raw: Any) -> Fact:
    where = f"facts.json, fact {name!r}"
    if not isinstance(raw, dict):
        raise FactsError(f"{where}: must be an object with value, source and checked_on")
    for field in ("value", "source", "checked_on"):
        if field not in raw:
            raise FactsError(f"{where}: field {field!r} is missing")
    if not isinstance(raw["source"], str) or not raw["source"].strip():
        raise FactsError(f"{where}: field 'source' must say where the fact was seen")
    unverified = raw.get("unverified", False)
    if not isinstance(unverified, bool):
        raise FactsError(f"{where}: field 'unverified' must be true or false")
    value = raw["value"]
    for key in REQUIRED_FACTS.get(name, ()):
        if not isinstance(value, dict) or key not in value:
            raise FactsError(f"{where}: value needs the field {key!r}")
    if isinstance(value, dict) and "url" in value and not str(value["url"]).startswith(LINKEDIN_URL_PREFIX):
        raise FactsError(f"{where}: value.url must start with {LINKEDIN_URL_PREFIX}")
    if name.endswith("_form_fields"):
        _check_form_fields(where, value)
    return Fact(name=name, value=value, source=raw["source"], checked_on=_date(where, raw["checked_on"]),
                unverified=unverified)  # fmt: skip


def _check_form_fields(where: str, value: Any) -> None:
    if not isinstance(value, list) or not value:
        raise FactsError(f"{where}: value must be a non-empty list of fields")
    for index, field in enumerate(value):
        if not isinstance(field, dict) or field.get("key") not in KNOWN_FORM_FIELDS:
            raise FactsError(f"{where}: field {index} needs a key out of {sorted(KNOWN_FORM_FIELDS)}")
        limit = field.get("max_chars")
        if limit is not None and (not isinstance(limit, int) or limit < 20):
            raise FactsError(f"{where}: field {index} ({field['key']}): max_chars must be null or a number >= 20")


def parse_facts(document: dict[str, Any]) -> dict[str, Fact]:
    """Every fact of the data file, checked. Raises FactsError."""
    raw_facts = document.get("facts")
    if not isinstance(raw_facts, dict):
        raise FactsError("facts.json: the top-level object needs a 'facts' object")
    missing = sorted(set(REQUIRED_FACTS) - set(raw_facts))
    if missing:
        raise FactsError(f"facts.json: these facts are missing: {', '.join(missing)}")
    return {name: _parse_fact(name, raw) for name, raw in raw_facts.items() if not name.startswith("_")}


def load_document(path: Path = FACTS_PATH) -> dict[str, Any]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise FactsError(
            f"{path.name}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None


DOCUMENT: dict[str, Any] = load_document()
FACTS: dict[str, Fact] = parse_facts(DOCUMENT)


def fact(name: str) -> Fact:
    try:
        return FACTS[name]
    except KeyError:
        raise KeyError(f"unknown fact {name!r}; known: {sorted(FACTS)}") from None


def value(name: str) -> Any:
    return fact(name).value


def fact_set(names: Iterable[str]) -> FactSet:
    return FactSet(tuple(fact(name) for name in dict.fromkeys(names)))


def form_fields(name: str) -> tuple[FormField, ...]:
    """The fields of one of LinkedIn's forms, in the order the form asks them."""
    return tuple(FormField(key=raw["key"], max_chars=raw.get("max_chars")) for raw in value(f"{name}_fields"))
