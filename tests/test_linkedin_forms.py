"""The member is sent to LinkedIn's real forms, with the right words in each
field, in every region; facts carry their sources; dates work in every language."""

from __future__ import annotations

import copy
import re
from datetime import date, timedelta

import pytest
from django.utils import formats, timezone, translation

from requests_app import explain, facts, guide
from requests_app.letters import build_letters, written_date
from requests_app.models import DeletionRequest
from requests_app.tokens import token_issue

from .factories import DeletionRequestFactory
from .journey import complete_journey, post_step, what, you

pytestmark = pytest.mark.django_db

DDF = "https://www.linkedin.com/help/linkedin/ask/TS-DDF"
DPRO = "https://www.linkedin.com/help/linkedin/ask/TS-DPRO"
PPQ = "https://www.linkedin.com/help/linkedin/ask/ppq"


def _create(client, **you_overrides) -> tuple[DeletionRequest, str]:
    what_fields = you_overrides.pop("what_fields", None)
    ai = you_overrides.pop("ai", None)
    response = complete_journey(client, you_fields=you(**you_overrides), what_fields=what_fields, ai=ai)
    return DeletionRequest.objects.get(), response.url


def _field_texts(form) -> dict[str, str]:
    return {field.key: field.text for field in form.fields}


# --------------------------------------------------------------------------- facts


def test_every_fact_names_its_source_and_the_day_it_was_checked():
    for name, fact in facts.FACTS.items():
        assert fact.source.strip(), name
        assert date(2024, 1, 1) <= fact.checked_on <= date.today(), name


def test_facts_that_domain_verified_are_not_marked_unverified_and_the_form_fields_are():
    assert not facts.fact("deletion_form").unverified
    assert not facts.fact("objection_form").unverified
    assert not facts.fact("ai_setting").unverified
    assert facts.fact("deletion_form_fields").unverified
    assert facts.fact("objection_type").unverified


@pytest.mark.parametrize(
    "break_it, message",
    [
        (lambda d: d["facts"]["deletion_form"].pop("source"), "fact 'deletion_form': field 'source' is missing"),
        (lambda d: d["facts"]["dpo_form"].update(checked_on="1 Dec"), "fact 'dpo_form': checked_on must be a date"),
        (lambda d: d["facts"]["ai_setting"]["value"].pop("mobile_path"), "value needs the field 'mobile_path'"),
        (lambda d: d["facts"]["deletion_form"]["value"].update(url="https://x.example/"), "value.url must start"),
        (lambda d: d["facts"]["deletion_form_fields"]["value"].append({"key": "shoe_size"}), "field 4 needs a key"),
        (lambda d: d["facts"].pop("account_closure"), "these facts are missing: account_closure"),
    ],
)  # fmt: skip
def test_a_broken_data_file_is_refused_with_the_entry_and_field_named(break_it, message):
    document = copy.deepcopy(facts.DOCUMENT)
    break_it(document)
    with pytest.raises(facts.FactsError, match=re.escape(message)):
        facts.parse_facts(document)


# --------------------------------------------------------------------------- the guide


def test_request_page_sends_the_member_to_the_data_deletion_form_with_each_field_in_order(client):
    request, url = _create(client, first_name="Anna Maria", last_name="Müller-Lüdenscheidt")
    page = client.get(url).content.decode()
    assert f'href="{DDF}"' in page
    # Field order as LinkedIn's form asks them; each labelled with its form.
    positions = [page.index(f'id="text-ddf-{key}"') for key in ("first_name", "last_name", "email", "details")]
    assert positions == sorted(positions)
    assert ">Anna Maria</textarea>" in page and ">Müller-Lüdenscheidt</textarea>" in page
    assert "(field of the Data Deletion request form)" in page
    # ppq only as a fallback, after the guide.
    assert page.index(PPQ) > page.index('data-testid="step-record_sent"')


def test_steps_are_numbered_in_the_order_a_member_does_them(client):
    _request, url = _create(client, country="FR")
    page = client.get(url).content.decode()
    order = ["step-ai_setting", "step-deletion_form", "step-objection_form", "step-record_sent"]
    assert [page.index(f'data-testid="{kind}"') for kind in order] == sorted(
        page.index(f'data-testid="{k}"') for k in order
    )
    # The number in its circle, with the full stop a screen reader reads as "1.".
    assert '1<span class="visually-hidden">.</span></span> Switch off AI training' in page
    assert '3<span class="visually-hidden">.</span></span> Object through LinkedIn' in page


def test_european_member_who_objects_gets_the_objection_form_with_type_and_explanation(client):
    request, url = _create(client, country="AT", what_fields=what(particular_situation="I am a nurse."))
    letters = build_letters(request)
    assert letters.objection_form is not None and letters.objection_form.url == DPRO
    texts = _field_texts(letters.objection_form)
    assert [f.key for f in letters.objection_form.fields] == [
        "first_name",
        "last_name",
        "email",
        "objection_type",
        "explanation",
    ]
    assert "Article 21(1) GDPR" in texts["explanation"] and "I am a nurse." in texts["explanation"]
    assert "“Other”" in texts["objection_type"]
    page = client.get(url).content.decode()
    assert f'href="{DPRO}"' in page and "not verified" in page


