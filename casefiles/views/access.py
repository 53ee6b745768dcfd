"""Who may open an employee's files: HR and the functioneel beheerder
authorise bedrijfsartsen/POB for the medical file (R9) and name the
casemanager of the open case. Every grant and revocation is in the audit
trail (casefiles.services)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from smo.permissions import organisations_of, require_roles
from smo.roles import EXPERT_ROLES, PHYSICIAN_ROLES, Role

from .. import services
from ..models import Employee
from ..selectors import expert_choices, members_with_roles


class AccessForm(forms.Form):
    ACTIONS = ("grant_physician", "revoke_physician", "grant_expert", "revoke_expert")
    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS], widget=forms.HiddenInput)
    user = forms.ModelChoiceField(queryset=get_user_model().objects.none(), label=_("Persoon"))

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["user"].queryset = members_with_roles(organisation, PHYSICIAN_ROLES | EXPERT_ROLES)


@require_roles(Role.HR, Role.BEHEERDER)
@require_http_methods(["GET", "POST"])
def employee_access(request, employee_id: int):
    employee = get_object_or_404(
        Employee.objects.select_related("organisation", "department"),
        pk=employee_id,
        organisation__in=organisations_of(request.user),
    )
    open_case = employee.absence_cases.filter(end_date__isnull=True).first()
    if request.method == "POST":
        form = AccessForm(request.POST, organisation=employee.organisation)
        if form.is_valid():
            return _apply(
                request, employee, open_case, form.cleaned_data["action"], form.cleaned_data["user"]
            )
        messages.error(request, _("Kies een persoon uit de lijst."))
    return render(
        request,
        "casefiles/access/employee_access.html",
        {
            "employee": employee,
            "open_case": open_case,
            "physicians": services.physicians_of(employee),
            "experts": services.case_experts(open_case) if open_case else [],
            "physician_choices": members_with_roles(employee.organisation, PHYSICIAN_ROLES),
            "expert_choices": expert_choices(employee.organisation),
        },
    )


def _apply(request, employee, open_case, action, user):
    from django.core.exceptions import ValidationError

    try:
        if action == "grant_physician":
            services.authorise_physician(actor=request.user, employee=employee, physician=user)
        elif action == "revoke_physician":
            services.revoke_physician(actor=request.user, employee=employee, physician=user)
        elif open_case is None:
            raise ValidationError(_("Er is geen lopend verzuim om een casemanager aan te koppelen."))
        elif action == "grant_expert":
            services.assign_case_expert(actor=request.user, case=open_case, expert=user)
        else:
            services.remove_case_expert(actor=request.user, case=open_case, expert=user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("De toegang is bijgewerkt."))
    return redirect("employee_access", employee_id=employee.pk)


urlpatterns = [path("medewerkers/<int:employee_id>/toegang/", employee_access, name="employee_access")]
