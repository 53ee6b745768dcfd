"""R13a: a signed-in session that still needs its second factor reaches only
the verification and enrolment pages (and logout, the language switch and the
health check). Everything else, the admin and downloads included, redirects
there: to the code step when the user has a second factor, to enrolment when
it is required and not set up yet."""

from __future__ import annotations

from django.shortcuts import redirect

from . import services
from .views import with_next

# Views an unverified session may use (URL names).
OPEN_VIEWS = frozenset(
    {
        "two_factor_verify",
        "two_factor_setup",
        "logout",
        "set_language",
        "health",
    }
)


class TwoFactorMiddleware:
    """Install after ``django_otp.middleware.OTPMiddleware``."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        user = request.user
        if not user.is_authenticated or user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in OPEN_VIEWS and not match.namespace:
            return None
        next_url = request.get_full_path() if request.method == "GET" else "/"
        if services.has_confirmed_device(user):
            return redirect(with_next("two_factor_verify", next_url))
        if services.two_factor_required(user):
            return redirect(with_next("two_factor_setup", next_url))
        return None
