from dataclasses import dataclass
from functools import partial

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from reporting.absence_import import IMPORT_ROLES

from .roles import EXPERT_ROLES, ROLE_LABELS, STATISTICS_ROLES, Role, roles_of

# The main navigation: URL name, label, and the roles that see the link, the
# roles its view admits (None: every signed-in user). The admin link is for
# staff (see _links).
NAVIGATION = (
    ("home", _("Start"), None),
    ("employee_list", _("Medewerkers"), frozenset({Role.LEIDINGGEVENDE, Role.HR, *EXPERT_ROLES})),
    ("meeting_list", _("Overleggen"), None),
    ("action_point_list", _("Actiepunten"), None),
    ("my_reminders", _("Meldingen"), None),
    ("statistics", _("Statistieken"), frozenset(STATISTICS_ROLES)),
    ("absence_import", _("Verzuim importeren"), frozenset(IMPORT_ROLES)),
    ("my_file", _("Mijn dossier"), frozenset({Role.MEDEWERKER})),
    ("reglement", _("SMO-reglement"), None),
    ("audit_log", _("Auditlog"), frozenset({Role.PRIVACY_OFFICER})),
)


@dataclass(frozen=True)
class NavLink:
    href: str
    label: str
    # aria-current: "page" on the link of the page shown, "true" on the link
    # of the section the page lies in (its path starts with the link's), so
    # screen readers announce where the user is (WCAG 2.4.8, ARIA 1.2).
    current: str | None


def roles(request):
    """The current user's roles, for navigation in the base layout."""
    user = getattr(request, "user", None)
    names = roles_of(user) if user is not None else frozenset()
    return {
        "user_roles": names,
        "user_role_labels": [str(ROLE_LABELS[r]) for r in ROLE_LABELS if r in names],
        # Built only when a template shows it (the base layout; htmx
        # fragments do not): the template engine calls it.
        "nav_links": partial(_links, request, names),
    }


def _links(request, names) -> list[NavLink]:
    user = request.user
    if not user.is_authenticated:
        return []
    entries = [(name, label) for name, label, shown_to in NAVIGATION if shown_to is None or shown_to & names]
    if user.is_staff:
        entries.append(("admin:index", _("Beheer")))
    links = []
    for name, label in entries:
        href = reverse(name)
        if request.path == href:
            current = "page"
        elif href != "/" and request.path.startswith(href):
            current = "true"
        else:
            current = None
        links.append(NavLink(href, str(label), current))
    return links
