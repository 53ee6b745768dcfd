"""Preparing the agenda (R1, R3, R20): add cases and topics, reorder, remove.
The rules are in meetings.services.agenda."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from smo.permissions import authenticated

from ..forms_scheduling import (
    AgendaCaseForm,
    AgendaTopicForm,
    type_help,
)
from ..models import Meeting
from ..services import agenda
from ..services.common import (
    item_for,
    meeting_for,
)
from .scheduling import TEMPLATES, add_errors, detail_url

# --- preparing the agenda ------------------------------------------------------------


def _prepared_meeting(user, pk: int) -> Meeting:
    meeting = meeting_for(user, pk)
    if not agenda.may_prepare(user, meeting):
        raise PermissionDenied
    return meeting


@authenticated
@require_http_methods(["GET", "POST"])
def agenda_add_case(request, pk: int):
    user = request.user
    meeting = _prepared_meeting(user, pk)
    data = request.POST if request.method == "POST" else None
    form = AgendaCaseForm(
        data,
        organisation=meeting.organisation,
        cases=agenda.cases_to_bring_in(user, meeting)
        .select_related("employee")
        .order_by("employee__last_name", "employee__first_name", "pk"),
    )
    if data is not None and form.is_valid():
        try:
            agenda.add_case_item(
                user=user,
                meeting_id=meeting.pk,
                case_id=form.cleaned_data["case"].pk,
                questions=form.cleaned_data["questions"],
            )
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("De casus staat op de agenda."))
            return redirect(detail_url(meeting.pk, "agenda"))
    context = {
        "meeting": meeting,
        "form": form,
        "proposals": agenda.proposed_cases(user, meeting),
        "type_help": next(t for t in type_help() if t.value == meeting.meeting_type),
    }
    return render(request, TEMPLATES + "agenda_case_form.html", context)


@authenticated
@require_http_methods(["GET", "POST"])
def agenda_add_topic(request, pk: int):
    user = request.user
    meeting = _prepared_meeting(user, pk)
    data = request.POST if request.method == "POST" else None
    form = AgendaTopicForm(data, organisation=meeting.organisation)
    if data is not None and form.is_valid():
        try:
            agenda.add_topic_item(user=user, meeting_id=meeting.pk, title=form.cleaned_data["title"])
        except ValidationError as error:
            add_errors(form, error)
        else:
            messages.success(request, _("Het onderwerp staat op de agenda."))
            return redirect(detail_url(meeting.pk, "agenda"))
    return render(request, TEMPLATES + "agenda_topic_form.html", {"meeting": meeting, "form": form})


def _posted_ids(values) -> list[int]:
    return [int(v) for v in values if v.isdigit()]


@authenticated
@require_POST
def agenda_reorder(request, pk: int):
    """The item ids in their new order (``volgorde``); an "omhoog"/"omlaag"
    button moves one item a place within that order."""
    ids = _posted_ids(request.POST.getlist("volgorde"))
    moved = None
    for direction, step in (("omhoog", -1), ("omlaag", 1)):
        value = request.POST.get(direction, "")
        if value.isdigit() and int(value) in ids:
            moved = int(value)
            i = ids.index(moved)
            if 0 <= i + step < len(ids):
                ids[i], ids[i + step] = ids[i + step], ids[i]
    try:
        agenda.reorder(user=request.user, meeting_id=pk, item_ids=ids)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De volgorde van de agenda is aangepast."))
    return redirect(detail_url(pk, f"punt-{moved}" if moved else "agenda"))


@authenticated
@require_POST
def agenda_remove(request, pk: int):
    item = item_for(request.user, pk)
    try:
        agenda.remove_item(user=request.user, item_id=item.pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Het agendapunt is verwijderd."))
    return redirect(detail_url(item.meeting_id, "agenda"))


urlpatterns = [
    path("overleggen/<int:pk>/agenda/casus/", agenda_add_case, name="agenda_add_case"),
    path("overleggen/<int:pk>/agenda/onderwerp/", agenda_add_topic, name="agenda_add_topic"),
    path("overleggen/<int:pk>/agenda/volgorde/", agenda_reorder, name="agenda_reorder"),
    path("agendapunten/<int:pk>/verwijderen/", agenda_remove, name="agenda_remove"),
]
