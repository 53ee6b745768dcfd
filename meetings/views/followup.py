"""After the meeting (R5, R10, R11, R22): the minutes, the action points with
their status, and the manager's open obligation to inform the employee after
a multidisciplinaire consultatie.

Thin views: meetings.services.closing and .actions decide who sees what.
Minutes of a case meeting exist only for its participants and, for their own
items, the employees concerned; everybody else gets 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from smo.permissions import authenticated, require_in
from smo.roles import Role, roles_of

from ..forms_running import SCOPES, ActionPointStatusForm
from ..services import actions, closing, common
from .run_state import is_htmx

PAGE_SIZE = 50
EMPLOYER_ROLES = frozenset({Role.LEIDINGGEVENDE, Role.HR})


def _stale_action_point_message() -> str:
    return _(
        "Iemand anders heeft dit actiepunt intussen gewijzigd. Uw wijziging is niet opgeslagen. "
        "Hieronder ziet u de huidige stand; probeer het zo nodig opnieuw."
    )


# --- minutes --------------------------------------------------------------------


@authenticated
@require_GET
def meeting_minutes_view(request, pk: int):
    """R10: case minutes hold decisions and action points only (never what
    was said, never notes); R11: a theme SMT's full minutes."""
    minutes = closing.minutes_for(request.user, pk)
    return render(
        request,
        "meetings/followup/minutes.html",
        {"minutes": minutes, "meeting": minutes.meeting, "is_case_meeting": minutes.meeting.is_case_meeting},
    )


# --- action points ----------------------------------------------------------------


def _scope(value: str | None) -> str:
    return value if value in SCOPES else "mine"


def _status_form(point, data=None) -> ActionPointStatusForm:
    return ActionPointStatusForm(
        data,
        initial={"status": point.status, "version": point.version},
        auto_id=f"id_ap{point.pk}_%s",
    )


def _list_page(request, scope: str, *, status: int = 200, feedback: str = "", page_number=None):
    user = request.user
    points = actions.action_points_for(user, scope=scope)
    page = Paginator(points, PAGE_SIZE).get_page(page_number)
    context = {
        "scope": scope,
        "scopes": [
            (key, label)
            for key, label in SCOPES.items()
            if key != "department" or roles_of(user) & EMPLOYER_ROLES
        ],
        "page": page,
        "rows": [(point, _status_form(point)) for point in page.object_list],
        "follow_ups": list(actions.open_follow_ups_for(user)),
        "feedback": feedback,
        "today": timezone.localdate(),
    }
    return render(request, "meetings/followup/action_points.html", context, status=status)


@authenticated
@require_GET
def action_point_list(request):
    return _list_page(request, _scope(request.GET.get("selectie")), page_number=request.GET.get("pagina"))


def _row(
    request, point, scope: str, *, status: int = 200, feedback: str = "", error: bool = False, form=None
):
    context = {
        "point": point,
        "form": form or _status_form(point),
        "scope": scope,
        "feedback": feedback,
        "feedback_error": error,
        "today": timezone.localdate(),
    }
    return render(request, "meetings/followup/_action_point_row.html", context, status=status)


@authenticated
@require_POST
def action_point_status(request, pk: int):
    """Open, gedaan, vervallen, with the version seen (optimistic locking)."""
    visible = actions.action_points_visible_to(request.user).select_related(
        "item__meeting", "case__employee", "owner"
    )
    point = require_in(visible, pk=pk)
    scope = _scope(request.POST.get("selectie"))
    back = f"{reverse('action_point_list')}?selectie={scope}#actiepunt-{pk}"
    form = _status_form(point, request.POST)
    if not form.is_valid():
        if is_htmx(request):
            return _row(request, point, scope, form=form)
        messages.error(request, _("Kies een geldige status."))
        return redirect(back)
    try:
        actions.set_action_point_status(
            user=request.user,
            action_point_id=pk,
            status=form.cleaned_data["status"],
            expected_version=form.cleaned_data["version"],
        )
    except common.StaleEdit:
        point = visible.get(pk=pk)
        if is_htmx(request):
            return _row(request, point, scope, status=409, feedback=_stale_action_point_message(), error=True)
        return _list_page(request, scope, status=409, feedback=_stale_action_point_message())
    except ValidationError as error:
        if is_htmx(request):
            return _row(request, point, scope, feedback=" ".join(error.messages), error=True)
        messages.error(request, " ".join(error.messages))
        return redirect(back)
    if is_htmx(request):
        return _row(request, visible.get(pk=pk), scope, feedback=_("Opgeslagen."))
    messages.success(request, _("De status van het actiepunt is bijgewerkt."))
    return redirect(back)


# --- R5: inform the employee of the outcome ------------------------------------------


@authenticated
@require_POST
def follow_up_done(request, pk: int):
    """R5: the manager marks that the employee was informed of the outcome.
    Somebody else's obligation does not exist for the user (404)."""
    try:
        closing.mark_follow_up_done(user=request.user, obligation_id=pk)
    except PermissionDenied:
        raise Http404 from None
    text = _("Vastgelegd dat u de medewerker over de uitkomst hebt geïnformeerd.")
    if is_htmx(request):
        context = {"follow_ups": list(actions.open_follow_ups_for(request.user)), "feedback": text}
        return render(request, "meetings/followup/_follow_ups.html", context)
    messages.success(request, text)
    return redirect("action_point_list")


urlpatterns = [
    path("overleggen/<int:pk>/verslag/", meeting_minutes_view, name="meeting_minutes_view"),
    path("actiepunten/", action_point_list, name="action_point_list"),
    path("actiepunten/<int:pk>/status/", action_point_status, name="action_point_status"),
    path("terugkoppelingen/<int:pk>/gedaan/", follow_up_done, name="follow_up_done"),
]
