"""Project-wide pages: health check, the role-aware home page, the audit log."""

from __future__ import annotations

from auditlog.models import LogEntry
from django.core.paginator import Paginator
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from casefiles import selectors
from casefiles.models import Employee
from meetings.selectors import action_points_for, open_follow_ups_for, upcoming_meetings_for
from reporting import stats_cache

from .audit import AUDIT_LOG, describe, log_access
from .permissions import authenticated, organisation_list, public, require_roles
from .reversing import url_for_each
from .roles import EXPERT_ROLES, PHYSICIAN_ROLES, Role, roles_of


@public
@require_GET
def health(request):
    """Liveness and database check for load balancers and docker-compose."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


# Open cases shown on the home page (the oldest first).
HOME_OPEN_CASES = 50


@authenticated
def home(request):
    """One page per person: each section appears only for the roles it serves."""
    user = request.user
    roles = roles_of(user)
    # Each list reads only the columns the page shows (the scopes' filters
    # are untouched): no joins for relations the page does not show, and no
    # long texts such as the minutes of a meeting.
    context: dict = {
        "roles": roles,
        "organisations": organisation_list(user),
        "meetings": upcoming_meetings_for(user).only("title", "meeting_type", "starts_at", "location")[:5],
        "follow_ups": open_follow_ups_for(user)
        .select_related(None)
        .select_related("case__employee")
        .only("due", "case__employee__first_name", "case__employee__last_name"),
        "due_action_points": action_points_for(user, scope="mine")
        .filter(status="open")
        .select_related(None)
        .only("what", "due")[:10],
    }
    if roles & ({Role.LEIDINGGEVENDE, Role.HR} | EXPERT_ROLES):
        # The oldest open cases; the rest are one link away in the employee
        # list (absent only). One row more than shown tells whether there are
        # more, without counting them all.
        cases = list(selectors.open_cases_for(user)[: HOME_OPEN_CASES + 1])
        today = timezone.localdate()
        case_url = url_for_each("case_detail")  # one reverse() for the 50 links
        for case in cases:
            case.week = case.absence_week(today)
            case.first_day_text = selectors.day_text(case.first_day)
            case.url = case_url(case.pk)
        context["open_cases"] = cases[:HOME_OPEN_CASES]
        context["more_open_cases"] = len(cases) > HOME_OPEN_CASES
    if roles & {Role.LEIDINGGEVENDE, Role.HR}:
        context["corrections"] = selectors.open_correction_requests_for(user)
    if roles & PHYSICIAN_ROLES:
        context["caseload"] = selectors.physician_caseload_for(user)[:200]
    if roles & {Role.ARBEIDSDESKUNDIGE, Role.HR}:
        context["departments"] = _with_headcounts(selectors.departments_overview_for(user))
    if Role.MEDEWERKER in roles:
        context["own_cases"] = selectors.own_cases_for(user)
    return render(request, "home.html", context)


def _with_headcounts(departments) -> list:
    """The departments with their current headcount, counted once per
    organisation and day (one query for all the user's organisations) and
    kept in the statistics cache, which every change of an employee or
    department renews (reporting.stats_cache)."""
    departments = list(departments)
    today = timezone.localdate()
    per_organisation = stats_cache.cached_many(
        [d.organisation_id for d in departments],
        "headcounts",
        (today.isoformat(),),
        lambda ids: selectors.headcounts(ids, today),
    )
    for department in departments:
        department.headcount = per_organisation[department.organisation_id].get(department.pk, 0)
    return departments


@require_roles(Role.PRIVACY_OFFICER)
@require_GET
def audit_log(request):
    """R13: the audit trail of the privacy officer's organisations. Shows who
    did what to whose record, never content (masked fields stay masked).
    Reading the log is itself logged."""
    orgs = organisation_list(request.user)
    entries = (
        LogEntry.objects.filter(additional_data__organisation_id__in=[o.pk for o in orgs])
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )
    personnel_number = request.GET.get("medewerker", "").strip()
    if personnel_number:
        employees = Employee.objects.filter(organisation__in=orgs, personnel_number=personnel_number)
        entries = entries.filter(
            additional_data__employee_id__in=list(employees.values_list("pk", flat=True))
        )
    actor = request.GET.get("gebruiker", "").strip()
    if actor:
        entries = entries.filter(actor__username=actor)
    medical_only = request.GET.get("soort") == "medisch"
    if medical_only:
        # R13: the NEN 7513 access log of the medical file.
        entries = entries.filter(additional_data__nen7513__isnull=False)
    page = Paginator(entries, 50).get_page(request.GET.get("pagina"))
    for entry in page:
        describe(entry)
    for organisation in orgs:
        log_access(organisation, actor=request.user, what=AUDIT_LOG)
    return render(
        request,
        "audit/log_list.html",
        {
            "page": page,
            "personnel_number": personnel_number,
            "actor": actor,
            "medical_only": medical_only,
        },
    )
