"""Drive the guided form through Django's test client, as a browser would."""

from __future__ import annotations

from datetime import date

from django.test import Client

PREFIX = "start_wizard"


def step_data(step: str, fields: dict) -> dict:
    data = {f"{PREFIX}-current_step": step}
    for name, value in fields.items():
        data[f"{step}-{name}"] = value
    return data


def you(**overrides) -> dict:
    # full_name=... is split the way a person would type it into the two fields.
    if "full_name" in overrides:
        first, _space, last = overrides.pop("full_name").rpartition(" ")
        overrides.setdefault("first_name", first or last)
        overrides.setdefault("last_name", last if first else "")
    return {
        "first_name": "Anna",
        "last_name": "Müller",
        "email": "anna@example.org",
        "profile_url": "https://www.linkedin.com/in/anna-mueller",
        "country": "DE",
        "subdivision": "BE",
        "language": "en",
        "letter_language": "en",
        **overrides,
    }


def what(**overrides) -> dict:
    return {
        "scope": "ai_training",
        "data_categories": ["profile", "posts"],
        "specific_urls": "",
        "object_to_processing": "on",
        **overrides,
    }


def post_step(client: Client, step: str, fields: dict, **extra):
    return client.post(f"/start/{step}/", step_data(step, fields) | extra)


def complete_journey(
    client: Client,
    *,
    you_fields: dict | None = None,
    what_fields: dict | None = None,
    ai: dict | None = None,
    reminders: str = "yes",
):
    """Walk all five steps; return the final response (a redirect to the request page)."""
    client.get("/start/")
    steps = [
        ("you", you_fields or you()),
        ("what", what_fields or what()),
        ("ai-setting", ai or {"status": "off", "switched_off_on": date.today().isoformat()}),
        ("reminders", {"reminders_enabled": reminders}),
    ]
    for step, fields in steps:
        response = post_step(client, step, fields)
        assert response.status_code == 302, (step, response.content.decode()[:3000])
    review = client.get("/start/review/")
    key = review.context["form"].initial["creation_key"]
    return post_step(client, "review", {"creation_key": key})
