"""The SMO reglement pages (R16) in real headless Chromium: no serious or
critical WCAG 2.1 A/AA violation (axe-core, helpers of
tests/test_accessibility.py) on the page every employee reads and on the
beheerder's edit page, also after a refused save (R7a)."""

from __future__ import annotations

import pytest

from reporting.models import ReglementText
from tests.test_accessibility import assert_accessible, blocking_violations, log_in, report

pytestmark = pytest.mark.browser


def test_reglement_page_is_accessible(cast, live_server, page):
    ReglementText.objects.create(
        organisation=cast.organisation,
        complaints_contact="Klachtencommissie, klachten@zorggroep.example",
        additional_provisions="Met instemming van de ondernemingsraad.",
    )
    log_in(page, live_server, cast.users["employee_concerned"])
    assert_accessible(page, live_server, "/reglement/")
    assert page.get_by_role("heading", name="6. Wie heeft toegang").is_visible()


def test_reglement_edit_page_is_accessible_with_its_errors(cast, live_server, page):
    log_in(page, live_server, cast.users["admin"])
    path = f"/reglement/bewerken/?organisatie={cast.organisation.slug}"
    assert_accessible(page, live_server, path)
    page.get_by_label("klachtenregeling en contact voor klachten").fill(
        "Bij rugklachten de bedrijfsarts bellen."
    )
    page.get_by_role("button", name="Opslaan").click()
    assert page.get_by_text("medische informatie").first.is_visible()
    violations = blocking_violations(page)
    assert not violations, report(violations)
    assert not ReglementText.objects.exists()
