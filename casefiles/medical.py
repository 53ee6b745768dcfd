"""Services and selectors of the medical file (R7, R9, R13). The only code
that reads or writes medical records.

Every function takes the acting user, answers 404 when that user is not a
bedrijfsarts/POB authorised for the employee (the file's existence is itself
confidential), and writes one NEN 7513 access-log entry per action through
:func:`smo.audit.log_medical_event`.

The employer side gets exactly one thing out of here:
:func:`shared_conclusions`, a plain summary of the four R7 conclusions that a
physician released. It carries no model instance, so no template can traverse
from it to notes.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from smo import audit
from smo.audit import Nen7513
from smo.permissions import cases_in_reintegration_scope, employees_with_medical_authorisation

from .models import (
    AbsenceCase,
    Consultation,
    ConsultationConclusion,
    Employee,
    FunctionalLimitation,
    PhysicianNote,
)


class StaleEdit(Exception):
    """Someone else saved the record since it was opened (optimistic locking)."""


def authorised_employee(*, user, employee_id: int) -> Employee:
    """The employee, if ``user`` may open their medical file; else 404."""
    employee = employees_with_medical_authorisation(user).select_related("organisation", "department")
    try:
        return employee.get(pk=employee_id)
    except Employee.DoesNotExist:
        raise Http404 from None


@dataclass
class MedicalFile:
    employee: Employee
    consultations: QuerySet
    notes: QuerySet
    open_case: AbsenceCase | None


def medical_file(*, user, employee_id: int) -> MedicalFile:
    """The whole medical file of an employee (read, logged)."""
    employee = authorised_employee(user=user, employee_id=employee_id)
    consultations = (
        Consultation.objects.for_physician(user)
        .filter(employee=employee)
        .select_related("physician", "conclusion")
        .prefetch_related("conclusion__limitations")
    )
    notes = PhysicianNote.objects.for_physician(user).filter(employee=employee).select_related("physician")
    open_case = employee.absence_cases.filter(end_date__isnull=True).first()
    audit.log_medical_event(employee, actor=user, action=Nen7513.READ, item_kind=audit.MEDICAL_FILE)
    return MedicalFile(employee, consultations, notes, open_case)


def consultation_for(*, user, pk: int, log: bool = True) -> Consultation:
    """One consultation with its conclusions (read, logged)."""
    try:
        consultation = (
            Consultation.objects.for_physician(user)
            .select_related("employee", "employee__organisation", "physician", "conclusion")
            .prefetch_related("conclusion__limitations")
            .get(pk=pk)
        )
    except Consultation.DoesNotExist:
        raise Http404 from None
    if log:
        audit.log_medical_event(
            consultation.employee,
            actor=user,
            action=Nen7513.READ,
            item_kind=audit.CONSULTATION,
            item_id=consultation.pk,
        )
    return consultation


@dataclass(frozen=True)
class LimitationInput:
    rubriek: int
    level: str
    description: str = ""


@dataclass(frozen=True)
class ConclusionInput:
    incapacity: str
    incapacity_percentage: int | None = None
    expected_duration: str = ConsultationConclusion.Duration.UNKNOWN
    expected_return_from: datetime.date | None = None
    expected_return_until: datetime.date | None = None
    adaptations: str = ""
    limitations: tuple[LimitationInput, ...] = ()


def _case_of(employee: Employee, case_id: int | None) -> AbsenceCase | None:
    if case_id is None:
        return employee.absence_cases.filter(end_date__isnull=True).first()
    return employee.absence_cases.filter(pk=case_id).first()


def _write_conclusion(consultation: Consultation, data: ConclusionInput) -> None:
    conclusion, _created = ConsultationConclusion.records.update_or_create(
        consultation=consultation,
        defaults={
            "incapacity": data.incapacity,
            "incapacity_percentage": data.incapacity_percentage,
            "expected_duration": data.expected_duration,
            "expected_return_from": data.expected_return_from,
            "expected_return_until": data.expected_return_until,
            "adaptations": data.adaptations,
        },
    )
    FunctionalLimitation.records.filter(conclusion=conclusion).delete()
    FunctionalLimitation.records.bulk_create(
        FunctionalLimitation(
            conclusion=conclusion, rubriek=x.rubriek, level=x.level, description=x.description
        )
        for x in data.limitations
    )


@transaction.atomic
def record_consultation(
    *,
    user,
    employee_id: int,
    date: datetime.date,
    kind: str,
    notes: str,
    conclusion: ConclusionInput | None,
    case_id: int | None = None,
) -> Consultation:
    employee = authorised_employee(user=user, employee_id=employee_id)
    consultation = Consultation.records.create(
        employee=employee,
        case=_case_of(employee, case_id),
        physician=user,
        date=date,
        kind=kind,
        notes=notes,
    )
    if conclusion is not None:
        _write_conclusion(consultation, conclusion)
    audit.log_medical_event(
        employee, actor=user, action=Nen7513.CREATE, item_kind=audit.CONSULTATION, item_id=consultation.pk
    )
    return consultation


def _current_conclusion(consultation: Consultation) -> ConclusionInput | None:
    conclusion = ConsultationConclusion.records.filter(consultation=consultation).first()
    if conclusion is None:
        return None
    return ConclusionInput(
        incapacity=conclusion.incapacity,
        incapacity_percentage=conclusion.incapacity_percentage,
        expected_duration=conclusion.expected_duration,
        expected_return_from=conclusion.expected_return_from,
        expected_return_until=conclusion.expected_return_until,
        adaptations=conclusion.adaptations,
        limitations=tuple(
            LimitationInput(x.rubriek, x.level, x.description)
            for x in FunctionalLimitation.records.filter(conclusion=conclusion).order_by("rubriek")
        ),
    )


@transaction.atomic
def update_consultation(
    *,
    user,
    pk: int,
    expected_version: int,
    date: datetime.date,
    kind: str,
    notes: str,
    conclusion: ConclusionInput | None,
) -> Consultation:
    """Change a consultation; refuses (StaleEdit) when someone saved it since
    ``expected_version`` was read. Released conclusions stay released only if
    unchanged: a changed conclusion must be released again (R7)."""
    consultation = consultation_for(user=user, pk=pk, log=False)
    locked = Consultation.records.select_for_update().get(pk=consultation.pk)
    if locked.version != expected_version:
        raise StaleEdit
    changed = [
        name
        for name, value in (("date", date), ("kind", kind), ("notes", notes))
        if getattr(locked, name) != value
    ]
    locked.date, locked.kind, locked.notes = date, kind, notes
    locked.version += 1
    locked.save()
    if conclusion is not None and conclusion != _current_conclusion(locked):
        _write_conclusion(locked, conclusion)
        ConsultationConclusion.records.filter(consultation=locked).update(released_at=None)
        changed.append("conclusion")
    audit.log_medical_event(
        locked.employee,
        actor=user,
        action=Nen7513.CHANGE,
        item_kind=audit.CONSULTATION,
        item_id=locked.pk,
        fields=changed,
    )
    return locked


@transaction.atomic
def release_conclusions(*, user, pk: int) -> ConsultationConclusion:
    """The physician shares the four conclusions with the employer (R7).
    A released probleemanalyse marks that WVP step (R20)."""
    consultation = consultation_for(user=user, pk=pk, log=False)
    try:
        conclusion = ConsultationConclusion.records.select_for_update().get(consultation=consultation)
    except ConsultationConclusion.DoesNotExist:
        raise Http404 from None
    if conclusion.released_at is not None:
        return conclusion  # already shared: nothing changes, nothing to log
    conclusion.released_at = timezone.now()
    conclusion.save(update_fields=["released_at"])
    case = consultation.case
    if (
        case is not None
        and consultation.kind == Consultation.Kind.PROBLEM_ANALYSIS
        and not case.problem_analysis_on
    ):
        case.problem_analysis_on = consultation.date
        case.save(update_fields=["problem_analysis_on"])
    audit.log_medical_event(
        consultation.employee,
        actor=user,
        action=Nen7513.CHANGE,
        item_kind=audit.CONCLUSIONS,
        item_id=consultation.pk,
        fields=["released_at"],
    )
    return conclusion


@transaction.atomic
def record_note(
    *, user, employee_id: int, date: datetime.date, notes: str, context: str = "", case_id: int | None = None
) -> PhysicianNote:
    """A physician's note for the medical file (e.g. from an SMO)."""
    employee = authorised_employee(user=user, employee_id=employee_id)
    note = PhysicianNote.records.create(
        employee=employee,
        case=_case_of(employee, case_id),
        physician=user,
        date=date,
        notes=notes,
        context=context,
    )
    audit.log_medical_event(
        employee, actor=user, action=Nen7513.CREATE, item_kind=audit.PHYSICIAN_NOTE, item_id=note.pk
    )
    return note


