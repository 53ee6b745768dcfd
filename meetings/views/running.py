"""The meeting mode (vergadermodus, R8, R10, R11, R17, R21, R22).

Only participants of the meeting see it; everybody else gets 404 (R4: the
circle stays small, its existence is confidential). The chair opens the
meeting, confirms who is present in which role (R21) and takes the agenda
item by item; the chair and the minute taker record decisions and action
points; a bedrijfsarts writes notes for the medical file only.

Thin views: forms parse, meetings.services decide (the consent gate included).
Every action is a plain form POST; with htmx (HX-Request) the view answers
the state partial instead of a redirect. A stale version answers 409 with
the current state.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, prefetch_related_objects
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consent import services as consent
from consent.types import MeetingType
from smo.permissions import authenticated
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
from ..models import ActionPoint, AgendaItem, Meeting, Participant
from ..services import closing, common, running
from ..services.agenda import readiness

STATE_TEMPLATE = "meetings/running/_state.html"
PAGE_TEMPLATE = "meetings/running/run.html"
RECORDERS = {Participant.Role.CHAIR, Participant.Role.MINUTE_TAKER}
LIVE = {Meeting.Status.PLANNED, Meeting.Status.OPEN}


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


def _seat(user, meeting: Meeting) -> Seat:
    role = common.participant_role(user, meeting)
    if role is None:
        raise Http404
    return Seat(meeting, role)


def _meeting_seat(request, pk: int) -> Seat:
    return _seat(request.user, common.meeting_for(request.user, pk))


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

    @property
    def available(self) -> bool:
        return self.decision is None or self.decision.allowed

    @property
    def is_open(self) -> bool:
        return self.item.status == AgendaItem.Status.OPEN


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


def _item_forms(seat: Seat, row: Row, participants, *, physician: bool, bound: dict) -> dict:
    item, meeting = row.item, seat.meeting
    organisation = meeting.organisation
    prefix = f"item{item.pk}"
    forms: dict = {}
    if item.status == AgendaItem.Status.PENDING and seat.is_chair and row.available:
        forms["open"] = VersionForm(initial={"version": item.version}, auto_id=f"id_{prefix}_open_%s")
    if item.status != AgendaItem.Status.OPEN:
        return forms
    if seat.is_chair:
        forms["close"] = VersionForm(initial={"version": item.version}, auto_id=f"id_{prefix}_close_%s")
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


def _state(request, seat: Seat, *, bound_item: int | None = None, bound: dict | None = None, **extra) -> dict:
    """Everything the state partial shows, in a constant number of queries."""
    meeting, user = seat.meeting, request.user
    participants = common.participants_with_roles(meeting)
    rows = [Row(r.item, r.decision) for r in readiness(meeting)]
    prefetch_related_objects(
        [r.item for r in rows],
        "decisions",
        Prefetch("action_points", queryset=ActionPoint.objects.select_related("owner")),
    )
    physician = bool(roles_of(user) & PHYSICIAN_ROLES)
    running_now = meeting.status == Meeting.Status.OPEN and meeting.roles_confirmed_at is not None
    for row in rows:
        if row.is_open and row.available and row.item.case_id:
            row.summary = running.summary_for(row.item)
        if running_now:
            own = bound if bound_item == row.item.pk else {}
            row.forms = _item_forms(seat, row, participants, physician=physician, bound=own or {})
    context = {
        "meeting": meeting,
        "seat": seat,
        "participants": participants,
        "rows": rows,
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


# --- the page -----------------------------------------------------------------


@authenticated
@require_GET
def meeting_run(request, pk: int):
    seat = _meeting_seat(request, pk)
    return render(request, PAGE_TEMPLATE, _state(request, seat))


@authenticated
@require_GET
def meeting_run_state(request, pk: int):
    """The state partial, for the read-only participants' polling."""
    seat = _meeting_seat(request, pk)
    return render(request, STATE_TEMPLATE, _state(request, seat))


# --- the chair: open, confirm roles, close, evaluate ---------------------------


@authenticated
@require_POST
def meeting_open(request, pk: int):
    seat = _meeting_seat(request, pk)
    try:
        seat.meeting = running.open_meeting(user=request.user, meeting_id=pk)
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True)
    return _done(
        request, seat, _("Het overleg is geopend. Bevestig wie er aanwezig is en in welke rol (R21).")
    )


@authenticated
@require_POST
def meeting_confirm_roles(request, pk: int):
    seat = _meeting_seat(request, pk)
    common.require_chair(request.user, seat.meeting)
    form = ConfirmRolesForm(request.POST, participants=common.participants_with_roles(seat.meeting))
    if not form.is_valid():
        return _render(request, seat, roles_form=form)
    try:
        seat.meeting = running.confirm_roles(
            user=request.user, meeting_id=pk, present_user_ids=set(form.cleaned_data["present"])
        )
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True)
    return _done(request, seat, _("De aanwezigen en hun rollen zijn bevestigd. U kunt de agenda bespreken."))


