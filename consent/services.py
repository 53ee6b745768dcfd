"""Consent (R6, R7, R8): notifications, consent records, withdrawal, and the
one decision whether a case may be discussed in a meeting.

:func:`discussion_permission` is that decision. Meetings (opening an agenda
item, recording on it), the live meeting page, PDF minutes and reminders call
it, or :func:`open_for_discussion` which takes the case's row lock first, so
that a withdrawal committed before an item opens always blocks it.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from enum import StrEnum

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casefiles.medical import SharedConclusions, released_conclusions
from casefiles.medical_terms import check_no_medical_terms
from casefiles.models import AbsenceCase
from smo import audit, permissions
from smo.audit import Nen7513
from smo.roles import PHYSICIAN_ROLES, Role, roles_of

from .models import Consent, ConsentItem, Notification
from .selectors import consents_recorded_for
from .types import CASE_MEETING_TYPES, MeetingContext, MeetingType


class Reason(StrEnum):
    """Why a case may not be discussed (machine-readable)."""

    NOT_A_CASE_MEETING = "not_a_case_meeting"  # R1
    NO_NOTIFICATION = "no_notification"  # R6
    NO_CONSENT = "no_consent"  # R7/R8
    CONSENT_WITHDRAWN = "consent_withdrawn"  # R8
    SCOPE_MEETING_TYPE = "scope_meeting_type"
    CONSENT_EXPIRED = "consent_expired"
    PARTICIPANT_NOT_COVERED = "participant_not_covered"


# What the chair is told: only that the item is not available, and what to do
# next. Never why a consent ended (R8): a withdrawal reads like any other
# "ask the bedrijfsarts".
NEXT_STEP = {
    Reason.NOT_A_CASE_MEETING: _("In dit soort overleg worden geen individuele casussen besproken."),
    Reason.NO_NOTIFICATION: _(
        "Leg vast dat de medewerker (en de bedrijfsarts) is geïnformeerd over de bespreking."
    ),
    Reason.NO_CONSENT: _("Vraag de bedrijfsarts om de toestemming van de medewerker vast te leggen."),
    Reason.CONSENT_WITHDRAWN: _("Neem contact op met de bedrijfsarts."),
    Reason.SCOPE_MEETING_TYPE: _("Vraag de bedrijfsarts om de toestemming van de medewerker vast te leggen."),
    Reason.CONSENT_EXPIRED: _("Vraag de bedrijfsarts om de toestemming van de medewerker vast te leggen."),
    Reason.PARTICIPANT_NOT_COVERED: _(
        "Niet alle deelnemers vallen onder de toestemming. Beperk de kring of vraag de bedrijfsarts."
    ),
}
NOT_AVAILABLE = _("Niet beschikbaar voor bespreking")


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reasons: tuple[Reason, ...] = ()
    consent_id: int | None = None

    @property
    def chair_message(self) -> str:
        return str(NOT_AVAILABLE) if not self.allowed else ""

    @property
    def next_steps(self) -> list[str]:
        """Distinct next steps, in reason order, for the chair."""
        steps: list[str] = []
        for reason in self.reasons:
            text = str(NEXT_STEP[reason])
            if text not in steps:
                steps.append(text)
        return steps


# A page that shows a whole agenda loads the notifications and consents of
# all its cases in one query each, as plain lists on the case under these
# names (readiness() in meetings.services.agenda); otherwise the gate reads the
# case's rows itself. Writes always decide on a freshly locked case
# (open_for_discussion), which carries no such list.
NOTIFICATIONS_ATTR = "loaded_notifications"
CONSENTS_ATTR = "loaded_consents"

# The fields of notifications and consents that the gate reads: load_gate_records
# loads no more (less to decode, and no purposes or withdrawal reasons in
# memory). Keep them in step with _notified/_consent_covers: a field left out
# is still read, but with a query per row (the agenda's query-count test fails).
GATE_NOTIFICATION_FIELDS = ("case", "informed_on", "meeting_id", "meeting_type", "period_start", "period_end")
GATE_CONSENT_FIELDS = (
    "case",
    "superseded_by",
    "recorder_role",
    "withdrawn_at",
    "meeting_id",
    "meeting_types",
    "given_on",
    "valid_until",
    "allowed_roles",
)


def load_gate_records(cases: list[AbsenceCase]) -> None:
    """Attach the notifications and consents of all ``cases`` in one query
    each, as plain lists (no queryset per case; a 30-item agenda, issue 8)."""
    if not cases:
        return
    ids = [case.pk for case in cases]
    for model, attr, fields in (
        (Notification, NOTIFICATIONS_ATTR, GATE_NOTIFICATION_FIELDS),
        (Consent, CONSENTS_ATTR, GATE_CONSENT_FIELDS),
    ):
        by_case: dict[int, list] = {case.pk: [] for case in cases}
        for row in model.objects.filter(case_id__in=ids).only(*fields):
            by_case[row.case_id].append(row)
        for case in cases:
            setattr(case, attr, by_case[case.pk])


def _notifications_of(case: AbsenceCase):
    loaded = getattr(case, NOTIFICATIONS_ATTR, None)
    return case.notifications.all() if loaded is None else loaded


def _consents_of(case: AbsenceCase):
    loaded = getattr(case, CONSENTS_ATTR, None)
    return case.consents.all() if loaded is None else loaded


def _notified(case: AbsenceCase, meeting: MeetingContext) -> bool:
    for notification in _notifications_of(case):
        if notification.informed_on > meeting.date:
            continue
        if meeting.meeting_id is not None and notification.meeting_id == meeting.meeting_id:
            return True
        if (
            notification.meeting_type == meeting.meeting_type
            and notification.period_start <= meeting.date <= notification.period_end
        ):
            return True
    return False


def _covers_meeting(consent: Consent, meeting: MeetingContext) -> bool:
    if consent.meeting_id is not None:
        return meeting.meeting_id is not None and consent.meeting_id == meeting.meeting_id
    return meeting.meeting_type in consent.meeting_types


def _covers_participants(consent: Consent, case: AbsenceCase, meeting: MeetingContext) -> bool:
    allowed = set(consent.allowed_roles) | set(PHYSICIAN_ROLES)
    employee_user = case.employee.user_id
    return all(p.user_id == employee_user or p.roles & allowed for p in meeting.participants)


def _consent_decision(case: AbsenceCase, meeting: MeetingContext) -> tuple[Reason | None, Consent | None]:
    current = [
        c
        for c in _consents_of(case)
        if c.superseded_by_id is None and c.recorder_role != Consent.RecorderRole.EXPERT
    ]
    if not current:
        return Reason.NO_CONSENT, None
    active = [c for c in current if c.withdrawn_at is None]
    if not active:
        return Reason.CONSENT_WITHDRAWN, None
    in_scope = [c for c in active if _covers_meeting(c, meeting)]
    if not in_scope:
        return Reason.SCOPE_MEETING_TYPE, None
    valid = [c for c in in_scope if c.given_on <= meeting.date <= c.valid_until]
    if not valid:
        return Reason.CONSENT_EXPIRED, None
    covered = [c for c in valid if _covers_participants(c, case, meeting)]
    if not covered:
        return Reason.PARTICIPANT_NOT_COVERED, None
    return None, max(covered, key=lambda c: (c.given_on, c.pk))


def discussion_permission(*, case: AbsenceCase, meeting: MeetingContext) -> Decision:
    """R8: may this case be discussed in this meeting? The one decision."""
    if meeting.meeting_type not in CASE_MEETING_TYPES:
        return Decision(False, (Reason.NOT_A_CASE_MEETING,))
    reasons: list[Reason] = []
    if not _notified(case, meeting):
        reasons.append(Reason.NO_NOTIFICATION)
    consent_reason, consent = _consent_decision(case, meeting)
    if consent_reason is not None:
        reasons.append(consent_reason)
    if reasons:
        return Decision(False, tuple(reasons))
    return Decision(True, (), consent.pk)


def open_for_discussion(*, case: AbsenceCase, meeting: MeetingContext) -> Decision:
    """The gate under the case's row lock. Call it inside the transaction that
    opens an agenda item or records on it: a withdrawal (which takes the same
    lock) committed before this point always blocks."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("open_for_discussion must run inside transaction.atomic()")
    locked = AbsenceCase.objects.select_for_update().select_related("employee").get(pk=case.pk)
    return discussion_permission(case=locked, meeting=meeting)


