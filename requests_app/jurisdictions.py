"""Which law applies to a LinkedIn member, who the controller is, and which
authorities they can turn to.

Pure Python: no Django models and no I/O beyond reading two operator-edited
data files at import, ``data/regimes.json`` (the laws: names per language,
citations, periods, controller, appeal, where and since when each applies)
and ``data/authorities.json`` (where a member complains). Both are checked
here, once: a wrong entry stops the app with a message naming the file, the
entry and the field. A regime says how long its periods are; `dates.py`
counts them. Names and citations are given in the active language (a German
page says "Art. 17 DSGVO", an English letter "Article 17 GDPR").
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any, Literal

import holidays
from django.utils import translation
from django.utils.translation import ngettext

from . import facts
from .facts import FactsError

DATA_DIR = Path(__file__).with_name("data")
REGIMES_PATH = DATA_DIR / "regimes.json"
AUTHORITIES_PATH = DATA_DIR / "authorities.json"
GRAMMAR_PATH = DATA_DIR / "grammar.json"

# The citation keys the texts know how to use. "erasure" is required; the
# rest are optional, and a text that needs one the regime lacks leaves it out.
CITATION_KEYS = frozenset(
    {
        "erasure", "objection", "recipients", "deadline", "erasure_after_objection", "public_data",
        "restriction", "access", "appeal", "consent_withdrawal", "retention", "deemed_refusal", "quebec_erasure",
        "identity",
    }
)  # fmt: skip
# What a consent-withdrawal letter (PIPEDA) cites, so the data must give it.
CONSENT_WITHDRAWAL_CITATIONS = ("consent_withdrawal", "retention", "access", "deadline", "deemed_refusal")
REGIME_FIELDS = frozenset(
    {
        "applies_to", "in_force_from", "name", "short_name", "cite", "citations", "deadline", "extension",
        "deadline_kind", "holidays", "controller", "authorities", "basis", "appeal", "source", "checked_on",
        "unverified", "pauses_for_id",
    }
)  # fmt: skip
UNVERIFIABLE_FIELDS = frozenset({"deadline", "extension", "appeal", "in_force_from", "controller"})
AUTHORITY_FIELDS = frozenset(
    {"name", "short_name", "complain_to", "kind", "website", "email", "web_form", "address_lines", "source",
     "checked_on", "unverified"}
)  # fmt: skip
MEMBER_AUTHORITY = "@member"  # in a regime's authorities: the member's own, where they live
_PLACE = re.compile(r"[A-Z]{2}(?:-[A-Z0-9]{1,3})?")

# --------------------------------------------------------------------------- types


@dataclass(frozen=True)
class Controller:
    key: str
    name: str
    address_lines: tuple[str, ...]


@dataclass(frozen=True)
class Authority:
    key: str
    name: str
    short_name: str
    website: str
    kind: Literal["dpa", "attorney_general"] = "dpa"
    email: str = ""
    address_lines: tuple[str, ...] = ()
    web_form: str = ""  # the complaint page, where the authority has one
    source: str = ""
    checked_on: date | None = None
    unverified: bool = False
    # language -> the name as "I will complain to ..." names it: with its
    # article, in the case that language's sentence needs (see authorities.json).
    complain_to: Mapping[str, str] = field(default_factory=dict)

    @property
    def complaint_url(self) -> str:
        return self.web_form or self.website

    @property
    def named_in_letter(self) -> str:
        """The authority inside a letter's sentence, in the active language:
        "der irischen Datenschutzkommission (Data Protection Commission)"."""
        return _in_language(self.complain_to) if self.complain_to else self.name


@dataclass(frozen=True)
class Period:
    unit: Literal["months", "days"]
    amount: int
    roll_over: bool  # True: a Saturday/Sunday/public holiday moves the end to the next working day


@dataclass(frozen=True)
class Appeal:
    """How a member appeals a refusal within the business's own process (US
    state laws), and how long the business has to answer the appeal."""

    how: Literal["reply_to_decision"]
    answer_within: Period | None  # None: the law sets no period

    @property
    def answer_words(self) -> str:
        return period_words(self.answer_within.unit, self.answer_within.amount) if self.answer_within else ""

    @property
    def answer_within_words(self) -> str:
        """The period as it follows "within" in the active language (see within_words)."""
        return within_words(self.answer_within.unit, self.answer_within.amount) if self.answer_within else ""


@dataclass(frozen=True, eq=False)
class Regime:
    code: str
    names: Mapping[str, str]  # language -> full name of the law
    short_names: Mapping[str, str]
    cite_formats: Mapping[str, str]  # language -> "Art. {ref} {law}"
    citations: Mapping[str, str | Mapping[str, str]]
    deadline: Period
    # TOTAL period from receipt when extended, not just the extra part.
    extension: Period | None
    holiday_country: str  # whose public holidays roll a deadline over ("IE", "GB-ENG"); "" = none
    controller: Controller
    # "legal": the law sets it; "unverified": a period we apply but could not
    # confirm for erasure; "ours": no law sets one, LinkedOut suggests it.
    deadline_kind: Literal["legal", "unverified", "ours"]
    authority_keys: tuple[str, ...]
    authorities: tuple[Authority, ...]  # personalised by regime_for(); generic from regime_by_code()
    basis: Literal["erasure", "consent_withdrawal"]
    appeal: Appeal | None
    applies_to: tuple[str, ...]
    in_force_from: date | None
    source: str
    checked_on: date
    unverified: frozenset[str] = field(default_factory=frozenset)
    # The clock stops while the controller waits for proof of identity (UK).
    pauses_for_id: bool = False

    # -- names and citations, in the active language

    @property
    def law_name(self) -> str:
        return _in_language(self.names)

    @property
    def short_name(self) -> str:
        return _in_language(self.short_names)

    def citation(self, key: str) -> str:
        """A citation as the active language writes it, or "" if the regime has none."""
        raw = self.citations.get(key)
        if raw is None:
            return ""
        if not isinstance(raw, str):
            return _in_language(raw)
        return _in_language(self.cite_formats).format(ref=article_ref(raw), law=self.short_name)

    erasure_citation = property(lambda self: self.citation("erasure"))
    objection_citation = property(lambda self: self.citation("objection"))
    recipients_citation = property(lambda self: self.citation("recipients"))
    deadline_citation = property(lambda self: self.citation("deadline"))
    erasure_after_objection_citation = property(lambda self: self.citation("erasure_after_objection"))
    public_data_citation = property(lambda self: self.citation("public_data"))
    restriction_citation = property(lambda self: self.citation("restriction"))
    appeal_citation = property(lambda self: self.citation("appeal"))

    @property
    def unverified_citations(self) -> tuple[str, ...]:
        """The citations not checked against the law's text; the page says so."""
        return tuple(self.citation(key) for key in sorted(self.unverified & CITATION_KEYS) if key in self.citations)

    # -- rules

    @property
    def has_objection_right(self) -> bool:
        return "objection" in self.citations

    @property
    def withdraws_consent(self) -> bool:
        return self.basis == "consent_withdrawal"

    @property
    def deadline_is_ours(self) -> bool:
        return self.deadline_kind == "ours"

    @property
    def deadline_unverified(self) -> bool:
        return self.deadline_kind == "unverified" or "deadline" in self.unverified

    def in_force_on(self, day: date) -> bool:
        return self.in_force_from is None or self.in_force_from <= day

    @property
    def deadline_words(self) -> str:
        """'one month', '45 days', in the active language."""
        return period_words(self.deadline.unit, self.deadline.amount)

    @property
    def deadline_within_words(self) -> str:
        """The deadline as it follows "within" in a letter: "eines Monats" in German."""
        return within_words(self.deadline.unit, self.deadline.amount)

    @property
    def extension_words(self) -> str:
        """The extra time an extension adds: 'two more months', '45 more days'."""
        if self.extension is None:
            return ""
        return period_words(self.extension.unit, self.extension.amount - self.deadline.amount, more=True)

    @property
    def fact(self) -> facts.Fact:
        """This entry as a fact, for the 'last checked on' notes of the pages."""
        return facts.Fact(name=f"regime {self.code}", value=None, source=self.source, checked_on=self.checked_on,
                          unverified=bool(self.unverified) or self.deadline_kind == "unverified")  # fmt: skip


