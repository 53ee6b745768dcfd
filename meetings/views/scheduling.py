"""Scheduling and agenda pages (R1-R4, R8, R12, R20): "Mijn overleggen",
planning a meeting or a series, changing and cancelling it, and preparing its
agenda (case items with the R8 readiness, topics, order).

Thin views: forms parse, meetings.services decides and checks permission.
A meeting the user may not see answers 404 (its existence is confidential);
a visible meeting the user may not change answers 403 (PermissionDenied from
the services). Employee names appear only for participants of the meeting and
users with the case in their reintegration scope (R4, R9); the meeting list
names nobody (R12).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import OuterRef, Subquery
from django.shortcuts import redirect, render
from django.template.defaultfilters import linebreaksbr
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from consent.services import Decision, Reason
from consent.types import MeetingType
from smo import permissions
from smo.forms import add_service_errors
from smo.permissions import authenticated, require_roles
from smo.reversing import url_for_each
from smo.roles import PHYSICIAN_ROLES, ROLE_LABELS, STATISTICS_ROLES, roles_of

from ..forms_scheduling import (
    MeetingCreateForm,
    MeetingEditForm,
    MeetingForm,
    Members,
    OrganisationChoiceForm,
    invitees_from,
    participant_formset,
    type_help,
)
from ..models import AgendaItem, Meeting, Participant
from ..services import agenda, scheduling
from ..services.common import (
    StaleEdit,
    meeting_for,
    meetings_visible_to,
    participants_with_roles,
    share_participants,
)

TEMPLATES = "meetings/scheduling/"
PAST_LIMIT = 50
# Why a physician is asked to record consent (never shown in more detail).
CONSENT_NEEDED = frozenset({Reason.NO_CONSENT, Reason.SCOPE_MEETING_TYPE, Reason.CONSENT_EXPIRED})
AGENDA_OPEN = frozenset({Meeting.Status.PLANNED, Meeting.Status.OPEN})
SERVICE_FIELDS = {"department_ids": "departments"}


def add_errors(form, error: ValidationError) -> None:
    add_service_errors(form, error, SERVICE_FIELDS)


def detail_url(pk: int, anchor: str = "") -> str:
    return reverse("meeting_detail", args=[pk]) + (f"#{anchor}" if anchor else "")


# --- Mijn overleggen -------------------------------------------------------------


@authenticated
@require_GET
def meeting_list(request):
    user = request.user
    my_role = Participant.objects.filter(meeting=OuterRef("pk"), user=user).values("role")[:1]
    meetings = meetings_visible_to(user).select_related("organisation").annotate(my_role=Subquery(my_role))
    today = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    role_labels = dict(Participant.Role.choices)

    def rows(queryset):
        return [
            (
                meeting,
                role_labels.get(meeting.my_role)
                or (_("Organisator") if meeting.created_by_id == user.pk else _("Geen (inzage als HR)")),
            )
            for meeting in queryset
        ]

    context = {
        "upcoming": rows(meetings.filter(starts_at__gte=today).order_by("starts_at", "pk")),
        "past": rows(meetings.filter(starts_at__lt=today).order_by("-starts_at", "-pk")[:PAST_LIMIT]),
        "past_limit": PAST_LIMIT,
        "may_organise": bool(roles_of(user) & scheduling.ORGANISER_ROLES),
    }
    return render(request, TEMPLATES + "meeting_list.html", context)


# --- planning, changing, cancelling ---------------------------------------------------


def _chosen_organisation(request, organisations):
    """The user's only organisation, or the one they chose (GET or POST)."""
    if len(organisations) == 1:
        return organisations[0]
    chosen = request.POST.get("organisatie") or request.GET.get("organisatie") or ""
    return next((o for o in organisations if str(o.pk) == chosen), None)


@require_roles(*scheduling.ORGANISER_ROLES)
@require_http_methods(["GET", "POST"])
def meeting_create(request):
    user = request.user
    organisations = permissions.organisation_list(user)
    if not organisations:
        raise PermissionDenied
    organisation = _chosen_organisation(request, organisations)
    if organisation is None:
        form = OrganisationChoiceForm(organisations=permissions.organisations_of(user).order_by("name"))
        return render(request, TEMPLATES + "choose_organisation.html", {"form": form})
    members = Members(organisation)
    data = request.POST if request.method == "POST" else None
    form = MeetingCreateForm(data, organisation=organisation, members=members)
    formset = participant_formset(data, members=members, extra=6)
    if data is not None and form.is_valid() and formset.is_valid():
        try:
            meeting, count = _schedule(user, organisation, form, formset)
        except ValidationError as error:
            add_errors(form, error)
        else:
            if count > 1:
                messages.success(request, _("Er zijn %(count)s overleggen gepland.") % {"count": count})
            else:
                messages.success(request, _("Het overleg is gepland."))
            return redirect(detail_url(meeting.pk))
    context = {
        "form": form,
        "formset": formset,
        "organisation": organisation,
        "several_organisations": len(organisations) > 1,
        "type_help": type_help(),
        "creating": True,
    }
    return render(request, TEMPLATES + "meeting_form.html", context)


