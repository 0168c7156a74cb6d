"""Regime mapping, authorities and deadline arithmetic (requests_app/dates.py); the facts and
their sources are in requests_app/data/facts.json."""

from __future__ import annotations

from datetime import date

import pytest

from requests_app import facts
from requests_app import jurisdictions as j
from requests_app.dates import add_months, due_date, extended_due_date, next_working_day
from requests_app.jurisdictions import EU_EEA_COUNTRIES, authorities_for, regime_for

GDPR = regime_for("DE")
UK = regime_for("GB")
CCPA = regime_for("US", "CA")
PIPEDA = regime_for("CA", "ON")


# --------------------------------------------------------------- DOMAIN.md worked examples


@pytest.mark.parametrize(
    ("country", "subdivision", "received", "due"),
    [
        # 28 Feb 2026 is a Saturday -> Monday 2 March.
        ("IE", "", date(2026, 1, 31), date(2026, 3, 2)),
        ("US", "CA", date(2026, 1, 31), date(2026, 3, 17)),
        ("CA", "QC", date(2026, 1, 31), date(2026, 3, 2)),
        # 6 April 2026 is Easter Monday, an Irish public holiday.
        ("IE", "", date(2026, 3, 6), date(2026, 4, 7)),
    ],
)
def test_domain_worked_examples_are_due_on_the_documented_day(country, subdivision, received, due):
    assert due_date(regime_for(country, subdivision), received) == due


# --------------------------------------------------------------- month arithmetic


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),  # leap year
        (date(2026, 3, 31), 1, date(2026, 4, 30)),
        (date(2026, 1, 31), 3, date(2026, 4, 30)),
        (date(2026, 1, 15), 1, date(2026, 2, 15)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),  # crosses the year
        (date(2026, 12, 31), 1, date(2027, 1, 31)),
    ],
)
def test_add_months_keeps_day_of_month_and_clamps_to_month_end(start, months, expected):
    assert add_months(start, months) == expected


def test_gdpr_31_january_plus_one_month_clamps_to_end_of_february_then_rolls_over():
    # 28 Feb 2026 (the clamped date) is a Saturday.
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert due_date(GDPR, date(2026, 1, 31)) == date(2026, 3, 2)


def test_gdpr_day_of_receipt_does_not_count():
    # Received Monday 12 Jan: the month runs from 13 Jan and ends on Thursday 12 Feb.
    assert due_date(GDPR, date(2026, 1, 12)) == date(2026, 2, 12)


# --------------------------------------------------------------- roll-over


def test_gdpr_deadline_on_saturday_moves_to_monday():
    assert date(2026, 3, 28).weekday() == 5
    assert due_date(GDPR, date(2026, 2, 28)) == date(2026, 3, 30)


def test_gdpr_deadline_on_sunday_moves_to_monday():
    assert date(2026, 3, 1).weekday() == 6
    assert due_date(GDPR, date(2026, 2, 1)) == date(2026, 3, 2)


@pytest.mark.parametrize(
    ("received", "holiday", "due"),
    [
        (date(2026, 7, 3), date(2026, 8, 3), date(2026, 8, 4)),
        (date(2026, 2, 17), date(2026, 3, 17), date(2026, 3, 18)),
        (date(2026, 5, 1), date(2026, 6, 1), date(2026, 6, 2)),
    ],
    ids=["august-bank-holiday", "st-patricks-day", "june-bank-holiday"],
)
def test_gdpr_deadline_on_irish_public_holiday_moves_to_next_working_day(received, holiday, due):
    assert add_months(received, 1) == holiday
    assert due_date(GDPR, received) == due


def test_gdpr_ignores_english_bank_holidays():
    # 31 Aug 2026 is England's late summer bank holiday but a working day in Ireland.
    assert due_date(GDPR, date(2026, 7, 31)) == date(2026, 8, 31)


def test_uk_gdpr_deadline_on_english_august_bank_holiday_moves_to_tuesday():
    assert due_date(UK, date(2026, 7, 31)) == date(2026, 9, 1)


