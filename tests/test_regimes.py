"""The law where each member lives, as data: requests_app/data/regimes.json and
authorities.json, checked at start-up; US state laws from their effective
dates; Canada's consent withdrawal and access request; the German Land's
authority; law names as each language writes them; the /laws/ page."""

from __future__ import annotations

import copy
import json
from datetime import date

import pytest
from django.utils import translation

from requests_app import explain, jurisdictions, letters
from requests_app.dates import due_date, extended_due_date
from requests_app.facts import FactsError
from requests_app.jurisdictions import regime_for
from requests_app.models import DeletionRequest
from requests_app.tokens import token_issue

from .factories import DeletionRequestFactory
from .journey import complete_journey, post_step, you

REGIMES_DOCUMENT = json.loads(jurisdictions.REGIMES_PATH.read_text(encoding="utf-8"))
AUTHORITIES_DOCUMENT = json.loads(jurisdictions.AUTHORITIES_PATH.read_text(encoding="utf-8"))

# The states LinkedIn's US notice names, and the later laws the issue lists, with the day each took effect.
US_STATE_LAWS = {
    "VA": date(2023, 1, 1), "CO": date(2023, 7, 1), "CT": date(2023, 7, 1), "UT": date(2023, 12, 31),
    "OR": date(2024, 7, 1), "TX": date(2024, 7, 1), "FL": date(2024, 7, 1), "MT": date(2024, 10, 1),
    "IA": date(2025, 1, 1), "NH": date(2025, 1, 1), "NE": date(2025, 1, 1), "DE": date(2025, 1, 1),
    "NJ": date(2025, 1, 15), "TN": date(2025, 7, 1), "MN": date(2025, 7, 31), "MD": date(2025, 10, 1),
    "IN": date(2026, 1, 1), "KY": date(2026, 1, 1), "RI": date(2026, 1, 1),
}  # fmt: skip


def _parse(document):
    return jurisdictions.parse_regimes(document, jurisdictions.AUTHORITIES, jurisdictions.CONTROLLERS)


# --------------------------------------------------------------------------- the data files


def test_the_shipped_data_files_parse_and_every_regime_names_its_source_and_date():
    regimes = _parse(REGIMES_DOCUMENT)
    assert set(regimes) == set(jurisdictions.REGIMES)
    for regime in regimes.values():
        assert regime.source.strip(), regime.code
        assert date(2024, 1, 1) <= regime.checked_on <= date.today(), regime.code


TWO_WEEKS = {"unit": "days", "amount": 30, "roll_over": False}


@pytest.mark.parametrize(
    ("code", "edit", "message"),
    [
        ("us_tx", lambda r: r.pop("citations"), "field 'citations'"),
        ("gdpr", lambda r: r["deadline"].update(unit="weeks"), "field deadline.unit"),
        ("gdpr", lambda r: r["deadline"].update(amount="1"), "field deadline.amount"),
        ("ccpa", lambda r: r.update(authorities=["cppa", "nobody"]), "field 'authorities' names no authority 'nobody'"),
        ("us_va", lambda r: r.update(in_force_from="2023-13-01"), "field 'in_force_from'"),
        ("us_tx", lambda r: r.update(applies_to=["US-VA"]), "place 'US-VA' is already covered by regime 'us_va'"),
        ("us_va", lambda r: r.update(applies_to=["Virginia"]), "field 'applies_to'"),
        ("uk_gdpr", lambda r: r.update(holidays="XX"), "field 'holidays'"),
        ("ccpa", lambda r: r.update(deadlne={}), "unknown field 'deadlne'"),
        ("pipeda", lambda r: r["citations"].pop("deemed_refusal"), "needs citations.deemed_refusal"),
        ("ccpa", lambda r: r.update(extension=TWO_WEEKS), "field 'extension'"),
        ("gdpr", lambda r: r.update(controller="linkedin_mars"), "field 'controller'"),
        ("gdpr", lambda r: r["name"].pop("en"), "field 'name'"),
        ("us_tx", lambda r: r.update(extends="us_country"), "field 'extends'"),
        ("us_tx", lambda r: r.update(unverified=["everything"]), "field 'unverified'"),
    ],
    ids=lambda value: value if isinstance(value, str) else "",
)
def test_a_wrong_regime_entry_stops_start_up_naming_the_entry_and_field(code, edit, message):
    document = copy.deepcopy(REGIMES_DOCUMENT)
    edit(document["regimes"][code])
    with pytest.raises(FactsError) as error:
        _parse(document)
    assert str(error.value).startswith(f"regimes.json, regime {code!r}: ")
    assert message in str(error.value)