def test_member_who_does_not_object_gets_no_objection_form(client):
    request, _url = _create(client, country="AT", what_fields=what(object_to_processing=""))
    assert build_letters(request).objection_form is None


@pytest.mark.parametrize("country, subdivision", [("US", "CA"), ("CA", "ON"), ("BR", ""), ("JP", "")])
def test_members_outside_europe_get_the_deletion_form_and_no_objection_form(client, country, subdivision):
    request, url = _create(client, country=country, subdivision=subdivision)
    letters = build_letters(request)
    assert letters.deletion_form.url == DDF and letters.objection_form is None
    assert f'href="{DPRO}"' not in client.get(url).content.decode()


def test_ai_setting_step_gives_desktop_and_mobile_paths_and_direct_link(client):
    _request, url = _create(client, ai={"status": "not_yet"})
    page = client.get(url).content.decode()
    assert 'href="https://www.linkedin.com/mypreferences/d/settings/data-for-ai-improvement"' in page
    assert "How LinkedIn uses your data" in page and "In the LinkedIn app" in page
    assert "Use my data for training content creation AI models" in page


def test_closing_the_account_links_the_closure_page_and_the_letter_does_not_ask_for_it(client):
    request, url = _create(client, what_fields=what(close_account="on"))
    page = client.get(url).content.decode()
    assert 'href="https://www.linkedin.com/mypreferences/d/close-accounts"' in page
    assert "close my" not in build_letters(request).letter.lower()


def test_pages_show_the_oldest_date_of_the_linkedin_facts_they_use(client):
    request, url = _create(client)
    page_facts = guide.request_guide(request, build_letters(request)).facts
    shown = formats.date_format(page_facts.oldest_checked_on, "DATE_FORMAT")
    assert f"last checked on {shown}" in client.get(url).content.decode()
    home = formats.date_format(guide.about_training().facts.oldest_checked_on, "DATE_FORMAT")
    assert f"last checked on {home}" in client.get("/").content.decode()


def test_home_page_says_what_switching_off_does_and_does_not_promise_forgetting(client):
    page = client.get("/").content.decode()
    assert "stops future training only" in page
    assert "unlikely to forget" in page
    assert "private messages" in page


# --------------------------------------------------------------------------- what to delete


def test_ai_training_only_keeps_the_posts_and_says_so(client):
    request, _url = _create(client, what_fields=what(scope="ai_training", data_categories=["posts", "ai_inputs"]))
    details = _field_texts(build_letters(request).deletion_form)["details"]
    assert "My profile and posts may stay on LinkedIn" in details
    assert "- My posts and comments" in details
    assert "- What I typed into LinkedIn's AI features" in details
    assert "My profile (name" not in details


def test_delete_scope_asks_for_deletion_from_linkedin_altogether(client):
    request, _url = _create(client, what_fields=what(scope="delete", data_categories=["profile"]))
    details = _field_texts(build_letters(request).deletion_form)["details"]
    assert "from LinkedIn altogether" in details and "may stay on LinkedIn" not in details


def test_texts_ask_which_models_used_the_data_and_never_promise_unlearning(client):
    request, _url = _create(client)
    letters = build_letters(request)
    for text in (letters.letter, _field_texts(letters.deletion_form)["details"]):
        assert "which of your AI models have already been trained on my data" in text
        assert "retraining" in text
        assert "forget" not in text and "unlearn" not in text


# --------------------------------------------------------------------------- the letter


def test_gdpr_letter_cites_what_a_lawyer_would(client):
    request, _url = _create(client, country="DE", postal_address="Hauptstraße 1\n10115 Berlin",
                            what_fields=what(particular_situation="Ich bin Ärztin."))  # fmt: skip
    letter = build_letters(request, today=date(2026, 12, 1)).letter
    for citation in (
        "Article 17(1)(c) GDPR",
        "Article 21(1) GDPR",
        "Article 17(2) GDPR",
        "Article 18(1)(d) GDPR",
        "Article 19 GDPR",
    ):
        assert citation in letter, citation
    assert "Microsoft" in letter and "Ich bin Ärztin." in letter
    assert "LinkedIn Ireland Unlimited Company\nc/o Data Protection Officer\nWilton Plaza" in letter
    assert letter.startswith(
        "Anna Müller\nHauptstraße 1\n10115 Berlin\nanna@example.org\nhttps://www.linkedin.com/in/anna-mueller"
    )
    assert "\n\n1 December 2026\n\n" in letter


def test_uk_letter_objects_to_sharing_with_microsoft_and_goes_to_linkedin_corporation(client):
    request, _url = _create(client, country="GB")
    letter = build_letters(request).letter
    assert "sharing my data with Microsoft for the training of Microsoft's AI models" in letter
    assert "LinkedIn Corporation\nc/o Data Protection Officer\n1000 W Maude Avenue" in letter
    assert "Article 21(1) UK GDPR" in letter