@authenticated
@require_POST
def meeting_minutes(request, pk: int):
    """R11: the full minutes of a beleids-/thema-SMT (with the version seen)."""
    seat = _meeting_seat(request, pk)
    common.require_chair(request.user, seat.meeting)
    form = ThemeMinutesForm(request.POST)
    if not form.is_valid():
        return _render(request, seat, minutes_form=form)
    try:
        seat.meeting = closing.save_theme_minutes(
            user=request.user,
            meeting_id=pk,
            text=form.cleaned_data["text"],
            expected_version=form.cleaned_data["version"],
        )
    except common.StaleEdit:
        seat.meeting = common.meeting_for(request.user, pk)
        mine = ThemeMinutesForm({"text": form.cleaned_data["text"], "version": seat.meeting.version})
        return _render(
            request,
            seat,
            status=409,
            minutes_form=mine,
            minutes_conflict=True,
            feedback=_stale_minutes_message(),
            feedback_error=True,
        )
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True)
    return _done(request, seat, _("Het verslag is opgeslagen."))


@authenticated
@require_POST
def meeting_close(request, pk: int):
    """R5, R7a, R10, R11: closing checks the minutes; a theme SMT whose
    minutes name people needs an explicit reason."""
    seat = _meeting_seat(request, pk)
    common.require_chair(request.user, seat.meeting)
    form = CloseMeetingForm(request.POST)
    if not form.is_valid():
        return _render(request, seat, close_form=form)
    try:
        seat.meeting = closing.close_meeting(
            user=request.user, meeting_id=pk, override_reason=form.cleaned_data["override_reason"]
        )
    except closing.MinutesWarning as warning:
        if request.POST.get("override_reason") is not None:
            form.add_error("override_reason", _("Geef een reden, of pas het verslag eerst aan."))
        return _render(request, seat, close_form=form, minutes_warning=warning.found)
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True)
    text = _("Het overleg is gesloten. Het verslag staat klaar voor de deelnemers.")
    if seat.meeting.meeting_type == MeetingType.MULTIDISCIPLINARY:
        text += " " + _("Informeer de medewerker over de uitkomst (R5); dit staat bij uw actiepunten.")
    return _done(request, seat, text)


@authenticated
@require_POST
def meeting_evaluation(request, pk: int):
    """R21: the chair's short evaluation after the meeting."""
    seat = _meeting_seat(request, pk)
    common.require_chair(request.user, seat.meeting)
    form = MeetingEvaluationForm(request.POST, organisation=seat.meeting.organisation)
    if not form.is_valid():
        return _render(request, seat, evaluation_form=form)
    try:
        seat.meeting = closing.record_evaluation(
            user=request.user,
            meeting_id=pk,
            stayed_in_frame=form.cleaned_data["stayed_in_frame"],
            note=form.cleaned_data["note"],
        )
    except ValidationError as error:
        if getattr(error, "code", None) == "medical_terms":
            form.add_error("note", error)
            return _render(request, seat, evaluation_form=form)
        return _done(request, seat, _errors(error), error=True)
    return _done(request, seat, _("Uw evaluatie van het overleg is vastgelegd."))


# --- the agenda items -----------------------------------------------------------


@authenticated
@require_POST
def item_open(request, pk: int):
    _item, seat = _item_seat(request, pk)
    try:
        running.open_item(user=request.user, item_id=pk, expected_version=_version(request))
    except running.ItemBlocked as blocked:
        return _blocked(request, seat, blocked, pk)
    except common.StaleEdit:
        return _render(request, seat, status=409, feedback=_stale_item_message(), feedback_error=True)
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True, item_id=pk)
    return _done(request, seat, _("Het agendapunt is geopend."), item_id=pk)


@authenticated
@require_POST
def item_close(request, pk: int):
    _item, seat = _item_seat(request, pk)
    try:
        running.close_item(user=request.user, item_id=pk, expected_version=_version(request))
    except common.StaleEdit:
        return _render(request, seat, status=409, feedback=_stale_item_message(), feedback_error=True)
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True, item_id=pk)
    return _done(request, seat, _("Het agendapunt is afgerond."), item_id=pk)


def _form_shown(seat: Seat, item: AgendaItem) -> bool:
    meeting = seat.meeting
    return (
        item.status == AgendaItem.Status.OPEN
        and meeting.status == Meeting.Status.OPEN
        and meeting.roles_confirmed_at is not None
    )


def _refused(request, seat: Seat, item: AgendaItem, name: str, form, error: ValidationError):
    """A service's refusal of a recording form: medical terms (R7a) onto the
    text field, other reasons onto the form while it is shown, else a message."""
    if getattr(error, "code", None) == "medical_terms":
        form.add_error(form.employer_text_fields[0], error)
    elif _form_shown(seat, item):
        form.add_error(None, error)
    else:
        return _done(request, seat, _errors(error), error=True, item_id=item.pk)
    return _render(request, seat, bound_item=item.pk, bound={name: form})


