"""Every letter and form text, in every letter language, for every regime and
every answer, read the way a fluent reader of that language reads it: the
word after the salutation, dates written the language's way, no English law
or authority name in a letter of another language, an article before an
authority's name, periods in the case the sentence needs, clean spacing and
no placeholder left over."""

from __future__ import annotations

import re
from datetime import date

import pytest
from django.utils import translation

from requests_app import jurisdictions

from .letter_samples import LETTER_LANGUAGES, Sample, email_samples, samples

# One case per language and regime (each holds that regime's every text in
# that language), so a failure names the text and the run stays short.
CASES = {
    f"{language}/{regime.code}": list(samples(language, regime))
    for language in LETTER_LANGUAGES
    for regime in jurisdictions.REGIMES.values()
}
ALL_SAMPLES = [sample for case in CASES.values() for sample in case]
each_case = pytest.mark.parametrize("case", list(CASES), ids=str)


def _failures(case: str, check) -> list[str]:
    return [f"{sample}: {problem}" for sample in CASES[case] if (problem := check(sample))]


# The word that opens a letter after "Dear Sir or Madam,": German goes on
# with the sentence after the comma, so it writes it in lower case unless it
# is a noun or the polite pronoun; the other languages start a new sentence.
CONTINUES_AFTER_SALUTATION = {"de"}
GERMAN_CAPITALISED = {"Sie", "Ihnen", "Ihr", "Ihre", "Ihrem", "Ihren", "Ihrer", "Ihres", "LinkedIn"}

MONTHS = {
    "en": "January February March April May June July August September October November December",
    "de": "Januar Februar März April Mai Juni Juli August September Oktober November Dezember",
    "fr": "janvier février mars avril mai juin juillet août septembre octobre novembre décembre",
    "es": "enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre",
    "it": "gennaio febbraio marzo aprile maggio giugno luglio agosto settembre ottobre novembre dicembre",
    "nl": "januari februari maart april mei juni juli augustus september oktober november december",
    # Polish dates put the month in the genitive ("1 grudnia 2026").
    "pl": "stycznia lutego marca kwietnia maja czerwca lipca sierpnia września października listopada grudnia",
}
# Month names a date must never use: the Polish nominative.
WRONG_MONTHS = {
    "pl": "styczeń luty marzec kwiecień maj czerwiec lipiec sierpień wrzesień październik listopad grudzień",
}


def written(day: date, language: str, *, us: bool = False) -> str:
    month = MONTHS[language].split()[day.month - 1]
    if language == "en":
        return f"{month} {day.day}, {day.year}" if us else f"{day.day} {month} {day.year}"
    if language == "de":
        return f"{day.day}. {month} {day.year}"
    if language in ("fr", "it") and day.day == 1:
        return f"{'1er' if language == 'fr' else '1º'} {month} {day.year}"
    if language == "es":
        return f"{day.day} de {month} de {day.year}"
    return f"{day.day} {month} {day.year}"


def _is_us(sample: Sample) -> bool:
    return sample.regime == "ccpa" or sample.regime.startswith("us_")


def _body(sample: Sample) -> list[str]:
    return sample.text.split("\n\n")


def _salutation(language: str) -> str:
    with translation.override(language):
        return translation.gettext("Dear Sir or Madam,")


def _salutation_problem(sample: Sample) -> str:
    if sample.letter_date is None and not sample.kind.startswith("complaint:"):
        return ""
    paragraphs = _body(sample)
    salutation = _salutation(sample.language)
    if salutation not in paragraphs:
        return f"no salutation {salutation!r}"
    first_word = paragraphs[paragraphs.index(salutation) + 1].split()[0]
    if sample.language in CONTINUES_AFTER_SALUTATION:
        fine = first_word[0].islower() or first_word in GERMAN_CAPITALISED
    else:
        fine = first_word[0].isupper()
    return "" if fine else f"{first_word!r} after the salutation"