def test_uk_gdpr_ignores_irish_public_holidays():
    assert due_date(UK, date(2026, 2, 17)) == date(2026, 3, 17)


@pytest.mark.parametrize(
    ("day", "country", "expected"),
    [
        (date(2026, 3, 4), "IE", date(2026, 3, 4)),
        (date(2026, 3, 7), "IE", date(2026, 3, 9)),
        (date(2026, 4, 3), "IE", date(2026, 4, 3)),
        (date(2026, 4, 3), "GB-ENG", date(2026, 4, 7)),
        (date(2026, 12, 25), "IE", date(2026, 12, 28)),
        (date(2026, 4, 6), "", date(2026, 4, 6)),
        (date(2026, 4, 4), "", date(2026, 4, 6)),
    ],
    ids=[
        "wednesday-unchanged",
        "saturday-to-monday",
        "good-friday-is-a-working-day-in-ireland",
        "good-friday-to-easter-tuesday-in-england",
        "christmas-st-stephens-weekend-in-ireland",
        "no-country-easter-monday-is-a-working-day",
        "no-country-saturday-to-monday",
    ],
)
def test_next_working_day_skips_weekends_and_public_holidays(day, country, expected):
    assert next_working_day(day, country) == expected


# --------------------------------------------------------------- day counts and extensions


def test_ccpa_is_45_days_extendable_to_90_days_from_receipt():
    received = date(2026, 1, 31)
    assert CCPA.deadline == j.Period("days", 45, roll_over=False)
    assert due_date(CCPA, received) == date(2026, 3, 17)
    assert extended_due_date(CCPA, received) == date(2026, 5, 1)


def test_ccpa_deadline_on_saturday_does_not_roll_over():
    assert due_date(CCPA, date(2026, 2, 11)) == date(2026, 3, 28)  # a Saturday


def test_pipeda_is_30_days_extendable_to_60_days_from_receipt():
    received = date(2026, 1, 31)
    assert due_date(PIPEDA, received) == date(2026, 3, 2)
    assert extended_due_date(PIPEDA, received) == date(2026, 4, 1)


def test_gdpr_extension_is_three_months_from_receipt():
    # 31 Jan + 3 months clamps to Thursday 30 April.
    assert extended_due_date(GDPR, date(2026, 1, 31)) == date(2026, 4, 30)


def test_gdpr_extension_rolls_over_public_holiday():
    # 3 May + 3 months = Monday 3 Aug 2026, the Irish August bank holiday.
    assert extended_due_date(GDPR, date(2026, 5, 3)) == date(2026, 8, 4)


def test_gdpr_extension_rolls_over_weekend():
    # 6 Mar + 3 months = Saturday 6 June 2026.
    assert extended_due_date(GDPR, date(2026, 3, 6)) == date(2026, 6, 8)


def test_uk_gdpr_extension_is_three_months_from_receipt():
    # 31 May + 3 months = 31 Aug 2026, England's late summer bank holiday.
    assert extended_due_date(UK, date(2026, 5, 31)) == date(2026, 9, 1)


@pytest.mark.parametrize("code", ["fadp", "lgpd", "none"])
def test_regimes_without_extension_have_no_extended_due_date(code):
    assert extended_due_date(j.REGIMES[code], date(2026, 1, 31)) is None


def test_country_without_law_gets_30_day_courtesy_deadline_and_no_authorities():
    regime = regime_for("JP")
    assert regime.code == "none"
    assert regime.deadline == j.Period("days", 30, roll_over=False)
    assert regime.deadline_words == "30 days"
    assert due_date(regime, date(2026, 1, 31)) == date(2026, 3, 2)
    assert extended_due_date(regime, date(2026, 1, 31)) is None
    assert regime.authorities == ()
    assert authorities_for(regime, "JP") == ()
    assert not regime.has_objection_right


# --------------------------------------------------------------- regime mapping


