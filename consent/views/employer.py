"""Consent pages of the employer side (manager, HR): recording the R6
notification and recording a withdrawal on the employee's behalf (R8).

Who: only the manager and HR of the case's employee (employer scope,
smo.permissions.employees_in_employer_scope). Other roles are refused by role
(403: they can never record these, whatever the case); a manager or HR user
without the employee in scope, and anyone of another organisation, gets 404
(the case's existence is confidential). The casemanager guides the case but
is not the employer: 403.

The employer side sees *that* a consent exists, its scope and period, and
whether it was withdrawn; never its items (health information, R7a) nor the
reason of a withdrawal (R8).
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.urls import path
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from casefiles.models import AbsenceCase
from smo.forms import add_service_errors
from smo.permissions import require_in, require_roles
from smo.roles import Role

from .. import services
from ..forms_employer import NotificationForm
from ..selectors import consent_status_for_employer, employer_cases, employer_consents

EMPLOYER_ROLES = (Role.LEIDINGGEVENDE, Role.HR)

# --- pages ------------------------------------------------------------------------


@require_roles(*EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
@never_cache
def notification_create(request, pk: int):
    """R6: record that the employee (and the bedrijfsarts) was informed."""
    case = require_in(
        employer_cases(request.user).select_related("employee__organisation", "employee__department"), pk=pk
    )
    data = request.POST if request.method == "POST" else None
    form = NotificationForm(data, organisation=case.employee.organisation)
    if request.method == "POST" and form.is_valid():
        try:
            services.record_notification(user=request.user, case_id=case.pk, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("De melding aan de medewerker is vastgelegd."))
            return redirect("case_detail", pk=case.pk)
    return render(
        request,
        "consent/employer/notification_form.html",
        {"case": case, "employee": case.employee, "form": form},
    )


@require_roles(*EMPLOYER_ROLES)
@require_http_methods(["GET", "POST"])
@never_cache
def consent_withdraw_by_employer(request, pk: int):
    """R8: the employee told the employer that they withdraw their consent;
    the employer records it on their behalf. No reason is asked or kept."""
    consent = require_in(employer_consents(request.user).only("pk", "case_id"), pk=pk)
    status = consent_status_for_employer(user=request.user, case_id=consent.case_id)
    row = next((r for r in status.consents if r.pk == consent.pk), None) if status else None
    if row is None or row.withdrawn:
        messages.info(request, _("Deze toestemming is al ingetrokken of vervangen."))
        return redirect("case_detail", pk=consent.case_id)
    if request.method == "POST":
        services.withdraw_consent(user=request.user, consent_id=consent.pk)
        messages.success(
            request,
            _(
                "De intrekking is vastgelegd. Op basis van deze toestemming wordt de casus niet meer besproken."
            ),
        )
        return redirect("case_detail", pk=consent.case_id)
    case = AbsenceCase.objects.select_related("employee").get(pk=consent.case_id)
    return render(
        request,
        "consent/employer/withdraw_confirm.html",
        {"case": case, "employee": case.employee, "consent": row},
    )


urlpatterns = [
    path("casussen/<int:pk>/meldingen/nieuw/", notification_create, name="notification_create"),
    path(
        "toestemmingen/<int:pk>/intrekken-namens/",
        consent_withdraw_by_employer,
        name="consent_withdraw_by_employer",
    ),
]
