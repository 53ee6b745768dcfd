"""Content-Security-Policy and the other security headers; templates hold no
inline script, style attribute or event handler; in Chromium the main pages
(and the htmx of the vergadermodus) cause no CSP violation."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from .factories import PASSWORD
from .two_factor_support import log_in

TEMPLATES = Path(settings.BASE_DIR) / "templates"
# Not served to a browser: rendered to PDF by WeasyPrint (its own CSS).
PDF_TEMPLATES = {"reporting/minutes_pdf.html"}


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {d.split()[0]: d.split()[1:] for d in (part.strip() for part in header.split(";")) if d}


@pytest.mark.django_db
def test_pages_carry_a_strict_content_security_policy(cast):
    response = cast.client("hr").get(reverse("home"))
    assert response.status_code == 200
    csp = directives(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["img-src"] == ["'self'", "data:"]
    assert "'unsafe-inline'" not in csp["style-src"] and "'self'" in csp["style-src"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"
    # Also on the login page of an anonymous visitor.
    login = cast.client("anonymous").get(reverse("login"))
    assert directives(login)["script-src"] == ["'self'"]


@pytest.mark.django_db
def test_an_inline_style_needs_the_nonce_of_its_own_response(rf):
    """A server-rendered chart may carry <style nonce=...>: the nonce is in
    the header of that response and differs per response."""
    from csp.middleware import CSPMiddleware
    from django.template import engines

    template = engines["django"].from_string('<style nonce="{{ request.csp_nonce }}">p{}</style>')

    def view(request):
        from django.http import HttpResponse

        return HttpResponse(template.render({}, request))

    nonces = []
    for _ in range(2):
        response = CSPMiddleware(view)(rf.get("/"))
        nonce = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in directives(response)["style-src"]
        assert "'nonce-" not in " ".join(directives(response)["script-src"])
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def test_templates_have_no_inline_script_style_attribute_or_event_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        name = path.relative_to(TEMPLATES).as_posix()
        if name in PDF_TEMPLATES:
            continue
        text = path.read_text(encoding="utf-8")
        for label, pattern in (
            ("script", INLINE_SCRIPT),
            ("style=", STYLE_ATTRIBUTE),
            ("on*=", EVENT_HANDLER),
        ):
            if pattern.search(text):
                offenders.append((name, label))
    assert not offenders, offenders


def test_htmx_is_configured_for_the_policy():
    """No eval and no injected indicator <style> (both would be blocked)."""
    config = (TEMPLATES / "meetings/running/_htmx.html").read_text(encoding="utf-8")
    assert '"allowEval":false' in config
    assert '"includeIndicatorStyles":false' in config


# --- in Chromium -----------------------------------------------------------------


def watch_csp(page) -> list[str]:
    """Collect every CSP violation the page reports (console and event)."""
    violations: list[str] = []
    page.on(
        "console",
        lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None,
    )
    return violations


@pytest.mark.browser
def test_main_pages_cause_no_csp_violation_in_chromium(cast, live_server, page):
    violations = watch_csp(page)
    hr = cast.users["hr"]
    log_in(page, live_server, hr, PASSWORD)
    paths = [
        reverse("home"),
        reverse("employee_list"),
        reverse("meeting_list"),
        reverse("action_point_list"),
        reverse("my_reminders"),
        reverse("two_factor_recovery_codes"),
        reverse("password_change"),
    ]
    for path in paths:
        response = page.goto(f"{live_server.url}{path}")
        assert response.status == 200, path
        page.wait_for_load_state("load")
    page.locator("form[action='/uitloggen/'] button").click()
    page.wait_for_url(f"{live_server.url}/inloggen/")
    assert violations == []


@pytest.mark.browser
def test_the_admin_causes_no_csp_violation_in_chromium(cast, live_server, page):
    violations = watch_csp(page)
    log_in(page, live_server, cast.users["admin"], PASSWORD, path=reverse("admin:index"))
    for path in (reverse("admin:casefiles_employee_changelist"), reverse("admin:casefiles_department_add")):
        assert page.goto(f"{live_server.url}{path}").status == 200
    assert violations == []
    # The watcher does see a violation: an inline style attribute is refused.
    page.evaluate("document.body.insertAdjacentHTML('beforeend', '<p style=\"color: red\">x</p>')")
    page.wait_for_function("true")
    page.wait_for_timeout(300)
    assert any("style" in text for text in violations), violations
