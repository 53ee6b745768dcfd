"""Read side: querysets already limited to what the user may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db.models import (
    Count,
    Exists,
    F,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    prefetch_related_objects,
)
from django.http import Http404
from django.utils import timezone

from smo import permissions
from smo.roles import EXPERT_ROLES, Role, roles_of

from . import medical, wvp
from .models import (
    AbsenceCase,
    CaseDocument,
    CorrectionRequest,
    Department,
    Employee,
    Organisation,
    PlanVanAanpak,
)


def day_text(day: datetime.date | None) -> str:
    """What ``{{ day|date:"d-m-Y" }}`` renders, for long lists: the template
    filter costs some 15 µs a date (localisation lookups), this about 1."""
    return "" if day is None else f"{day.day:02d}-{day.month:02d}-{day.year:04d}"


def open_cases_for(user) -> QuerySet[AbsenceCase]:
    """Open absence cases in the user's reintegration scope (R9), oldest
    first (the partial index ``case_open_first_day`` gives this order, so a
    slice stops early). Only the columns of the home page's table are read;
    the department only by its name (``department_name``), which saves
    building a Department object per row."""
    return (
        permissions.cases_in_reintegration_scope(user)
        .filter(end_date__isnull=True)
        .select_related("employee")
        .only("first_day", "end_date", "employee__first_name", "employee__last_name")
        .annotate(department_name=F("employee__department__name"))
        .order_by("first_day", "pk")
    )


def own_cases_for(user) -> QuerySet[AbsenceCase]:
    """The employee's own absence history (R14 inzage)."""
    return (
        AbsenceCase.objects.filter(
            employee__user=user, employee__organisation__in=permissions.organisation_ids(user)
        )
        .prefetch_related("percentages")
        .order_by("-first_day")
    )


def physician_caseload_for(user) -> QuerySet[Employee]:
    """Employees whose medical file the physician is authorised for."""
    return (
        permissions.employees_with_medical_authorisation(user)
        .select_related("department", "organisation")
        .annotate(open_cases=Count("absence_cases", filter=Q(absence_cases__end_date__isnull=True)))
        .order_by("last_name", "first_name")
    )


def departments_overview_for(user) -> QuerySet[Department]:
    """Departments of the user's organisations (their headcount: :func:`headcounts`),
    with what the home page shows of them."""
    return (
        Department.objects.filter(organisation__in=permissions.organisation_ids(user))
        .select_related("parent")
        .only("organisation_id", "name", "kind", "parent__name")
        .order_by("organisation__name", "name")
    )


def headcounts(organisation_ids: list[int], today: datetime.date) -> dict[int, dict[int, int]]:
    """Per organisation, the employees still employed on ``today`` per
    department (departments without any are absent): one aggregate over the
    index employee_department_employment for all the organisations."""
    active = Q(employment_end__isnull=True) | Q(employment_end__gte=today)
    rows = (
        Employee.objects.filter(active, department__organisation_id__in=organisation_ids)
        .order_by()
        .values_list("department__organisation_id", "department_id")
        .annotate(n=Count("*"))
    )
    counts: dict[int, dict[int, int]] = {oid: {} for oid in organisation_ids}
    for organisation_id, department_id, n in rows:
        counts[organisation_id][department_id] = n
    return counts


# --- the reintegration file (R9, R20) ------------------------------------------
# (moved from casefiles.reintegration; services live there)


def reintegration_cases(user) -> QuerySet[AbsenceCase]:
    """Cases whose reintegration file ``user`` works on (R9)."""
    return permissions.cases_in_reintegration_scope(user).exclude(employee__user=user)


def reintegration_employees(user) -> QuerySet[Employee]:
    """Employees whose reintegration file ``user`` works on (R9)."""
    return permissions.employees_in_reintegration_scope(user).exclude(user=user)


def correction_requests_in_scope(user) -> QuerySet[CorrectionRequest]:
    """Requests about a case in scope, and requests without a case for the
    employer side of that employee."""
    return CorrectionRequest.objects.filter(
        Q(permissions.about_case_in(reintegration_cases(user)))
        | Q(case__isnull=True, employee__in=permissions.employees_in_employer_scope(user))
    )


def open_correction_requests_for(user) -> QuerySet[CorrectionRequest]:
    """R14: correction requests waiting for this user as the employer side:
    those of :func:`correction_requests_in_scope` about employees in the
    user's employer scope (for a request without a case that is the scope
    itself, so the employer scope is asked once). With what the home page
    shows of them (the case by its id only)."""
    return (
        CorrectionRequest.objects.filter(
            Q(permissions.about_case_in(reintegration_cases(user))) | Q(case__isnull=True),
            employee__in=permissions.employees_in_employer_scope(user),
            handled_at__isnull=True,
        )
        .select_related("employee")
        .only("case_id", "text", "created_at", "employee__first_name", "employee__last_name")
        .order_by("created_at")
    )


