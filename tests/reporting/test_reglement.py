"""The SMO reglement (R16; issue 7 item 5): rendered from the organisation's
actual settings, readable by every user of the organisation (employees
included), as a page and a PDF; only the organisation's functioneel
beheerder edits the free-text parts (checked for medical terms, R7a).
Editing is in test_reglement_edit.py."""

from __future__ import annotations

import datetime
import subprocess
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils import timezone

from casefiles import services
from consent.types import MeetingType
from meetings.models import Meeting, MeetingSeries
from meetings.services.scheduling import CHAIR_ROLES
from reporting import reglement
from reporting.models import ReglementText
from smo.permissions import employees_in_employer_scope
from smo.roles import PHYSICIAN_ROLES, Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

# R16: purpose, who takes part, when and by whom an employee is brought in,
# consent, what is recorded and where, access, retention, rights, complaints.
SECTIONS = (
    "1. Doel van het sociaal medisch overleg",
    "2. Soorten overleg en wie deelnemen",
    "3. Wanneer en door wie een medewerker wordt ingebracht",
    "4. Toestemming",
    "5. Wat wordt vastgelegd en waar",
    "6. Wie heeft toegang",
    "7. Bewaartermijnen",
    "8. Statistieken",
    "9. Uw rechten: inzage, correctie en intrekken van toestemming",
    "10. Vragen en klachten",
    "11. Evaluatie van deze procedure",
)


def page(cast, role="employee_concerned", query="") -> str:
    response = cast.client(role).get(reverse("reglement") + query)
    assert response.status_code == 200
    return response.content.decode()


def pdf(cast, tmp_path: Path, role="employee_concerned", query="") -> str:
    response = cast.client(role).get(reverse("reglement_pdf") + query)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    target = tmp_path / "reglement.pdf"
    target.write_bytes(response.content)
    result = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(target), "-"], capture_output=True, check=True, timeout=60
    )
    return " ".join(result.stdout.decode("utf-8").split())


def text(html: str) -> str:
    return " ".join(html.split())


def meeting(cast, meeting_type, *, status=Meeting.Status.PLANNED, title="Overleg", series=None):
    return Meeting.objects.create(
        organisation=cast.organisation,
        meeting_type=meeting_type,
        title=title,
        starts_at=timezone.now() + datetime.timedelta(days=7),
        status=status,
        series=series,
        created_by=cast.users["hr"],
    )


def test_r16_employee_reads_every_section(cast):
    html = text(page(cast))
    assert "SMO-reglement van Zorggroep Test" in html
    for heading in SECTIONS:
        assert heading in html, heading
    # With nothing written by the beheerder: the default purpose, and a
    # visible gap where the complaints and privacy contacts belong.
    assert str(reglement.DEFAULT_PURPOSE)[:80] in html
    assert "nog geen klachtenregeling opgegeven" in html
    assert "nog geen contactpersoon voor privacyvragen" in html
    # R14: the employee's way to inzage, correction and withdrawal.
    assert f'href="{reverse("my_file")}"' in html
    assert "Teksten bewerken" not in html


def test_r16_pdf_has_every_section_and_the_settings(cast, tmp_path):
    ReglementText.objects.create(
        organisation=cast.organisation,
        complaints_contact="Klachtencommissie, klachten@zorggroep.example",
        privacy_contact="Functionaris gegevensbescherming, fg@zorggroep.example",
        additional_provisions="Ingestemd door de ondernemingsraad op 1 maart 2026.",
    )
    content = pdf(cast, tmp_path)
    assert "SMO-reglement van Zorggroep Test" in content
    for heading in SECTIONS:
        assert heading in content, heading
    assert "12. Aanvullende bepalingen" in content
    assert "klachten@zorggroep.example" in content
    assert "fg@zorggroep.example" in content
    assert "Ingestemd door de ondernemingsraad" in content
    assert "20 jaar na de laatste wijziging" in content


