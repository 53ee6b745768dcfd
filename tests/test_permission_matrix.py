"""The permission matrix: every URL of the project, for every role.

``MATRIX`` lists every URL pattern (project pages, the admin including the
auditlog pages) with the expected HTTP status for each role of the cast
(tests/conftest.py, after ENGINEERING.md). ``test_matrix_covers_every_url``
fails when a URL pattern exists that the matrix does not list, so every new
view must be added here with a deliberate answer for every role.

Statuses: 200 shown, 302 redirected (to a login page for anonymous users and
non-staff users in the admin), 403 refused, 404 hidden (existence is
confidential), 405 wrong method.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from casefiles.models import Membership

from .conftest import MATRIX_ROLES
from .matrix_casefiles import ENTRIES as CASEFILES_ENTRIES
from .matrix_support import Entry, logged_in, only, statuses

pytestmark = pytest.mark.django_db

# --- project pages -----------------------------------------------------------

PAGES: dict[str, Entry] = {
    "home": Entry(lambda c: reverse("home"), logged_in(200)),
    "health": Entry(lambda c: reverse("health"), statuses(200)),
    # A signed-in user is sent on from the login page.
    "login": Entry(lambda c: reverse("login"), statuses(302, anonymous=200)),
    "logout": Entry(lambda c: reverse("logout"), statuses(405)),  # POST only
    "password_change": Entry(lambda c: reverse("password_change"), logged_in(200)),
    "password_change_done": Entry(lambda c: reverse("password_change_done"), logged_in(200)),
    # GET changes nothing and sends the browser back.
    "set_language": Entry(lambda c: reverse("set_language"), statuses(302)),
    # R13: the audit trail is for the privacy officer only.
    "audit_log": Entry(lambda c: reverse("audit_log"), only(("privacy_officer",))),
}

# --- admin -------------------------------------------------------------------
# Only the functioneel beheerder (and a beheerder of another organisation) is
# staff; everybody else is sent to the admin login. Per model: which object to
# use, and what the beheerder may do (its group permissions in smo/roles.py).
# Objects of our organisation are invisible to the other organisation's
# beheerder: the admin answers "does not exist" with a redirect (302).

ADMIN_MODELS: dict[str, tuple[Callable[[object], object], set[str]]] = {
    "casefiles.organisation": (lambda c: c.organisation, {"view", "change"}),
    "casefiles.department": (lambda c: c.department, {"view", "add", "change", "delete"}),
    "casefiles.employee": (lambda c: c.employee, {"view", "add", "change"}),
    "casefiles.membership": (
        lambda c: Membership.objects.get(user=c.users["manager"]),
        {"view", "add", "delete"},
    ),
    "auth.user": (lambda c: c.users["employee_concerned"], {"view", "add", "change"}),
    "auth.group": (lambda c: Group.objects.get(name="medewerker"), set()),
    # The audit trail is read in the product (audit_log), not in the admin.
    "auditlog.logentry": (lambda c: LogEntry.objects.order_by("pk").first(), set()),
}


def admin_status(allowed: bool, *, object_page: bool = False) -> dict[str, int]:
    """Non-staff: redirect to the admin login. Beheerder: 200 or 403. The
    other organisation's beheerder: like ours on lists, but objects of our
    organisation do not exist for them (302 back to the admin index)."""
    mine = 200 if allowed else 403
    theirs = (302 if allowed else 403) if object_page else mine
    return statuses(302, admin=mine, other_org_user=theirs)


def _admin_entries() -> dict[str, Entry]:
    entries: dict[str, Entry] = {}
    for label, (get_obj, perms) in ADMIN_MODELS.items():
        app, model = label.split(".")
        prefix = f"admin:{app}_{model}"

        def obj_url(name, get_obj=get_obj):
            return lambda c: reverse(name, args=[get_obj(c).pk])

        can_view = bool(perms & {"view", "change"})
        entries[f"{prefix}_changelist"] = Entry(
            lambda c, n=f"{prefix}_changelist": reverse(n), admin_status(can_view)
        )
        entries[f"{prefix}_add"] = Entry(
            lambda c, n=f"{prefix}_add": reverse(n), admin_status("add" in perms)
        )
        entries[f"{prefix}_change"] = Entry(
            obj_url(f"{prefix}_change"), admin_status(can_view, object_page=True)
        )
        entries[f"{prefix}_history"] = Entry(
            obj_url(f"{prefix}_history"), admin_status(can_view, object_page=True)
        )
        entries[f"{prefix}_delete"] = Entry(
            obj_url(f"{prefix}_delete"), admin_status("delete" in perms, object_page=True)
        )
        # <id>/ redirects to <id>/change/ for staff.
        entries[f"{prefix}_redirect"] = Entry(
            lambda c, get_obj=get_obj, p=prefix: reverse(f"{p}_changelist") + f"{get_obj(c).pk}/",
            statuses(302),
        )
    if "auth.user" in ADMIN_MODELS:
        entries["admin:auth_user_password_change"] = Entry(
            lambda c: reverse("admin:auth_user_password_change", args=[c.users["employee_concerned"].pk]),
            # Another organisation's account does not exist for them.
            statuses(302, admin=200, other_org_user=404),
        )
    return entries


ADMIN: dict[str, Entry] = {
    "admin:index": Entry(lambda c: reverse("admin:index"), statuses(302, admin=200, other_org_user=200)),
    # R13a: the admin has no login form of its own; everybody is sent to
    # the platform's login (with its second factor).
    "admin:login": Entry(lambda c: reverse("admin:login"), statuses(302)),
    "admin:logout": Entry(lambda c: reverse("admin:logout"), statuses(302, admin=405, other_org_user=405)),
    "admin:password_change": Entry(
        lambda c: reverse("admin:password_change"), statuses(302, admin=200, other_org_user=200)
    ),
    "admin:password_change_done": Entry(
        lambda c: reverse("admin:password_change_done"), statuses(302, admin=200, other_org_user=200)
    ),
    "admin:autocomplete": Entry(
        lambda c: reverse("admin:autocomplete"), statuses(302, admin=403, other_org_user=403)
    ),
    "admin:jsi18n": Entry(lambda c: reverse("admin:jsi18n"), statuses(302, admin=200, other_org_user=200)),
    # Our models have no public URL, so "view on site" finds nothing.
    "admin:view_on_site": Entry(
        lambda c: reverse("admin:view_on_site", args=[1, c.employee.pk]),
        statuses(302, admin=404, other_org_user=404),
    ),
    "admin:app_list": Entry(
        lambda c: reverse("admin:app_list", args=["casefiles"]), statuses(302, admin=200, other_org_user=200)
    ),
    # Anything else under the admin: login first, then 404.
    "admin:<catch-all>": Entry(
        lambda c: reverse("admin:index") + "geen-pagina/", statuses(302, admin=404, other_org_user=404)
    ),
    **_admin_entries(),
}

MATRIX: dict[str, Entry] = {**PAGES, **CASEFILES_ENTRIES, **ADMIN}


def _pattern_keys(patterns, namespace: str = "", prefix: str = "") -> set[str]:
    keys = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            keys |= _pattern_keys(
                pattern.url_patterns, pattern.namespace or namespace, prefix + str(pattern.pattern)
            )
        elif isinstance(pattern, URLPattern):
            route = str(pattern.pattern)
            if pattern.name:
                keys.add(f"{namespace}:{pattern.name}" if namespace else pattern.name)
            elif namespace == "admin" and route == "(?P<url>.*)$":
                keys.add("admin:<catch-all>")
            elif namespace == "admin" and route == "<path:object_id>/":
                # ModelAdmin's unnamed redirect from <id>/ to <id>/change/.
                app, model = prefix.removeprefix(settings.ADMIN_URL).strip("/").split("/")
                keys.add(f"admin:{app}_{model}_redirect")
            else:
                keys.add(f"<unnamed {namespace}:{prefix}{route}>")
    return keys


def test_matrix_covers_every_url():
    """A URL that the matrix does not list fails here."""
    missing = _pattern_keys(get_resolver().url_patterns) - set(MATRIX)
    assert not missing, f"URL patterns without an entry in the permission matrix: {sorted(missing)}"


def test_matrix_lists_no_url_that_does_not_exist():
    stale = set(MATRIX) - _pattern_keys(get_resolver().url_patterns)
    assert not stale, f"matrix entries for URLs that no longer exist: {sorted(stale)}"


def test_admin_registers_exactly_the_listed_models():
    """R9: a model added to the admin (say, anything medical) must be
    listed above with a deliberate decision."""
    registered = {f"{m._meta.app_label}.{m._meta.model_name}" for m in admin.site._registry}
    assert registered == set(ADMIN_MODELS)


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_permission_matrix(cast, name):
    entry = MATRIX[name]
    assert set(entry.expected) == set(MATRIX_ROLES)
    url = entry.url(cast)
    wrong = {}
    for role in MATRIX_ROLES:
        response = getattr(cast.client(role), entry.method)(url, entry.data)
        if response.status_code != entry.expected[role]:
            wrong[role] = (response.status_code, entry.expected[role])
    assert not wrong, f"{name} {url}: role -> (got, expected): {wrong}"


def test_anonymous_is_sent_to_the_dutch_login_page(cast):
    response = cast.client("anonymous").get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