# --- what the employer side may see -----------------------------------------


@dataclass(frozen=True)
class SharedLimitation:
    rubriek: str
    level: str
    description: str


@dataclass(frozen=True)
class SharedConclusions:
    """The four R7 conclusions of the latest released consultation, as text."""

    consultation_date: datetime.date
    released_at: datetime.datetime
    incapacity: str
    incapacity_percentage: int | None
    expected_duration: str
    expected_return_from: datetime.date | None
    expected_return_until: datetime.date | None
    limitations: tuple[SharedLimitation, ...]
    adaptations: str


def shared_conclusions(*, user, case: AbsenceCase) -> SharedConclusions | None:
    """The physician's released conclusions for this employee, for a user who
    may see the case's reintegration file (R7, R9); None if nothing released.
    Raises Http404 for anyone else."""
    if not cases_in_reintegration_scope(user).filter(pk=case.pk).exists():
        raise Http404
    return released_conclusions(case)


def released_conclusions(case: AbsenceCase) -> SharedConclusions | None:
    """The latest released conclusions of the case's employee, without a
    user check: only for callers that decided access themselves — the
    consent gate's shareable summary for a meeting (consent.services)."""
    conclusion = (
        ConsultationConclusion.objects.released_for_employer()
        .filter(consultation__employee_id=case.employee_id)
        .select_related("consultation")
        .prefetch_related("limitations")
        .order_by("-consultation__date", "-released_at")
        .first()
    )
    if conclusion is None:
        return None
    return SharedConclusions(
        consultation_date=conclusion.consultation.date,
        released_at=conclusion.released_at,
        incapacity=str(conclusion.get_incapacity_display()),
        incapacity_percentage=conclusion.incapacity_percentage,
        expected_duration=str(conclusion.get_expected_duration_display()),
        expected_return_from=conclusion.expected_return_from,
        expected_return_until=conclusion.expected_return_until,
        limitations=tuple(
            SharedLimitation(str(x.get_rubriek_display()), str(x.get_level_display()), x.description)
            for x in conclusion.limitations.all()
        ),
        adaptations=conclusion.adaptations,
    )


def last_consultation_date(employee: Employee) -> datetime.date | None:
    """The date of the employee's latest spreekuurcontact: a fact without
    content, for R3 (an SMO met medewerker needs a recent consultation)."""
    return (
        Consultation.records.filter(employee=employee)
        .order_by("-date")
        .values_list("date", flat=True)
        .first()
    )
