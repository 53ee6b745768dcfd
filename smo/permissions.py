"""The one permission module every view uses. Deny by default.

Two layers:

1. *Which views a user may open* — every non-admin view declares it with one of
   the decorators below (``public``, ``authenticated``, ``require_roles``).
   :class:`AccessPolicyMiddleware` refuses (403) any view without a
   declaration, so a forgotten check fails closed, and the permission matrix
   test (tests/test_permission_matrix.py) lists every URL for every role.
2. *Which objects a user may see* — the scoping functions below return
   querysets limited to the user's organisations, departments and
   authorisations. Object permissions come from django-guardian and are always
   read with ``with_superuser=False``: being superuser, admin, HR or privacy
   officer never implies access to an individual's data (R9).
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from guardian.shortcuts import get_objects_for_user

from .roles import EXPERT_ROLES, PHYSICIAN_ROLES, Role, has_role, organisation_ids_of, roles_of

ACCESS_ATTR = "smo_access"
PUBLIC = "public"
AUTHENTICATED = "authenticated"


def _declare(view: Callable, access) -> Callable:
    setattr(view, ACCESS_ATTR, access)
    return view


def public(view: Callable) -> Callable:
    """Anyone, also anonymous (login page, health check, language switch)."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return _declare(login_not_required(wrapper), PUBLIC)


def authenticated(view: Callable) -> Callable:
    """Any logged-in user; the view itself scopes what it shows."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        return view(request, *args, **kwargs)

    return _declare(wrapper, AUTHENTICATED)


def require_roles(*roles: str) -> Callable[[Callable], Callable]:
    """Only users with one of ``roles``; others get 403."""
    allowed = frozenset(str(r) for r in roles)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if not roles_of(request.user) & allowed:
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return _declare(wrapper, allowed)

    return decorator


class AccessPolicyMiddleware:
    """Refuse every view that did not declare who may use it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if match is not None and match.app_name == "admin":
            # The admin site checks is_staff and model permissions itself;
            # only functioneel beheerders are staff (see casefiles.services).
            return None
        if getattr(view_func, ACCESS_ATTR, None) is None:
            raise PermissionDenied
        return None


# --- scoping: which objects a user may see --------------------------------


def organisation_list(user) -> list:
    """The organisations ``user`` works for (objects, by name), for pages that
    show or offer them; cached on the user object for the request."""
    from casefiles.models import Organisation

    ids = organisation_ids(user)
    cached = getattr(user, "_smo_organisations", None)
    if cached is None:
        cached = list(Organisation.objects.filter(pk__in=ids).order_by("name", "pk")) if ids else []
        user._smo_organisations = cached
    return list(cached)


def organisation_ids(user) -> list[int]:
    """The ids of the user's organisations, read once per request together
    with the roles (smo.roles). Every scope below filters on them as literal
    values (not a subquery over memberships): PostgreSQL then knows how many
    employees an organisation has and picks index scans that stop early (home
    page, employee list), and the queries are simpler to build."""
    return organisation_ids_of(user)


def organisations_of(user) -> QuerySet:
    """The user's organisations as a queryset (on their ids)."""
    from casefiles.models import Organisation

    return Organisation.objects.filter(pk__in=organisation_ids(user))


def _object_ids(user, perm: str, klass) -> QuerySet:
    return get_objects_for_user(
        user, perm, klass=klass, with_superuser=False, accept_global_perms=False
    ).values("pk")


def managed_departments(user) -> QuerySet:
    """Departments a manager manages (guardian ``manage_department``), with all
    their sub-departments, within the manager's organisations. The department
    ids are cached on the user object for the request."""
    from casefiles.models import Department

    if not has_role(user, Role.LEIDINGGEVENDE):
        return Department.objects.none()
    ids = getattr(user, "_smo_managed_department_ids", None)
    if ids is None:
        direct = list(
            _object_ids(user, "casefiles.manage_department", Department).values_list("pk", flat=True)
        )
        ids = Department.descendant_ids(direct)
        user._smo_managed_department_ids = ids
    return Department.objects.filter(pk__in=ids, organisation__in=organisation_ids(user))


