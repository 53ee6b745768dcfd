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

from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

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
)
from ..models import AgendaItem, Meeting
from ..services import closing, common, running
from .run_state import (
    PAGE_TEMPLATE,
    STATE_TEMPLATE,
    Seat,
    _blocked,
    _done,
    _errors,
    _item_seat,
    _meeting_seat,
    _owner_choices,
    _render,
    _stale_item_message,
    _stale_minutes_message,
    _state,
    _version,
    _viewing_seat,
)

# --- the page -----------------------------------------------------------------


@authenticated
@require_GET
def meeting_run(request, pk: int):
    seat = _viewing_seat(request, pk)
    return render(request, PAGE_TEMPLATE, _state(request, seat))


@authenticated
@require_GET
def meeting_run_state(request, pk: int):
    """The state partial, for the read-only participants' polling."""
    seat = _viewing_seat(request, pk)
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