# --- what may be said ---------------------------------------------------------


@dataclass(frozen=True)
class SayableItem:
    category: str
    wording: str


@dataclass(frozen=True)
class ShareableSummary:
    """R7: the only case information non-physician participants see: the
    four conclusions and the consented extra items the physician did not
    withhold. Shown live in the meeting; never written down (R7a)."""

    conclusions: SharedConclusions | None
    items: tuple[SayableItem, ...]


def shareable_summary(*, case: AbsenceCase, meeting: MeetingContext) -> ShareableSummary | None:
    decision = discussion_permission(case=case, meeting=meeting)
    if not decision.allowed:
        return None
    items = ConsentItem.objects.filter(consent_id=decision.consent_id, withheld=False).order_by("pk")
    return ShareableSummary(
        conclusions=released_conclusions(case),
        items=tuple(SayableItem(str(i.get_category_display()), i.wording) for i in items),
    )


# --- recording ----------------------------------------------------------------


def _employer_case(user, case_id: int) -> AbsenceCase:
    """A case of an employee for whom the user is the employer side (HR or manager)."""
    case = (
        AbsenceCase.objects.select_related("employee__organisation")
        .filter(employee__in=permissions.employees_in_employer_scope(user), pk=case_id)
        .first()
    )
    if case is None:
        raise Http404
    return case


