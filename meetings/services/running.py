"""Running a meeting ("vergadermodus", R8, R10, R17, R21, R22).

Every write on a case item re-checks the consent gate under the case's row
lock (consent.services.open_for_discussion) in the same transaction: a
withdrawal committed before it always blocks it."""

from __future__ import annotations

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from casefiles import medical
from casefiles.medical_terms import check_no_medical_terms
from consent import services as consent
from consent.types import MeetingType
from smo.roles import PHYSICIAN_ROLES, roles_of

from ..models import ActionPoint, AgendaItem, Decision, Meeting
from .common import check_version, item_for, meeting_context, meeting_for, require_chair, require_recorder

# R17: the influenceable factors of the belasting/belastbaarheid model.
SRO_FACTORS = {
    "belasting": (
        "werkbelasting/soort werk/taakverdeling",
        "stressoren/arbeidsvoorwaarden",
        "werkdruk/inspraak/arbo",
        "sociale druk/collega's/werksfeer",
        "privéomstandigheden/financiële situatie",
        "carrièreperspectief",
        "management/stijl van leidinggeven",
    ),
    "belastbaarheid": (
        "verwerkings- en aanpassingsvermogen",
        "coping en persoonlijke stabiliteit",
        "assertiviteit en doorzettingsvermogen",
        "gezondheid/lichamelijke capaciteiten",
        "opleidingsniveau",
        "motivatie/zelfvertrouwen/ambitie",
        "ziektegedrag",
    ),
}
ALL_SRO_FACTORS = frozenset(f for group in SRO_FACTORS.values() for f in group)


class ItemBlocked(Exception):
    """The consent gate refuses this case item (R8)."""

    def __init__(self, decision: consent.Decision):
        super().__init__(decision.reasons)
        self.decision = decision


@transaction.atomic
def open_meeting(*, user, meeting_id: int) -> Meeting:
    meeting = meeting_for(user, meeting_id, lock=True)
    require_chair(user, meeting)
    if meeting.status != Meeting.Status.PLANNED:
        raise ValidationError(_("Dit overleg is niet (meer) gepland."))
    meeting.status = Meeting.Status.OPEN
    meeting.opened_at = timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["status", "opened_at", "version"])
    return meeting


@transaction.atomic
def confirm_roles(*, user, meeting_id: int, present_user_ids: set[int]) -> Meeting:
    """R21: at the start the chair confirms who is present in which role."""
    meeting = meeting_for(user, meeting_id, lock=True)
    require_chair(user, meeting)
    if meeting.status != Meeting.Status.OPEN:
        raise ValidationError(_("Open eerst het overleg."))
    if user.pk not in present_user_ids:
        raise ValidationError(_("De voorzitter is aanwezig."))
    for participant in meeting.participants.all():
        participant.present = participant.user_id in present_user_ids
        participant.save(update_fields=["present"])
    meeting.roles_confirmed_at = timezone.now()
    meeting.version += 1
    meeting.save(update_fields=["roles_confirmed_at", "version"])
    return meeting


def _gate(item: AgendaItem) -> None:
    """Inside the caller's transaction: the case's row lock, then the gate."""
    if item.case_id is None:
        return
    decision = consent.open_for_discussion(case=item.case, meeting=meeting_context(item.meeting))
    if not decision.allowed:
        raise ItemBlocked(decision)


def _require_running(item: AgendaItem) -> None:
    if item.meeting.status != Meeting.Status.OPEN or item.meeting.roles_confirmed_at is None:
        raise ValidationError(_("Open het overleg en bevestig eerst de aanwezigen en hun rollen (R21)."))


@transaction.atomic
def open_item(*, user, item_id: int, expected_version: int | None = None) -> AgendaItem:
    item = item_for(user, item_id, lock=True)
    require_chair(user, item.meeting)
    _require_running(item)
    check_version(item, expected_version)
    if item.status == AgendaItem.Status.OPEN:
        return item
    _gate(item)
    AgendaItem.objects.filter(meeting=item.meeting, status=AgendaItem.Status.OPEN).exclude(pk=item.pk).update(
        status=AgendaItem.Status.DONE, closed_at=timezone.now()
    )
    item.status = AgendaItem.Status.OPEN
    item.opened_at = item.opened_at or timezone.now()
    item.version += 1
    item.save(update_fields=["status", "opened_at", "version"])
    return item


