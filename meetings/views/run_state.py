"""The state of a running meeting as the page shows it: who sits where,
which forms each seat gets, and the shared render/redirect helpers of
meetings.views.running."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.backends.utils import csrf_input
from django.urls import reverse
from django.utils.translation import gettext as _

from casefiles.selectors import user_name_columns
from consent import services as consent
from consent.types import MeetingType
from smo.reversing import url_for_each
from smo.roles import PHYSICIAN_ROLES, roles_of

from ..forms_running import (
    ActionPointForm,
    CloseMeetingForm,
    ConfirmRolesForm,
    DecisionForm,
    MeetingEvaluationForm,
    PhysicianNoteForm,
    SroFactorsForm,
    ThemeMinutesForm,
    VersionForm,
)
from ..models import ActionPoint, AgendaItem, Decision, Meeting, Participant
from ..services import common, running
from ..services.agenda import readiness

STATE_TEMPLATE = "meetings/running/_state.html"
PAGE_TEMPLATE = "meetings/running/run.html"
RECORDERS = {Participant.Role.CHAIR, Participant.Role.MINUTE_TAKER}
LIVE = {Meeting.Status.PLANNED, Meeting.Status.OPEN}
# What an agenda item of the vergadermodus may offer (templates/meetings/running/_item.html).
ITEM_FORMS = ("open", "close", "note", "decision", "action_point", "factors")


def _stale_item_message() -> str:
    return _(
        "Iemand anders heeft dit agendapunt intussen gewijzigd. Uw wijziging is niet opgeslagen. "
        "Hieronder ziet u de huidige stand; probeer het zo nodig opnieuw."
    )


def _stale_minutes_message() -> str:
    return _(
        "Iemand anders heeft het verslag intussen gewijzigd. Uw tekst is niet opgeslagen. Hieronder staat "
        "de versie die nu geldt en daaronder uw tekst; sla opnieuw op om de huidige versie te vervangen."
    )


def is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


# --- who is in the meeting ----------------------------------------------------


@dataclass
class Seat:
    """The user's place in the meeting."""

    meeting: Meeting
    role: str

    @property
    def role_label(self) -> str:
        return str(Participant.Role(self.role).label)

    @property
    def is_chair(self) -> bool:
        return self.role == Participant.Role.CHAIR

    @property
    def can_record(self) -> bool:
        return self.role in RECORDERS


def _seat(user, meeting: Meeting, participants: list[Participant] | None = None) -> Seat:
    """R4: only participants have a seat; everybody else gets 404."""
    if participants is None:
        role = common.participant_role(user, meeting)
    else:
        role = next((p.role for p in participants if p.user_id == user.pk), None)
    if role is None:
        raise Http404
    return Seat(meeting, role)


def _meeting_seat(request, pk: int) -> Seat:
    return _seat(request.user, common.meeting_for(request.user, pk))


def _viewing_seat(request, pk: int) -> Seat:
    """The seat for the views that only show the meeting (nothing is written
    in the request): the participants are read once, for the seat and for
    the whole state (common.share_participants)."""
    meeting = common.meeting_for(request.user, pk)
    return _seat(request.user, meeting, common.share_participants(meeting))


def _item_seat(request, pk: int) -> tuple[AgendaItem, Seat]:
    item = common.item_for(request.user, pk)
    return item, _seat(request.user, item.meeting)


# --- the state of the meeting ------------------------------------------------


