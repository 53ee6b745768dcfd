"""R8/R14 journey in real headless Chromium against a live server: the
employee opens "Mijn dossier", sees their consent, withdraws it.

Skips locally when Chromium is missing, fails in CI (``CI=true``); the browser comes from
the ``page`` fixture in tests/conftest.py.
"""

from __future__ import annotations

import datetime

import pytest

from consent import services
from consent.models import Consent
from consent.services import ItemInput
from consent.types import MeetingType

from ..factories import PASSWORD

pytestmark = pytest.mark.browser

WORDING = "Volgt een traject bij bedrijfsmaatschappelijk werk"


def test_employee_withdraws_own_consent_in_mijn_dossier(cast, live_server, page):
    today = datetime.date.today()
    consent = services.record_consent(
        user=cast.users["physician"],
        case_id=cast.case.pk,
        given_on=today,
        obtained=Consent.Obtained.CONSULTATION,
        valid_until=today + datetime.timedelta(days=60),
        allowed_roles=["leidinggevende"],
        meeting_types=[MeetingType.CASE_SMO],
        items=(ItemInput(category="verwijzing", wording=WORDING),),
    )
    employee = cast.users["employee_concerned"]

    page.goto(f"{live_server.url}/")
    page.locator("input[name=username]").fill(employee.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    page.wait_for_url(f"{live_server.url}/")

    page.get_by_role("navigation", name="Hoofdmenu").get_by_role("link", name="Mijn dossier").click()
    page.wait_for_url(f"{live_server.url}/mijn-dossier/")
    card = page.locator(f"article[aria-labelledby='consent-{consent.pk}-heading']")
    assert card.get_by_text(WORDING).is_visible()
    assert card.locator(".consent-status").inner_text() == "Geldig"

    card.get_by_role("link", name="Intrekken").click()
    page.wait_for_url(f"{live_server.url}/mijn-dossier/toestemming/{consent.pk}/intrekken/")
    assert page.get_by_text("Het intrekken geldt direct.").is_visible()
    page.get_by_label("Reden (niet verplicht)").fill("Ik vertel het liever zelf.")
    page.get_by_role("button", name="Toestemming intrekken").click()

    page.wait_for_url(f"{live_server.url}/mijn-dossier/")
    assert page.get_by_role("status").get_by_text("Uw toestemming is ingetrokken.").is_visible()
    card = page.locator(f"article[aria-labelledby='consent-{consent.pk}-heading']")
    assert card.locator(".consent-status").inner_text() == "Ingetrokken"
    assert card.get_by_role("link", name="Intrekken").count() == 0

    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by_id == employee.pk and not consent.withdrawn_on_behalf
    assert consent.withdrawal_reason == "Ik vertel het liever zelf."