def may_handle_corrections(user, employee: Employee) -> bool:
    return permissions.employees_in_employer_scope(user).filter(pk=employee.pk).exists()


def members_with_roles(organisation: Organisation, roles) -> QuerySet:
    """Active users of the organisation holding one of ``roles`` (for choices)."""
    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[str(r) for r in roles],
            memberships__organisation=organisation,
        )
        .distinct()
        .order_by("last_name", "first_name", "username")
    )


def expert_choices(organisation: Organisation) -> QuerySet:
    """Users who can be named casemanager of a plan: experts of the organisation."""
    return members_with_roles(organisation, EXPERT_ROLES)


def case_in_scope(user, case: AbsenceCase) -> AbsenceCase:
    return permissions.require_in(
        reintegration_cases(user).select_related("employee", "employee__organisation"), pk=case.pk
    )


# --- read side ---------------------------------------------------------------


def cases_with_wvp_facts(cases: QuerySet[AbsenceCase]) -> QuerySet[AbsenceCase]:
    """Annotate what wvp.facts_of needs, so milestones cost no query per case."""
    return cases.annotate(plan_on=F("plan__drawn_up_on"), last_evaluation_on=Max("plan__evaluations__date"))


def departments_in_scope(user) -> QuerySet[Department]:
    """Departments with at least one employee in the user's scope. An EXISTS
    per department (index on the employee's department) stops at the first
    employee found, instead of collecting the departments of all of them."""
    in_department = reintegration_employees(user).filter(department=OuterRef("pk"))
    return Department.objects.filter(
        Exists(in_department), organisation__in=permissions.organisation_ids(user)
    ).order_by("name")


def employees_overview(
    user, *, department: Department | None = None, only_absent: bool = False
) -> QuerySet[Employee]:
    """Current employees in scope, and anyone with an open case in scope.
    Rows get their open case from :func:`overview_rows`.

    Paginated over the whole scope (20,000 employees for HR), so it is kept
    cheap to count and to cut: one row per employee (no DISTINCT), the open
    cases as an uncorrelated set of employee ids (for current employees only
    looked up when filtering on absence), and the order of the index
    ``employee_name_order``."""
    today = timezone.localdate()
    open_cases = reintegration_cases(user).filter(end_date__isnull=True)
    employees = (
        reintegration_employees(user)
        .select_related("department")
        .only("first_name", "last_name", "department__name")
        .order_by("last_name", "first_name", "pk")
    )
    if only_absent:
        employees = employees.filter(pk__in=open_cases.values("employee_id"))
    else:
        # Employed, or gone with a case still open: the same rows as "employed
        # or absent", with a set of open cases of former employees only.
        former_absent = open_cases.filter(employee__employment_end__lt=today).values("employee_id")
        employees = employees.filter(
            Q(employment_end__isnull=True) | Q(employment_end__gte=today) | Q(pk__in=former_absent)
        )
    if department is not None:
        employees = employees.filter(department=department)
    return employees


@dataclass(frozen=True)
class OverviewRow:
    employee: Employee
    case: AbsenceCase | None
    absence_week: int | None
    next_milestone: wvp.Milestone | None
    # The dates as the page shows them (day_text): the first day of the case
    # and when the next milestone is due.
    first_day_text: str = ""
    due_text: str = ""


# What the employee list needs of a case: its dates for the WVP facts.
OVERVIEW_CASE_COLUMNS = (
    "employee_id",
    "first_day",
    "end_date",
    "problem_analysis_on",
    "uwv_reported_on",
    "first_year_evaluation_on",
    "wia_applied_on",
)


def overview_rows(user, employees, today: datetime.date | None = None) -> list[OverviewRow]:
    """One row per employee (a page of :func:`employees_overview`) with the
    open case and its next WVP milestone: one query for all rows (R20)."""
    today = today or timezone.localdate()
    employees = list(employees)
    cases = cases_with_wvp_facts(
        reintegration_cases(user)
        .filter(employee__in=[e.pk for e in employees], end_date__isnull=True)
        .only(*OVERVIEW_CASE_COLUMNS)
    )
    by_employee = {case.employee_id: case for case in cases}
    rows = []
    for employee in employees:
        case = by_employee.get(employee.pk)
        if case is None:
            rows.append(OverviewRow(employee=employee, case=None, absence_week=None, next_milestone=None))
            continue
        milestone = wvp.next_milestone(wvp.facts_of(case), today)
        rows.append(
            OverviewRow(
                employee=employee,
                case=case,
                absence_week=case.absence_week(today),
                next_milestone=milestone,
                first_day_text=day_text(case.first_day),
                due_text=day_text(milestone.due) if milestone else "",
            )
        )
    return rows


