"""The reintegration file (re-integratiedossier, R9, R20): services. Its read side is in casefiles.selectors.

Who works on it: the employee's manager (by department or as direct manager),
HR of the organisation and the expert guiding the case. Everyone else does not
see that a case exists (404). The employee reads their own file in the portal
(R14), never here, also when they are a manager or HR themself.

Services take the acting user, check scope (Http404 outside it,
PermissionDenied for a visible object the user may not change), validate and
write inside ``transaction.atomic()``; the audit trail comes from
django-auditlog (casefiles/audit.py). Employer-side free text is checked for
medical terms before it is saved (R7a).
"""

from __future__ import annotations

import datetime
import uuid
from pathlib import PurePath

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smo import permissions

from . import wvp
from .medical_terms import check_no_medical_terms
from .models import (
    AbsenceCase,
    CaseDocument,
    CorrectionRequest,
    Organisation,
    PlanAgreement,
    PlanEvaluation,
    PlanVanAanpak,
)
from .selectors import (
    case_in_scope,
    correction_requests_in_scope,
    expert_choices,
    may_handle_corrections,
    reintegration_cases,
)

# --- plan van aanpak -----------------------------------------------------------


class PlanConflict(Exception):
    """Someone saved the plan since the editor opened it (optimistic locking)."""

    def __init__(self, current: PlanVanAanpak | None):
        super().__init__("plan changed since it was read")
        self.current = current


def _check_date(value: datetime.date, *, field: str, not_before: datetime.date, label_before: str) -> None:
    if value > timezone.localdate():
        raise ValidationError({field: _("Deze datum ligt in de toekomst.")})
    if value < not_before:
        raise ValidationError({field: label_before})


def _check_text(field: str, text: str, organisation: Organisation) -> None:
    """R7a: employer-side free text holds no health data."""
    try:
        check_no_medical_terms(text, organisation)
    except ValidationError as error:
        raise ValidationError({field: error}) from None


def save_plan(
    *, user, case: AbsenceCase, expected_version: int, drawn_up_on: datetime.date, goal: str, casemanager
) -> PlanVanAanpak:
    """Create (``expected_version`` 0) or change the plan van aanpak (R20).
    Raises PlanConflict when the plan's version is no longer ``expected_version``."""
    case = case_in_scope(user, case)
    organisation = case.employee.organisation
    _check_date(
        drawn_up_on,
        field="drawn_up_on",
        not_before=case.first_day,
        label_before=_("Het plan kan niet zijn opgesteld vóór de eerste verzuimdag."),
    )
    _check_text("goal", goal, organisation)
    if casemanager is None or not expert_choices(organisation).filter(pk=casemanager.pk).exists():
        raise ValidationError(
            {"casemanager": _("Kies een casemanager, BMW of re-integratieadviseur van de organisatie.")}
        )
    with transaction.atomic():
        plan = PlanVanAanpak.objects.select_for_update().filter(case=case).first()
        if (plan.version if plan else 0) != expected_version:
            raise PlanConflict(plan)
        if plan is None:
            try:
                with transaction.atomic():
                    return PlanVanAanpak.objects.create(
                        case=case, drawn_up_on=drawn_up_on, goal=goal, casemanager=casemanager, version=1
                    )
            except IntegrityError:
                raise PlanConflict(PlanVanAanpak.objects.filter(case=case).first()) from None
        plan.drawn_up_on, plan.goal, plan.casemanager = drawn_up_on, goal, casemanager
        plan.version += 1
        plan.save()
        return plan


def _plan_of(case: AbsenceCase) -> PlanVanAanpak:
    plan = PlanVanAanpak.objects.filter(case=case).first()
    if plan is None:
        raise ValidationError(_("Stel eerst een plan van aanpak op."), code="no_plan")
    return plan


def add_agreement(
    *, user, case: AbsenceCase, what: str, who: str, due: datetime.date | None
) -> PlanAgreement:
    case = case_in_scope(user, case)
    _check_text("what", what, case.employee.organisation)
    if who not in PlanAgreement.Who.values:
        raise ValidationError({"who": _("Kies wie de afspraak uitvoert.")})
    with transaction.atomic():
        return PlanAgreement.objects.create(plan=_plan_of(case), what=what, who=who, due=due)


def mark_agreement_done(
    *, user, agreement: PlanAgreement, done_on: datetime.date | None = None
) -> PlanAgreement:
    """Mark an agreement done (today unless given); done stays done."""
    agreement = permissions.require_in(
        PlanAgreement.objects.filter(plan__case__in=reintegration_cases(user)).select_related("plan__case"),
        pk=agreement.pk,
    )
    if agreement.done_on is None:
        with transaction.atomic():
            agreement.done_on = done_on or timezone.localdate()
            agreement.save(update_fields=["done_on"])
    return agreement