def _schedule(user, organisation, form, formset) -> tuple[Meeting, int]:
    common = {
        "user": user,
        "organisation": organisation,
        "data": form.meeting_data(),
        "chair": form.chair_user(),
        "invitees": invitees_from(formset),
    }
    if not form.cleaned_data["repeat"]:
        return scheduling.schedule_meeting(**common), 1
    series = scheduling.schedule_series(
        **common, interval_weeks=form.cleaned_data["interval_weeks"], count=form.cleaned_data["count"]
    )
    meetings = list(series.meetings.order_by("starts_at"))
    return meetings[0], len(meetings)


@authenticated
@require_http_methods(["GET", "POST"])
def meeting_edit(request, pk: int):
    user = request.user
    meeting = meeting_for(user, pk)
    if not scheduling.may_change(user, meeting):
        raise PermissionDenied
    members = Members(meeting.organisation)
    kwargs = {"organisation": meeting.organisation, "members": members}
    conflict = None
    if request.method == "POST":
        form = MeetingEditForm(request.POST, **kwargs)
        formset = participant_formset(request.POST, members=members)
        if form.is_valid() and formset.is_valid():
            try:
                scheduling.update_meeting(
                    user=user,
                    meeting_id=meeting.pk,
                    expected_version=form.cleaned_data["version"],
                    data=form.meeting_data(),
                    chair=form.chair_user(),
                    invitees=invitees_from(formset),
                )
            except StaleEdit:
                # Keep what the user typed; a deliberate second save overwrites.
                conflict = meeting_for(user, pk)
                data = request.POST.copy()
                data["version"] = str(conflict.version)
                form = MeetingEditForm(data, **kwargs)
            except ValidationError as error:
                add_errors(form, error)
            else:
                messages.success(request, _("Het overleg is gewijzigd."))
                return redirect(detail_url(meeting.pk))
    else:
        people = participants_with_roles(meeting)
        chair_id = next((p.user_id for p in people if p.role == Participant.Role.CHAIR), None)
        form = MeetingEditForm(initial=MeetingForm.initial_from(meeting, chair_id), **kwargs)
        formset = participant_formset(
            None,
            members=members,
            initial=[{"user": p.user_id, "role": p.role} for p in people if p.user_id != chair_id],
        )
    context = {
        "meeting": meeting,
        "form": form,
        "formset": formset,
        "organisation": meeting.organisation,
        "type_help": type_help(),
        "conflict": conflict,
        "conflict_message": StaleEdit.message,
        "conflict_people": participants_with_roles(conflict) if conflict else (),
    }
    return render(request, TEMPLATES + "meeting_form.html", context, status=409 if conflict else 200)


@authenticated
@require_http_methods(["GET", "POST"])
def meeting_cancel(request, pk: int):
    user = request.user
    if request.method == "POST":
        try:
            scheduling.cancel_meeting(user=user, meeting_id=pk)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect(detail_url(pk))
        messages.success(request, _("Het overleg is geannuleerd."))
        return redirect("meeting_list")
    meeting = meeting_for(user, pk)
    if not scheduling.may_change(user, meeting):
        raise PermissionDenied
    return render(request, TEMPLATES + "cancel_confirm.html", {"meeting": meeting})


# --- the meeting page -------------------------------------------------------------------


@dataclass(frozen=True)
class AgendaRow:
    item: AgendaItem
    decision: Decision | None  # None for topic items
    employee_name: str | None  # None: not for this user's eyes (R4, R9)
    needs_consent: bool  # shown to a physician participant only, without why
    consent_url: str | None  # where that physician records it (if authorised)
    # The table's cells, prepared here once per row: the template then only
    # inserts them (30 rows; no template tags or number formatting per cell).
    pk: str
    number: str
    label: str  # "punt 3", for screen readers
    case_label: str | None  # "Casus <name>" when the name may be shown
    questions: str  # with line breaks, for a named case
    status: str
    remove_url: str | None  # a pending item, for whoever prepares the agenda