@each_case
def test_the_letter_goes_on_after_the_salutation_as_the_language_writes_it(case):
    assert not _failures(case, _salutation_problem)


def _date_line_problem(sample: Sample) -> str:
    if sample.letter_date is None:
        return ""
    expected = written(sample.letter_date, sample.language, us=_is_us(sample))
    return "" if expected in _body(sample) else f"no date line {expected!r}"


@each_case
def test_the_letter_is_dated_as_its_language_writes_a_date(case):
    assert not _failures(case, _date_line_problem)


def _date_pattern(language: str) -> re.Pattern:
    months = "|".join(MONTHS[language].split() + WRONG_MONTHS.get(language, "").split())
    if language == "en":
        return re.compile(rf"\b(?:\d{{1,2}} (?:{months}) \d{{4}}|(?:{months}) \d{{1,2}}, \d{{4}})")
    return re.compile(rf"\b\d{{1,2}}(?:er|\.|º)? (?:de )?(?:{months})(?: de)? \d{{4}}")


def _dates_in(sample: Sample) -> list[str]:
    return _date_pattern(sample.language).findall(sample.text)


def _expected_dates(language: str, *, us: bool) -> set[str]:
    day, end = date(2026, 11, 1), date(2027, 6, 30)
    found = set()
    while day <= end:
        found.add(written(day, language, us=us))
        day = date.fromordinal(day.toordinal() + 1)
    return found


def _wrong_dates(sample: Sample) -> list[str]:
    expected = _expected_dates(sample.language, us=_is_us(sample))
    return [text for text in _dates_in(sample) if text not in expected]


@each_case
def test_every_date_inside_a_text_is_written_the_languages_way(case):
    assert not _failures(case, _wrong_dates)


# The reminder emails: dates as the letters write them, no placeholder left.
EMAILS = {
    f"{language}/{code}": list(email_samples(language, jurisdictions.REGIMES[code]))
    for language in LETTER_LANGUAGES
    for code in ("gdpr", "us_tx")
}


@pytest.mark.parametrize("case", list(EMAILS), ids=str)
def test_the_emails_write_dates_as_the_letters_do(case):
    samples_of_case = EMAILS[case]
    wrong = [f"{sample}: {found}" for sample in samples_of_case if (found := _wrong_dates(sample))]
    assert not wrong
    language = samples_of_case[0].language
    us = _is_us(samples_of_case[0])
    first = written(date(2026, 12, 1), language, us=us)
    # These emails state the 1st of December, the date the context gives them.
    on_the_first = ("appeal_overdue", "access_overdue", "done_check", "purge_warning")
    assert all(
        first in s.text for s in samples_of_case if s.kind.split(":")[1] in on_the_first and "subject" not in s.kind
    )
    left = [str(s) for s in samples_of_case if "%(" in s.text or "{{" in s.text or "{%" in s.text]
    assert not left


def test_the_samples_hold_the_dates_the_checks_look_for():
    # A check that finds no date would pass on anything.
    french = [s for s in ALL_SAMPLES if s.language == "fr" and s.kind == "follow_up"]
    assert all("1er décembre 2026" in s.text for s in french)
    polish = [s for s in ALL_SAMPLES if s.language == "pl" and s.kind == "follow_up"]
    assert all("1 grudnia 2026" in s.text for s in polish)


# English names of laws and authorities a letter in another language must not
# use bare: an authority's own name may stand in brackets after the local
# words for it, or alone as the complaint's addressee line.
ENGLISH_LAW_WORDS = re.compile(
    r"\bGDPR\b|\bFADP\b|Data Protection Ordinance|\bSchedule \d|\bPrinciples? 4\.|\bsections? \d|Quebec's|"
    r"\bAct respecting\b|private-sector act"
)
ENGLISH_AUTHORITY_WORDS = re.compile(
    r"Data Protection Commission|Information Commissioner's Office|Attorney General|Privacy Protection Agency|"
    r"Privacy Commissioner|Data Protection and Information Commissioner|Division of Consumer Protection"
)


