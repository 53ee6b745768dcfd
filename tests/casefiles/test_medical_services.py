"""R9, R13: the medical file is physician-only by construction, and every
action on it is in the NEN 7513 access log without content."""

import datetime

import pytest
from auditlog.models import LogEntry
from django.http import Http404

from casefiles import medical
from casefiles.models import Consultation, ConsultationConclusion, FunctionalLimitation, PhysicianNote
from casefiles.models.medical import MedicalAccessError

pytestmark = pytest.mark.django_db

CANARY = "KANARIE-7f3a9 hernia en oxazepam"
DAY = datetime.date(2026, 11, 2)


def conclusions(**overrides):
    data = {
        "incapacity": ConsultationConclusion.Incapacity.PARTIAL,
        "incapacity_percentage": 50,
        "expected_duration": ConsultationConclusion.Duration.WEEKS_6_13,
        "adaptations": "Zittend werk, maximaal 4 uur per dag",
        "limitations": (
            medical.LimitationInput(5, FunctionalLimitation.Level.LIMITED, "Kan niet lang staan"),
            medical.LimitationInput(6, FunctionalLimitation.Level.LIMITED, "Halve dagen"),
        ),
    }
    data.update(overrides)
    return medical.ConclusionInput(**data)


def consult(cast, **kwargs):
    return medical.record_consultation(
        user=cast.users["physician"],
        employee_id=cast.employee.pk,
        date=DAY,
        kind=kwargs.pop("kind", Consultation.Kind.REGULAR),
        notes=CANARY,
        conclusion=conclusions(),
        **kwargs,
    )


@pytest.mark.parametrize("model", [Consultation, ConsultationConclusion, FunctionalLimitation, PhysicianNote])
def test_R9_unscoped_queries_of_the_medical_file_are_refused(model):
    with pytest.raises(MedicalAccessError):
        model.objects.all()


def test_R9_no_employer_side_object_leads_to_the_medical_file(cast):
    consult(cast)
    for obj in (cast.employee, cast.case, cast.users["physician"], cast.organisation):
        names = {rel.get_accessor_name() for rel in obj._meta.related_objects}
        assert not {n for n in names if n and ("consultation" in n or "note" in n)}, names


@pytest.mark.parametrize(
    "role", ["manager", "hr", "casemanager", "other_physician", "admin", "privacy_officer"]
)
def test_R9_only_the_authorised_physician_opens_the_file(cast, role):
    consult(cast)
    user = cast.users[role]
    user.is_superuser = role == "admin"
    user.save()
    with pytest.raises(Http404):
        medical.medical_file(user=user, employee_id=cast.employee.pk)
    assert Consultation.objects.for_physician(user).count() == 0


def test_R13_every_read_and_write_is_logged_without_content(cast):
    physician = cast.users["physician"]
    consultation = consult(cast)
    medical.medical_file(user=physician, employee_id=cast.employee.pk)
    medical.consultation_for(user=physician, pk=consultation.pk)
    medical.release_conclusions(user=physician, pk=consultation.pk)
    medical.record_note(user=physician, employee_id=cast.employee.pk, date=DAY, notes=CANARY)
    entries = LogEntry.objects.filter(additional_data__nen7513__isnull=False).order_by("pk")
    assert [(e.additional_data["nen7513"], e.additional_data["what"]) for e in entries] == [
        ("create", "consultation"),
        ("read", "medical_file"),
        ("read", "consultation"),
        ("change", "conclusions"),
        ("create", "physician_note"),
    ]
    for entry in entries:
        assert entry.actor == physician
        assert entry.additional_data["employee_id"] == cast.employee.pk
        assert entry.additional_data["roles"] == ["bedrijfsarts"]
        assert "KANARIE" not in str(entry.__dict__)


def test_R7_only_released_conclusions_reach_the_employer_side_as_plain_text(cast):
    consultation = consult(cast, kind=Consultation.Kind.PROBLEM_ANALYSIS)
    manager = cast.users["manager"]
    assert medical.shared_conclusions(user=manager, case=cast.case) is None
    medical.release_conclusions(user=cast.users["physician"], pk=consultation.pk)
    shared = medical.shared_conclusions(user=manager, case=cast.case)
    assert shared.incapacity == "Gedeeltelijk arbeidsongeschikt"
    assert [x.description for x in shared.limitations] == ["Kan niet lang staan", "Halve dagen"]
    assert "KANARIE" not in repr(shared)
    assert not any(hasattr(shared, name) for name in ("notes", "consultation", "employee"))
    # R20: a released probleemanalyse marks the WVP step.
    cast.case.refresh_from_db()
    assert cast.case.problem_analysis_on == DAY


@pytest.mark.parametrize("role", ["other_manager", "arbeidsdeskundige", "other_org_user", "other_employee"])
def test_R9_shared_conclusions_only_for_the_case_scope(cast, role):
    consultation = consult(cast)
    medical.release_conclusions(user=cast.users["physician"], pk=consultation.pk)
    with pytest.raises(Http404):
        medical.shared_conclusions(user=cast.users[role], case=cast.case)


def test_changing_a_conclusion_withdraws_its_release_and_stale_edits_are_refused(cast):
    physician = cast.users["physician"]
    consultation = consult(cast)
    medical.release_conclusions(user=physician, pk=consultation.pk)
    updated = medical.update_consultation(
        user=physician,
        pk=consultation.pk,
        expected_version=1,
        date=DAY,
        kind=Consultation.Kind.REGULAR,
        notes=CANARY + " aangevuld",
        conclusion=conclusions(incapacity=ConsultationConclusion.Incapacity.FULL),
    )
    assert updated.version == 2
    assert medical.shared_conclusions(user=cast.users["manager"], case=cast.case) is None
    with pytest.raises(medical.StaleEdit):
        medical.update_consultation(
            user=physician,
            pk=consultation.pk,
            expected_version=1,
            date=DAY,
            kind=Consultation.Kind.REGULAR,
            notes="overschreven",
            conclusion=None,
        )
    assert Consultation.objects.for_physician(physician).get().notes == CANARY + " aangevuld"
    change = LogEntry.objects.filter(additional_data__nen7513="change").first()
    assert set(change.changes_dict) == {"notes", "conclusion"}


def test_consultation_is_linked_to_the_open_case(cast):
    assert consult(cast).case == cast.case