@pytest.mark.parametrize(
    ("country", "subdivision", "code", "controller"),
    [
        ("DE", "", "gdpr", "linkedin_ireland"),
        ("FR", "", "gdpr", "linkedin_ireland"),
        ("IE", "", "gdpr", "linkedin_ireland"),
        ("NO", "", "gdpr", "linkedin_ireland"),
        ("IS", "", "gdpr", "linkedin_ireland"),
        ("LI", "", "gdpr", "linkedin_ireland"),
        ("CH", "", "fadp", "linkedin_ireland"),
        ("GB", "", "uk_gdpr", "linkedin_corporation"),
        ("US", "CA", "ccpa", "linkedin_corporation"),
        ("US", "TX", "us_tx", "linkedin_corporation"),
        ("US", "NY", "none", "linkedin_corporation"),
        ("US", "", "none", "linkedin_corporation"),
        ("CA", "ON", "pipeda", "linkedin_corporation"),
        ("CA", "QC", "quebec", "linkedin_corporation"),
        ("CA", "", "pipeda", "linkedin_corporation"),
        ("BR", "", "lgpd", "linkedin_corporation"),
        ("JP", "", "none", "linkedin_corporation"),
    ],
)
def test_regime_for_maps_country_to_law_and_controller(country, subdivision, code, controller):
    regime = regime_for(country, subdivision)
    assert regime.code == code
    assert regime.controller.key == controller


def test_regime_for_accepts_lowercase_and_uk_alias():
    assert regime_for("de").code == "gdpr"
    assert regime_for("us", "ca").code == "ccpa"
    assert regime_for("UK").code == "uk_gdpr"


def test_gdpr_cites_erasure_objection_and_recipients():
    assert GDPR.erasure_citation == "Article 17 GDPR"
    assert GDPR.objection_citation == "Article 21(1) GDPR"
    assert GDPR.recipients_citation == "Article 19 GDPR"
    assert GDPR.has_objection_right
    assert GDPR.holiday_country == "IE"
    assert GDPR.deadline == j.Period("months", 1, roll_over=True)
    assert GDPR.extension == j.Period("months", 3, roll_over=True)


def test_uk_gdpr_uses_english_holidays_and_linkedin_corporation():
    assert UK.holiday_country == "GB-ENG"
    assert UK.controller.name == "LinkedIn Corporation"
    assert UK.has_objection_right


def test_controllers_come_from_facts():
    ireland = regime_for("FR").controller
    assert ireland.name == "LinkedIn Ireland Unlimited Company"
    assert ireland.address_lines[:2] == ("Wilton Plaza", "Wilton Place")


def test_eu_eea_has_27_eu_members_plus_iceland_liechtenstein_norway():
    assert len(EU_EEA_COUNTRIES) == 30
    assert {"IS", "LI", "NO"} <= EU_EEA_COUNTRIES
    assert not {"GB", "CH"} & EU_EEA_COUNTRIES


def test_subdivision_choices_cover_us_states_and_canadian_provinces():
    assert len(j.US_STATE_CHOICES) == 51
    assert ("CA", "California") in j.US_STATE_CHOICES
    assert ("DC", "District of Columbia") in j.US_STATE_CHOICES
    assert len(j.CA_PROVINCE_CHOICES) == 13
    assert ("QC", "Quebec") in j.CA_PROVINCE_CHOICES
    assert len(j.DE_LAND_CHOICES) == 16
    assert j.COUNTRIES_WITH_SUBDIVISIONS == {
        "US": j.US_STATE_CHOICES,
        "CA": j.CA_PROVINCE_CHOICES,
        "DE": j.DE_LAND_CHOICES,
    }


# --------------------------------------------------------------- authorities


def test_authorities_for_a_german_member_are_the_irish_dpc_then_her_land_authority():
    dpc, bavarian = authorities_for(GDPR, "DE", "BY")
    assert dpc.short_name == "Irish DPC"
    assert dpc.email == "info@dataprotection.ie"
    assert dpc.web_form == "https://forms.dataprotection.ie/contact"
    # For companies in Bavaria the Landesamt in Ansbach is competent, not the public-sector commissioner.
    assert bavarian.short_name == "BayLDA"
    assert "91504 Ansbach" in bavarian.address_lines
    assert bavarian.web_form.startswith("https://www.lda.bayern.de/")