def _writable_item(user, item_id: int) -> AgendaItem:
    item = item_for(user, item_id, lock=True)
    require_recorder(user, item.meeting)
    _require_running(item)
    if item.status != AgendaItem.Status.OPEN:
        raise ValidationError(_("Open eerst dit agendapunt."))
    _gate(item)
    return item


@transaction.atomic
def record_decision(*, user, item_id: int, text: str) -> Decision:
    """R10: decisions and agreements only; no medical terms (R7a)."""
    item = _writable_item(user, item_id)
    if not text.strip():
        raise ValidationError(_("Schrijf het besluit of de afspraak op."))
    check_no_medical_terms(text, item.meeting.organisation)
    return Decision.objects.create(item=item, text=text.strip(), created_by=user)


@transaction.atomic
def add_action_point(
    *, user, item_id: int, what: str, due: datetime.date, type: str, owner=None, owner_label: str = ""
) -> ActionPoint:
    """R10, R22: what, who, by when, which support measure."""
    item = _writable_item(user, item_id)
    check_no_medical_terms(what, item.meeting.organisation)
    if owner is None and not owner_label.strip():
        raise ValidationError(_("Geef aan wie het actiepunt uitvoert."))
    is_employee = item.case is not None and owner is not None and owner.pk == item.case.employee.user_id
    if owner is not None and not is_employee and not item.meeting.participants.filter(user=owner).exists():
        raise ValidationError(_("Een actiepunt is voor een deelnemer of de medewerker zelf."))
    if due < item.meeting.date:
        raise ValidationError(_("De termijn ligt voor de datum van het overleg."))
    if type not in ActionPoint.Type.values:
        raise ValidationError(_("Kies een soort ondersteuning."))
    return ActionPoint.objects.create(
        item=item,
        case=item.case,
        what=what.strip(),
        owner=owner,
        owner_label=owner_label.strip(),
        due=due,
        type=type,
        created_by=user,
    )


@transaction.atomic
def tag_sro_factors(
    *, user, item_id: int, factors: list[str], expected_version: int | None = None
) -> AgendaItem:
    """R17: the influenceable factors discussed for an SRO item."""
    item = _writable_item(user, item_id)
    check_version(item, expected_version)
    if item.meeting.meeting_type != MeetingType.SRO:
        raise ValidationError(_("Beïnvloedbare factoren horen bij een SRO."))
    unknown = set(factors) - ALL_SRO_FACTORS
    if unknown:
        raise ValidationError(_("Onbekende factor: %(f)s") % {"f": ", ".join(sorted(unknown))})
    item.sro_factors = sorted(set(factors))
    item.version += 1
    item.save(update_fields=["sro_factors", "version"])
    return item


@transaction.atomic
def close_item(*, user, item_id: int, expected_version: int | None = None) -> AgendaItem:
    item = item_for(user, item_id, lock=True)
    require_chair(user, item.meeting)
    check_version(item, expected_version)
    if item.status != AgendaItem.Status.OPEN:
        raise ValidationError(_("Dit agendapunt is niet in bespreking."))
    item.status = AgendaItem.Status.DONE
    item.closed_at = timezone.now()
    item.version += 1
    item.save(update_fields=["status", "closed_at", "version"])
    return item


def record_physician_note(*, user, item_id: int, text: str):
    """The bedrijfsarts records a note for the medical file from the meeting
    screen; it goes to the medical file only (R9), never to the minutes."""
    item = item_for(user, item_id)
    if not roles_of(user) & PHYSICIAN_ROLES or not item.meeting.participants.filter(user=user).exists():
        raise PermissionDenied
    if item.case is None:
        raise ValidationError(_("Alleen bij een casus."))
    return medical.record_note(
        user=user,
        employee_id=item.case.employee_id,
        case_id=item.case_id,
        date=item.meeting.date,
        context=_("%(title)s van %(date)s")
        % {"title": item.meeting.title, "date": item.meeting.date.strftime("%d-%m-%Y")},
        notes=text,
    )


def summary_for(item: AgendaItem):
    """What may be said about a case item: the consent gate's shareable
    summary (R7), or None when the case is not available."""
    if item.case is None:
        return None
    return consent.shareable_summary(case=item.case, meeting=meeting_context(item.meeting))