def test_the_regimes_file_needs_the_regime_for_places_without_a_law():
    document = copy.deepcopy(REGIMES_DOCUMENT)
    del document["regimes"]["none"]
    with pytest.raises(FactsError, match="a regime 'none'"):
        _parse(document)


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda d: d["authorities"]["ico"].pop("website"), "authority 'ico': field 'website'"),
        (lambda d: d["authorities"]["ico"].update(web_form="ico.org.uk"), "authority 'ico': field 'web_form'"),
        (lambda d: d["authorities"]["ico"].update(kind="court"), "authority 'ico': field 'kind'"),
        (lambda d: d["authorities"]["ico"].update(checked_on="yesterday"), "authority 'ico': field 'checked_on'"),
    ],
)
def test_a_wrong_authority_entry_names_the_entry_and_field(edit, message):
    document = copy.deepcopy(AUTHORITIES_DOCUMENT)
    edit(document)
    with pytest.raises(FactsError, match=message.replace("(", r"\(")):
        jurisdictions.parse_authorities(document)


def test_a_member_authority_must_name_a_known_authority():
    document = copy.deepcopy(AUTHORITIES_DOCUMENT)
    document["member_authorities"]["DE-BY"] = "de_bavaria"
    with pytest.raises(FactsError, match="member_authorities 'DE-BY': no authority 'de_bavaria'"):
        jurisdictions.parse_member_authorities(document, jurisdictions.AUTHORITIES)


def test_adding_a_us_state_is_an_edit_of_the_data_file_only():
    document = copy.deepcopy(REGIMES_DOCUMENT)
    document["regimes"]["us_ok"] = {
        "extends": "us_state",
        "applies_to": ["US-OK"],
        "in_force_from": "2027-01-01",
        "name": {"en": "Oklahoma Consumer Data Privacy Act"},
        "short_name": {"en": "OCDPA"},
        "citations": {"erasure": "Okla. Stat. tit. 75A, § 1", "deadline": "Okla. Stat. tit. 75A, § 2"},
        "authorities": ["ag_tx"],  # any known authority will do for the parse
        "source": "test",
        "checked_on": "2026-12-01",
        "unverified": ["erasure", "deadline"],
    }
    oklahoma = _parse(document)["us_ok"]
    # The template gives it the US-state rules: 45 days, one extension of 45, an appeal answered in 60.
    assert (oklahoma.deadline.amount, oklahoma.extension.amount) == (45, 90)
    assert oklahoma.appeal.answer_within.amount == 60
    assert oklahoma.controller.key == "linkedin_corporation"
    assert not oklahoma.in_force_on(date(2026, 12, 31)) and oklahoma.in_force_on(date(2027, 1, 1))


# --------------------------------------------------------------------------- US states


@pytest.mark.parametrize(("state", "since"), sorted(US_STATE_LAWS.items()))
def test_each_us_state_law_applies_from_its_effective_date_and_not_the_day_before(state, since):
    regime = regime_for("US", state, on=since)
    assert regime.code == f"us_{state.lower()}"
    assert regime.erasure_citation and regime.deadline_citation
    assert regime.controller.name == "LinkedIn Corporation"
    assert [authority.kind for authority in regime.authorities] == ["attorney_general"]
    assert regime.authorities[0].complaint_url.startswith("https://")
    before = date.fromordinal(since.toordinal() - 1)
    assert regime_for("US", state, on=before).code == "none"


def test_a_member_in_a_state_whose_law_is_not_in_force_yet_is_told_from_when_it_applies():
    regime = regime_for("US", "IN", on=date(2025, 12, 31))
    assert regime.code == "none"
    with translation.override("en"):
        text = explain.regime_explanation(regime, "US", "IN", made_on=date(2025, 12, 31))
    assert "Indiana" in text and "Jan. 1, 2026" in text


@pytest.mark.parametrize(
    ("state", "received", "due", "extended"),
    [
        # 45 calendar days, no roll-over: 17 March 2026; extended once by 45 more: 1 May.
        ("TX", date(2026, 1, 31), date(2026, 3, 17), date(2026, 5, 1)),
        ("VA", date(2026, 1, 31), date(2026, 3, 17), date(2026, 5, 1)),
        # 28 March + 45 days = 12 May; Florida allows only 15 more days.
        ("FL", date(2026, 3, 28), date(2026, 5, 12), date(2026, 5, 27)),
        # Iowa gives 90 days, extendable by 45.
        ("IA", date(2026, 1, 31), date(2026, 5, 1), date(2026, 6, 15)),
    ],
)
def test_us_state_deadlines_to_the_day(state, received, due, extended):
    regime = regime_for("US", state, on=received)
    assert due_date(regime, received) == due
    assert extended_due_date(regime, received) == extended


