"""Read side: querysets already limited to what the user may see."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from smo import permissions

from .models import AbsenceCase, Department, Employee


def open_cases_for(user) -> QuerySet[AbsenceCase]:
    """Open absence cases in the user's reintegration scope (R9)."""
    return (
        permissions.cases_in_reintegration_scope(user)
        .filter(end_date__isnull=True)
        .select_related("employee", "employee__department")
        .order_by("first_day")
    )


def own_cases_for(user) -> QuerySet[AbsenceCase]:
    """The employee's own absence history (R14 inzage)."""
    return (
        AbsenceCase.objects.filter(
            employee__user=user, employee__organisation__in=permissions.organisations_of(user)
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
    """Departments of the user's organisations with their current headcount."""
    today = timezone.localdate()
    active = Q(employees__employment_end__isnull=True) | Q(employees__employment_end__gte=today)
    return (
        Department.objects.filter(organisation__in=permissions.organisations_of(user))
        .select_related("organisation", "parent")
        .annotate(headcount=Count("employees", filter=active))
        .order_by("organisation__name", "name")
    )
