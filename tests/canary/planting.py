"""Planting the canaries (R7, R8, R9, R14).

Each canary is a unique string with the set of matrix roles that may see it
(``Canary.visible_to``). The medical ones are written into *every* free-text
field of *every* medical model, enumerated from the models themselves:
:func:`unplanted_medical_fields` names a text field that a new model or
field added without being planted here, and the tests fail on it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.apps import apps
from django.db import models
from django.utils import timezone

from casefiles import medical
from casefiles.models import ConsultationConclusion, CorrectionRequest, FunctionalLimitation
from casefiles.models.medical import MedicalRecordManager
from consent import services as consent
from consent.models import Consent, ConsentItem
from consent.types import MeetingType
from smo.roles import Role

PREFIX = "KANARIE"
# What the authorised physician released (R7): shared with the employer side
# on purpose, so it is no canary; it proves the crawl reaches the case pages.
RELEASED = "Vrijgegeven-functioneel-9c2e"


@dataclass(frozen=True)
class Canary:
    text: str
    visible_to: frozenset[str]


MEDICAL = Canary(f"{PREFIX}-medisch-d41d8cd9", frozenset({"physician"}))
# R7, R8: what the employee allowed to be said, and why they withdrew: the
# employee and the recording physician only (never the chair, R8).
CONSENT_ITEM = Canary(f"{PREFIX}-toestemming-7f3a", frozenset({"physician", "employee_concerned"}))
WITHDRAWAL = Canary(f"{PREFIX}-intrekking-b62e", frozenset({"physician", "employee_concerned"}))
# R14: the employee's correction request: the employee and whoever handles it
# (the employer side of the employee, the casemanager of the case).
CORRECTION = Canary(
    f"{PREFIX}-correctie-0c5d", frozenset({"employee_concerned", "manager", "hr", "casemanager"})
)
CANARIES = (MEDICAL, CONSENT_ITEM, WITHDRAWAL, CORRECTION)

DAY = datetime.timedelta(days=1)


def medical_models() -> list[type[models.Model]]:
    """Every model of the medical file: those guarded by MedicalRecordManager (R9)."""
    return [
        model
        for model in apps.get_models()
        if any(isinstance(manager, MedicalRecordManager) for manager in model._meta.managers)
    ]


def free_text_fields(model: type[models.Model]) -> list[str]:
    return [
        field.name
        for field in model._meta.concrete_fields
        if isinstance(field, models.CharField | models.TextField) and not field.choices
    ]


def unplanted_medical_fields() -> list[str]:
    """``app.Model.field`` of each medical free-text field without the canary."""
    missing = []
    for model in medical_models():
        for name in free_text_fields(model):
            if not model.records.filter(**{f"{name}__contains": MEDICAL.text}).exists():
                missing.append(f"{model._meta.label}.{name}")
    return missing


def plant_medical(cast) -> None:
    """R9: a released consultation (its shareable conclusions carry no canary,
    its notes do), one whose conclusions were not released (canary in every
    field), and a physician's note."""
    physician, text = cast.users["physician"], MEDICAL.text
    today = timezone.localdate()
    released = medical.record_consultation(
        user=physician,
        employee_id=cast.employee.pk,
        date=today - 7 * DAY,
        kind="probleemanalyse",
        notes=f"{text}-spreekuur: hernia L4-L5, gebruikt oxazepam",
        conclusion=medical.ConclusionInput(
            incapacity=ConsultationConclusion.Incapacity.PARTIAL,
            adaptations=f"{RELEASED} zittend werk",
            limitations=(medical.LimitationInput(5, FunctionalLimitation.Level.LIMITED, "Niet lang staan"),),
        ),
    )
    medical.release_conclusions(user=physician, pk=released.pk)
    medical.record_consultation(
        user=physician,
        employee_id=cast.employee.pk,
        date=today,
        kind="regulier",
        notes=f"{text}-tweede",
        conclusion=medical.ConclusionInput(
            incapacity=ConsultationConclusion.Incapacity.FULL,
            adaptations=f"{text}-niet-gedeeld",
            limitations=(medical.LimitationInput(1, FunctionalLimitation.Level.SEVERE, f"{text}-fml"),),
        ),
    )
    medical.record_note(
        user=physician,
        employee_id=cast.employee.pk,
        date=today,
        context=f"{text}-context",
        notes=f"{text}-aantekening",
    )


def plant_consent(cast) -> None:
    """R7, R8: a current consent (for another meeting type than the cast's
    meetings) and a withdrawn one, both with consented extra information;
    the withdrawn one with the employee's reason."""
    physician, today = cast.users["physician"], timezone.localdate()

    def record(category: str) -> Consent:
        return consent.record_consent(
            user=physician,
            case_id=cast.case.pk,
            given_on=today,
            obtained="spreekuur",
            valid_until=today + 30 * DAY,
            allowed_roles=[Role.LEIDINGGEVENDE, Role.HR],
            meeting_types=[MeetingType.MULTIDISCIPLINARY],
            items=(consent.ItemInput(category, f"{CONSENT_ITEM.text}-{category}"),),
        )

    record("behandeling")
    withdrawn = record("prive")
    consent.withdraw_consent(
        user=cast.users["employee_concerned"], consent_id=withdrawn.pk, reason=f"{WITHDRAWAL.text} scheiding"
    )
    assert ConsentItem.objects.filter(wording__contains=CONSENT_ITEM.text).count() == 2


def plant_correction(cast) -> None:
    CorrectionRequest.objects.create(
        employee=cast.employee, case=cast.case, text=f"{CORRECTION.text} mijn verzuimdatum klopt niet"
    )


def plant(cast) -> tuple[Canary, ...]:
    plant_medical(cast)
    plant_consent(cast)
    plant_correction(cast)
    missing = unplanted_medical_fields()
    assert not missing, f"medical free-text fields without the canary (plant them here): {missing}"
    return CANARIES
