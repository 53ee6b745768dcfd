"""The employee's own "Mijn dossier" (R14): read-only view of what the
employer recorded about them, and a request for correction."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods

from smo.permissions import organisations_of, require_roles
from smo.roles import Role

from .. import wvp
from ..medical import shared_conclusions
from ..medical_terms import NoMedicalTermsFormMixin
from ..models import AbsenceCase, CorrectionRequest, Employee, PlanAgreement, PlanEvaluation


class CorrectionRequestForm(NoMedicalTermsFormMixin, forms.Form):
    """R14 with R7a: the request lands on the employer side, so it holds no
    health data either."""

    employer_text_fields = ("text",)

    case = forms.ModelChoiceField(
        queryset=AbsenceCase.objects.none(),
        required=False,
        label=_("Over welk verzuim gaat het?"),
        empty_label=_("Algemeen"),
    )
    text = forms.CharField(
        label=_("Wat klopt er niet, en wat moet het zijn?"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=2000,
    )

    def __init__(self, *args, employee: Employee, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = employee.organisation
        self.fields["case"].queryset = employee.absence_cases.all()
        self.fields["text"].widget.attrs["aria-describedby"] = "id_text_r7a"
        self.fields["case"].label_from_instance = lambda case: (
            _("verzuim vanaf %(day)s") % {"day": case.first_day.strftime("%d-%m-%Y")}
        )


def own_employee_record(user) -> Employee:
    """The employee record linked to this account, or 404."""
    try:
        return Employee.objects.select_related("department", "organisation").get(
            user=user, organisation__in=organisations_of(user)
        )
    except Employee.DoesNotExist:
        raise Http404 from None


@require_roles(Role.MEDEWERKER)
@require_http_methods(["GET", "POST"])
def my_file(request):
    employee = own_employee_record(request.user)
    form = CorrectionRequestForm(request.POST or None, employee=employee)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            CorrectionRequest.objects.create(
                employee=employee, case=form.cleaned_data["case"], text=form.cleaned_data["text"]
            )
        messages.success(
            request,
            _(
                "Uw verzoek is verstuurd. HR of uw leidinggevende neemt het in behandeling en laat u weten wat ermee is gedaan."
            ),
        )
        return redirect("my_file")
    cases = list(
        employee.absence_cases.select_related("plan", "plan__casemanager")
        .prefetch_related(
            "percentages",
            "documents",
            Prefetch("plan__agreements", queryset=PlanAgreement.objects.order_by("due", "pk")),
            Prefetch("plan__evaluations", queryset=PlanEvaluation.objects.order_by("-date")),
        )
        .order_by("-first_day")
    )
    today = timezone.localdate()
    open_case = next((c for c in cases if c.is_open), None)
    return render(
        request,
        "casefiles/portal/my_file.html",
        {
            "employee": employee,
            "cases": cases,
            "open_case": open_case,
            "milestones": wvp.milestones(wvp.facts_of(open_case), today) if open_case else [],
            "conclusions": shared_conclusions(user=request.user, case=open_case) if open_case else None,
            "requests": employee.correction_requests.select_related("case"),
            "form": form,
        },
    )


urlpatterns = [path("mijn-dossier/", my_file, name="my_file")]
