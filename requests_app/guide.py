"""The numbered guide a member follows, and the LinkedIn facts each page shows.

Which steps, in which order, and which facts (with their checked-on dates and
whether they are verified) they rest on. Pages render what this returns; no
LinkedIn fact is written into a template.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import facts, jurisdictions
from .choices import DataCategory, NotUsedForTraining

if TYPE_CHECKING:
    from .letters import Letters
    from .models import DeletionRequest

AI_SETTING_FACTS = ("ai_setting", "opt_out_is_future_only")
TRAINING_FACTS = ("ai_training_data", "ai_training_not_used", "uk_microsoft_sharing", "opt_out_is_future_only")
FALLBACK_FACTS = ("privacy_contact_form", "dpo_form")


@dataclass(frozen=True)
class AiSettingStep:
    url: str
    section_heading: str
    setting_name: str
    switch_label: str
    desktop_path: list[str]
    mobile_path: list[str]
    facts: facts.FactSet


def ai_setting_step() -> AiSettingStep:
    setting = facts.value("ai_setting")
    return AiSettingStep(
        url=setting["url"],
        section_heading=setting["section_heading"],
        setting_name=setting["setting_name"],
        switch_label=setting["switch_label"],
        desktop_path=list(setting["desktop_path"]),
        mobile_path=list(setting["mobile_path"]),
        facts=facts.fact_set(AI_SETTING_FACTS),
    )


@dataclass(frozen=True)
class AboutTraining:
    trained_on: list[str]  # labels, in LinkedIn's order
    not_used: list[str]
    microsoft_countries: list[str]
    facts: facts.FactSet


def about_training() -> AboutTraining:
    trained = dict(DataCategory.choices)
    not_used = dict(NotUsedForTraining.choices)
    return AboutTraining(
        trained_on=[str(trained[code]) for code in facts.value("ai_training_data") if code in trained],
        not_used=[str(not_used[code]) for code in facts.value("ai_training_not_used") if code in not_used],
        microsoft_countries=list(facts.value("uk_microsoft_sharing")["countries"]),
        facts=facts.fact_set(TRAINING_FACTS),
    )


@dataclass(frozen=True)
class Step:
    kind: str  # ai_setting, deletion_form, objection_form, record_sent, close_account
    number: int
    done: bool


@dataclass(frozen=True)
class Guide:
    steps: list[Step]
    ai_setting: AiSettingStep
    account_closure_url: str
    account_closure_days: int
    privacy_contact_form_url: str
    dpo_form_url: str
    facts: facts.FactSet
    unverified_citations: tuple[str, ...] = ()


def request_guide(request: DeletionRequest, letters: Letters) -> Guide:
    """The steps of the request page, numbered in the order a member does them."""
    regime = jurisdictions.regime_by_code(request.regime_code)
    kinds: list[tuple[str, bool]] = [
        ("ai_setting", request.ai_setting_off_on is not None),
        ("deletion_form", request.submitted_on is not None),
    ]
    if letters.objection_form is not None:
        kinds.append(("objection_form", request.submitted_on is not None))
    kinds.append(("record_sent", request.submitted_on is not None))
    if request.close_account:
        # After the request: LinkedIn's forms need the member signed in.
        kinds.append(("close_account", False))
    names = [*AI_SETTING_FACTS, "deletion_form", "deletion_form_fields", *FALLBACK_FACTS, "account_closure"]
    if letters.objection_form is not None:
        names += ["objection_form", "objection_form_fields", "objection_type"]
    names.append(f"controller_{regime.controller.key}")
    closure = facts.value("account_closure")
    return Guide(
        steps=[Step(kind=kind, number=number, done=done) for number, (kind, done) in enumerate(kinds, start=1)],
        ai_setting=ai_setting_step(),
        account_closure_url=closure["url"],
        account_closure_days=int(closure["deletion_days"]),
        privacy_contact_form_url=jurisdictions.linkedin_url("privacy_contact_form"),
        dpo_form_url=jurisdictions.linkedin_url("dpo_form"),
        facts=facts.FactSet((*facts.fact_set(names).facts, regime.fact)),
        unverified_citations=regime.unverified_citations,
    )