@transaction.atomic
def record_notification(
    *,
    user,
    case_id: int,
    informed_on: datetime.date,
    how: str,
    meeting_type: str,
    period_start: datetime.date,
    period_end: datetime.date,
    purpose: str,
    questions: str,
    employee_invited: bool,
    not_invited_reason: str = "",
    physician_informed: bool = True,
    meeting_id: int | None = None,
) -> Notification:
    """R6: the manager (or HR) records that the employee was informed."""
    case = _employer_case(user, case_id)
    errors = {}
    for field, text in (
        ("purpose", purpose),
        ("questions", questions),
        ("not_invited_reason", not_invited_reason),
    ):
        try:
            check_no_medical_terms(text, case.employee.organisation)
        except ValidationError as error:
            errors[field] = error.messages
    if meeting_type not in CASE_MEETING_TYPES:
        errors["meeting_type"] = [_("Over een beleids-/thema-SMT wordt geen casus gemeld (R1).")]
    if (
        not employee_invited
        and meeting_type != MeetingType.MULTIDISCIPLINARY
        and not not_invited_reason.strip()
    ):
        errors["not_invited_reason"] = [_("Geef aan waarom de medewerker niet wordt uitgenodigd (R6).")]
    if period_end < period_start:
        errors["period_end"] = [_("Het einde van de periode ligt voor het begin.")]
    if errors:
        raise ValidationError(errors)
    return Notification.objects.create(
        case=case,
        informed_on=informed_on,
        how=how,
        recorded_by=user,
        meeting_id=meeting_id,
        meeting_type=meeting_type,
        period_start=period_start,
        period_end=period_end,
        purpose=purpose,
        questions=questions,
        employee_invited=employee_invited,
        not_invited_reason=not_invited_reason,
        physician_informed=physician_informed,
    )


@dataclass(frozen=True)
class ItemInput:
    category: str
    wording: str
    withheld: bool = False


def recorder_role_for(user, case: AbsenceCase, meeting_types) -> str:
    """Who may record consent for this case, and as what (R7)."""
    roles = roles_of(user)
    if roles & PHYSICIAN_ROLES and permissions.can_view_medical_file(user, case.employee):
        return Consent.RecorderRole.PHYSICIAN
    guided = permissions.cases_in_reintegration_scope(user).filter(pk=case.pk).exists()
    if roles & {Role.CASEMANAGER, Role.BMW, Role.REINTEGRATIEADVISEUR} and guided:
        return Consent.RecorderRole.EXPERT
    employer = permissions.employees_in_employer_scope(user).filter(pk=case.employee_id).exists()
    if employer and list(meeting_types) == [MeetingType.SRO]:
        return Consent.RecorderRole.SRO_BRINGER
    raise Http404


