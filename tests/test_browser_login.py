"""The login journey in real headless Chromium against a live server.

Skips locally when Chromium is missing, fails in CI (``CI=true``).
"""

from __future__ import annotations

import pytest

from .factories import PASSWORD
from .two_factor_support import enter_verification_code, totp_code, verified_device

pytestmark = pytest.mark.browser


def html_lang(page) -> str:
    return page.locator("html").get_attribute("lang")


def assert_on_dutch_login_page(page, live_server):
    assert page.url.startswith(f"{live_server.url}/inloggen/"), page.url
    assert html_lang(page) == "nl"
    assert page.get_by_role("heading", level=1).inner_text() == "Inloggen"


def assert_on_manager_home(page, live_server, cast):
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("heading", name="Mijn casussen").is_visible()
    cases = page.locator("#cases-heading ~ table")
    assert cases.get_by_role("cell", name=cast.employee.full_name, exact=True).is_visible()


def test_manager_logs_in_and_switches_language(cast, live_server, page):
    manager = cast.users["manager"]
    device = verified_device(manager)  # R13a: a manager signs in with a second factor

    page.goto(f"{live_server.url}/")
    assert_on_dutch_login_page(page, live_server)

    page.locator("input[name=username]").fill(manager.username)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main").get_by_role("button", name="Inloggen").click()
    enter_verification_code(page, device)

    assert_on_manager_home(page, live_server, cast)

    page.locator("#language-select").select_option("en")
    page.get_by_role("button", name="Kies").click()
    page.wait_for_load_state()
    page.wait_for_function("document.documentElement.lang === 'en'")
    assert html_lang(page) == "en"
    assert page.url == f"{live_server.url}/"


def focused(page, attribute: str) -> str | None:
    return page.evaluate(f"document.activeElement && document.activeElement.getAttribute('{attribute}')")


def tab_to(page, name: str, max_presses: int = 20) -> None:
    """Press Tab until the form field ``name`` has the focus."""
    for _ in range(max_presses):
        if focused(page, "name") == name:
            return
        page.keyboard.press("Tab")
    pytest.fail(f"field {name!r} not reachable with Tab in {max_presses} presses")


def test_manager_logs_in_with_keyboard_only(cast, live_server, page):
    manager = cast.users["manager"]
    device = verified_device(manager)  # R13a: a manager signs in with a second factor

    page.goto(f"{live_server.url}/")
    assert_on_dutch_login_page(page, live_server)

    tab_to(page, "username")
    page.keyboard.type(manager.username)
    page.keyboard.press("Tab")
    assert focused(page, "name") == "password"
    page.keyboard.type(PASSWORD)
    page.keyboard.press("Enter")
    # The code field has the focus on the second step.
    page.wait_for_url("**/inloggen/verificatie/**")
    assert focused(page, "name") == "code"
    page.keyboard.type(totp_code(device))
    page.keyboard.press("Enter")

    assert_on_manager_home(page, live_server, cast)
