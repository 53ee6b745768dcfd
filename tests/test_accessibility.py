"""Accessibility of the main pages (issue #8, item 4) in real headless Chromium.

axe-core (vendored test-only in tests/vendor/axe-core, see its README) runs
the WCAG 2.1 A/AA rules on login, home (per role), a meeting page, the
vergadermodus, a case page, "Mijn dossier", the statistics page, some forms
and lists, a form with errors and (once) the English interface; no
violation of impact "serious" or "critical" may be left. The keyboard tests
(skip link, visible focus, no trap, the vergadermodus by keyboard alone) are
in tests/test_keyboard.py and use the helpers here.

Skips locally when Chromium is missing, fails in CI (``CI=true``); the
browser comes from the ``page`` fixture in tests/conftest.py. Users are
logged in through a Django test-client session (``force_login``), so these
tests do not depend on the steps of the login form.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from casefiles.models import AbsenceCase
from consent.types import MeetingType
from meetings.services import agenda, running

from .factories import AbsenceCaseFactory, DepartmentFactory, EmployeeFactory
from .meetings.conftest import allow, schedule

pytestmark = pytest.mark.browser

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
WCAG_21_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("serious", "critical")
AXE_RUN = """async (tags) => {
    const result = await axe.run(document, {runOnly: {type: "tag", values: tags}, resultTypes: ["violations"]});
    return result.violations.map(v => ({
        id: v.id, impact: v.impact, help: v.help,
        targets: v.nodes.map(n => n.target.join(" ")),
    }));
}"""


# --- helpers ------------------------------------------------------------------


def log_in(page, live_server, user) -> None:
    """A session from Django's test client, handed to the browser as its cookie."""
    client = Client()
    client.force_login(user)
    page.context.clear_cookies()
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )


def visit(page, live_server, path: str) -> None:
    response = page.goto(f"{live_server.url}{path}")
    assert response.status == 200, f"{path}: {response.status}"
    assert page.url.split("#")[0].split("?")[0] == f"{live_server.url}{path.split('?')[0]}", page.url


def blocking_violations(page) -> list[dict]:
    """axe's WCAG 2.1 A/AA violations of impact serious or critical on the page.

    axe is evaluated through the DevTools protocol (``page.evaluate``), which
    the page's Content-Security-Policy does not govern, instead of an inline
    script tag that a CSP without 'unsafe-inline' would (rightly) refuse.
    """
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(AXE_RUN, WCAG_21_A_AA)
    return [v for v in violations if v["impact"] in BLOCKING]


def report(violations: list[dict]) -> str:
    lines = []
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines.extend(f"    {target}" for target in v["targets"])
    return "\n".join(lines)


def assert_accessible(page, live_server, path: str) -> None:
    visit(page, live_server, path)
    violations = blocking_violations(page)
    assert not violations, f"axe on {path}:\n{report(violations)}"


# --- data ---------------------------------------------------------------------


def start_meeting(cast, *, open_case: bool):
    """A case SMO chaired by the manager, opened, roles confirmed (R21), with
    two cases on the agenda: first one without R6/R7 (not available, R8),
    then the consented case of the cast (opened when ``open_case``)."""
    meeting = schedule(cast)
    allow(cast, MeetingType.CASE_SMO)
    manager = cast.users["manager"]
    other = EmployeeFactory(organisation=cast.organisation, department=cast.department)
    blocked = agenda.add_case_item(
        user=manager, meeting_id=meeting.pk, case_id=AbsenceCaseFactory(employee=other).pk
    )
    item = agenda.add_case_item(
        user=manager, meeting_id=meeting.pk, case_id=cast.case.pk, questions="Welke taken?"
    )
    running.open_meeting(user=manager, meeting_id=meeting.pk)
    present = {cast.users[r].pk for r in ("manager", "physician", "hr")}
    running.confirm_roles(user=manager, meeting_id=meeting.pk, present_user_ids=present)
    if open_case:
        running.open_item(user=manager, item_id=item.pk)
    return meeting, blocked, item


@pytest.fixture
def running_meeting(cast):
    """The meeting with the consented case open: its shareable summary and
    the decision and action point forms are on the page."""
    return start_meeting(cast, open_case=True)[0]