@dataclass
class Row:
    item: AgendaItem
    decision: consent.Decision | None  # None for topic items
    summary: consent.ShareableSummary | None = None
    forms: dict = field(default_factory=dict)
    # What the agenda shows of every item (twice: the navigation and the item
    # itself), worked out once here: for 30 items, cheaper than the template's
    # lookups through item.case.employee and a localised number.
    pk: str = field(init=False)
    name: str = field(init=False)
    status_label: str = field(init=False)

    def __post_init__(self):
        item = self.item
        self.pk = str(item.pk)
        self.name = item.case.employee.full_name if item.case_id else item.title
        self.status_label = item.get_status_display()

    @property
    def available(self) -> bool:
        return self.decision is None or self.decision.allowed

    @property
    def is_open(self) -> bool:
        return self.item.status == AgendaItem.Status.OPEN

    @property
    def has_details(self) -> bool:
        """Whether the item shows more than its heading and open button: it is
        no longer pending, or has records. Spares the template the checks of
        every block below for each pending item."""
        item = self.item
        return bool(
            item.status != AgendaItem.Status.PENDING
            or item.decision_list
            or item.action_point_list
            or item.sro_factors
        )


def _owner_choices(participants: list[Participant], item: AgendaItem) -> list[tuple[int, str]]:
    """R10: an action point is for a participant or the employee concerned."""
    choices = [
        (p.user_id, f"{p.user.get_full_name() or p.user.get_username()} ({p.get_role_display()})")
        for p in participants
    ]
    employee = item.case.employee if item.case_id else None
    if employee is not None and employee.user_id and employee.user_id not in {c[0] for c in choices}:
        choices.append((employee.user_id, _("%(name)s (medewerker)") % {"name": employee.full_name}))
    return choices


def _item_forms(
    seat: Seat, row: Row, participants, *, physician: bool, bound: dict, open_url: Callable[[int], str]
) -> dict:
    item, meeting = row.item, seat.meeting
    organisation = meeting.organisation
    prefix = f"item{item.pk}"
    # Every key present (None: not offered), so the template's lookups hit
    # (a missing key costs Django's lookup three exceptions, times 30 items).
    forms: dict = dict.fromkeys(ITEM_FORMS)
    # "open" and "close" are a button with the item's version (VersionForm on
    # the way back), given here as the form's action; the template writes the
    # hidden field itself, as the widget would, since there is one per
    # pending item on the chair's page.
    if item.status == AgendaItem.Status.PENDING and seat.is_chair and row.available:
        forms["open"] = open_url(item.pk)
    if item.status != AgendaItem.Status.OPEN:
        return forms
    if seat.is_chair:
        forms["close"] = reverse("item_close", args=[item.pk])
    if physician and item.case_id:
        # Never bound: the note is not shown back on this page (R9).
        forms["note"] = PhysicianNoteForm(auto_id=f"id_{prefix}_note_%s")
    if not (seat.can_record and row.available):
        return forms
    forms["decision"] = bound.get("decision") or DecisionForm(
        organisation=organisation, auto_id=f"id_{prefix}_decision_%s"
    )
    forms["action_point"] = bound.get("action_point") or ActionPointForm(
        organisation=organisation,
        owners=_owner_choices(participants, item),
        initial={"due": meeting.date},
        auto_id=f"id_{prefix}_action_%s",
    )
    if meeting.meeting_type == MeetingType.SRO and item.case_id:
        forms["factors"] = bound.get("factors") or SroFactorsForm(
            initial={"factors": item.sro_factors, "version": item.version},
            auto_id=f"id_{prefix}_factors_%s",
        )
    return forms


def _attach_records(items: list[AgendaItem]) -> None:
    """Every item's decisions and action points as plain lists on the item
    (decision_list, action_point_list): one query each, with only the columns
    the page shows, grouped by hand (prefetch_related's per-object
    bookkeeping costs more than the two queries)."""
    if not items:
        return
    by_pk = {}
    for item in items:
        item.decision_list, item.action_point_list = [], []
        by_pk[item.pk] = item
    for decision in Decision.objects.filter(item__in=list(by_pk)).only("item", "text"):
        by_pk[decision.item_id].decision_list.append(decision)
    points = (
        ActionPoint.objects.filter(item__in=list(by_pk))
        .select_related("owner")
        .only("item", "what", "owner", "owner_label", "due", "type", *user_name_columns("owner"))
    )
    for point in points:
        by_pk[point.item_id].action_point_list.append(point)


