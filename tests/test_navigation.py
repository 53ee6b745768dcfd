"""The main navigation of the base layout (smo/context_processors.py): each
role sees the links of the pages it may open, and the link of the page or
section shown is marked for screen readers (aria-current, WCAG 2.4.8)."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from .conftest import MATRIX_ROLES
from .meetings.conftest import schedule

pytestmark = pytest.mark.django_db

NAV = re.compile(r'<nav aria-label="Hoofdmenu">(.*?)</nav>', re.S)
LINK = re.compile(r'<a href="([^"]+)"(?: aria-current="(\w+)")?>([^<]+)</a>')


def nav_links(response) -> list[tuple[str, str, str]]:
    assert response.status_code == 200
    return LINK.findall(NAV.search(response.content.decode()).group(1))


@pytest.mark.parametrize(
    ("role", "shown", "hidden"),
    [
        ("hr", {"Medewerkers", "Statistieken", "Verzuim importeren"}, {"Mijn dossier", "Auditlog"}),
        ("manager", {"Medewerkers", "Statistieken"}, {"Verzuim importeren", "Mijn dossier"}),
        ("casemanager", {"Medewerkers"}, {"Statistieken", "Verzuim importeren"}),
        ("arbeidsdeskundige", {"Statistieken"}, {"Medewerkers", "Verzuim importeren"}),
        ("employee_concerned", {"Mijn dossier"}, {"Medewerkers", "Statistieken", "Auditlog"}),
        ("privacy_officer", {"Auditlog"}, {"Medewerkers", "Mijn dossier"}),
        ("admin", {"Verzuim importeren"}, {"Medewerkers", "Statistieken", "Auditlog"}),
        ("physician", set(), {"Medewerkers", "Statistieken", "Mijn dossier", "Auditlog"}),
    ],
)
def test_each_role_sees_the_links_of_its_pages(cast, role, shown, hidden):
    labels = {label for _, _, label in nav_links(cast.client(role).get(reverse("home")))}
    everyone = {"Start", "Overleggen", "Actiepunten", "Meldingen", "SMO-reglement"}
    assert everyone | shown <= labels
    assert not labels & hidden


@pytest.mark.parametrize("role", [r for r in MATRIX_ROLES if r != "anonymous"])
def test_no_link_of_the_navigation_is_refused(cast, role):
    client = cast.client(role)
    for href, _, label in nav_links(client.get(reverse("home"))):
        assert client.get(href).status_code == 200, (role, label)


def test_the_page_shown_and_its_section_are_marked(cast):
    client = cast.client("hr")
    marked = {label: current for _, current, label in nav_links(client.get(reverse("meeting_list")))}
    assert marked["Overleggen"] == "page"
    assert {label for label, current in marked.items() if current} == {"Overleggen"}
    # A page inside a section: the section's link, not "page"; never "Start".
    meeting = schedule(cast)
    meeting_page = client.get(reverse("meeting_detail", args=[meeting.pk]))
    marked = {label: current for _, current, label in nav_links(meeting_page)}
    assert marked["Overleggen"] == "true"
    assert {label for label, current in marked.items() if current} == {"Overleggen"}


def test_staff_get_the_admin_link_and_nobody_else(cast):
    assert "Beheer" not in {label for *_, label in nav_links(cast.client("hr").get(reverse("home")))}
    staff = cast.users["admin"]
    staff.is_staff = True
    staff.save()
    links = {label: href for href, _, label in nav_links(cast.client("admin").get(reverse("home")))}
    assert links["Beheer"] == reverse("admin:index")
