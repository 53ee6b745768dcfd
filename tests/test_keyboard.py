"""Keyboard use (issue #8, item 4) in real headless Chromium: the skip link,
visible focus, no keyboard trap in the navigation, and the vergadermodus
(moving between agenda items, recording a decision and an action point)
with Tab, Shift+Tab, Enter, Space and arrow keys alone.

Skips locally when Chromium is missing, fails in CI (``CI=true``).
"""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from meetings.models import ActionPoint, Decision

from .test_accessibility import log_in, start_meeting, visit

pytestmark = pytest.mark.browser

DECISION = "Start met aangepaste werkzaamheden op twee ochtenden per week."
ACTION = "Rooster aanpassen voor de ochtenddiensten."

FOCUSED = """() => {
    const e = document.activeElement;
    if (!e || e === document.body) return {body: true};
    return {
        body: false, tag: e.tagName.toLowerCase(), id: e.id, name: e.getAttribute("name"),
        href: e.getAttribute("href"), text: (e.innerText || "").trim(),
        inMain: !!e.closest("main"), inNav: !!e.closest("header nav"), inHeader: !!e.closest("header"),
        item: (e.closest("section[id^=punt-]") || {}).id || null,
    };
}"""
FOCUS_STYLE = """() => {
    const e = document.activeElement, s = getComputedStyle(e);
    return {
        pickerButton: ["date", "time"].includes(e.type) && !e.matches(":focus"),
        outline: s.outlineStyle !== "none" && parseFloat(s.outlineWidth) > 0,
        boxShadow: s.boxShadow !== "none",
    };
}"""


def focused(page) -> dict:
    return page.evaluate(FOCUSED)


def key_of(element: dict) -> tuple:
    return (
        element.get("tag"),
        element.get("id"),
        element.get("name"),
        element.get("href"),
        element.get("text"),
    )


def press_until(page, condition, *, key: str = "Tab", max_presses: int = 60) -> dict:
    """Press ``key`` until the focused element satisfies ``condition``."""
    for _ in range(max_presses):
        page.keyboard.press(key)
        element = focused(page)
        if condition(element):
            return element
    pytest.fail(f"no element matching the condition reached with {key} in {max_presses} presses")


def assert_focus_visible(page) -> None:
    """The focused element draws an outline or a ring (app.css), whether it
    matches :focus-visible (links, buttons) or only :focus (Chromium's date
    fields, whose inner segments hold the focus-visible state)."""
    style = page.evaluate(FOCUS_STYLE)
    if style["pickerButton"]:
        return  # the calendar button inside a date/time field: Chromium draws its own focus ring
    assert style["outline"] or style["boxShadow"], (focused(page), style)


# --- skip link, focus, navigation ------------------------------------------------


def test_skip_link_is_first_and_moves_to_the_main_content(cast, live_server, page):
    log_in(page, live_server, cast.users["hr"])
    visit(page, live_server, "/")
    skip = page.locator(".skip-link")
    assert skip.bounding_box()["x"] < 0  # out of sight until focused

    page.keyboard.press("Tab")
    element = focused(page)
    assert (element["href"], element["text"]) == ("#main", "Naar de inhoud")
    box = skip.bounding_box()
    assert box["x"] >= 0 and box["y"] >= 0 and box["width"] > 0
    assert_focus_visible(page)

    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    assert focused(page)["id"] == "main"
    page.keyboard.press("Tab")
    element = focused(page)
    assert element["inMain"] and not element["inHeader"], element


