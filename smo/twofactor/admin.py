"""R13a for the admin: no login form of its own, and no access without a
verified second factor (the middleware already redirects an unverified
session; this is the admin's own check as a second line)."""

from __future__ import annotations

import types

from django.contrib.auth import REDIRECT_FIELD_NAME
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse


def _login(self, request, extra_context=None):
    """The admin's login page sends the browser to the platform's login."""
    next_url = request.GET.get(REDIRECT_FIELD_NAME) or reverse("admin:index", current_app=self.name)
    return redirect_to_login(next_url)


_login.login_required = False  # like the admin's own login view


def _has_permission(self, request) -> bool:
    user = request.user
    verified = getattr(user, "is_verified", None)
    return bool(user.is_active and user.is_staff and verified is not None and verified())


def protect_admin_site(site) -> None:
    site.login = types.MethodType(_login, site)
    site.has_permission = types.MethodType(_has_permission, site)