@authenticated
@require_POST
def item_decision(request, pk: int):
    """R10: a decision or agreement; no medical terms (R7a); gated (R8)."""
    item, seat = _item_seat(request, pk)
    common.require_recorder(request.user, seat.meeting)
    form = DecisionForm(
        request.POST, organisation=seat.meeting.organisation, auto_id=f"id_item{pk}_decision_%s"
    )
    if not form.is_valid():
        return _render(request, seat, bound_item=pk, bound={"decision": form})
    try:
        running.record_decision(user=request.user, item_id=pk, text=form.cleaned_data["text"])
    except running.ItemBlocked as blocked:
        return _blocked(request, seat, blocked, pk)
    except ValidationError as error:
        return _refused(request, seat, item, "decision", form, error)
    return _done(request, seat, _("Het besluit is vastgelegd."), item_id=pk)


@authenticated
@require_POST
def item_action_point(request, pk: int):
    """R10, R22: an action point with its support measure; gated (R8)."""
    item, seat = _item_seat(request, pk)
    common.require_recorder(request.user, seat.meeting)
    form = ActionPointForm(
        request.POST,
        organisation=seat.meeting.organisation,
        owners=_owner_choices(common.participants_with_roles(seat.meeting), item),
        auto_id=f"id_item{pk}_action_%s",
    )
    if not form.is_valid():
        return _render(request, seat, bound_item=pk, bound={"action_point": form})
    data = form.cleaned_data
    try:
        running.add_action_point(
            user=request.user,
            item_id=pk,
            what=data["what"],
            due=data["due"],
            type=data["type"],
            owner=form.owner_user(),
            owner_label=data["owner_label"],
        )
    except running.ItemBlocked as blocked:
        return _blocked(request, seat, blocked, pk)
    except ValidationError as error:
        return _refused(request, seat, item, "action_point", form, error)
    return _done(request, seat, _("Het actiepunt is vastgelegd."), item_id=pk)


@authenticated
@require_POST
def item_sro_factors(request, pk: int):
    """R17: the influenceable factors discussed (SRO)."""
    _item, seat = _item_seat(request, pk)
    common.require_recorder(request.user, seat.meeting)
    form = SroFactorsForm(request.POST, auto_id=f"id_item{pk}_factors_%s")
    if not form.is_valid():
        return _render(request, seat, bound_item=pk, bound={"factors": form})
    try:
        running.tag_sro_factors(
            user=request.user,
            item_id=pk,
            factors=form.cleaned_data["factors"],
            expected_version=form.cleaned_data["version"],
        )
    except running.ItemBlocked as blocked:
        return _blocked(request, seat, blocked, pk)
    except common.StaleEdit:
        return _render(request, seat, status=409, feedback=_stale_item_message(), feedback_error=True)
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True, item_id=pk)
    return _done(request, seat, _("De besproken factoren zijn vastgelegd."), item_id=pk)


@authenticated
@require_POST
def item_physician_note(request, pk: int):
    """R9: the bedrijfsarts's note goes to the medical file only; it is never
    shown back here (not even after an error)."""
    _item, seat = _item_seat(request, pk)
    if not roles_of(request.user) & PHYSICIAN_ROLES:
        raise PermissionDenied
    form = PhysicianNoteForm(request.POST)
    if not form.is_valid():
        return _done(request, seat, _("Schrijf eerst een aantekening."), error=True, item_id=pk)
    try:
        running.record_physician_note(user=request.user, item_id=pk, text=form.cleaned_data["text"])
    except ValidationError as error:
        return _done(request, seat, _errors(error), error=True, item_id=pk)
    return _done(
        request,
        seat,
        _(
            "Uw aantekening staat in het medisch dossier. Ze komt niet in het verslag en wordt hier niet getoond."
        ),
        item_id=pk,
    )


urlpatterns = [
    path("overleggen/<int:pk>/vergadermodus/", meeting_run, name="meeting_run"),
    path("overleggen/<int:pk>/vergadermodus/stand/", meeting_run_state, name="meeting_run_state"),
    path("overleggen/<int:pk>/openen/", meeting_open, name="meeting_open"),
    path("overleggen/<int:pk>/rollen/", meeting_confirm_roles, name="meeting_confirm_roles"),
    path("overleggen/<int:pk>/verslag/tekst/", meeting_minutes, name="meeting_minutes"),
    path("overleggen/<int:pk>/sluiten/", meeting_close, name="meeting_close"),
    path("overleggen/<int:pk>/evaluatie/", meeting_evaluation, name="meeting_evaluation"),
    path("agendapunten/<int:pk>/openen/", item_open, name="item_open"),
    path("agendapunten/<int:pk>/besluit/", item_decision, name="item_decision"),
    path("agendapunten/<int:pk>/actiepunt/", item_action_point, name="item_action_point"),
    path("agendapunten/<int:pk>/factoren/", item_sro_factors, name="item_sro_factors"),
    path("agendapunten/<int:pk>/afronden/", item_close, name="item_close"),
    path("agendapunten/<int:pk>/aantekening/", item_physician_note, name="item_physician_note"),
]
