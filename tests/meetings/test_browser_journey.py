"""The meeting journey of issue "Meetings" in real headless Chromium against a
live server: the manager plans a casus-specifiek SMO, puts two cases on the
agenda (one with R6 notification and R7 consent, one without), runs the
meeting in the vergadermodus (R21 roles, R8 gate, R7 shareable summary, R10/R22
decision and action point) and closes it; then HR (a participant) and the
employee concerned read the minutes (R10), which hold no consented wording (R7a).

Skips locally when Chromium is missing, fails in CI (``CI=true``); the browser
comes from the ``page`` fixture in tests/conftest.py.
"""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone

from consent.types import MeetingType
from meetings.models import ActionPoint, AgendaItem, Decision, Meeting, Participant
from smo.roles import Role

from ..factories import PASSWORD, AbsenceCaseFactory, EmployeeFactory
from ..two_factor_support import enter_verification_code, verified_device
from .conftest import allow

pytestmark = pytest.mark.browser

TITLE = "SMO Verpleging"
QUESTIONS = "Welke taken kunnen weer worden opgepakt?"
DECISION = "Start met aangepaste werkzaamheden op drie ochtenden per week."
ACTION = "Werkplek inrichten met een verstelbaar bureau."


def log_in(page, live_server, user, path: str) -> None:
    """Log ``user`` in afresh, landing on ``path`` (the login page's ``next``)."""
    device = verified_device(user)  # R13a: the second factor of the login
    page.context.clear_cookies()
    page.goto(f"{live_server.url}{path}")
    assert page.url.startswith(f"{live_server.url}/inloggen/"), page.url
    page.locator("input[name=username]").fill(user.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    enter_verification_code(page, device)
    page.wait_for_url(f"{live_server.url}{path}")


def wait_for_text(page, text: str) -> None:
    """The feedback of an action: an htmx swap or, before htmx loaded, a redirect."""
    page.locator("main").get_by_text(text).first.wait_for()


def name_of(user) -> str:
    return user.get_full_name() or user.username


def test_manager_runs_a_case_smo_and_participants_read_the_minutes(cast, live_server, page):
    manager, physician, hr = (cast.users[r] for r in ("manager", "physician", "hr"))
    consent = allow(cast, MeetingType.CASE_SMO, roles=(Role.LEIDINGGEVENDE, Role.HR))
    wording = consent.items.get().wording
    # A second employee of the manager's department, absent, without R6/R7.
    other = EmployeeFactory(organisation=cast.organisation, department=cast.department)
    other_case = AbsenceCaseFactory(employee=other)
    day = timezone.localdate() + datetime.timedelta(days=3)
    due = day + datetime.timedelta(days=14)

    # --- the manager plans the meeting -------------------------------------------
    log_in(page, live_server, manager, "/overleggen/")
    page.locator("main").get_by_role("link", name="Overleg plannen").click()
    page.wait_for_url(f"{live_server.url}/overleggen/nieuw/")
    page.get_by_label("Soort overleg").select_option(MeetingType.CASE_SMO.value)
    page.get_by_label("Titel").fill(TITLE)
    page.get_by_label("Datum").fill(day.isoformat())
    page.get_by_label("Begintijd").fill("10:00")
    page.get_by_label("Voorzitter", exact=True).select_option(str(manager.pk))
    page.get_by_label("Deelnemer 1", exact=True).select_option(str(physician.pk))
    page.get_by_label("Rol van deelnemer 1", exact=True).select_option(Participant.Role.ADVISER.value)
    page.get_by_label("Deelnemer 2", exact=True).select_option(str(hr.pk))
    page.get_by_label("Rol van deelnemer 2", exact=True).select_option(Participant.Role.MINUTE_TAKER.value)
    page.locator("main").get_by_role("button", name="Overleg plannen").click()
    page.wait_for_url(re.compile(r"/overleggen/\d+/$"))
    meeting = Meeting.objects.get(title=TITLE)
    assert page.url == f"{live_server.url}/overleggen/{meeting.pk}/"
    wait_for_text(page, "Het overleg is gepland.")
    assert page.get_by_role("heading", level=1).inner_text() == TITLE

    # --- and puts both cases on the agenda ---------------------------------------
    for case, questions in ((cast.case, QUESTIONS), (other_case, "")):
        page.get_by_role("link", name="Casus toevoegen").click()
        page.wait_for_url(f"{live_server.url}/overleggen/{meeting.pk}/agenda/casus/")
        page.get_by_label("Casus", exact=True).select_option(str(case.pk))
        page.get_by_label("Vragen aan het overleg").fill(questions)
        page.get_by_role("button", name="Op de agenda zetten", exact=True).click()
        page.wait_for_url(f"{live_server.url}/overleggen/{meeting.pk}/#agenda")
        wait_for_text(page, "De casus staat op de agenda.")
    first, second = meeting.items.order_by("position")
    assert (first.case_id, second.case_id) == (cast.case.pk, other_case.pk)
    agenda = page.get_by_role("table", name="Agenda")
    assert (
        "Klaar voor bespreking"
        in agenda.get_by_role("row").filter(has_text=cast.employee.full_name).inner_text()
    )
    assert (
        "Niet beschikbaar voor bespreking"
        in agenda.get_by_role("row").filter(has_text=other.full_name).inner_text()
    )

    # --- the vergadermodus: open, confirm who is present in which role (R21) ------
    page.get_by_role("link", name="Vergadermodus").click()
    page.wait_for_url(f"{live_server.url}/overleggen/{meeting.pk}/vergadermodus/")
    page.get_by_role("button", name="Overleg openen").click()
    wait_for_text(page, "Het overleg is geopend.")
    people = ((manager, "Voorzitter"), (physician, "Adviseur"), (hr, "Notulist"))
    for user, role in people:
        assert page.get_by_label(f"{name_of(user)} — {role}", exact=True).is_checked()
    page.get_by_role("button", name="Aanwezigen en rollen bevestigen").click()
    wait_for_text(page, "De aanwezigen en hun rollen zijn bevestigd.")
    present = page.get_by_role("table", name="Deelnemers met hun rol en aanwezigheid")
    for user, role in people:
        row = present.get_by_role("row").filter(
            has=page.get_by_role("rowheader", name=name_of(user), exact=True)
        )
        assert row.locator("td").all_inner_texts() == [role, "ja"]

    # --- the case without consent is not available, and cannot be opened (R8) ----
    blocked = page.get_by_role("region", name=f"2. Casus: {other.full_name}", exact=True)
    assert blocked.get_by_text("Niet beschikbaar voor bespreking", exact=True).is_visible()
    assert blocked.get_by_role("button", name="Agendapunt openen").count() == 0
    assert wording not in blocked.inner_text()
    token = page.locator("input[name=csrfmiddlewaretoken]").first.get_attribute("value")
    refused = page.request.post(
        f"{live_server.url}/agendapunten/{second.pk}/openen/",
        form={"csrfmiddlewaretoken": token, "version": str(second.version)},
        headers={"HX-Request": "true"},
    )
    assert refused.status == 200
    assert "Niet beschikbaar voor bespreking." in refused.text()
    second.refresh_from_db()
    assert second.status == AgendaItem.Status.PENDING

    # --- the consented case: open it, see what may be said (R7) -------------------
    item = page.get_by_role("region", name=f"1. Casus: {cast.employee.full_name}", exact=True)
    item.get_by_role("button", name="Agendapunt openen").click()
    wait_for_text(page, "Het agendapunt is geopend.")
    summary = item.get_by_role("region", name="Wat gedeeld mag worden")
    assert summary.get_by_role("listitem").filter(has_text=wording).inner_text() == (
        f"Privéomstandigheden: {wording}"
    )
    assert item.get_by_text(QUESTIONS).is_visible()

    # --- record a decision and an action point (R10, R22), close item and meeting -
    item.get_by_label("Besluit of afspraak").fill(DECISION)
    item.get_by_role("button", name="Besluit vastleggen").click()
    wait_for_text(page, "Het besluit is vastgelegd.")
    assert item.get_by_role("listitem").filter(has_text=DECISION).is_visible()

    item.get_by_label("Wat", exact=True).fill(ACTION)
    item.get_by_label("Wie", exact=True).select_option(str(hr.pk))
    item.get_by_label("Uiterlijk").fill(due.isoformat())
    item.get_by_label("Soort ondersteuning").select_option(ActionPoint.Type.WORK_ADAPTATION.value)
    item.get_by_role("button", name="Actiepunt vastleggen").click()
    wait_for_text(page, "Het actiepunt is vastgelegd.")
    row = item.get_by_role("table", name="Actiepunten").get_by_role("row").filter(has_text=ACTION)
    assert row.locator("td").all_inner_texts() == [
        ACTION,
        name_of(hr),
        due.strftime("%d-%m-%Y"),
        "Werkaanpassing",
    ]

    item.get_by_role("button", name="Punt afronden").click()
    wait_for_text(page, "Het agendapunt is afgerond.")
    page.get_by_role("button", name="Overleg sluiten").click()
    wait_for_text(page, "Het overleg is gesloten. Het verslag staat klaar voor de deelnemers.")
    assert page.get_by_role("link", name="Verslag bekijken").is_visible()

    # --- HR, a participant, reads the minutes: decisions and action points only ---
    minutes_path = f"/overleggen/{meeting.pk}/verslag/"
    log_in(page, live_server, hr, minutes_path)
    assert page.get_by_role("heading", level=1).inner_text() == f"Verslag: {TITLE}"
    own = page.get_by_role("region", name=f"Casus: {cast.employee.full_name}", exact=True)
    assert own.get_by_role("listitem").filter(has_text=DECISION).is_visible()
    assert own.get_by_role("row").filter(has_text=ACTION).is_visible()
    content = page.locator("main").inner_text()
    assert wording not in content
    assert other.full_name not in content  # not discussed, so not in the minutes

    # --- the employee concerned reads the minutes of their own item ---------------
    log_in(page, live_server, cast.users["employee_concerned"], minutes_path)
    own = page.get_by_role("region", name=f"Casus: {cast.employee.full_name}", exact=True)
    assert own.get_by_role("listitem").filter(has_text=DECISION).is_visible()
    row = own.get_by_role("row").filter(has_text=ACTION)
    assert row.locator("td").all_inner_texts() == [
        ACTION,
        name_of(hr),
        due.strftime("%d-%m-%Y"),
        "Werkaanpassing",
        "Open",
    ]
    content = page.locator("main").inner_text()
    assert wording not in content and other.full_name not in content

    # --- what was recorded -----------------------------------------------------------
    meeting.refresh_from_db()
    assert meeting.meeting_type == MeetingType.CASE_SMO
    assert meeting.status == Meeting.Status.CLOSED and meeting.closed_at is not None
    assert timezone.localtime(meeting.starts_at).date() == day
    assert meeting.roles_confirmed_at is not None
    assert {(p.user_id, p.role, p.present) for p in meeting.participants.all()} == {
        (manager.pk, Participant.Role.CHAIR, True),
        (physician.pk, Participant.Role.ADVISER, True),
        (hr.pk, Participant.Role.MINUTE_TAKER, True),
    }
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, first.questions) == (AgendaItem.Status.DONE, QUESTIONS)
    assert second.status == AgendaItem.Status.SKIPPED
    decision = Decision.objects.get(item__meeting=meeting)
    assert (decision.item_id, decision.text, decision.created_by_id) == (first.pk, DECISION, manager.pk)
    point = ActionPoint.objects.get(item__meeting=meeting)
    assert (
        point.item_id,
        point.case_id,
        point.what,
        point.owner_id,
        point.due,
        point.type,
        point.status,
    ) == (
        first.pk,
        cast.case.pk,
        ACTION,
        hr.pk,
        due,
        ActionPoint.Type.WORK_ADAPTATION,
        ActionPoint.Status.OPEN,
    )
    assert point.created_by_id == manager.pk
    assert wording not in decision.text + point.what
