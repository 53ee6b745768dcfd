"""Who is responsible for what: memberships and object authorisations.

These are the only functions that grant or revoke the guardian permissions
read by :mod:`smo.permissions`. Each takes the acting user (``None`` for the
system, e.g. a management command) and checks that the actor may do it.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from guardian.shortcuts import assign_perm, remove_perm

from smo.audit import CASE_EXPERT, DEPARTMENT_MANAGER, MEDICAL_FILE_AUTHORISATION, log_authorisation
from smo.permissions import organisations_of
from smo.roles import EXPERT_ROLES, PHYSICIAN_ROLES, Role, forget_identity, has_role, roles_of

from .models import AbsenceCase, Department, Employee, Membership, Organisation


def _check_administrator(actor, organisation: Organisation) -> None:
    """The system, or a functioneel beheerder / HR-adviseur of the organisation."""
    if actor is None:
        return
    if (
        not has_role(actor, Role.BEHEERDER, Role.HR)
        or not organisations_of(actor).filter(pk=organisation.pk).exists()
    ):
        raise PermissionDenied


def _check_member(user, organisation: Organisation) -> None:
    if not Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError(_("Deze gebruiker werkt niet voor deze organisatie."))


@transaction.atomic
def add_member(*, actor, organisation: Organisation, user) -> Membership:
    _check_administrator(actor, organisation)
    membership, _created = Membership.objects.get_or_create(user=user, organisation=organisation)
    forget_identity(user)
    return membership


@transaction.atomic
def make_department_manager(*, actor, department: Department, manager) -> None:
    _check_administrator(actor, department.organisation)
    if not has_role(manager, Role.LEIDINGGEVENDE):
        raise ValidationError(_("Alleen een leidinggevende kan een afdeling leiden."))
    _check_member(manager, department.organisation)
    assign_perm("casefiles.manage_department", manager, department)
    manager.__dict__.pop("_smo_managed_department_ids", None)
    log_authorisation(department, actor=actor, what=DEPARTMENT_MANAGER, granted_to=manager, granted=True)


@transaction.atomic
def authorise_physician(*, actor, employee: Employee, physician) -> None:
    """R9: a bedrijfsarts/POB gets access to this employee's medical file."""
    _check_administrator(actor, employee.organisation)
    if not roles_of(physician) & PHYSICIAN_ROLES:
        raise ValidationError(
            _("Alleen een bedrijfsarts of POB kan toegang krijgen tot een medisch dossier.")
        )
    _check_member(physician, employee.organisation)
    assign_perm("casefiles.view_medical_file", physician, employee)
    log_authorisation(
        employee, actor=actor, what=MEDICAL_FILE_AUTHORISATION, granted_to=physician, granted=True
    )


@transaction.atomic
def revoke_physician(*, actor, employee: Employee, physician) -> None:
    _check_administrator(actor, employee.organisation)
    remove_perm("casefiles.view_medical_file", physician, employee)
    log_authorisation(
        employee, actor=actor, what=MEDICAL_FILE_AUTHORISATION, granted_to=physician, granted=False
    )


@transaction.atomic
def assign_case_expert(*, actor, case: AbsenceCase, expert) -> None:
    """Name the casemanager (or BMW / re-integratieadviseur) of a case."""
    _check_administrator(actor, case.employee.organisation)
    if not roles_of(expert) & EXPERT_ROLES:
        raise ValidationError(
            _("Alleen een casemanager, BMW of re-integratieadviseur kan een casus begeleiden.")
        )
    _check_member(expert, case.employee.organisation)
    assign_perm("casefiles.guide_case", expert, case)
    log_authorisation(case, actor=actor, what=CASE_EXPERT, granted_to=expert, granted=True)


def physicians_of(employee: Employee) -> list:
    """Physicians currently authorised for the employee's medical file."""
    from guardian.shortcuts import get_users_with_perms

    users = get_users_with_perms(
        employee, only_with_perms_in=["view_medical_file"], with_superusers=False, with_group_users=False
    )
    return sorted(users, key=lambda u: (u.last_name, u.username))


def case_experts(case: AbsenceCase) -> list:
    from guardian.shortcuts import get_users_with_perms

    users = get_users_with_perms(
        case, only_with_perms_in=["guide_case"], with_superusers=False, with_group_users=False
    )
    return sorted(users, key=lambda u: (u.last_name, u.username))


@transaction.atomic
def remove_case_expert(*, actor, case: AbsenceCase, expert) -> None:
    _check_administrator(actor, case.employee.organisation)
    remove_perm("casefiles.guide_case", expert, case)
    log_authorisation(case, actor=actor, what=CASE_EXPERT, granted_to=expert, granted=False)
