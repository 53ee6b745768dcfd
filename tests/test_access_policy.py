"""Deny by default: a view that does not declare who may use it is refused,
even for a logged-in user, and anonymous users are sent to the login page."""

import pytest
from django.http import HttpResponse
from django.test import override_settings
from django.urls import path

from smo.permissions import authenticated, public, require_roles
from smo.roles import Role

pytestmark = pytest.mark.django_db


def forgotten(request):
    return HttpResponse("should never be served")


@public
def open_view(request):
    return HttpResponse("open")


@authenticated
def signed_in_view(request):
    return HttpResponse("signed in")


@require_roles(Role.HR, Role.LEIDINGGEVENDE)
def hr_or_manager_view(request):
    return HttpResponse("hr or manager")


urlpatterns = [
    path("forgotten/", forgotten),
    path("open/", open_view),
    path("signed-in/", signed_in_view),
    path("hr/", hr_or_manager_view),
    path("inloggen/", public(lambda request: HttpResponse("login")), name="login"),
]


@override_settings(ROOT_URLCONF=__name__)
@pytest.mark.parametrize(
    ("url", "role", "status"),
    [
        ("/forgotten/", "anonymous", 302),
        ("/forgotten/", "hr", 403),
        ("/forgotten/", "admin", 403),
        ("/open/", "anonymous", 200),
        ("/signed-in/", "anonymous", 302),
        ("/signed-in/", "other_employee", 200),
        ("/hr/", "hr", 200),
        ("/hr/", "manager", 200),
        ("/hr/", "physician", 403),
        ("/hr/", "privacy_officer", 403),
        ("/hr/", "anonymous", 302),
    ],
)
def test_views_must_declare_access(cast, url, role, status):
    assert cast.client(role).get(url).status_code == status


@override_settings(ROOT_URLCONF=__name__)
def test_superuser_without_role_is_refused_role_views(cast):
    admin = cast.users["admin"]
    admin.is_superuser = True
    admin.save()
    assert cast.client("admin").get("/hr/").status_code == 403
    assert cast.client("admin").get("/forgotten/").status_code == 403


def test_inactive_user_has_no_roles(cast):
    from smo.roles import roles_of

    user = cast.users["hr"]
    user.is_active = False
    assert roles_of(user) == frozenset()