def _in_language(mapping: Mapping[str, str]) -> str:
    language = (translation.get_language() or "en").lower()
    return mapping.get(language) or mapping.get(language.split("-")[0]) or mapping["en"]


def period_words(unit: str, amount: int, *, more: bool = False) -> str:
    # Words, not data: translated when shown, in the reader's language.
    if unit == "months":
        if more:
            return ngettext("one more month", "%(count)d more months", amount) % {"count": amount}
        return ngettext("one month", "%(count)d months", amount) % {"count": amount}
    if more:
        return ngettext("%(count)d more day", "%(count)d more days", amount) % {"count": amount}
    return ngettext("%(count)d day", "%(count)d days", amount) % {"count": amount}


# An article with its paragraph and point as the data writes it: "17(1)(c)".
_ARTICLE_REF = re.compile(r"(?P<article>\d+)(?:\((?P<paragraph>\d+)\))?(?:\((?P<point>[a-z])\))?")


def article_ref(ref: str) -> str:
    """ "17(1)(c)" as the active language writes it ("17 Abs. 1 lit. c" in
    German), from grammar.json; any other reference ("19, II", a US code
    section) as it is."""
    match = _ARTICLE_REF.fullmatch(ref)
    forms = ARTICLE_REF_FORMS.get((translation.get_language() or "en").lower().split("-")[0])
    if match is None or forms is None or match["paragraph"] is None:
        return ref
    return forms["point" if match["point"] else "paragraph"].format(**match.groupdict())


