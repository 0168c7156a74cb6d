"""Which law applies to a LinkedIn member, who the controller is, and which
authorities they can turn to.

Pure Python: no Django models and no I/O. The facts an operator keeps current
(controller addresses, authorities, deadlines not yet verified) come from
``data/facts.json`` through `facts`, each with its source and checked-on date.
A regime says how long its periods are; `dates.py` counts them.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, replace
from datetime import date
from typing import Any, Literal

from django.utils.translation import gettext_lazy, ngettext

from . import facts

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
    email: str = ""
    address_lines: tuple[str, ...] = ()
    web_form: str = ""  # complaint/contact form, where the authority has one
    source: str = ""
    checked_on: date | None = None
    unverified: bool = False


@dataclass(frozen=True)
class Period:
    unit: Literal["months", "days"]
    amount: int
    roll_over: bool  # True: a Saturday/Sunday/public holiday moves the end to the next working day


@dataclass(frozen=True)
class Regime:
    code: str  # "gdpr" | "uk_gdpr" | "fadp" | "ccpa" | "pipeda" | "lgpd" | "none"
    law_name: str
    short_name: str
    erasure_citation: str
    objection_citation: str  # "" where the law gives no objection right
    recipients_citation: str  # "" where the law has no duty to tell recipients
    deadline_citation: str
    deadline: Period
    # TOTAL period from receipt when extended, not just the extra part.
    extension: Period | None
    holiday_country: str  # whose public holidays roll a deadline over; "" = none
    controller: Controller
    authorities: tuple[Authority, ...]  # escalation options; empty for "none"
    # "legal": the law sets it; "unverified": a period we apply but could not
    # confirm for erasure; "ours": no law sets one, LinkedOut suggests it.
    deadline_kind: Literal["legal", "unverified", "ours"] = "legal"
    # GDPR-style extras cited in the letter; "" where the law has no such rule.
    erasure_after_objection_citation: str = ""  # Art. 17(1)(c)
    public_data_citation: str = ""  # Art. 17(2): data made public
    restriction_citation: str = ""  # Art. 18(1)(d): restriction while the objection is weighed
    # Facts (facts.json names) this regime's deadline rests on.
    deadline_facts: tuple[str, ...] = ()
    # Citations we use but could not confirm; the page says so.
    unverified_citations: tuple[str, ...] = ()

    @property
    def has_objection_right(self) -> bool:
        return bool(self.objection_citation)

    @property
    def deadline_is_ours(self) -> bool:
        return self.deadline_kind == "ours"

    @property
    def deadline_unverified(self) -> bool:
        return self.deadline_kind == "unverified"

    @property
    def deadline_words(self) -> str:
        """'one month', '45 days', in the active language."""
        return period_words(self.deadline.unit, self.deadline.amount)

    @property
    def extension_words(self) -> str:
        """The extra time an extension adds: 'two more months', '45 more days'."""
        if self.extension is None:
            return ""
        return period_words(self.extension.unit, self.extension.amount - self.deadline.amount, more=True)


def period_words(unit: str, amount: int, *, more: bool = False) -> str:
    # Words, not data: translated when shown, in the reader's language.
    if unit == "months":
        if more:
            return ngettext("one more month", "%(count)d more months", amount) % {"count": amount}
        return ngettext("one month", "%(count)d months", amount) % {"count": amount}
    if more:
        return ngettext("%(count)d more day", "%(count)d more days", amount) % {"count": amount}
    return ngettext("%(count)d day", "%(count)d days", amount) % {"count": amount}


# --------------------------------------------------------------------------- countries

# 27 EU member states + the three EEA EFTA states, which apply the GDPR via the EEA Agreement.
EU_COUNTRIES: frozenset[str] = frozenset(
    {
        "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE",
        "IT", "LV", "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    }
)  # fmt: skip
EU_EEA_COUNTRIES: frozenset[str] = EU_COUNTRIES | {"IS", "LI", "NO"}

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

COUNTRIES_WITH_SUBDIVISIONS: dict[str, list[tuple[str, str]]] = {
    "US": US_STATE_CHOICES,
    "CA": CA_PROVINCE_CHOICES,
}


# --------------------------------------------------------------------------- facts


def linkedin_url(name: str) -> str:
    """The URL of one of LinkedIn's pages from facts.json, e.g.
    ``linkedin_url("objection_form")``."""
    value = facts.value(name)
    if not isinstance(value, dict) or "url" not in value:
        raise KeyError(f"fact {name!r} has no url")
    return value["url"]


def _controller(key: str) -> Controller:
    raw = facts.value(f"controller_{key}")
    return Controller(key=key, name=raw["name"], address_lines=tuple(raw["address_lines"]))


def _authority(key: str, raw: dict[str, Any], *, defaults: dict[str, Any] | None = None) -> Authority:
    defaults = defaults or {}
    where = f"facts.json, authority {key!r}"
    for field in ("name", "website"):
        if not raw.get(field):
            raise facts.FactsError(f"{where}: field {field!r} is missing")
    checked_on = raw.get("checked_on", defaults.get("checked_on"))
    return Authority(
        key=key,
        name=raw["name"],
        short_name=raw.get("short_name", raw["name"]),
        website=raw["website"],
        email=raw.get("email", ""),
        address_lines=tuple(raw.get("address_lines", ())),
        web_form=raw.get("web_form", ""),
        source=raw.get("source", defaults.get("source", "")),
        checked_on=date.fromisoformat(checked_on) if checked_on else None,
        unverified=raw.get("unverified", defaults.get("unverified", False)),
    )


AUTHORITIES: dict[str, Authority] = {
    key: _authority(key, raw) for key, raw in facts.DOCUMENT["authorities"].items() if not key.startswith("_")
}
_NATIONAL = facts.DOCUMENT["national_authorities"]
# The national list shares one source and date, and is not re-checked yet.
_NATIONAL_DEFAULTS = {
    "source": _NATIONAL.get("_source", ""),
    "checked_on": _NATIONAL.get("_checked_on"),
    "unverified": True,
}


def _national(code: str, raw: dict[str, Any] | str) -> Authority:
    # A string refers to an entry of "authorities" (IE -> the DPC), so no fact is stored twice.
    if isinstance(raw, str):
        return AUTHORITIES[raw]
    return _authority(f"dpa_{code.lower()}", raw, defaults=_NATIONAL_DEFAULTS)


NATIONAL_AUTHORITIES: dict[str, Authority] = {
    code: _national(code, raw) for code, raw in _NATIONAL.items() if not code.startswith("_")
}

LINKEDIN_IRELAND = _controller("linkedin_ireland")
LINKEDIN_CORPORATION = _controller("linkedin_corporation")
IRISH_DPC = AUTHORITIES["ie_dpc"]


def national_authority(country: str) -> Authority | None:
    """The data-protection authority of an EU/EEA country, or None."""
    return NATIONAL_AUTHORITIES.get(normalise_country(country))


# --------------------------------------------------------------------------- regimes


_FADP_DAYS, _FADP_CITATION = int(facts.value("fadp_deadline")["days"]), facts.value("fadp_deadline")["citation"]
_LGPD_DAYS, _LGPD_CITATION = int(facts.value("lgpd_deadline")["days"]), facts.value("lgpd_deadline")["citation"]
_COURTESY_DAYS = int(facts.value("courtesy_deadline")["days"])

# Art. 12(3) GDPR: one month, extendable "by two further months" -> three months from receipt.
_ONE_MONTH = Period("months", 1, roll_over=True)
_THREE_MONTHS = Period("months", 3, roll_over=True)

GDPR = Regime(
    code="gdpr",
    law_name="General Data Protection Regulation (EU) 2016/679 (GDPR)",
    short_name="GDPR",
    erasure_citation="Article 17 GDPR",
    # LinkedIn relies on legitimate interest (Art. 6(1)(f)); Art. 21(1) lets members object.
    objection_citation="Article 21(1) GDPR",
    recipients_citation="Article 19 GDPR",
    deadline_citation="Article 12(3) GDPR",
    deadline=_ONE_MONTH,
    extension=_THREE_MONTHS,
    # LinkedIn Ireland acts in Ireland, so Irish public holidays extend the period
    # (Reg. 1182/71 Art. 3(4)).
    holiday_country="IE",
    controller=LINKEDIN_IRELAND,
    # The lead authority under the one-stop shop (Art. 56) is the DPC; regime_for() adds the
    # member's own authority (Art. 77(1)).
    authorities=(IRISH_DPC,),
    erasure_after_objection_citation="Article 17(1)(c) GDPR",
    public_data_citation="Article 17(2) GDPR",
    restriction_citation="Article 18(1)(d) GDPR",
)

UK_GDPR = Regime(
    code="uk_gdpr",
    law_name="UK General Data Protection Regulation (UK GDPR) and Data Protection Act 2018",
    short_name="UK GDPR",
    erasure_citation="Article 17 UK GDPR",
    objection_citation="Article 21(1) UK GDPR",
    recipients_citation="Article 19 UK GDPR",
    deadline_citation="Article 12(3) UK GDPR",
    deadline=_ONE_MONTH,
    extension=_THREE_MONTHS,
    # ICO guidance: next working day, using England and Wales bank holidays.
    holiday_country="GB",
    controller=LINKEDIN_CORPORATION,
    authorities=(AUTHORITIES["ico"],),
    erasure_after_objection_citation="Article 17(1)(c) UK GDPR",
    public_data_citation="Article 17(2) UK GDPR",
    restriction_citation="Article 18(1)(d) UK GDPR",
)

FADP = Regime(
    code="fadp",
    law_name="Swiss Federal Act on Data Protection (FADP/nDSG)",
    short_name="Swiss FADP",
    erasure_citation="Art. 32 FADP",
    # Processing against an explicit objection is unlawful; the wording of
    # this citation is not verified (see unverified_citations).
    objection_citation="Art. 30(2)(b) FADP",
    recipients_citation="",
    deadline_citation=_FADP_CITATION,  # 30 days is set for access; UNVERIFIED for erasure
    deadline=Period("days", _FADP_DAYS, roll_over=False),
    extension=None,
    holiday_country="",
    # Swiss members are served by LinkedIn Ireland, like EU/EEA members.
    controller=LINKEDIN_IRELAND,
    authorities=(AUTHORITIES["fdpic"],),
    deadline_kind="unverified",
    deadline_facts=("fadp_deadline",),
    unverified_citations=("Art. 30(2)(b) FADP",),
)

CCPA = Regime(
    code="ccpa",
    law_name=("California Consumer Privacy Act, as amended by the California Privacy Rights Act (CCPA/CPRA)"),
    short_name="CCPA/CPRA",
    erasure_citation="Cal. Civ. Code § 1798.105",
    objection_citation="",
    recipients_citation="",
    # 45 calendar days, extendable once by 45 more with notice within the first 45.
    deadline_citation="Cal. Civ. Code § 1798.130(a)(2)",
    deadline=Period("days", 45, roll_over=False),
    extension=Period("days", 90, roll_over=False),
    holiday_country="",
    controller=LINKEDIN_CORPORATION,
    authorities=(AUTHORITIES["cppa"], AUTHORITIES["california_ag"]),
)

PIPEDA = Regime(
    code="pipeda",
    law_name="Personal Information Protection and Electronic Documents Act (PIPEDA)",
    short_name="PIPEDA",
    erasure_citation="PIPEDA, Schedule 1, Principle 4.9 and section 8",
    objection_citation="",
    recipients_citation="",
    # s. 8(3): 30 days; s. 8(4): one extension of up to 30 more; s. 8(5): silence counts as refusal.
    deadline_citation="PIPEDA, section 8(3)",
    deadline=Period("days", 30, roll_over=False),
    extension=Period("days", 60, roll_over=False),
    holiday_country="",
    controller=LINKEDIN_CORPORATION,
    authorities=(AUTHORITIES["opc"],),
)

LGPD = Regime(
    code="lgpd",
    law_name="Lei Geral de Proteção de Dados Pessoais, Lei nº 13.709/2018 (LGPD)",
    short_name="LGPD",
    erasure_citation="Art. 18 LGPD",
    objection_citation="",
    recipients_citation="",
    deadline_citation=_LGPD_CITATION,  # 15 days is set for access; UNVERIFIED for deletion
    deadline=Period("days", _LGPD_DAYS, roll_over=False),
    extension=None,
    holiday_country="",
    controller=LINKEDIN_CORPORATION,
    authorities=(AUTHORITIES["anpd"],),
    deadline_kind="unverified",
    deadline_facts=("lgpd_deadline",),
)

# No data-protection law we can cite: we ask under LinkedIn's own policy and give it a
# courtesy deadline, which the product must present as ours, not a legal one.
NONE = Regime(
    code="none",
    law_name=gettext_lazy("LinkedIn's own privacy policy (no data-protection law applies that we can cite)"),
    short_name=gettext_lazy("LinkedIn's privacy policy"),
    erasure_citation=gettext_lazy("LinkedIn's Privacy Policy"),
    objection_citation="",
    recipients_citation="",
    deadline_citation="",
    deadline=Period("days", _COURTESY_DAYS, roll_over=False),
    extension=None,
    holiday_country="",
    controller=LINKEDIN_CORPORATION,
    authorities=(),
    deadline_kind="ours",
    deadline_facts=("courtesy_deadline",),
)

REGIMES: dict[str, Regime] = {r.code: r for r in (GDPR, UK_GDPR, FADP, CCPA, PIPEDA, LGPD, NONE)}


def regime_by_code(code: str) -> Regime:
    """The regime stored on a request; an unknown code (a regime retired from
    this table) falls back to the courtesy regime rather than failing."""
    return REGIMES.get(code, NONE)


def normalise_country(code: str) -> str:
    """An ISO country code as the tables hold it (UK -> GB, EL -> GR)."""
    code = (code or "").strip().upper()
    return _COUNTRY_ALIASES.get(code, code)


def _base_regime(country: str, subdivision: str) -> Regime:
    if country in EU_EEA_COUNTRIES:
        return GDPR
    if country == "GB":
        return UK_GDPR
    if country == "CH":
        return FADP
    if country == "US":
        # Only California has a deletion right we can cite; other states fall back to "none".
        return CCPA if subdivision == "CA" else NONE
    if country == "CA":
        return PIPEDA  # federal law, applied to every province for simplicity (incl. Quebec)
    if country == "BR":
        return LGPD
    return NONE


@functools.cache
def regime_for(country: str, subdivision: str = "") -> Regime:
    """The regime for a member living in ``country`` (ISO 3166 alpha-2), ``subdivision``
    e.g. "CA" (California) for the US. ``authorities`` is personalised: see authorities_for()."""
    country, subdivision = normalise_country(country), (subdivision or "").strip().upper()
    regime = _base_regime(country, subdivision)
    if regime is GDPR:
        return replace(regime, authorities=authorities_for(country))
    return regime


def authorities_for(country: str, subdivision: str = "") -> tuple[Authority, ...]:
    """Where the member can complain.

    GDPR: the lead authority (Irish DPC) first, then the member's own national authority
    if different, since Art. 77(1) lets them complain where they live or work.
    Elsewhere: the regime's authorities (empty where no law applies).
    """
    country, subdivision = normalise_country(country), (subdivision or "").strip().upper()
    regime = _base_regime(country, subdivision)
    if regime is not GDPR:
        return regime.authorities
    own = NATIONAL_AUTHORITIES.get(country)
    if own is None or own.key == IRISH_DPC.key:
        return (IRISH_DPC,)
    return (IRISH_DPC, own)
