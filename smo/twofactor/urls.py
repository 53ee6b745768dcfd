from django.urls import path

from . import views

urlpatterns = [
    path("inloggen/verificatie/", views.verify, name="two_factor_verify"),
    path("tweestapsverificatie/instellen/", views.setup, name="two_factor_setup"),
    path("tweestapsverificatie/herstelcodes/", views.recovery_codes, name="two_factor_recovery_codes"),
]