@pytest.mark.parametrize(("land", "name"), j.DE_LAND_CHOICES)
def test_every_german_land_has_its_own_authority_not_the_federal_commissioner(land, name):
    authority = j.member_authority("DE", land)
    assert authority is not None, name
    assert authority.key == f"de_{land.lower()}"
    assert "Bundesbeauftragte" not in authority.name
    assert authority.address_lines and authority.address_lines[-1] == "Germany"


def test_a_german_member_without_land_is_not_sent_to_the_federal_commissioner():
    assert [a.short_name for a in authorities_for(GDPR, "DE")] == ["Irish DPC"]


def test_authorities_for_ireland_offers_only_the_dpc():
    assert authorities_for(GDPR, "IE") == (j.AUTHORITIES["ie_dpc"],)


def test_gdpr_regime_authorities_are_personalised_for_the_member():
    assert regime_for("FR").authorities == authorities_for(GDPR, "FR")
    assert [a.short_name for a in regime_for("FR").authorities] == ["Irish DPC", "CNIL"]
    assert [a.short_name for a in regime_for("DE", "HH").authorities] == ["Irish DPC", "HmbBfDI"]


@pytest.mark.parametrize(
    ("country", "subdivision", "short_names"),
    [
        ("GB", "", ["ICO"]),
        ("CH", "", ["FDPIC"]),
        ("US", "CA", ["CPPA", "California AG"]),
        ("CA", "BC", ["OPC"]),
        ("CA", "QC", ["OPC", "CAI"]),
        ("BR", "", ["ANPD"]),
        ("US", "TX", ["Texas Attorney General"]),
        ("US", "NY", []),
    ],
)
def test_authorities_for_non_gdpr_regimes(country, subdivision, short_names):
    regime = regime_for(country, subdivision)
    assert [a.short_name for a in authorities_for(regime, country, subdivision)] == short_names


@pytest.mark.parametrize("country", sorted(EU_EEA_COUNTRIES - {"DE"}))
def test_every_eu_eea_country_has_a_national_authority_with_address_and_complaint_route(country):
    authority = j.member_authority(country)
    assert authority is not None
    assert authority.name
    assert authority.website.startswith("https://")
    assert len(authority.address_lines) >= 2
    assert authority.complaint_url


# --------------------------------------------------------------- data files


def test_authorities_carry_their_source_and_checked_on_date():
    for authority in j.AUTHORITIES.values():
        assert authority.source and isinstance(authority.checked_on, date), authority.key


@pytest.mark.parametrize(
    ("name", "url"),
    [
        ("deletion_form", "https://www.linkedin.com/help/linkedin/ask/TS-DDF"),
        ("privacy_contact_form", "https://www.linkedin.com/help/linkedin/ask/ppq"),
        ("objection_form", "https://www.linkedin.com/help/linkedin/ask/TS-DPRO"),
        ("dpo_form", "https://www.linkedin.com/help/linkedin/ask/TSO-DPO"),
        ("account_closure", "https://www.linkedin.com/mypreferences/d/close-accounts"),
        (
            "ai_setting",
            "https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement",
        ),
    ],
)
def test_linkedin_url_reads_facts(name, url):
    assert j.linkedin_url(name) == url


def test_linkedin_url_unknown_name_raises_key_error():
    with pytest.raises(KeyError):
        j.linkedin_url("nope")


def test_ai_setting_paths_end_at_the_generative_ai_setting():
    setting = facts.value("ai_setting")
    for path in (setting["desktop_path"], setting["mobile_path"]):
        assert all(isinstance(step, str) for step in path)
        assert path[-1] == setting["setting_name"] == "Data for Generative AI Improvement"
    assert setting["section_heading"] in setting["desktop_path"]