def test_navigation_has_no_keyboard_trap(cast, live_server, page):
    """Tab walks the header once, every menu link in order, into the main
    content; Shift+Tab walks the same way back; Tab gets out of the page."""
    log_in(page, live_server, cast.users["hr"])
    visit(page, live_server, "/medewerkers/")
    menu = page.locator("header nav a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert len(menu) >= 5

    forward = []
    while not focused(page).get("inMain"):
        assert len(forward) < 40, f"Tab did not leave the header: {forward[-5:]}"
        page.keyboard.press("Tab")
        forward.append(focused(page))
    forward.pop()  # the first element of the main content
    assert forward[0]["href"] == "#main"
    assert [e["href"] for e in forward if e["inNav"]] == menu
    assert len({key_of(e) for e in forward}) == len(forward), "an element got the focus twice"

    backward = []
    while not backward or backward[-1].get("href") != "#main":
        assert len(backward) <= len(forward), f"Shift+Tab did not reach the skip link: {backward[-5:]}"
        page.keyboard.press("Shift+Tab")
        backward.append(focused(page))
    assert [key_of(e) for e in backward] == [key_of(e) for e in reversed(forward)]

    # On through the whole page: Tab leaves the document (or wraps) in the end.
    press_until(page, lambda e: e["body"] or e.get("href") == "#main", max_presses=150)


def test_focus_is_visible_on_every_control(cast, live_server, page):
    """Links, buttons, selects, checkboxes, text and date fields of a form page all
    show a focus indicator when reached with the keyboard (WCAG 2.4.7)."""
    log_in(page, live_server, cast.users["manager"])
    visit(page, live_server, "/overleggen/nieuw/")
    seen = set()
    for _ in range(80):
        page.keyboard.press("Tab")
        element = focused(page)
        if element["body"] or (seen and element.get("href") == "#main"):
            break
        assert_focus_visible(page)
        seen.add(
            element["tag"] if element["tag"] != "input" else page.evaluate("document.activeElement.type")
        )
    assert {"a", "button", "select", "text", "date", "checkbox"} <= seen, seen


def test_current_page_is_marked_in_the_navigation(cast, live_server, page):
    log_in(page, live_server, cast.users["manager"])
    visit(page, live_server, "/overleggen/")
    current = page.locator("header nav [aria-current]")
    assert current.count() == 1
    assert (current.inner_text(), current.get_attribute("aria-current")) == ("Overleggen", "page")


# --- the vergadermodus by keyboard --------------------------------------------------


def type_date(page, day: datetime.date) -> None:
    """Type a date into the focused date field, in the order of the browser's locale."""
    order = page.evaluate(
        """() => new Intl.DateTimeFormat(navigator.language).formatToParts(new Date(2001, 10, 22))
            .filter(p => p.type !== "literal").map(p => p.type)"""
    )
    parts = {"day": f"{day.day:02d}", "month": f"{day.month:02d}", "year": f"{day.year}"}
    for part in order:
        page.keyboard.type(parts[part])


def choose(page, value: str) -> None:
    """Pick an option of the focused (closed) select with the arrow keys."""
    target = page.evaluate("v => [...document.activeElement.options].findIndex(o => o.value === v)", value)
    assert target >= 0, value
    for _ in range(30):
        current = page.evaluate("document.activeElement.selectedIndex")
        if current == target:
            return
        page.keyboard.press("ArrowDown" if current < target else "ArrowUp")
    pytest.fail(f"option {value!r} not reached with the arrow keys")


def go_to_item(page, number: int, item) -> None:
    """From anywhere: Tab to the agenda's link to item ``number``, follow it."""
    page.keyboard.press("Escape")
    link = press_until(page, lambda e: e.get("href") == f"#punt-{item.pk}")
    assert link["text"].startswith(f"{number}. ")
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == f"#punt-{item.pk}"


def test_chair_runs_an_item_with_the_keyboard_only(cast, live_server, page):
    meeting, blocked, item = start_meeting(cast, open_case=False)
    hr = cast.users["hr"]
    due = timezone.localdate() + datetime.timedelta(days=21)
    log_in(page, live_server, cast.users["manager"])
    visit(page, live_server, f"/overleggen/{meeting.pk}/vergadermodus/")

    # The agenda's links move the reading position; Tab continues inside the item.
    go_to_item(page, 1, blocked)
    page.keyboard.press("Tab")
    assert focused(page)["item"] != f"punt-{blocked.pk}"  # nothing to operate: not available (R8)
    go_to_item(page, 2, item)
    page.keyboard.press("Tab")
    assert (focused(page)["item"], focused(page)["text"]) == (f"punt-{item.pk}", "Agendapunt openen")
    page.keyboard.press("Space")
    page.locator("main").get_by_text("Het agendapunt is geopend.").wait_for()

    # A decision: into the item, type, Tab to the button, Enter.
    go_to_item(page, 2, item)
    press_until(page, lambda e: e["id"] == f"id_item{item.pk}_decision_text")
    page.keyboard.type(DECISION)
    assert press_until(page, lambda e: True, max_presses=1)["text"] == "Besluit vastleggen"
    page.keyboard.press("Enter")
    page.locator("main").get_by_text("Het besluit is vastgelegd.").wait_for()
    # htmx swapped the page part; the focus is back on the same button.
    assert focused(page)["id"] == f"punt-{item.pk}-decision"

    # An action point: what, who, by when, which support (R22).
    press_until(page, lambda e: e["id"] == f"id_item{item.pk}_action_what")
    page.keyboard.type(ACTION)
    press_until(page, lambda e: e["id"] == f"id_item{item.pk}_action_owner")
    choose(page, str(hr.pk))
    press_until(page, lambda e: e["id"] == f"id_item{item.pk}_action_due")
    type_date(page, due)
    assert page.evaluate("document.activeElement.value") == due.isoformat()
    press_until(page, lambda e: e["id"] == f"id_item{item.pk}_action_type")
    choose(page, ActionPoint.Type.WORK_ADAPTATION.value)
    press_until(page, lambda e: e.get("text") == "Actiepunt vastleggen")
    page.keyboard.press("Space")
    page.locator("main").get_by_text("Het actiepunt is vastgelegd.").wait_for()

    decision = Decision.objects.get(item=item)
    assert (decision.text, decision.created_by_id) == (DECISION, cast.users["manager"].pk)
    point = ActionPoint.objects.get(item=item)
    assert (point.what, point.owner_id, point.due, point.type) == (
        ACTION,
        hr.pk,
        due,
        ActionPoint.Type.WORK_ADAPTATION,
    )