@pytest.mark.parametrize("view", ["reglement", "reglement_pdf"])
def test_r15_r19_page_and_pdf_follow_the_settings(cast, tmp_path, view):
    """Change a retention period and the statistics threshold: the reglement
    changes with them (practice and paper agree)."""

    def read():
        return text(page(cast)) if view == "reglement" else pdf(cast, tmp_path)

    before = read()
    assert "2 jaar na het einde van de re-integratie" in before
    assert "minder dan 10 medewerkers" in before
    assert "kleiner dan 5 worden onderdrukt" in before
    org = cast.organisation
    org.retention_reintegration_years = 3
    org.retention_access_log_years = 7
    org.statistics_group_threshold = 12
    org.statistics_min_count = 4
    org.save()
    after = read()
    assert "3 jaar na het einde van de re-integratie" in after
    assert "2 jaar na het einde van de re-integratie" not in after
    assert "7 jaar na de registratie" in after
    assert "minder dan 12 medewerkers" in after
    assert "ten minste 12 medewerkers" in after
    assert "kleiner dan 4 worden onderdrukt" in after


def test_r15_eigenrisicodrager_keeps_the_reintegration_file_five_years(cast):
    cast.organisation.eigenrisicodrager_zw = True
    cast.organisation.save()
    html = text(page(cast))
    assert "5 jaar na het einde van de re-integratie" in html
    assert "eigenrisicodrager" in html


def test_r3_recent_consultation_term_comes_from_the_organisation(cast):
    assert "in de 6 weken ervoor" in text(page(cast))
    cast.organisation.consultation_recency_weeks = 4
    cast.organisation.save()
    assert "in de 4 weken ervoor" in text(page(cast))


def test_r1_r5_meeting_types_in_use_with_their_rules(cast):
    html = text(page(cast))
    assert "Er is nog geen overleg gepland" in html  # then all types are described
    series = MeetingSeries.objects.create(
        organisation=cast.organisation, meeting_type=MeetingType.CASE_SMO, title="SMT", interval_weeks=6
    )
    meeting(cast, MeetingType.CASE_SMO, series=series)
    meeting(cast, MeetingType.SRO)
    meeting(cast, MeetingType.THEME, status=Meeting.Status.CANCELLED)  # not in use
    html = text(page(cast))
    assert "Er is nog geen overleg gepland" not in html
    in_use = html.split("gebruikt de volgende soorten overleg:")[1].split(".")[0]
    assert "Casus-specifiek SMO" in in_use
    assert "SRO (sociaal re-integratieoverleg)" in in_use
    assert "Beleids-/thema-SMT" not in in_use
    assert "Niet in gebruik: SMO met medewerker, Multidisciplinaire consultatie, Beleids-/thema-SMT." in html
    assert "elke 6 weken" in html
    # R2: the SRO never has a physician; its chair comes from the scheduling rules.
    sro = html.split("<h3>SRO (sociaal re-integratieoverleg)</h3>")[1].split("</dl>")[0]
    assert "Nooit: geen bedrijfsarts" in sro
    assert f"<dd>{reglement.role_labels(CHAIR_ROLES[MeetingType.SRO])}</dd>" in sro
    assert "<dd>Arbeidsdeskundige</dd>" in sro


def test_r21_last_evaluation_and_when_one_is_due(cast):
    html = text(page(cast))
    assert "nog niet geëvalueerd" in html
    assert "Een evaluatie is nu nodig" in html
    today = timezone.localdate()
    cast.organisation.procedure_evaluated_on = today.replace(year=today.year - 1)
    cast.organisation.save()
    html = text(page(cast))
    assert "Laatst geëvalueerd op" in html
    assert "Een evaluatie is nu nodig" not in html
    cast.organisation.procedure_evaluated_on = today.replace(year=today.year - 4)
    cast.organisation.save()
    assert "Een evaluatie is nu nodig" in text(page(cast))


def test_r9_access_table_comes_from_the_roles_the_code_checks(cast):
    rows = {str(row.what): row for row in reglement.access_rows(cast.organisation)}
    medical = next(row for what, row in rows.items() if what.startswith("Medisch dossier"))
    assert medical.who == reglement.role_labels(PHYSICIAN_ROLES)
    for label in ("HR-adviseur", "Leidinggevende", "Arbeidsdeskundige", "Privacy officer"):
        assert label not in medical.who
    audit = next(row for what, row in rows.items() if what.startswith("Auditlog"))
    assert audit.who == "Privacy officer"
    html = text(page(cast))
    assert "<td>Bedrijfsarts en Praktijkondersteuner bedrijfsarts (POB)</td>" in html