def within_words(unit: str, amount: int) -> str:
    """A period as it follows the active language's word for "within": where
    grammar.json gives that language a form ("innerhalb eines Monats", not
    "innerhalb von einem Monat"), that form, with whatever preposition it
    needs; else the plain words."""
    forms = WITHIN_FORMS.get((translation.get_language() or "en").lower().split("-")[0])
    if forms is None:
        return period_words(unit, amount)
    return forms[unit]["one" if amount == 1 else "other"].format(count=amount)


# --------------------------------------------------------------------------- places

# Common non-ISO spellings users or other code may pass in.
_COUNTRY_ALIASES = {"UK": "GB", "EL": "GR"}

US_STATE_CHOICES: list[tuple[str, str]] = [
    ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"),
    ("CA", "California"), ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"),
    ("DC", "District of Columbia"), ("FL", "Florida"), ("GA", "Georgia"), ("HI", "Hawaii"),
    ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"),
    ("KS", "Kansas"), ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"),
    ("MD", "Maryland"), ("MA", "Massachusetts"), ("MI", "Michigan"), ("MN", "Minnesota"),
    ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"), ("NE", "Nebraska"),
    ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"),
    ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"),
    ("OK", "Oklahoma"), ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"),
    ("SC", "South Carolina"), ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"),
    ("UT", "Utah"), ("VT", "Vermont"), ("VA", "Virginia"), ("WA", "Washington"),
    ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
]  # fmt: skip

CA_PROVINCE_CHOICES: list[tuple[str, str]] = [
    ("AB", "Alberta"), ("BC", "British Columbia"), ("MB", "Manitoba"),
    ("NB", "New Brunswick"), ("NL", "Newfoundland and Labrador"), ("NS", "Nova Scotia"),
    ("NT", "Northwest Territories"), ("NU", "Nunavut"), ("ON", "Ontario"),
    ("PE", "Prince Edward Island"), ("QC", "Quebec"), ("SK", "Saskatchewan"), ("YT", "Yukon"),
]  # fmt: skip