@pytest.fixture
def statistics_data(cast):
    """Absence spells in 2024, so the statistics page shows figures (after R19
    disclosure control) and not only its form."""
    department = DepartmentFactory(organisation=cast.organisation, name="Zorg")
    people = [EmployeeFactory(organisation=cast.organisation, department=department) for _ in range(14)]
    for person in people[:6]:
        AbsenceCaseFactory(
            employee=person,
            first_day=datetime.date(2024, 3, 4),
            end_date=datetime.date(2024, 3, 6),
            closed_reason=AbsenceCase.ClosedReason.RECOVERED,
        )
    return department


# --- axe ----------------------------------------------------------------------


def test_axe_reports_a_violation(cast, live_server, page):
    """The check itself can fail: a form field without a label is reported."""
    visit(page, live_server, "/inloggen/")
    page.evaluate("() => document.querySelector('main').append(document.createElement('textarea'))")
    violations = blocking_violations(page)
    assert [(v["id"], v["impact"], len(v["targets"])) for v in violations] == [("label", "critical", 1)]
    assert "textarea" in violations[0]["targets"][0]


def test_login_page_is_accessible(cast, live_server, page):
    assert_accessible(page, live_server, "/inloggen/")


@pytest.mark.parametrize("role", ["manager", "physician", "hr", "employee_concerned"])
def test_home_is_accessible_per_role(cast, live_server, page, role):
    log_in(page, live_server, cast.users[role])
    assert_accessible(page, live_server, "/")


def test_meeting_pages_are_accessible(cast, live_server, page, running_meeting):
    log_in(page, live_server, cast.users["manager"])
    assert_accessible(page, live_server, f"/overleggen/{running_meeting.pk}/")
    assert_accessible(page, live_server, f"/overleggen/{running_meeting.pk}/vergadermodus/")


def test_case_page_is_accessible(cast, live_server, page):
    log_in(page, live_server, cast.users["manager"])
    assert_accessible(page, live_server, f"/casussen/{cast.case.pk}/")


def test_my_file_is_accessible(cast, live_server, page):
    log_in(page, live_server, cast.users["employee_concerned"])
    assert_accessible(page, live_server, "/mijn-dossier/")


def test_statistics_page_is_accessible(cast, live_server, page, statistics_data):
    log_in(page, live_server, cast.users["arbeidsdeskundige"])
    assert_accessible(page, live_server, "/statistieken/?van=2024-01-01&tot=2024-12-31")
    assert page.locator("main table tbody tr").count() >= 1  # figures were shown, not only a form


def test_forms_lists_and_medical_file_are_accessible(cast, live_server, page, running_meeting):
    log_in(page, live_server, cast.users["manager"])
    for path in (
        "/overleggen/",
        "/overleggen/nieuw/",
        f"/overleggen/{running_meeting.pk}/agenda/casus/",
        "/medewerkers/",
        "/actiepunten/",
        f"/casussen/{cast.case.pk}/plan/",
    ):
        assert_accessible(page, live_server, path)
    # The physician's vergadermodus holds the note for the medical file (R9).
    log_in(page, live_server, cast.users["physician"])
    assert_accessible(page, live_server, f"/overleggen/{running_meeting.pk}/vergadermodus/")
    assert_accessible(page, live_server, f"/medewerkers/{cast.employee.pk}/medisch/")


def test_english_interface_is_accessible(cast, live_server, page, running_meeting):
    log_in(page, live_server, cast.users["manager"])
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": live_server.url}])
    assert_accessible(page, live_server, f"/overleggen/{running_meeting.pk}/vergadermodus/")
    assert page.locator("html").get_attribute("lang") == "en"


def test_form_errors_are_tied_to_their_fields(cast, live_server, page):
    """A field's error is part of its accessible description, also where the
    form already describes the field by its R7a notice (then Django leaves
    the error out; templates/includes/field.html puts it back)."""
    log_in(page, live_server, cast.users["manager"])
    visit(page, live_server, f"/casussen/{cast.case.pk}/afspraken/nieuw/")
    page.locator("main").get_by_role("button", name="Opslaan").click()
    page.wait_for_load_state()

    expect(page.get_by_role("alert")).to_contain_text("Controleer de gemarkeerde velden.")
    what = page.get_by_label("Afspraak", exact=True)
    expect(what).to_have_attribute("aria-invalid", "true")
    expect(what).to_have_accessible_description(re.compile(r"Let op \(R7a\).*Dit veld is verplicht\."))
    violations = blocking_violations(page)
    assert not violations, f"axe on the form with errors:\n{report(violations)}"
