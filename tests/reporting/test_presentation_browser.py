"""The SRO presentation mode in real headless Chromium (R18, R19;
templates/reporting/statistics/presentation.html, static/reporting/presentation.js).

One slide at a time with a counter (aria-live); keyboard: ArrowRight,
PageDown and Space forward, ArrowLeft and PageUp back, Home/End; every
section slide shows its chart (svg) and its table; a suppressed value is
nowhere visible; the full-screen button works and Escape leaves full
screen; no Content-Security-Policy violation; no axe violation on any slide;
without JavaScript all slides are stacked with anchor links.

The browser is logged in with a session of Django's test client
(``force_login``), so these tests do not depend on the login steps.
"""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from smo.roles import Role
from tests.factories import UserFactory
from tests.test_accessibility import blocking_violations
from tests.test_accessibility import report as axe_report

from .statistics_data import PERIOD, make_org

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PATH = f"/statistieken/presentatie/?van={PERIOD['van']}&tot={PERIOD['tot']}"


@pytest.fixture
def org():
    return make_org()


def log_in(context, live_server, user) -> None:
    client = Client()
    client.force_login(user)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


@pytest.fixture
def presenter(org, live_server, page):
    """The arbeidsdeskundige's browser on the presentation, with CSP violations recorded."""
    user = UserFactory(roles=[Role.ARBEIDSDESKUNDIGE], organisations=[org])
    log_in(page.context, live_server, user)
    page.csp_errors = []
    page.on(
        "console",
        lambda message: (
            page.csp_errors.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    response = page.goto(f"{live_server.url}{PATH}")
    assert response.status == 200
    return page


def counter(page) -> str:
    return page.locator("#teller").inner_text()


def visible_slide(page):
    slides = page.locator(".slide:visible")
    assert slides.count() == 1
    return slides.first


def test_keyboard_navigation_and_counter(presenter):
    page = presenter
    total = page.locator(".slide").count()
    sections = page.locator(".slide-section").count()
    assert sections >= 5 and total == sections + 2  # title, one per section (counts ... causes), definitions
    assert page.locator("#teller").get_attribute("aria-live") == "polite"
    assert counter(page) == f"Dia 1 van {total}"
    title = visible_slide(page).inner_text()
    assert "Zorgcentrum Statistiek" in title and "1 januari 2024 tot en met 31 december 2024" in title
    assert "geanonimiseerd (R19)" in title

    for key, expected in [("ArrowRight", 2), ("PageDown", 3), ("Space", 4), ("ArrowLeft", 3), ("PageUp", 2)]:
        page.keyboard.press(key)
        assert counter(page) == f"Dia {expected} van {total}"
    page.keyboard.press("End")
    assert counter(page) == f"Dia {total} van {total}"
    assert "Definities" in visible_slide(page).inner_text()
    page.keyboard.press("ArrowRight")  # past the end: stays
    assert counter(page) == f"Dia {total} van {total}"
    page.keyboard.press("Home")
    assert counter(page) == f"Dia 1 van {total}"
    assert page.url.endswith("#dia-1")
    assert page.csp_errors == []


def test_every_section_slide_shows_its_chart_and_table(presenter):
    page = presenter
    total = page.locator(".slide").count()
    no_chart = []
    for number in range(2, total):
        page.keyboard.press("ArrowRight")
        assert counter(page) == f"Dia {number} van {total}"
        slide = visible_slide(page)
        assert slide.locator("table").is_visible()
        chart = slide.locator("svg[role=img]")
        if slide.locator(".no-chart").count():
            # Every value of this section is hidden under R19 (in this small
            # organisation: the comparison): the slide says so instead.
            assert chart.count() == 0 and "Geen grafiek" in slide.inner_text()
            no_chart.append(slide.locator("h2").inner_text())
            continue
        assert chart.count() == 1 and chart.is_visible()
        assert chart.bounding_box()["width"] > 400  # large on a slide
        assert slide.locator("svg title").first.text_content() == slide.locator("h2").inner_text()
    assert no_chart == ["Afdelingen vergeleken"]


def test_r19_no_suppressed_value_is_visible(presenter):
    page = presenter
    page.keyboard.press("ArrowRight")  # the counts slide
    slide = visible_slide(page)
    assert "Aantallen per afdeling" in slide.locator("h2").inner_text()
    cells = slide.locator("tr", has=page.locator("th", has_text="Keuken")).locator("td").all_inner_texts()
    assert cells[:3] == ["12", "\u2013", "\u2013"]  # size shown; Keuken's 2 new spells and 2 kort are not
    assert "2" not in cells
    assert "Keuken (\u2013)" in slide.locator("svg").text_content()
    values = slide.locator("svg text.value").all_text_contents()
    assert "2" not in values
    body = page.locator("body").inner_text()
    assert "Schoonmaak" not in body and "Receptie" not in body  # pooled, never alone


def test_every_slide_passes_axe(presenter):
    """WCAG 2.1 A/AA (axe-core, vendored for the tests): nothing serious or critical on any slide."""
    page = presenter
    for _slide in range(page.locator(".slide").count()):
        violations = blocking_violations(page)
        assert not violations, f"{counter(page)}:\n{axe_report(violations)}"
        page.keyboard.press("ArrowRight")


def test_full_screen_button_and_escape(presenter):
    page = presenter
    button = page.get_by_role("button", name="Volledig scherm")
    assert button.is_visible()
    button.click()
    page.wait_for_function("document.fullscreenElement !== null")
    # The label changes in the fullscreenchange handler, which may run after the
    # element flips: expect() retries until it holds (or times out).
    expect(button).to_have_text("Volledig scherm verlaten")
    page.keyboard.press("ArrowRight")
    assert counter(page).startswith("Dia 2 ")
    page.keyboard.press("Escape")
    page.wait_for_function("document.fullscreenElement === null")
    expect(button).to_have_text("Volledig scherm")


def test_without_javascript_all_slides_are_stacked_with_anchor_links(org, live_server, page):
    context = page.context.browser.new_context(java_script_enabled=False)
    try:
        user = UserFactory(roles=[Role.HR], organisations=[org])
        log_in(context, live_server, user)
        plain = context.new_page()
        assert plain.goto(f"{live_server.url}{PATH}").status == 200
        slides = plain.locator(".slide")
        total = slides.count()
        assert total >= 7 and plain.locator(".slide:visible").count() == total
        links = plain.locator(".slide-index a")
        assert links.count() == total - 1  # every slide after the title
        for href in links.evaluate_all("links => links.map(a => a.getAttribute('href'))"):
            assert plain.locator(href).count() == 1
        assert plain.locator("#volledig-scherm").is_hidden()
    finally:
        context.close()