# ISO 3166-2:DE. In Germany the data-protection authority of the member's Land
# is competent for companies, not the federal commissioner.
DE_LAND_CHOICES: list[tuple[str, str]] = [
    ("BW", "Baden-Württemberg"), ("BY", "Bayern"), ("BE", "Berlin"), ("BB", "Brandenburg"),
    ("HB", "Bremen"), ("HH", "Hamburg"), ("HE", "Hessen"), ("MV", "Mecklenburg-Vorpommern"),
    ("NI", "Niedersachsen"), ("NW", "Nordrhein-Westfalen"), ("RP", "Rheinland-Pfalz"), ("SL", "Saarland"),
    ("SN", "Sachsen"), ("ST", "Sachsen-Anhalt"), ("SH", "Schleswig-Holstein"), ("TH", "Thüringen"),
]  # fmt: skip

COUNTRIES_WITH_SUBDIVISIONS: dict[str, list[tuple[str, str]]] = {
    "US": US_STATE_CHOICES,
    "CA": CA_PROVINCE_CHOICES,
    "DE": DE_LAND_CHOICES,
}


def normalise_country(code: str) -> str:
    """An ISO country code as the tables hold it (UK -> GB, EL -> GR)."""
    code = (code or "").strip().upper()
    return _COUNTRY_ALIASES.get(code, code)


def _place_keys(country: str, subdivision: str) -> list[str]:
    # The subdivision wins over its country: CA-QC before CA.
    country, subdivision = normalise_country(country), (subdivision or "").strip().upper()
    return ([f"{country}-{subdivision}"] if subdivision else []) + [country]


# --------------------------------------------------------------------------- reading the data files