def test_letter_without_a_law_presents_the_period_as_ours(client):
    request, url = _create(client, country="JP")
    letter = build_letters(request).letter
    assert "a period I suggest" in letter and "Privacy Policy" in letter
    assert "I will complain" not in letter
    client.post(f"{url}submitted/", {"submitted-submitted_on": timezone.localdate().isoformat()})
    page = client.get(url).content.decode()
    assert "We suggest LinkedIn answers by" in page and "LinkedIn must answer by" not in page


def test_unverified_deadline_is_marked_on_the_page_and_in_the_calendar(client):
    _request, url = _create(client, country="BR")
    client.post(f"{url}submitted/", {"submitted-submitted_on": timezone.localdate().isoformat()})
    assert "not verified" in client.get(url).content.decode()
    calendar = client.get(f"{url}deadlines.ics").content.replace(b"\r\n ", b"")  # unfold long lines
    assert b"period not verified" in calendar


def test_letter_has_a_print_view(client):
    _request, url = _create(client)
    response = client.get(f"{url}letter/")
    assert response.status_code == 200
    assert b'data-testid="letter-print"' in response.content and b"c/o Data Protection Officer" in response.content


@pytest.mark.parametrize(
    "language, country, expected",
    [
        ("en", "IE", "1 December 2026"),
        ("en", "US", "December 1, 2026"),
        ("de", "DE", "1. Dezember 2026"),
        ("fr", "FR", "1er décembre 2026"),
        ("es", "ES", "1 de diciembre de 2026"),
        ("pl", "PL", "1 grudnia 2026"),
    ],
)
def test_letter_dates_are_written_as_each_language_writes_them(language, country, expected):
    with translation.override(language):
        assert written_date(date(2026, 12, 1), language=language, country=country) == expected


def test_french_writes_only_the_first_of_the_month_as_an_ordinal():
    with translation.override("fr"):
        assert written_date(date(2026, 12, 2), language="fr") == "2 décembre 2026"


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize("language", ["de", "fr", "es", "it", "nl", "pl", "en"])
def test_date_fields_hold_iso_dates_in_every_language_and_save(client, language):
    _request, url = _create(client, ai={"status": "not_yet"})
    today = timezone.localdate().isoformat()
    page = client.get(url, HTTP_ACCEPT_LANGUAGE=language).content.decode()
    assert f'type="date" name="submitted-submitted_on" value="{today}"' in page
    assert f'type="date" name="ai-switched_off_on" value="{today}"' in page
    earlier = (timezone.localdate() - timedelta(days=400)).isoformat()
    client.post(f"{url}submitted/", {"submitted-submitted_on": earlier}, HTTP_ACCEPT_LANGUAGE=language)
    client.post(f"{url}ai-setting/", {"ai-switched_off_on": earlier}, HTTP_ACCEPT_LANGUAGE=language)
    request = DeletionRequest.objects.get()
    assert request.submitted_on.isoformat() == earlier and request.ai_setting_off_on.isoformat() == earlier


def test_a_request_sent_before_it_was_made_here_counts_from_the_real_day(client):
    request, url = _create(client)
    sent = date(2025, 1, 31)
    response = client.post(f"{url}submitted/", {"submitted-submitted_on": sent.isoformat()})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.submitted_on == sent
    assert explain.request_clock(request).due_on == date(2025, 2, 28)


def test_only_a_future_date_is_refused(client):
    request, url = _create(client)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(f"{url}submitted/", {"submitted-submitted_on": tomorrow})
    assert response.status_code == 400 and "This date is in the future." in response.content.decode()
    request.refresh_from_db()
    assert request.submitted_on is None


def test_ai_setting_step_starts_with_today_as_its_help_says(client):
    client.get("/start/")
    post_step(client, "you", you())
    post_step(client, "what", what())
    page = client.get("/start/ai-setting/").content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in page
    assert "Today is filled in" in page


# --------------------------------------------------------------------------- smaller things


def test_profile_address_without_https_is_accepted_and_normalised(client):
    request, _url = _create(client, profile_url="linkedin.com/in/anna-mueller")
    assert request.profile_url == "https://linkedin.com/in/anna-mueller"


def test_error_sentence_about_highlighted_fields_only_when_a_field_is_highlighted_and_once(client):
    response = post_step(client, "you", you(first_name=""))
    page = response.content.decode()
    assert page.count("Please correct the highlighted fields") == 1
    request = DeletionRequestFactory(status="submitted", submitted_on=date(2026, 11, 20))
    token = token_issue(request=request)
    page = client.post(f"/r/{token}/extended/", {"extension-announced_on": "2026-11-01"}).content.decode()
    assert "LinkedIn cannot have extended before you sent the request." in page
    assert page.count("LinkedIn cannot have extended before you sent the request.") == 1
    assert "Please correct the highlighted fields" not in page


def test_state_field_is_marked_for_countries_that_have_laws_by_state(client):
    client.get("/start/")
    page = client.get("/start/you/").content.decode()
    assert 'data-subdivision-countries="US CA DE"' in page