def _state(request, seat: Seat, *, bound_item: int | None = None, bound: dict | None = None, **extra) -> dict:
    """Everything the state partial shows, in a constant number of queries."""
    meeting, user = seat.meeting, request.user
    # Once for the page: the readiness of every item and the summary of the
    # open one (the consent gate's meeting context) reuse them. _state runs
    # after the request's last write.
    participants = common.share_participants(meeting)
    rows = [Row(r.item, r.decision) for r in readiness(meeting)]
    _attach_records([r.item for r in rows])
    physician = bool(roles_of(user) & PHYSICIAN_ROLES)
    running_now = meeting.status == Meeting.Status.OPEN and meeting.roles_confirmed_at is not None
    open_url = url_for_each("item_open")
    for row in rows:
        if row.is_open and row.available and row.item.case_id:
            row.summary = running.summary_for(row.item)
        if running_now:
            own = bound if bound_item == row.item.pk else {}
            row.forms = _item_forms(
                seat, row, participants, physician=physician, bound=own or {}, open_url=open_url
            )
    context = {
        "meeting": meeting,
        "seat": seat,
        "participants": participants,
        "rows": rows,
        # The hidden CSRF field of the items' forms, rendered once: a
        # {% csrf_token %} costs some 12 µs, once per pending item for the chair.
        "csrf_input": csrf_input(request),
        # Read-only participants follow the chair; whoever has a form to fill
        # in refreshes by hand so that polling never wipes what they type.
        "poll": meeting.status in LIVE and not seat.can_record and not physician,
    }
    if seat.is_chair:
        if meeting.status == Meeting.Status.OPEN and meeting.roles_confirmed_at is None:
            context["roles_form"] = extra.pop("roles_form", None) or ConfirmRolesForm(
                participants=participants
            )
        if running_now:
            if meeting.meeting_type == MeetingType.THEME:
                context["minutes_form"] = extra.pop("minutes_form", None) or ThemeMinutesForm(
                    initial={"text": meeting.minutes_text, "version": meeting.version}
                )
            context["close_form"] = extra.pop("close_form", None) or CloseMeetingForm()
        if meeting.status == Meeting.Status.CLOSED:
            context["evaluation_form"] = extra.pop("evaluation_form", None) or MeetingEvaluationForm(
                organisation=meeting.organisation,
                initial={
                    "stayed_in_frame": {True: "ja", False: "nee"}.get(meeting.evaluation_stayed_in_frame),
                    "note": meeting.evaluation_note,
                },
            )
    context.update(extra)
    return context


def _run_url(meeting: Meeting, item_id: int | None = None) -> str:
    url = reverse("meeting_run", args=[meeting.pk])
    return f"{url}#punt-{item_id}" if item_id else url


def _render(request, seat: Seat, *, status: int = 200, **state):
    """The state partial for htmx, else the whole page (a form with errors,
    a conflict or a warning: nothing to redirect to)."""
    context = _state(request, seat, **state)
    template = STATE_TEMPLATE if is_htmx(request) else PAGE_TEMPLATE
    return render(request, template, context, status=status)


def _done(request, seat: Seat, text: str, *, error: bool = False, item_id: int | None = None):
    """After an action (or a refusal with a message): htmx gets the new
    state with the message, a browser a redirect (post/redirect/get)."""
    if is_htmx(request):
        return _render(request, seat, feedback=text, feedback_error=error)
    (messages.error if error else messages.success)(request, text)
    return redirect(_run_url(seat.meeting, item_id))


def _blocked(request, seat: Seat, blocked: running.ItemBlocked, item_id: int):
    """R8: only that the item is not available, and for the chair what to do
    next; never why (a withdrawal reads like any other case)."""
    text = blocked.decision.chair_message or str(consent.NOT_AVAILABLE)
    if seat.is_chair:
        text = " ".join([f"{text}.", *blocked.decision.next_steps])
    return _done(request, seat, text, error=True, item_id=item_id)


def _errors(error: ValidationError) -> str:
    return " ".join(error.messages)


def _version(request) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data["version"] if form.is_valid() else None