@dataclass
class CaseFile:
    """Everything on the reintegration page of one case; nothing medical
    beyond the released conclusions (R7, R9)."""

    case: AbsenceCase
    today: datetime.date
    absence_history: list[AbsenceCase]
    milestones: list[wvp.Milestone]
    plan: PlanVanAanpak | None
    documents: list[CaseDocument]
    conclusions: medical.SharedConclusions | None
    corrections: list[CorrectionRequest]
    may_handle_corrections: bool

    @property
    def employee(self) -> Employee:
        return self.case.employee


def user_name_columns(relation: str) -> tuple[str, ...]:
    """The columns of a user whom a page names (get_full_name or username),
    for ``only()`` through ``relation``."""
    return tuple(f"{relation}__{name}" for name in ("first_name", "last_name", "username"))


# What the case page shows of the spells, the employee (the organisation
# whole, for the forms), the plan and its casemanager: not, for instance, the
# employee's private phone number or the casemanager's password hash.
CASE_FILE_COLUMNS = (
    "employee_id",
    "first_day",
    "end_date",
    "closed_reason",
    "problem_analysis_on",
    "uwv_reported_on",
    "first_year_evaluation_on",
    "wia_applied_on",
    "employee__first_name",
    "employee__last_name",
    "employee__personnel_number",
    "employee__contract_hours",
    "employee__department__name",
    "employee__organisation",
    "plan__drawn_up_on",
    "plan__goal",
    *user_name_columns("plan__casemanager"),
)


def case_file(*, user, pk: int) -> CaseFile:
    """The reintegration file of case ``pk`` (Http404 outside scope, R9).

    A constant number of queries whatever the file holds (issue 8): the
    employee's absence spells, the case among them, with its plan and
    whether the user is the employer side (one query) and their percentages;
    the plan's agreements and evaluations; the corrections; the documents;
    the released conclusions.
    """
    # The case decides the scope: the other spells are those of its employee,
    # whose absence history the case page shows (as before). Outside the
    # scope the subquery is empty and so is the list.
    in_scope = reintegration_cases(user).filter(pk=pk).values("employee_id")[:1]
    employer_side = permissions.employees_in_employer_scope(user).filter(pk=OuterRef("employee_id"))
    history = list(
        AbsenceCase.objects.filter(employee_id=Subquery(in_scope))
        .select_related("employee__department", "employee__organisation", "plan__casemanager")
        .annotate(employer_side=Exists(employer_side))
        .only(*CASE_FILE_COLUMNS)
        .prefetch_related("percentages")
        .order_by("-first_day")
    )
    case = next((spell for spell in history if spell.pk == pk), None)
    if case is None:
        raise Http404
    today = timezone.localdate()
    plan = getattr(case, "plan", None)
    if plan is not None:
        prefetch_related_objects([plan], "agreements", "evaluations")
    # What cases_with_wvp_facts annotates, from the plan already loaded.
    case.plan_on = plan.drawn_up_on if plan else None
    case.last_evaluation_on = max((e.date for e in plan.evaluations.all()), default=None) if plan else None
    # R14: correction_requests_in_scope() of this case, from what is known
    # already: the requests about this case (which is in the user's scope),
    # and those about the whole file only for the employer side.
    about = Q(case=case) | Q(case__isnull=True) if case.employer_side else Q(case=case)
    corrections = list(
        CorrectionRequest.objects.filter(about, employee_id=case.employee_id)
        .select_related("handled_by")
        .only("case_id", "text", "created_at", "handled_at", "response", *user_name_columns("handled_by"))
    )
    return CaseFile(
        case=case,
        today=today,
        absence_history=history,
        milestones=wvp.milestones(wvp.facts_of(case), today),
        plan=plan,
        documents=list(
            CaseDocument.objects.filter(case=case)
            .select_related("uploaded_by")
            .only("title", "uploaded_at", *user_name_columns("uploaded_by"))
        ),
        # R7, R9: the case is in the user's reintegration scope (checked
        # above, the check of medical.shared_conclusions), so the released
        # conclusions without asking the database that again.
        conclusions=medical.released_conclusions(case),
        corrections=corrections,
        # The same question as may_handle_corrections(), asked in the query
        # of the case.
        may_handle_corrections=case.employer_side,
    )


def document_in_scope(*, user, pk: int) -> CaseDocument:
    """A document of a case in the user's reintegration scope, or of the
    employee's own case (R14: inzage includes the documents); else 404."""
    own = Q(case__employee__user=user) if Role.MEDEWERKER in roles_of(user) else Q(pk__in=[])
    return permissions.require_in(
        CaseDocument.objects.filter(
            Q(case__in=reintegration_cases(user)) | own,
            case__employee__organisation__in=permissions.organisation_ids(user),
        ).select_related("case__employee"),
        pk=pk,
    )
