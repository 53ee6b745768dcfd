"""Editing the free-text parts of the SMO reglement (R16): only the
functioneel beheerder of the organisation, checked for medical terms (R7a),
with an audit trail (R13) and a conflict instead of a lost update."""

from __future__ import annotations

import pytest
from auditlog.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from reporting.models import ReglementText
from smo.roles import Role
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

TEXTS = {
    "purpose": "Samen zorgen we dat collega's snel en passend terugkeren.",
    "complaints_contact": "Klachtencommissie Zorggroep, klachten@zorggroep.example",
    "privacy_contact": "Functionaris gegevensbescherming: fg@zorggroep.example",
    "additional_provisions": "Met instemming van de ondernemingsraad.",
}


def edit_url(organisation) -> str:
    return reverse("reglement_edit") + f"?organisatie={organisation.slug}"


def post(cast, role, data=None, version=0, organisation=None):
    return cast.client(role).post(
        edit_url(organisation or cast.organisation), {**(data or TEXTS), "version": version}
    )


def test_r16_beheerder_edits_and_everyone_reads_it(cast):
    form = cast.client("admin").get(edit_url(cast.organisation))
    assert form.status_code == 200
    assert "Let op (R7a):" in form.content.decode()
    response = post(cast, "admin")
    assert response.status_code == 302
    assert response["Location"] == reverse("reglement") + f"?organisatie={cast.organisation.slug}"
    texts = ReglementText.objects.get(organisation=cast.organisation)
    assert texts.complaints_contact == TEXTS["complaints_contact"]
    assert texts.updated_by == cast.users["admin"]
    for role in ("employee_concerned", "manager", "physician"):
        html = cast.client(role).get(reverse("reglement")).content.decode()
        assert "klachten@zorggroep.example" in html, role
        assert "fg@zorggroep.example" in html, role
        assert "Samen zorgen we dat collega&#x27;s snel" in html, role  # replaces the default purpose
        assert "12. Aanvullende bepalingen" in html, role
    assert "Teksten bewerken" in cast.client("admin").get(reverse("reglement")).content.decode()


def test_r13_a_change_is_in_the_audit_trail_of_the_organisation(cast):
    post(cast, "admin")
    entries = LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ReglementText))
    assert entries.exists()
    assert all(e.additional_data["organisation_id"] == cast.organisation.pk for e in entries)
    assert all(e.actor == cast.users["admin"] for e in entries)


@pytest.mark.parametrize("role", ["hr", "employee_concerned", "privacy_officer", "physician", "manager"])
def test_r16_only_the_beheerder_edits(cast, role):
    assert post(cast, role).status_code == 403
    assert not ReglementText.objects.exists()


def test_r16_the_other_organisations_beheerder_never_touches_ours(cast):
    assert cast.client("other_org_user").get(edit_url(cast.organisation)).status_code == 404
    assert post(cast, "other_org_user").status_code == 404
    assert not ReglementText.objects.filter(organisation=cast.organisation).exists()
    # Their own reglement they do edit, and ours does not change with it.
    assert post(cast, "other_org_user", organisation=cast.other_organisation).status_code == 302
    assert ReglementText.objects.get(organisation=cast.other_organisation).complaints_contact
    ours = cast.client("employee_concerned").get(reverse("reglement")).content.decode()
    assert "klachten@zorggroep.example" not in ours


def test_r16_a_beheerder_of_two_organisations_chooses_which_to_edit(cast):
    beheerder = UserFactory(
        roles=[Role.BEHEERDER], organisations=(cast.organisation, cast.other_organisation)
    )
    client = cast.client("anonymous")
    assert client.login(username=beheerder.username, password=PASSWORD)
    chooser = client.get(reverse("reglement_edit")).content.decode()
    assert "<form" not in chooser.split("<main")[1]
    assert edit_url(cast.other_organisation) in chooser


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("complaints_contact", "Bij rugklachten eerst de bedrijfsarts bellen."),
        ("additional_provisions", "Wie een burn-out heeft, krijgt voorrang."),
        ("purpose", "Begeleiding na een operatie."),
    ],
)
def test_r7a_medical_terms_are_refused(cast, field, value):
    response = post(cast, "admin", {**TEXTS, field: value})
    assert response.status_code == 200
    assert "medische informatie" in response.content.decode()
    assert not ReglementText.objects.exists()


def test_r7a_the_organisations_own_terms_count_too(cast):
    cast.organisation.extra_medical_terms = "mantelzorgverlof-x"
    cast.organisation.save()
    response = post(cast, "admin", {**TEXTS, "additional_provisions": "Regeling mantelzorgverlof-x."})
    assert response.status_code == 200
    assert not ReglementText.objects.exists()


def test_a_stale_form_gets_a_conflict_instead_of_overwriting(cast):
    assert post(cast, "admin").status_code == 302  # version 0 -> 1
    response = post(cast, "admin", {**TEXTS, "complaints_contact": "Oude versie"}, version=0)
    assert response.status_code == 200
    assert "intussen gewijzigd" in response.content.decode()
    assert ReglementText.objects.get().complaints_contact == TEXTS["complaints_contact"]
    assert post(cast, "admin", {**TEXTS, "complaints_contact": "Nieuw"}, version=1).status_code == 302
    assert ReglementText.objects.get().complaints_contact == "Nieuw"


def test_empty_purpose_falls_back_to_the_default(cast):
    post(cast, "admin", {**TEXTS, "purpose": "   "})
    html = cast.client("employee_concerned").get(reverse("reglement")).content.decode()
    assert "Het sociaal medisch overleg (SMO) is een gestructureerd overleg" in html
