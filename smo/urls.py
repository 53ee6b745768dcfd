from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from django.views.i18n import set_language

from . import views
from .permissions import authenticated, public
from .twofactor.admin import protect_admin_site

# R13a: the admin signs in through our login (with its second factor) and
# only admits a verified session.
protect_admin_site(admin.site)

urlpatterns = [
    path("", views.home, name="home"),
    path("health/", views.health, name="health"),
    path(
        "inloggen/",
        public(auth_views.LoginView.as_view(redirect_authenticated_user=True)),
        name="login",
    ),
    path("uitloggen/", public(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "wachtwoord/",
        authenticated(auth_views.PasswordChangeView.as_view()),
        name="password_change",
    ),
    path(
        "wachtwoord/gewijzigd/",
        authenticated(auth_views.PasswordChangeDoneView.as_view()),
        name="password_change_done",
    ),
    path("taal/", public(set_language), name="set_language"),
    path("audit/", views.audit_log, name="audit_log"),
    path("", include("smo.twofactor.urls")),
    path("", include("casefiles.urls")),
    path("", include("consent.urls")),
    path("", include("meetings.urls")),
    path("", include("reporting.urls")),
    path(settings.ADMIN_URL, admin.site.urls),
]