def test_declared_roles_refuses_a_view_without_roles():
    """A view scoped in its body (authenticated) has no role list to quote:
    the reglement fails loudly instead of printing a guess."""
    with pytest.raises(ImproperlyConfigured):
        reglement.declared_roles("home")


def test_every_meeting_type_needs_its_rules_text(cast, monkeypatch):
    rules = dict(reglement.TYPE_RULES)
    del rules[MeetingType.SRO]
    monkeypatch.setattr(reglement, "TYPE_RULES", rules)
    with pytest.raises(ImproperlyConfigured):
        reglement.build(cast.organisation)


def test_r6_bringers_are_the_employer_side_of_the_permissions(cast):
    """The reglement says who brings an employee in; the permissions decide
    it (smo.permissions._employer_scope). Both must name the same roles."""
    for role in Role:
        user = UserFactory(roles=[role], organisations=(cast.organisation,))
        if role == Role.LEIDINGGEVENDE:
            services.make_department_manager(actor=None, department=cast.department, manager=user)
        can_bring_in = employees_in_employer_scope(user).exists()
        assert can_bring_in == (role in reglement.EMPLOYER_ROLES), role
    assert reglement.role_labels(reglement.EMPLOYER_ROLES) in text(page(cast))


def test_r16_the_other_organisation_reads_its_own(cast):
    ReglementText.objects.create(
        organisation=cast.organisation, complaints_contact="Klachten-Zorggroep-Canary"
    )
    mine = text(page(cast, "other_org_user"))
    assert "SMO-reglement van Bouwbedrijf Elders" in mine
    assert "Zorggroep Test" not in mine
    assert "Klachten-Zorggroep-Canary" not in mine
    # Asking for ours by name: it does not exist for them.
    query = f"?organisatie={cast.organisation.slug}"
    client = cast.client("other_org_user")
    assert client.get(reverse("reglement") + query).status_code == 404
    assert client.get(reverse("reglement_pdf") + query).status_code == 404
    assert (
        cast.client("employee_concerned").get(reverse("reglement") + "?organisatie=onbekend").status_code
        == 404
    )


def test_r16_a_user_of_several_organisations_chooses(cast, tmp_path):
    physician = UserFactory(
        roles=[Role.BEDRIJFSARTS], organisations=(cast.organisation, cast.other_organisation)
    )
    client = cast.client("anonymous")
    assert client.login(username=physician.username, password=PASSWORD)
    chooser = client.get(reverse("reglement")).content.decode()
    assert f"?organisatie={cast.organisation.slug}" in chooser
    assert f"?organisatie={cast.other_organisation.slug}" in chooser
    assert "<h2" not in chooser.split("<main")[1]  # no reglement yet: first choose
    chosen = client.get(reverse("reglement") + f"?organisatie={cast.other_organisation.slug}")
    assert "SMO-reglement van Bouwbedrijf Elders" in chosen.content.decode()


def test_r12_the_reglement_names_no_employee_or_meeting(cast, tmp_path):
    """It describes rules and settings: meeting titles (which may name
    someone, R12) and the organisation's people never appear in it."""
    meeting(cast, MeetingType.SMO_WITH_EMPLOYEE, title="Gesprek Canary Pietersen")
    html = page(cast, "hr")
    assert "Canary" not in html and "Pietersen" not in html
    assert "Canary" not in pdf(cast, tmp_path, "hr")


def test_navigation_links_to_the_reglement(cast):
    for role in ("employee_concerned", "physician", "admin"):
        home = cast.client(role).get(reverse("home")).content.decode()
        assert f'href="{reverse("reglement")}"' in home, role


def test_page_costs_a_constant_number_of_queries(cast, django_assert_max_num_queries):
    client = cast.client("employee_concerned")
    with django_assert_max_num_queries(50) as first:
        client.get(reverse("reglement"))
    for meeting_type in MeetingType:
        series = MeetingSeries.objects.create(
            organisation=cast.organisation, meeting_type=meeting_type, title="Reeks", interval_weeks=4
        )
        for _n in range(3):
            meeting(cast, meeting_type, series=series)
    ReglementText.objects.create(organisation=cast.organisation, purpose="Ons doel.")
    with django_assert_max_num_queries(len(first.captured_queries)):
        response = client.get(reverse("reglement"))
    assert "Ons doel." in response.content.decode()
