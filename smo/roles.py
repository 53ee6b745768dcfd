"""Roles are Django groups. A role alone never opens an individual's data:
object permissions (django-guardian) and organisation membership do that,
decided in :mod:`smo.permissions`."""

from enum import StrEnum

from django.utils.translation import gettext_lazy as _


class Role(StrEnum):
    LEIDINGGEVENDE = "leidinggevende"
    HR = "hr-adviseur"
    BEDRIJFSARTS = "bedrijfsarts"
    POB = "pob"
    ARBEIDSDESKUNDIGE = "arbeidsdeskundige"
    CASEMANAGER = "casemanager"
    BMW = "bedrijfsmaatschappelijk-werker"
    REINTEGRATIEADVISEUR = "re-integratieadviseur"
    MEDEWERKER = "medewerker"
    PRIVACY_OFFICER = "privacy-officer"
    BEHEERDER = "functioneel-beheerder"


ROLE_LABELS = {
    Role.LEIDINGGEVENDE: _("Leidinggevende"),
    Role.HR: _("HR-adviseur"),
    Role.BEDRIJFSARTS: _("Bedrijfsarts"),
    Role.POB: _("Praktijkondersteuner bedrijfsarts (POB)"),
    Role.ARBEIDSDESKUNDIGE: _("Arbeidsdeskundige"),
    Role.CASEMANAGER: _("Casemanager"),
    Role.BMW: _("Bedrijfsmaatschappelijk werker"),
    Role.REINTEGRATIEADVISEUR: _("Re-integratieadviseur"),
    Role.MEDEWERKER: _("Medewerker"),
    Role.PRIVACY_OFFICER: _("Privacy officer"),
    Role.BEHEERDER: _("Functioneel beheerder"),
}

# Bound by medical confidentiality (R9): the only roles that can ever be
# authorised for a medical file.
PHYSICIAN_ROLES = frozenset({Role.BEDRIJFSARTS, Role.POB})
# Other experts who may guide a case and share what the employee allowed (R7).
EXPERT_ROLES = frozenset({Role.CASEMANAGER, Role.BMW, Role.REINTEGRATIEADVISEUR})
# Who sees absence statistics (R18, R19): the arbeidsdeskundige and HR for the
# whole organisation, a manager for their own departments.
STATISTICS_ROLES = (Role.ARBEIDSDESKUNDIGE, Role.HR, Role.LEIDINGGEVENDE)


def _load_identity(user) -> None:
    """Read the user's roles and the ids of their organisations in one query
    (a UNION of their groups and memberships), cached on the user object for
    the request: every page needs both."""
    from django.contrib.auth.models import Group
    from django.db.models import CharField, IntegerField, Value

    from casefiles.models import Membership

    groups = Group.objects.filter(user=user, name__in=[r.value for r in Role]).values_list(
        "name", Value(None, output_field=IntegerField())
    )
    memberships = Membership.objects.filter(user=user).values_list(
        Value("", output_field=CharField()), "organisation_id"
    )
    rows = list(groups.union(memberships, all=True))
    user._smo_roles = frozenset(name for name, organisation_id in rows if organisation_id is None)
    user._smo_organisation_ids = sorted(oid for _name, oid in rows if oid is not None)


def forget_identity(user) -> None:
    """Read roles and organisations again (after set_roles or a membership)."""
    for name in ("_smo_roles", "_smo_organisation_ids", "_smo_organisations"):
        user.__dict__.pop(name, None)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def roles_of(user) -> frozenset[str]:
    """The role names of a user, cached on the user object for the request."""
    if not _active(user):
        return frozenset()
    if getattr(user, "_smo_roles", None) is None:
        _load_identity(user)
    return user._smo_roles


def organisation_ids_of(user) -> list[int]:
    """The ids of the organisations the user works for (read with the roles)."""
    if not _active(user):
        return []
    if getattr(user, "_smo_organisation_ids", None) is None:
        _load_identity(user)
    return list(user._smo_organisation_ids)


def has_role(user, *roles: str) -> bool:
    return bool(roles_of(user) & {str(r) for r in roles})


# Model permissions of the functioneel beheerder in the admin: master data only.
# Absence cases (reintegration file) and anything medical are not in the admin.
BEHEERDER_MODEL_PERMS = {
    "casefiles": {
        "organisation": ("view", "change"),
        "department": ("view", "add", "change", "delete"),
        "employee": ("view", "add", "change"),
        "membership": ("view", "add", "delete"),
    },
    "auth": {"user": ("view", "add", "change")},
}


def ensure_role_groups(**_kwargs) -> None:
    """Create one group per role and give the beheerder its admin permissions.

    Connected to ``post_migrate`` (idempotent), so every database has them.
    """
    from django.contrib.auth.models import Group, Permission

    for role in Role:
        Group.objects.get_or_create(name=role.value)
    beheerder = Group.objects.get(name=Role.BEHEERDER.value)
    codenames = [
        (app, f"{action}_{model}")
        for app, models in BEHEERDER_MODEL_PERMS.items()
        for model, actions in models.items()
        for action in actions
    ]
    perms = [
        p
        for p in Permission.objects.filter(content_type__app_label__in=BEHEERDER_MODEL_PERMS).select_related(
            "content_type"
        )
        if (p.content_type.app_label, p.codename) in codenames
    ]
    beheerder.permissions.set(perms)


def set_roles(user, roles) -> None:
    """Give ``user`` exactly these roles. Only functioneel beheerders are staff
    (they may use the admin); nobody is made superuser by the product."""
    from django.contrib.auth.models import Group

    wanted = {str(r) for r in roles}
    unknown = wanted - {r.value for r in Role}
    if unknown:
        raise ValueError(f"unknown roles: {sorted(unknown)}")
    user.groups.remove(*Group.objects.filter(name__in=[r.value for r in Role]).exclude(name__in=wanted))
    user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in wanted))
    is_staff = Role.BEHEERDER.value in wanted
    if user.is_staff != is_staff:
        user.is_staff = is_staff
        user.save(update_fields=["is_staff"])
    forget_identity(user)