def _without_brackets_and_addressee(sample: Sample) -> str:
    paragraphs = _body(sample)
    if sample.kind.startswith("complaint:"):
        paragraphs = paragraphs[1:]  # the authority's name as the addressee
    return re.sub(r"\([^()]*\)", "", "\n\n".join(paragraphs))


def _english_names(sample: Sample) -> list[str]:
    if sample.language == "en":
        return []
    return ENGLISH_LAW_WORDS.findall(sample.text) + ENGLISH_AUTHORITY_WORDS.findall(
        _without_brackets_and_addressee(sample)
    )


@each_case
def test_no_english_law_or_authority_name_is_left_in_another_language(case):
    assert not _failures(case, _english_names)


# "Article 17(1)(c)" is how English writes an article's paragraph and point;
# the European laws' letters in other languages write it their way
# ("Art. 17 Abs. 1 lit. c", "artículo 17.1.c)"). PIPEDA's "section 8(3)" is
# Canada's own numbering and stays.
ENGLISH_STYLE_REF = re.compile(r"\b\d+\(\d+\)")


def _english_style_refs(sample: Sample) -> list[str]:
    if sample.language == "en" or sample.regime not in ("gdpr", "uk_gdpr", "fadp"):
        return []
    return ENGLISH_STYLE_REF.findall(sample.text)


@each_case
def test_articles_are_cited_the_languages_way(case):
    assert not _failures(case, _english_style_refs)


# How each language says "complain to <authority>": the name after it must
# come with its article (or, in Polish, in the genitive the preposition asks).
COMPLAIN_TO = {
    "en": r"complain to ",
    "de": r"Beschwerde bei ",
    "fr": r"(?:auprès de |saisirai |saisir )",
    "es": r"reclamación ante ",
    "it": r"reclamo (?:presso |al |alla |all')",
    "nl": r"klacht (?:in )?bij ",
    "pl": r"skargę do ",
}


def _bare_authorities(sample: Sample) -> list[str]:
    return [
        authority.name
        for authority in jurisdictions.AUTHORITIES.values()
        if re.search(COMPLAIN_TO[sample.language] + re.escape(authority.name), sample.text)
    ]


@each_case
def test_an_authority_is_named_with_its_article(case):
    assert not _failures(case, _bare_authorities)


# Phrases (patterns) a fluent reader stops at: a case the preposition does
# not take, an elision or contraction not made.
NOT_WRITTEN_SO = {
    "de": ["innerhalb von einem", "innerhalb von eines", "von einem Monat nach"],
    # A citation starts "article 17 du RGPD", "artículo 17 del RGPD": a
    # preposition before it needs the article ("de l'article", "del artículo").
    "fr": [" de un ", " de le [A-ZÉ]", " à le [A-ZÉ]", " à les [A-ZÉ]", r"\b(de|à|par) (article|art\.) \d"],
    "es": [" de el ", " a el ", r"\b(de|en|a) (artículo|art\.) \d"],
    "it": [" di il ", " a il ", " di la ", " di lo ", r"\b(di|su|a) (articolo|art\.) \d"],
    "nl": [],
    "pl": [],
    "en": ["to Data Protection Commission", "within within"],
}


@each_case
def test_periods_and_articles_take_the_languages_grammar(case):
    assert not _failures(
        case, lambda sample: [phrase for phrase in NOT_WRITTEN_SO[sample.language] if re.search(phrase, sample.text)]
    )


def _spacing_problem(sample: Sample) -> str:
    text = sample.text
    if "  " in text.replace("\n  ", "\n"):  # the specific items' URLs are indented on purpose
        return "doubled space"
    if re.search(r" [,.](?!\d)", text):
        return "space before a comma or full stop"
    if "{" in text or "%(" in text or "%s" in text:
        return "placeholder left"
    return ""


@each_case
def test_no_doubled_space_space_before_a_comma_or_placeholder_left(case):
    assert not _failures(case, _spacing_problem)