def _employer_scope(user, roles, orgs, prefix: str = "") -> Q:
    """The employer side of an employee: HR of the organisation, and the
    manager (of the department or as direct manager). ``prefix`` leads from
    the queried model to the employee (e.g. "employee__" for cases)."""
    scope = Q(pk__in=[])
    if Role.HR in roles:
        scope |= Q(**{f"{prefix}organisation__in": orgs})
    if Role.LEIDINGGEVENDE in roles:
        scope |= Q(**{f"{prefix}department__in": managed_departments(user)}) | Q(**{f"{prefix}manager": user})
    return scope


def employees_in_employer_scope(user) -> QuerySet:
    """Employees for whom the user acts as employer (HR or manager); never
    the user's own employee record."""
    from casefiles.models import Employee

    roles, orgs = roles_of(user), organisation_ids(user)
    if Role.HR in roles:  # the whole organisation: every other scope lies within it
        return Employee.objects.filter(organisation__in=orgs).exclude(user=user)
    return Employee.objects.filter(_employer_scope(user, roles, orgs), organisation__in=orgs).exclude(
        user=user
    )


def employees_in_reintegration_scope(user) -> QuerySet:
    """Employees whose reintegration file the user may see (R9): own manager
    (by department or as direct manager), HR of the organisation, the expert
    assigned to one of their cases, and the employee themself (R14)."""
    from casefiles.models import AbsenceCase, Employee

    roles = roles_of(user)
    if not roles:
        return Employee.objects.none()
    orgs = organisation_ids(user)
    if Role.HR in roles:  # the whole organisation: every other scope lies within it
        return Employee.objects.filter(organisation__in=orgs)
    scope = _employer_scope(user, roles, orgs)
    if roles & EXPERT_ROLES:
        # A subquery rather than a join over absence_cases: the same employees,
        # one row each, so no DISTINCT over every column (the employee list
        # counts and sorts this set for 20,000 employees).
        guided = AbsenceCase.objects.filter(pk__in=_guided_case_ids(user)).values("employee_id")
        scope |= Q(pk__in=guided)
    if Role.MEDEWERKER in roles:
        scope |= Q(user=user)
    return Employee.objects.filter(scope, organisation__in=orgs)


def employees_with_medical_authorisation(user) -> QuerySet:
    """Employees whose medical file the user may open (R9): only a
    bedrijfsarts/POB holding the guardian permission for that employee, within
    an organisation the physician works for. Never superuser or admin."""
    from casefiles.models import Employee

    if not roles_of(user) & PHYSICIAN_ROLES:
        return Employee.objects.none()
    return Employee.objects.filter(
        pk__in=_object_ids(user, "casefiles.view_medical_file", Employee),
        organisation__in=organisation_ids(user),
    )


def can_view_medical_file(user, employee) -> bool:
    return employees_with_medical_authorisation(user).filter(pk=employee.pk).exists()


def _guided_case_ids(user) -> QuerySet:
    from casefiles.models import AbsenceCase

    return _object_ids(user, "casefiles.guide_case", AbsenceCase)


def cases_in_reintegration_scope(user) -> QuerySet:
    """Absence cases the user may see in the reintegration file (R9)."""
    from casefiles.models import AbsenceCase

    roles = roles_of(user)
    orgs = organisation_ids(user)
    if Role.HR in roles:  # the whole organisation: every other scope lies within it
        return AbsenceCase.objects.filter(employee__organisation__in=orgs)
    scope = _employer_scope(user, roles, orgs, prefix="employee__")
    if roles & EXPERT_ROLES:
        scope |= Q(pk__in=_guided_case_ids(user))
    if Role.MEDEWERKER in roles:
        scope |= Q(employee__user=user)
    if not roles:
        return AbsenceCase.objects.none()
    return AbsenceCase.objects.filter(scope, employee__organisation__in=orgs)


def about_case_in(cases: QuerySet) -> Exists:
    """A row's case (its ``case_id``) is one of ``cases``, a case scope such
    as :func:`cases_in_reintegration_scope`: a correlated EXISTS, to be used
    as ``Q(about_case_in(scope))``. With ``case IN (scope)`` under an OR,
    PostgreSQL hashes the whole scope first (every case of an organisation:
    42-61 ms on the case and home pages at 20,000 employees, issue 8) as
    soon as one row matches; EXISTS looks the row's case up by its key."""
    return Exists(cases.filter(pk=OuterRef("case_id")))


def require_in(queryset: QuerySet, **lookup):
    """Fetch one object from a scoped queryset or answer 404: an object the
    user may not see does not exist for them (its existence is confidential)."""
    from django.shortcuts import get_object_or_404

    return get_object_or_404(queryset, **lookup)