def _validate_consent(*, given_on, valid_until, meeting_id, meeting_types, allowed_roles) -> None:
    errors = {}
    if valid_until < given_on:
        errors["valid_until"] = [_("De toestemming kan niet eindigen voordat ze is gegeven.")]
    if meeting_id is None and not meeting_types:
        errors["meeting_types"] = [_("Kies een specifiek overleg of ten minste één soort overleg.")]
    if any(t not in CASE_MEETING_TYPES for t in meeting_types):
        errors["meeting_types"] = [_("Een beleids-/thema-SMT bespreekt geen casussen (R1).")]
    if not allowed_roles:
        errors["allowed_roles"] = [_("Kies met welke rollen de casus besproken mag worden.")]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_consent(
    *,
    user,
    case_id: int,
    given_on: datetime.date,
    obtained: str,
    valid_until: datetime.date,
    allowed_roles: list[str],
    meeting_types: list[str] = (),
    meeting_id: int | None = None,
    items: tuple[ItemInput, ...] = (),
    supersedes: Consent | None = None,
) -> Consent:
    """R7: record the employee's consent (immutable once saved)."""
    case = AbsenceCase.objects.select_related("employee__organisation").filter(pk=case_id).first()
    if case is None:
        raise Http404
    recorder_role = recorder_role_for(user, case, meeting_types)
    _validate_consent(
        given_on=given_on,
        valid_until=valid_until,
        meeting_id=meeting_id,
        meeting_types=list(meeting_types),
        allowed_roles=allowed_roles,
    )
    if recorder_role != Consent.RecorderRole.PHYSICIAN and any(i.withheld for i in items):
        raise PermissionDenied  # the noodzakelijkheidsvereiste is the physician's
    if recorder_role == Consent.RecorderRole.SRO_BRINGER and items:
        # R7a: the employer side never stores health information.
        raise ValidationError(
            {"items": [_("Wie een casus in het SRO inbrengt, legt geen aanvullende informatie vast.")]}
        )
    if supersedes is not None and supersedes.recorder_role != recorder_role:
        raise PermissionDenied  # a record is superseded by the same side that made it
    consent = Consent.objects.create(
        employee=case.employee,
        case=case,
        recorded_by=user,
        recorder_role=recorder_role,
        given_on=given_on,
        obtained=obtained,
        meeting_id=meeting_id,
        meeting_types=sorted(set(meeting_types)),
        valid_until=valid_until,
        allowed_roles=sorted(set(allowed_roles)),
    )
    ConsentItem.objects.bulk_create(
        ConsentItem(consent=consent, category=i.category, wording=i.wording, withheld=i.withheld)
        for i in items
    )
    if supersedes is not None:
        supersedes.superseded_by = consent
        supersedes.save(update_fields=["superseded_by"])
    if recorder_role == Consent.RecorderRole.PHYSICIAN:
        audit.log_medical_event(
            case.employee,
            actor=user,
            action=Nen7513.CHANGE if supersedes else Nen7513.CREATE,
            item_kind=audit.CONSENT,
            item_id=consent.pk,
        )
    return consent


def supersede_consent(*, user, consent_id: int, **new) -> Consent:
    """A change of consent is a new record that supersedes the old (R7)."""
    with transaction.atomic():
        old = consents_recorded_for(user).select_for_update().filter(pk=consent_id).first()
        if old is None:
            raise Http404
        if not old.is_current:
            raise ValidationError(_("Deze toestemming is al vervangen of ingetrokken."))
        return record_consent(user=user, case_id=old.case_id, supersedes=old, **new)


def withdraw_consent(*, user, consent_id: int, reason: str = "") -> Consent:
    """R8: withdrawal takes effect at once. By the employee themself, or on
    their behalf by the physician/recorder or the employer side."""
    with transaction.atomic():
        consent = Consent.objects.select_related("employee", "case").filter(pk=consent_id).first()
        if consent is None:
            raise Http404
        own = consent.employee.user_id == user.pk and Role.MEDEWERKER in roles_of(user)
        on_behalf = not own
        if on_behalf and not (
            consents_recorded_for(user).filter(pk=consent.pk).exists()
            or permissions.employees_in_employer_scope(user).filter(pk=consent.employee_id).exists()
        ):
            raise Http404
        # Same lock as open_for_discussion: serialises with opening an item.
        AbsenceCase.objects.select_for_update().get(pk=consent.case_id)
        consent = Consent.objects.select_for_update().get(pk=consent.pk)
        if consent.withdrawn_at is not None or consent.superseded_by_id is not None:
            return consent
        consent.withdrawn_at = timezone.now()
        consent.withdrawn_by = user
        consent.withdrawn_on_behalf = on_behalf
        consent.withdrawal_reason = reason
        consent.save(
            update_fields=["withdrawn_at", "withdrawn_by", "withdrawn_on_behalf", "withdrawal_reason"]
        )
        return consent