def test_utah_gives_no_appeal_and_texas_an_appeal_answered_within_60_days():
    assert regime_for("US", "UT").appeal is None
    texas = regime_for("US", "TX").appeal
    assert texas.how == "reply_to_decision" and texas.answer_within.amount == 60


def test_california_keeps_the_ccpa_and_the_cppa():
    regime = regime_for("US", "CA")
    assert regime.code == "ccpa" and regime.erasure_citation == "Cal. Civ. Code § 1798.105"
    assert [a.short_name for a in regime.authorities] == ["CPPA", "California AG"]


@pytest.mark.django_db
def test_a_texan_is_never_told_there_is_no_law_and_gets_the_appeal_and_the_attorney_general(client):
    _complete(client, country="US", subdivision="TX")
    request = DeletionRequest.objects.get()
    assert request.regime_code == "us_tx"
    page = client.get(f"/r/{token_issue(request=request)}/").content.decode()
    assert "We know of no data-protection law" not in page
    assert "so the TDPSA applies" in page
    assert "§ 541.051(b)(3)" in page
    # The appeal, through LinkedIn's own process, with its letter and deadline.
    assert "reply to the message in which LinkedIn told you its decision" in page
    assert "within 60 days (Tex. Bus. &amp; Com. Code Ann. § 541.053)" in page
    appeal = letters.appeal_letter(request)
    assert "I appeal this decision under Tex. Bus. & Com. Code Ann. § 541.053" in appeal
    assert "If you deny my appeal, I will complain to the Texas Attorney General." in appeal
    assert 'id="text-appeal"' in page
    assert "I appeal this decision under Tex. Bus. &amp; Com. Code Ann. § 541.053" in page
    # Then the Attorney General, with the complaint page and postal address.
    assert "https://www.texasattorneygeneral.gov/consumer-protection/file-consumer-complaint" in page
    assert "Austin, TX 78711-2548" in page
    # The statute citations not checked against the law's text say so.
    assert "not verified" in page


@pytest.mark.django_db
def test_a_member_in_a_state_without_a_law_gets_no_appeal_section(client):
    request = DeletionRequestFactory(country="US", subdivision="NY", regime_code="none")
    page = client.get(f"/r/{token_issue(request=request)}/").content.decode()
    assert 'data-testid="appeal"' not in page and letters.appeal_letter(request) == ""


# --------------------------------------------------------------------------- Canada


@pytest.mark.django_db
def test_the_canadian_letter_withdraws_consent_and_asks_for_access_with_the_30_day_clock():
    request = DeletionRequestFactory(country="CA", subdivision="ON", regime_code="pipeda")
    letter = letters.build_letters(request).letter
    assert "I withdraw my consent" in letter and "PIPEDA, Schedule 1, Principle 4.3.8" in letter
    assert "PIPEDA, Schedule 1, Principle 4.5.3" in letter
    access = "I also ask for access to my personal information (PIPEDA, Schedule 1, Principle 4.9, and section 8)"
    assert access in letter
    assert "30 days to answer (PIPEDA, section 8(3))" in letter
    assert "counts as a refusal (PIPEDA, section 8(5))" in letter
    assert "Microsoft" in letter
    # PIPEDA's access clause is not cited as a right to erasure.
    assert "I make this request under" not in letter
    assert "Quebec" not in letter


@pytest.mark.django_db
def test_a_quebec_member_also_gets_quebecs_private_sector_act_marked_unverified(client):
    regime = regime_for("CA", "QC")
    assert regime.code == "quebec" and {"quebec_erasure", "deadline"} <= regime.unverified
    request = DeletionRequestFactory(country="CA", subdivision="QC", regime_code="quebec")
    letter = letters.build_letters(request).letter
    assert "sections 28 and 28.1 of Quebec's Act respecting the protection of personal information" in letter
    assert "PIPEDA, Schedule 1, Principle 4.3.8" in letter
    page = client.get(f"/r/{token_issue(request=request)}/").content.decode()
    assert "Commission d&#x27;accès à l&#x27;information du Québec" in page
    assert "not verified" in page


# --------------------------------------------------------------------------- Germany's Länder


def _complete(client, **you_fields):
    return complete_journey(client, you_fields=you(**you_fields))


