"""The statistics page (issue 7; R18, R19): absence figures per department
for the arbeidsdeskundige and HR (every department of the organisation) and
managers (only the departments they manage).

What is shown is decided in :mod:`reporting.report` (sections already through
disclosure control); this module only reads the form and renders.
"""

from __future__ import annotations

import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from casefiles.models import Organisation
from smo.permissions import organisations_of, require_roles
from smo.roles import Role

from .report import build_report

STATISTICS_ROLES = (Role.ARBEIDSDESKUNDIGE, Role.HR, Role.LEIDINGGEVENDE)
MAX_PERIOD_DAYS = 5 * 366


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last full calendar year."""
    return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)


class StatisticsForm(forms.Form):
    organisatie = forms.ModelChoiceField(
        label=_("Organisatie"), queryset=Organisation.objects.none(), empty_label=None
    )
    van = forms.DateField(label=_("Periode van"), widget=forms.DateInput(attrs={"type": "date"}))
    tot = forms.DateField(
        label=_("tot en met"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    def __init__(self, data, *, organisations, today: datetime.date):
        organisations = list(organisations)
        start, end = default_period(today)
        initial = {"van": start, "tot": end, "organisatie": organisations[0].pk if organisations else None}
        # An empty form (first visit) uses the defaults.
        merged = {
            **{k: v for k, v in initial.items() if v is not None},
            **{k: v for k, v in data.items() if v},
        }
        super().__init__(merged)
        self.fields["organisatie"].queryset = Organisation.objects.filter(
            pk__in=[o.pk for o in organisations]
        )
        self.fields["organisatie"].choices = [(o.pk, o.name) for o in organisations]
        self.show_organisation = len(organisations) > 1

    def clean(self):
        data = super().clean()
        start, end = data.get("van"), data.get("tot")
        if start and end:
            if end < start:
                self.add_error("tot", _("Het einde van de periode ligt voor het begin."))
            elif (end - start).days + 1 > MAX_PERIOD_DAYS:
                self.add_error("tot", _("Kies een periode van hoogstens vijf jaar."))
        return data


@require_roles(*STATISTICS_ROLES)
@require_GET
def statistics_view(request):
    organisations = list(organisations_of(request.user).order_by("name"))
    if not organisations:
        raise PermissionDenied
    form = StatisticsForm(request.GET, organisations=organisations, today=datetime.date.today())
    context = {"form": form, "report": None}
    if form.is_valid():
        organisation = form.cleaned_data["organisatie"]
        start, end = form.cleaned_data["van"], form.cleaned_data["tot"]
        context.update(
            organisation=organisation,
            start=start,
            end=end,
            report=build_report(request.user, organisation, start, end),
        )
    return render(request, "reporting/statistics/statistics.html", context)


urlpatterns = [path("statistieken/", statistics_view, name="statistics")]