def _load(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise FactsError(
            f"{path.name}: not valid JSON (line {error.lineno}, column {error.colno}): {error.msg}"
        ) from None
    if not isinstance(document, dict):
        raise FactsError(f"{path.name}: the top level must be an object")
    return document


def _checked_date(where: str, name: str, raw: Any) -> date:
    try:
        return date.fromisoformat(raw)
    except (TypeError, ValueError):
        raise FactsError(f"{where}: field {name!r} must be a date as YYYY-MM-DD, not {raw!r}") from None


def _text(where: str, name: str, raw: Any, *, required: bool = True) -> str:
    if raw is None and not required:
        return ""
    if not isinstance(raw, str) or (required and not raw.strip()):
        raise FactsError(f"{where}: field {name!r} must be a non-empty text")
    return raw


def _url(where: str, name: str, raw: Any, *, required: bool = True) -> str:
    value = _text(where, name, raw, required=required)
    # Only https: these addresses become links on the pages and in the PDF.
    if value and not value.startswith("https://"):
        raise FactsError(f"{where}: field {name!r} must be a web address starting with https://")
    return value


def _texts_by_language(where: str, name: str, raw: Any) -> dict[str, str]:
    if not isinstance(raw, dict) or not isinstance(raw.get("en"), str) or not raw["en"].strip():
        raise FactsError(f"{where}: field {name!r} must be an object of texts per language, with 'en'")
    for language, text in raw.items():
        if not isinstance(text, str) or not text.strip():
            raise FactsError(f"{where}: field {name}.{language} must be a non-empty text")
    return dict(raw)


def parse_within_forms(document: dict[str, Any], *, name: str = "grammar.json") -> dict[str, Any]:
    within = document.get("within", {})
    if not isinstance(within, dict):
        raise FactsError(f"{name}: 'within' must be an object of language -> forms")
    for language, forms in within.items():
        for unit in ("months", "days"):
            for number in ("one", "other"):
                form = forms.get(unit, {}).get(number) if isinstance(forms, dict) else None
                if not isinstance(form, str) or not form.strip() or "{" in form.replace("{count}", ""):
                    raise FactsError(f"{name}, within.{language}: {unit}.{number} must be a text, with {{count}} only")
    _checked_date(name, "checked_on", document.get("checked_on"))
    _text(name, "source", document.get("source"))
    return within


def parse_article_refs(document: dict[str, Any], *, name: str = "grammar.json") -> dict[str, dict[str, str]]:
    refs = document.get("article_refs", {})
    if not isinstance(refs, dict):
        raise FactsError(f"{name}: 'article_refs' must be an object of language -> forms")
    for language, forms in refs.items():
        for shape, fields in (("paragraph", "{article}{paragraph}"), ("point", "{article}{paragraph}{point}")):
            form = forms.get(shape) if isinstance(forms, dict) else None
            if not isinstance(form, str) or "".join(re.findall(r"\{\w+\}", form)) != fields:
                raise FactsError(f"{name}, article_refs.{language}.{shape} must use {fields} in that order")
    return refs


def parse_authorities(document: dict[str, Any], *, name: str = "authorities.json") -> dict[str, Authority]:
    raw_authorities = document.get("authorities")
    if not isinstance(raw_authorities, dict):
        raise FactsError(f"{name}: the top-level object needs an 'authorities' object")
    return {key: _authority(f"{name}, authority {key!r}", key, raw) for key, raw in raw_authorities.items()}


def _authority(where: str, key: str, raw: Any) -> Authority:
    if not isinstance(raw, dict):
        raise FactsError(f"{where}: must be an object")
    unknown = sorted(set(raw) - AUTHORITY_FIELDS)
    if unknown:
        raise FactsError(f"{where}: unknown field {unknown[0]!r}")
    kind = raw.get("kind", "dpa")
    if kind not in ("dpa", "attorney_general"):
        raise FactsError(f"{where}: field 'kind' must be 'dpa' or 'attorney_general', not {kind!r}")
    lines = raw.get("address_lines", [])
    if not isinstance(lines, list) or not all(isinstance(line, str) and line.strip() for line in lines):
        raise FactsError(f"{where}: field 'address_lines' must be a list of non-empty lines")
    unverified = raw.get("unverified", False)
    if not isinstance(unverified, bool):
        raise FactsError(f"{where}: field 'unverified' must be true or false")
    name = _text(where, "name", raw.get("name"))
    complain_to = raw.get("complain_to")
    return Authority(
        key=key,
        name=name,
        short_name=_text(where, "short_name", raw.get("short_name", name)),
        kind=kind,
        website=_url(where, "website", raw.get("website")),
        email=_text(where, "email", raw.get("email"), required=False),
        web_form=_url(where, "web_form", raw.get("web_form"), required=False),
        address_lines=tuple(lines),
        source=_text(where, "source", raw.get("source")),
        checked_on=_checked_date(where, "checked_on", raw.get("checked_on")),
        unverified=unverified,
        complain_to={} if complain_to is None else _texts_by_language(where, "complain_to", complain_to),
    )


def parse_member_authorities(
    document: dict[str, Any], authorities: Mapping[str, Authority], *, name: str = "authorities.json"
) -> dict[str, Authority]:
    raw = document.get("member_authorities", {})
    if not isinstance(raw, dict):
        raise FactsError(f"{name}: 'member_authorities' must be an object of place -> authority key")
    result = {}
    for place, key in raw.items():
        if not _PLACE.fullmatch(place):
            raise FactsError(f"{name}, member_authorities {place!r}: a place is a country code like DE or DE-BY")
        if key not in authorities:
            raise FactsError(f"{name}, member_authorities {place!r}: no authority {key!r}")
        result[place] = authorities[key]
    return result


def _period(where: str, name: str, raw: Any, *, optional: bool = False) -> Period | None:
    if raw is None and optional:
        return None
    if not isinstance(raw, dict):
        raise FactsError(f"{where}: field {name!r} must be an object with unit, amount and roll_over")
    unit, amount, roll_over = raw.get("unit"), raw.get("amount"), raw.get("roll_over")
    if unit not in ("days", "months"):
        raise FactsError(f"{where}: field {name}.unit must be 'days' or 'months', not {unit!r}")
    if not isinstance(amount, int) or isinstance(amount, bool) or not 1 <= amount <= 366:
        raise FactsError(f"{where}: field {name}.amount must be a whole number from 1 to 366, not {amount!r}")
    if not isinstance(roll_over, bool):
        raise FactsError(f"{where}: field {name}.roll_over must be true or false")
    return Period(unit, amount, roll_over)


def _holiday_calendar(where: str, raw: Any) -> str:
    code = _text(where, "holidays", raw, required=False)
    if code:
        country, _, subdivision = code.partition("-")
        try:
            holidays.country_holidays(country, subdiv=subdivision or None)
        except NotImplementedError:
            raise FactsError(f"{where}: field 'holidays': no public-holiday calendar {code!r}") from None
    return code


def _citations(where: str, raw: Any) -> dict[str, str | dict[str, str]]:
    if not isinstance(raw, dict) or "erasure" not in raw:
        raise FactsError(f"{where}: field 'citations' must be an object with at least 'erasure'")
    result: dict[str, str | dict[str, str]] = {}
    for key, value in raw.items():
        if key not in CITATION_KEYS:
            raise FactsError(f"{where}: citations.{key} is not a citation the texts use ({sorted(CITATION_KEYS)})")
        result[key] = (
            _text(where, f"citations.{key}", value)
            if isinstance(value, str)
            else _texts_by_language(where, f"citations.{key}", value)
        )
    return result


def _appeal(where: str, raw: Any) -> Appeal | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or raw.get("how") != "reply_to_decision":
        raise FactsError(f"{where}: field 'appeal' must be null or an object with how: 'reply_to_decision'")
    answer_within = _period(where, "appeal.answer_within", raw.get("answer_within"), optional=True)
    return Appeal(how="reply_to_decision", answer_within=answer_within)


def _merged(where: str, raw: Any, templates: Mapping[str, Any]) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise FactsError(f"{where}: must be an object")
    raw = dict(raw)
    template = raw.pop("extends", None)
    if template is not None:
        if template not in templates:
            raise FactsError(f"{where}: field 'extends' names no template {template!r}")
        raw = {**templates[template], **raw}
    unknown = sorted(set(raw) - REGIME_FIELDS)
    if unknown:
        raise FactsError(f"{where}: unknown field {unknown[0]!r}")
    return raw


def _regime(
    where: str,
    code: str,
    raw: dict[str, Any],
    authorities: Mapping[str, Authority],
    controllers: Mapping[str, Controller],
) -> Regime:
    applies_to = raw.get("applies_to")
    if not isinstance(applies_to, list) or not all(isinstance(p, str) and _PLACE.fullmatch(p) for p in applies_to):
        raise FactsError(f"{where}: field 'applies_to' must be a list of places like DE, US-TX or CA-QC")
    if code != "none" and not applies_to:
        raise FactsError(f"{where}: field 'applies_to' names no place")
    cite_formats = _texts_by_language(where, "cite", raw.get("cite", {"en": "{ref}"}))
    for language, text in cite_formats.items():
        if "{ref}" not in text or re.search(r"\{(?!ref\}|law\})", text):
            raise FactsError(f"{where}: field cite.{language} must contain {{ref}} and no other field than {{law}}")
    citations = _citations(where, raw.get("citations"))
    deadline = _period(where, "deadline", raw.get("deadline"))
    extension = _period(where, "extension", raw.get("extension"), optional=True)
    if extension is not None and (extension.unit != deadline.unit or extension.amount <= deadline.amount):
        raise FactsError(
            f"{where}: field 'extension' is the total period from receipt: longer than the deadline, same unit"
        )
    deadline_kind = raw.get("deadline_kind")
    if deadline_kind not in ("legal", "unverified", "ours"):
        raise FactsError(f"{where}: field 'deadline_kind' must be 'legal', 'unverified' or 'ours'")
    if deadline_kind != "ours" and "deadline" not in citations:
        raise FactsError(f"{where}: a legal deadline needs citations.deadline")
    controller_key = raw.get("controller")
    if controller_key not in controllers:
        raise FactsError(f"{where}: field 'controller' must be one of {sorted(controllers)}")
    authority_keys = raw.get("authorities")
    if not isinstance(authority_keys, list):
        raise FactsError(f"{where}: field 'authorities' must be a list of authority keys")
    for key in authority_keys:
        if key != MEMBER_AUTHORITY and key not in authorities:
            raise FactsError(f"{where}: field 'authorities' names no authority {key!r} (see authorities.json)")
    # The letters name the first authority in a sentence ("I will complain to ..."), never the member's own.
    if authority_keys and (authority_keys[0] == MEMBER_AUTHORITY or not authorities[authority_keys[0]].complain_to):
        raise FactsError(f"{where}: the first of 'authorities' must be an authority with 'complain_to' forms")
    basis = raw.get("basis", "erasure")
    if basis not in ("erasure", "consent_withdrawal"):
        raise FactsError(f"{where}: field 'basis' must be 'erasure' or 'consent_withdrawal'")
    if basis == "consent_withdrawal":
        missing = [key for key in CONSENT_WITHDRAWAL_CITATIONS if key not in citations]
        if missing:
            raise FactsError(f"{where}: a consent-withdrawal letter needs citations.{missing[0]}")
    appeal = _appeal(where, raw.get("appeal"))
    in_force_from = raw.get("in_force_from")
    unverified = raw.get("unverified", [])
    if not isinstance(unverified, list) or not all(
        isinstance(name, str) and name in CITATION_KEYS | UNVERIFIABLE_FIELDS for name in unverified
    ):
        raise FactsError(f"{where}: field 'unverified' must list citation keys or {sorted(UNVERIFIABLE_FIELDS)}")
    return Regime(
        code=code,
        names=_texts_by_language(where, "name", raw.get("name")),
        short_names=_texts_by_language(where, "short_name", raw.get("short_name")),
        cite_formats=cite_formats,
        citations=citations,
        deadline=deadline,
        extension=extension,
        holiday_country=_holiday_calendar(where, raw.get("holidays", "")),
        controller=controllers[controller_key],
        deadline_kind=deadline_kind,
        authority_keys=tuple(authority_keys),
        authorities=tuple(authorities[key] for key in authority_keys if key != MEMBER_AUTHORITY),
        basis=basis,
        appeal=appeal,
        applies_to=tuple(applies_to),
        in_force_from=None if in_force_from is None else _checked_date(where, "in_force_from", in_force_from),
        source=_text(where, "source", raw.get("source")),
        checked_on=_checked_date(where, "checked_on", raw.get("checked_on")),
        unverified=frozenset(unverified),
        pauses_for_id=_flag(where, "pauses_for_id", raw.get("pauses_for_id", False)),
    )


def _flag(where: str, name: str, raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise FactsError(f"{where}: field {name!r} must be true or false")
    return raw


def parse_regimes(
    document: dict[str, Any],
    authorities: Mapping[str, Authority],
    controllers: Mapping[str, Controller],
    *,
    name: str = "regimes.json",
) -> dict[str, Regime]:
    """Every regime of the data file, checked. Raises FactsError naming the entry and field."""
    raw_regimes = document.get("regimes")
    if not isinstance(raw_regimes, dict):
        raise FactsError(f"{name}: the top-level object needs a 'regimes' object")
    templates = document.get("templates", {})
    if not isinstance(templates, dict):
        raise FactsError(f"{name}: 'templates' must be an object")
    regimes: dict[str, Regime] = {}
    claimed: dict[str, str] = {}
    for code, raw in raw_regimes.items():
        where = f"{name}, regime {code!r}"
        if not re.fullmatch(r"[a-z][a-z0-9_]{0,15}", code):
            raise FactsError(f"{where}: a regime code is 1-16 lower-case letters, digits or _")
        regime = _regime(where, code, _merged(where, raw, templates), authorities, controllers)
        for place in regime.applies_to:
            if place in claimed:
                raise FactsError(f"{where}: place {place!r} is already covered by regime {claimed[place]!r}")
            claimed[place] = code
        regimes[code] = regime
    if "none" not in regimes or not regimes["none"].deadline_is_ours:
        raise FactsError(f"{name}: a regime 'none' with deadline_kind 'ours' is needed for places without a law")
    return regimes


def _controllers() -> dict[str, Controller]:
    found = {}
    for name, fact in facts.FACTS.items():
        if name.startswith("controller_"):
            key = name.removeprefix("controller_")
            found[key] = Controller(key=key, name=fact.value["name"], address_lines=tuple(fact.value["address_lines"]))
    return found


_GRAMMAR_DOCUMENT = _load(GRAMMAR_PATH)
WITHIN_FORMS: dict[str, Any] = parse_within_forms(_GRAMMAR_DOCUMENT)
ARTICLE_REF_FORMS: dict[str, dict[str, str]] = parse_article_refs(_GRAMMAR_DOCUMENT)
_AUTHORITIES_DOCUMENT = _load(AUTHORITIES_PATH)
AUTHORITIES: dict[str, Authority] = parse_authorities(_AUTHORITIES_DOCUMENT)
MEMBER_AUTHORITIES: dict[str, Authority] = parse_member_authorities(_AUTHORITIES_DOCUMENT, AUTHORITIES)
CONTROLLERS: dict[str, Controller] = _controllers()
REGIMES: dict[str, Regime] = parse_regimes(_load(REGIMES_PATH), AUTHORITIES, CONTROLLERS)
NONE = REGIMES["none"]
_BY_PLACE: dict[str, Regime] = {place: regime for regime in REGIMES.values() for place in regime.applies_to}
EU_EEA_COUNTRIES: frozenset[str] = frozenset(REGIMES["gdpr"].applies_to) if "gdpr" in REGIMES else frozenset()


# --------------------------------------------------------------------------- lookups


def linkedin_url(name: str) -> str:
    """The URL of one of LinkedIn's pages from facts.json, e.g.
    ``linkedin_url("objection_form")``."""
    value = facts.value(name)
    if not isinstance(value, dict) or "url" not in value:
        raise KeyError(f"fact {name!r} has no url")
    return value["url"]


def regime_by_code(code: str) -> Regime:
    """The regime stored on a request; an unknown code (a regime retired from
    the data file) falls back to the courtesy regime rather than failing."""
    return REGIMES.get(code, NONE)


def member_authority(country: str, subdivision: str = "") -> Authority | None:
    """The authority competent where the member lives (a German Land's, or
    the national one), or None if the data file has none."""
    for place in _place_keys(country, subdivision):
        if place in MEMBER_AUTHORITIES:
            return MEMBER_AUTHORITIES[place]
    return None


def authorities_for(regime: Regime, country: str, subdivision: str = "") -> tuple[Authority, ...]:
    """Where this member can complain, in the regime's order. Under the GDPR:
    the lead authority (the Irish DPC) and the member's own, since Art. 77(1)
    lets them complain where they live or work."""
    found: list[Authority] = []
    for key in regime.authority_keys:
        authority = member_authority(country, subdivision) if key == MEMBER_AUTHORITY else AUTHORITIES[key]
        if authority is not None and authority not in found:
            found.append(authority)
    return tuple(found)


def law_in_force_later(country: str, subdivision: str = "", *, on: date | None = None) -> Regime | None:
    """The law of this place that is not in force yet on ``on``, if any."""
    on = on or date.today()
    for place in _place_keys(country, subdivision):
        regime = _BY_PLACE.get(place)
        if regime is not None:
            return None if regime.in_force_on(on) else regime
    return None


def regime_for(country: str, subdivision: str = "", *, on: date | None = None) -> Regime:
    """The regime for a member living in ``country`` (ISO 3166 alpha-2) and
    ``subdivision`` (e.g. "TX", "QC", "BY") for a request made on ``on``
    (today by default): a law not yet in force that day does not apply. Its
    ``authorities`` are this member's."""
    country, subdivision = normalise_country(country), (subdivision or "").strip().upper()
    return _regime_for(country, subdivision, on or date.today())


@functools.lru_cache(maxsize=2048)
def _regime_for(country: str, subdivision: str, on: date) -> Regime:
    regime = NONE
    for place in _place_keys(country, subdivision):
        candidate = _BY_PLACE.get(place)
        # A subdivision's law not yet in force falls back to the country's, if any.
        if candidate is not None and candidate.in_force_on(on):
            regime = candidate
            break
    if MEMBER_AUTHORITY in regime.authority_keys:
        return replace(regime, authorities=authorities_for(regime, country, subdivision))
    return regime
