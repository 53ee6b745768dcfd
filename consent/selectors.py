"""Read side of consent: querysets and summaries already limited to what
each side may see. The employer side never gets consent items or the reason
of a withdrawal (R7, R8); the employee sees all of their own (R14); the
recording side (physician, expert, SRO bringer) sees what it recorded."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy

from casefiles.models import AbsenceCase
from smo import permissions
from smo.roles import ROLE_LABELS

from .models import Consent, Notification
from .types import MeetingType

MEETING_TYPE_LABELS = dict(MeetingType.choices)

# --- who sees consent records ----------------------------------------------------


def consents_recorded_for(user):
    """Consents the user may see in full (with items): physicians for the
    employees they are authorised for, and whoever recorded a consent."""
    return Consent.objects.filter(
        Q(employee__in=permissions.employees_with_medical_authorisation(user)) | Q(recorded_by=user),
        employee__organisation__in=permissions.organisation_ids(user),
    )


def own_consents(user):
    """R14: the employee's own consents, with items and history."""
    return Consent.objects.filter(
        employee__user=user, employee__organisation__in=permissions.organisation_ids(user)
    ).prefetch_related("items")


# --- read side (scoped to the employer side) ------------------------------------


def employer_cases(user) -> QuerySet[AbsenceCase]:
    """Cases of employees for whom ``user`` is the employer side (HR, manager)."""
    return AbsenceCase.objects.filter(employee__in=permissions.employees_in_employer_scope(user))


def employer_consents(user) -> QuerySet[Consent]:
    """Consents of employees in the user's employer scope. For finding the
    record only: the employer side is never shown its items or the reason
    of a withdrawal (use :func:`consent_status_for_employer` to show)."""
    return Consent.objects.filter(employee__in=permissions.employees_in_employer_scope(user))


@dataclass(frozen=True)
class EmployerConsentRow:
    """What the employer side may know of a consent: no items, no reason."""

    pk: int
    given_on: datetime.date
    specific_meeting: bool
    meeting_types: tuple[str, ...]  # labels
    valid_until: datetime.date
    withdrawn: bool
    expired: bool


@dataclass(frozen=True)
class EmployerConsentStatus:
    case_id: int
    notifications: tuple[Notification, ...]
    consents: tuple[EmployerConsentRow, ...]


# Only these columns are read: the items and the withdrawal reason never
# reach an employer-side page, not even unrendered.
EMPLOYER_CONSENT_COLUMNS = ("pk", "given_on", "meeting_id", "meeting_types", "valid_until", "withdrawn_at")


def consent_status_for_employer(
    *, user, case_id: int, employer_side: bool | None = None
) -> EmployerConsentStatus | None:
    """The case's notifications and current consents as the employer side
    may see them, or None when ``user`` is not the employer side of the case.

    ``employer_side``: whether ``user`` is the employer side of this case,
    when the caller already asked the database exactly that (the case page's
    case carries it, casefiles.selectors.case_file); otherwise it is asked
    here. The consents are always read within the user's employer scope."""
    if employer_side is None:
        employer_side = employer_cases(user).filter(pk=case_id).exists()
    if not employer_side:
        return None
    today = timezone.localdate()
    notifications = Notification.objects.filter(case_id=case_id)
    consents = (
        employer_consents(user)
        .filter(case_id=case_id, superseded_by__isnull=True)
        .order_by("-given_on", "-pk")
        .values(*EMPLOYER_CONSENT_COLUMNS)
    )
    rows = tuple(
        EmployerConsentRow(
            pk=c["pk"],
            given_on=c["given_on"],
            specific_meeting=c["meeting_id"] is not None,
            meeting_types=tuple(str(MEETING_TYPE_LABELS.get(t, t)) for t in c["meeting_types"]),
            valid_until=c["valid_until"],
            withdrawn=c["withdrawn_at"] is not None,
            expired=c["valid_until"] < today,
        )
        for c in consents
    )
    return EmployerConsentStatus(case_id=case_id, notifications=tuple(notifications), consents=rows)


# --- read side (the employee's own records) ---------------------------------------


def own_notifications(user) -> QuerySet[Notification]:
    """R14: the R6 notifications about the employee's own cases."""
    return Notification.objects.filter(
        case__employee__user=user, case__employee__organisation__in=permissions.organisation_ids(user)
    ).select_related("case")


class Status:
    CURRENT = "current"
    EXPIRED = "expired"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


STATUS_LABELS = {
    Status.CURRENT: gettext_lazy("Geldig"),
    Status.EXPIRED: gettext_lazy("Verlopen"),
    Status.SUPERSEDED: gettext_lazy("Vervangen"),
    Status.WITHDRAWN: gettext_lazy("Ingetrokken"),
}


@dataclass(frozen=True)
class OwnConsentRow:
    consent: Consent
    status: str
    meeting_types: tuple[str, ...]
    roles: tuple[str, ...]

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])

    @property
    def may_withdraw(self) -> bool:
        return self.consent.is_current


@dataclass(frozen=True)
class OwnConsentOverview:
    notifications: tuple[Notification, ...]
    consents: tuple[OwnConsentRow, ...]


def _status(consent: Consent, today: datetime.date) -> str:
    if consent.withdrawn_at is not None:
        return Status.WITHDRAWN
    if consent.superseded_by_id is not None:
        return Status.SUPERSEDED
    if consent.valid_until < today:
        return Status.EXPIRED
    return Status.CURRENT


def own_consent_row(consent: Consent, today: datetime.date) -> OwnConsentRow:
    return OwnConsentRow(
        consent=consent,
        status=_status(consent, today),
        meeting_types=tuple(str(MEETING_TYPE_LABELS.get(t, t)) for t in consent.meeting_types),
        roles=tuple(str(ROLE_LABELS.get(r, r)) for r in consent.allowed_roles),
    )


def own_consent_overview(user) -> OwnConsentOverview:
    """R14: all the employee's consents with their full history and items,
    and the notifications about their cases."""
    today = timezone.localdate()
    consents = own_consents(user).select_related("superseded_by").order_by("-given_on", "-pk")
    return OwnConsentOverview(
        notifications=tuple(own_notifications(user)),
        consents=tuple(own_consent_row(c, today) for c in consents),
    )