def add_evaluation(*, user, case: AbsenceCase, date: datetime.date, summary: str) -> PlanEvaluation:
    """An evaluation of the plan (R20: at least every 6 weeks)."""
    case = case_in_scope(user, case)
    _check_text("summary", summary, case.employee.organisation)
    with transaction.atomic():
        plan = _plan_of(case)
        _check_date(
            date,
            field="date",
            not_before=plan.drawn_up_on,
            label_before=_("Een evaluatie kan niet vóór het opstellen van het plan zijn gehouden."),
        )
        if plan.evaluations.filter(date=date).exists():
            raise ValidationError({"date": _("Op deze datum is al een evaluatie vastgelegd.")})
        return PlanEvaluation.objects.create(plan=plan, date=date, summary=summary)


# --- WVP steps -----------------------------------------------------------------

# The WVP steps recorded as a date on the case; the plan and its evaluations
# have their own forms.
STEP_FIELDS = {
    wvp.Step.PROBLEM_ANALYSIS: "problem_analysis_on",
    wvp.Step.UWV_REPORT: "uwv_reported_on",
    wvp.Step.FIRST_YEAR: "first_year_evaluation_on",
    wvp.Step.WIA: "wia_applied_on",
}


def record_wvp_step(*, user, case: AbsenceCase, step: str, date: datetime.date) -> AbsenceCase:
    """Record the date a WVP step was taken (R20)."""
    case = case_in_scope(user, case)
    try:
        field = STEP_FIELDS[wvp.Step(step)]
    except (KeyError, ValueError):
        raise ValidationError({"step": _("Deze stap kan hier niet worden vastgelegd.")}) from None
    _check_date(
        date,
        field="date",
        not_before=case.first_day,
        label_before=_("Deze datum ligt vóór de eerste verzuimdag."),
    )
    with transaction.atomic():
        setattr(case, field, date)
        case.save(update_fields=[field])
    return case


# --- documents -----------------------------------------------------------------

MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
# Extension -> (content type, how the file starts).
DOCUMENT_TYPES = {
    ".pdf": ("application/pdf", b"%PDF-"),
    ".docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", b"PK\x03\x04"),
    ".odt": ("application/vnd.oasis.opendocument.text", b"PK\x03\x04"),
    ".png": ("image/png", b"\x89PNG\r\n\x1a\n"),
    ".jpg": ("image/jpeg", b"\xff\xd8\xff"),
    ".jpeg": ("image/jpeg", b"\xff\xd8\xff"),
}


def document_content_type(document: CaseDocument) -> str:
    return DOCUMENT_TYPES.get(PurePath(document.file.name).suffix.lower(), ("application/octet-stream",))[0]


def _check_upload(upload) -> str:
    """The file's extension, if it is an allowed type within the size limit."""
    extension = PurePath(upload.name or "").suffix.lower()
    if extension not in DOCUMENT_TYPES:
        raise ValidationError({"file": _("Alleen PDF, DOCX, ODT, PNG of JPG-bestanden zijn toegestaan.")})
    if upload.size > MAX_DOCUMENT_BYTES:
        raise ValidationError({"file": _("Het bestand is groter dan 10 MB.")})
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if not head.startswith(DOCUMENT_TYPES[extension][1]):
        raise ValidationError({"file": _("De inhoud van het bestand past niet bij de extensie.")})
    return extension


def upload_document(*, user, case: AbsenceCase, title: str, file) -> CaseDocument:
    """Store a document of the reintegration file in private storage under a
    random name (the original file name may say too much)."""
    case = case_in_scope(user, case)
    _check_text("title", title, case.employee.organisation)
    extension = _check_upload(file)
    file.name = f"{uuid.uuid4().hex}{extension}"
    with transaction.atomic():
        return CaseDocument.objects.create(case=case, title=title, file=file, uploaded_by=user)


# --- correction requests (R14) ------------------------------------------------


def handle_correction_request(*, user, request: CorrectionRequest, response: str) -> CorrectionRequest:
    """HR or the employee's manager answers a correction request (R14)."""
    request = permissions.require_in(
        correction_requests_in_scope(user).select_related("employee__organisation"), pk=request.pk
    )
    if not may_handle_corrections(user, request.employee):
        raise PermissionDenied
    if not response.strip():
        raise ValidationError({"response": _("Geef een reactie aan de medewerker.")})
    _check_text("response", response, request.employee.organisation)
    with transaction.atomic():
        locked = CorrectionRequest.objects.select_for_update().get(pk=request.pk)
        if locked.handled_at is not None:
            raise ValidationError(_("Dit correctieverzoek is al afgehandeld."), code="handled")
        locked.response, locked.handled_by, locked.handled_at = response, user, timezone.now()
        locked.save(update_fields=["response", "handled_by", "handled_at"])
    return locked
