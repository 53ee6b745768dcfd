"""R13a in real headless Chromium: a manager without a second factor is sent
to enrolment, scans (here: types) the key into an "app", confirms, keeps the
recovery codes, and signs in with a code the next time. The inline SVG QR code
causes no Content-Security-Policy violation."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from .factories import PASSWORD
from .test_csp import watch_csp
from .two_factor_support import enter_verification_code

pytestmark = [pytest.mark.browser, pytest.mark.real_two_factor]


def app_code(key: str) -> str:
    """What an authenticator app shows for the key typed in from the page."""
    return f"{TOTP(base64.b32decode(key.replace(' ', ''))).token():06d}"


def submit_password(page, live_server, user):
    page.goto(f"{live_server.url}/")
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()


def test_manager_enrols_and_signs_in_with_a_code(cast, live_server, page):
    violations = watch_csp(page)
    manager = cast.users["manager"]
    submit_password(page, live_server, manager)

    page.wait_for_url(f"{live_server.url}/tweestapsverificatie/instellen/**")
    assert page.get_by_role("heading", level=1).inner_text() == "Tweestapsverificatie instellen"
    assert page.locator("figure.qr-code svg").is_visible()
    # Nothing else opens before enrolment.
    page.goto(f"{live_server.url}/medewerkers/")
    page.wait_for_url(f"{live_server.url}/tweestapsverificatie/instellen/**")

    key = page.locator("#manual-key").inner_text()
    page.get_by_label("Verificatiecode").fill(app_code(key))
    page.get_by_role("button", name="Instellen").click()
    page.wait_for_url(f"{live_server.url}/tweestapsverificatie/herstelcodes/")
    codes = page.get_by_role("list", name="Uw nieuwe herstelcodes").get_by_role("listitem")
    assert codes.count() == 10
    page.get_by_role("link", name="Verder naar de startpagina").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Mijn casussen").is_visible()

    page.locator("form[action='/uitloggen/'] button").click()
    page.wait_for_url(f"{live_server.url}/inloggen/")
    submit_password(page, live_server, manager)
    enter_verification_code(page, TOTPDevice.objects.get(user=manager))
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Mijn casussen").is_visible()
    assert violations == []


def test_a_wrong_code_is_refused_in_dutch_in_the_browser(cast, live_server, page):
    physician = cast.users["physician"]
    TOTPDevice.objects.create(user=physician, name="telefoon", confirmed=True)
    submit_password(page, live_server, physician)
    page.wait_for_url("**/inloggen/verificatie/**")
    page.get_by_label("Verificatiecode").fill("12345a")
    page.locator("main").get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_text("Deze verificatiecode klopt niet")).to_be_visible()  # waits for the answer
    assert "/inloggen/verificatie/" in page.url