def _agenda_rows(
    user, rows: list[agenda.ItemReadiness], *, participant: bool, preparing: bool
) -> list[AgendaRow]:
    """Names for participants and whoever has the case in their
    reintegration scope; a consent link for a physician participant
    where a consent is missing (without saying more)."""
    case_ids = [r.item.case_id for r in rows if r.item.case_id]
    in_scope = (
        set(case_ids)
        if participant
        else set(
            permissions.cases_in_reintegration_scope(user)
            .filter(pk__in=case_ids)
            .values_list("pk", flat=True)
        )
    )
    physician = participant and bool(roles_of(user) & PHYSICIAN_ROLES)
    needing = {
        r.item.pk: r.item.case.employee_id
        for r in rows
        if physician and r.decision is not None and set(r.decision.reasons) & CONSENT_NEEDED
    }
    authorised = set(
        permissions.employees_with_medical_authorisation(user)
        .filter(pk__in=list(needing.values()))
        .values_list("pk", flat=True)
        if needing
        else ()
    )
    statuses = {value: str(label) for value, label in AgendaItem.Status.choices}
    remove_url = url_for_each("agenda_remove")
    item_label, case_label = _("punt %(n)s"), _("Casus %(name)s")
    result = []
    for number, r in enumerate(rows, start=1):
        item = r.item
        employee = item.case.employee if item.case_id else None
        name = employee.full_name if employee and item.case_id in in_scope else None
        result.append(
            AgendaRow(
                item=item,
                decision=r.decision,
                employee_name=name,
                needs_consent=item.pk in needing,
                consent_url=(
                    reverse("consent_create", args=[employee.pk])
                    if item.pk in needing and employee.pk in authorised
                    else None
                ),
                pk=str(item.pk),
                number=str(number),
                label=item_label % {"n": number},
                case_label=case_label % {"name": name} if name else None,
                questions=linebreaksbr(item.questions, autoescape=True) if name else "",
                status=statuses.get(item.status, item.status),
                remove_url=(
                    remove_url(item.pk) if preparing and item.status == AgendaItem.Status.PENDING else None
                ),
            )
        )
    return result


@authenticated
@require_GET
def meeting_detail(request, pk: int):
    user = request.user
    meeting = meeting_for(user, pk)
    # Read once for the page: the roles below and the consent gate (readiness).
    people = share_participants(meeting)
    my_role = next((p.role for p in people if p.user_id == user.pk), None)
    may_prepare = meeting.status in AGENDA_OPEN and agenda.may_prepare(user, meeting)
    rows = _agenda_rows(
        user, agenda.readiness(meeting), participant=my_role is not None, preparing=may_prepare
    )
    context = {
        "meeting": meeting,
        "created_by": meeting.created_by,
        "departments": list(meeting.departments.all()),
        "people": [
            (p, [str(ROLE_LABELS[g.name]) for g in p.user.role_groups if g.name in ROLE_LABELS])
            for p in people
        ],
        "my_role": my_role,
        "my_role_label": dict(Participant.Role.choices).get(my_role),
        "rows": rows,
        "order": [r.pk for r in rows],
        "needing_consent": [r for r in rows if r.needs_consent],
        "is_physician": my_role is not None and bool(roles_of(user) & PHYSICIAN_ROLES),
        "may_change": meeting.status == Meeting.Status.PLANNED and scheduling.may_change(user, meeting),
        "may_prepare": may_prepare,
        "takes_topics": meeting.meeting_type in agenda.TOPIC_KINDS,
        "may_run": my_role == Participant.Role.CHAIR and meeting.status in AGENDA_OPEN,
        "may_follow": my_role not in (None, Participant.Role.CHAIR) and meeting.status in AGENDA_OPEN,
        "has_minutes": meeting.status == Meeting.Status.CLOSED,
        # R18: in an SRO the arbeidsdeskundige presents the figures.
        "may_present_statistics": meeting.meeting_type == MeetingType.SRO
        and bool(roles_of(user) & set(STATISTICS_ROLES)),
    }
    return render(request, TEMPLATES + "meeting_detail.html", context)


urlpatterns = [
    path("overleggen/", meeting_list, name="meeting_list"),
    path("overleggen/nieuw/", meeting_create, name="meeting_create"),
    path("overleggen/<int:pk>/", meeting_detail, name="meeting_detail"),
    path("overleggen/<int:pk>/wijzigen/", meeting_edit, name="meeting_edit"),
    path("overleggen/<int:pk>/annuleren/", meeting_cancel, name="meeting_cancel"),
]