@pytest.mark.django_db
def test_a_german_member_must_name_her_land(client):
    client.get("/start/")
    response = post_step(client, "you", you(subdivision=""))
    assert response.status_code == 200
    assert "Please choose your Land: in Germany the authority you can complain to depends on it." in (
        response.content.decode()
    )
    assert not DeletionRequest.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("land", "authority", "address"),
    [
        ("BY", "Bayerisches Landesamt für Datenschutzaufsicht", "91504 Ansbach"),
        ("HH", "Der Hamburgische Beauftragte für Datenschutz und Informationsfreiheit", "Hamburg"),
        ("NW", "Landesbeauftragte für Datenschutz und Informationsfreiheit Nordrhein-Westfalen", "Düsseldorf"),
    ],
)
def test_a_german_members_page_names_the_lead_authority_and_her_lands(client, land, authority, address):
    _complete(client, subdivision=land)
    request = DeletionRequest.objects.get()
    page = client.get(f"/r/{token_issue(request=request)}/").content.decode()
    section = page[page.index('data-testid="authorities"') :]
    assert "Data Protection Commission" in section
    assert authority in section and address in section
    assert "Bundesbeauftragte" not in section
    complaint_authorities = [complaint.authority.name for complaint in letters.complaint_letters(request)]
    assert complaint_authorities[0] == "Data Protection Commission" and authority in complaint_authorities[1]


# --------------------------------------------------------------------------- names in the reader's language


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "country", "subdivision", "expected", "not_expected"),
    [
        ("de", "DE", "BE", "Art. 17 Abs. 1 lit. c DSGVO", "GDPR"),
        ("fr", "FR", "", "article 17, paragraphe 1, point c), du RGPD", "GDPR"),
        ("es", "ES", "", "artículo 17.1.c) del RGPD", "GDPR"),
        ("nl", "NL", "", "artikel 17, lid 1, onder c, AVG", "GDPR"),
        ("pl", "PL", "", "art. 17 ust. 1 lit. c RODO", "GDPR"),
        ("de", "CH", "", "Art. 32 DSG", "FADP"),  # the Swiss erasure right, cited without objection
        ("fr", "CH", "", "art. 32 LPD", "FADP"),
    ],
)
def test_a_letter_in_the_members_language_names_the_law_as_that_language_does(
    language, country, subdivision, expected, not_expected
):
    request = DeletionRequestFactory(
        language=language, letter_language="own", country=country, subdivision=subdivision,
        object_to_processing=True,
    )  # fmt: skip
    built = letters.build_letters(request)
    assert expected in built.letter
    assert not_expected not in built.letter


@pytest.mark.django_db
def test_the_english_letter_keeps_the_english_names_while_the_german_page_says_dsgvo(client):
    request = DeletionRequestFactory(language="de", letter_language="en", country="DE", object_to_processing=True)
    assert "Article 17(1)(c) GDPR" in letters.build_letters(request).letter
    page = client.get(f"/r/{token_issue(request=request)}/", HTTP_ACCEPT_LANGUAGE="de").content.decode()
    assert "DSGVO" in page
    with translation.override("de"):
        assert regime_for("DE").law_name == "Datenschutz-Grundverordnung (EU) 2016/679 (DSGVO)"


# --------------------------------------------------------------------------- the /laws/ page


@pytest.mark.django_db
def test_the_laws_page_lists_every_regime_with_its_deadline_authority_source_and_date(client):
    page = client.get("/laws/").content.decode()
    for regime in jurisdictions.REGIMES.values():
        if regime.code != "none":
            assert f'data-testid="law-{regime.code}"' in page, regime.code
    texas = page[page.index('data-testid="law-us_tx"') :]
    texas = texas[: texas.index("</section>")]
    assert "45 days" in texas and "45 more days" in texas
    assert "LinkedIn must answer within 60 days" in texas
    assert "Office of the Attorney General of Texas" in texas
    assert "checked on Dec. 1, 2026" in texas
    assert "not verified" in texas
    # Every German Land's authority and every EU/EEA country's.
    for _code, land in jurisdictions.DE_LAND_CHOICES:
        assert land in page
    assert "Commission Nationale de l&#x27;Informatique et des Libertés" in page


@pytest.mark.django_db
def test_the_laws_page_speaks_the_readers_language(client):
    page = client.get("/laws/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Règlement général sur la protection des données (UE) 2016/679 (RGPD)" in page
    assert "article 17 du RGPD" in page


@pytest.mark.django_db
def test_a_request_made_before_linkedout_knew_the_states_law_says_so_instead_of_no_law(client):
    request = DeletionRequestFactory(country="US", subdivision="TX", regime_code="none")
    page = client.get(f"/r/{token_issue(request=request)}/").content.decode()
    assert "We know of no data-protection law" not in page
    assert "When you made this request LinkedOut did not yet apply the TDPSA there" in page
