"""The statistics page and the presentation mode (issue 7; R18, R19): absence
figures per department for the arbeidsdeskundige and HR (every department of
the organisation) and managers (only the departments they manage).

What is shown is decided in :mod:`reporting.report` (sections already through
disclosure control); this module only reads the form and renders. The page,
the presentation mode (here) and the handout PDF and CSV export
(:mod:`reporting.views_statistics_export`) read the same form and render the
same sections, so a value suppressed in one is suppressed in all (R19).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import QueryDict
from django.shortcuts import render
from django.urls import path
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from casefiles.forms_reintegration import DateInput
from casefiles.models import Organisation
from smo.permissions import organisation_list, require_roles
from smo.roles import STATISTICS_ROLES

from .report import Report, build_report

MAX_PERIOD_DAYS = 5 * 366

# Period presets; "eigen" = the dates of the form.
LAST_YEAR, THIS_YEAR, LAST_12_MONTHS, CUSTOM = "vorig-jaar", "dit-jaar", "12-maanden", "eigen"
PRESET_CHOICES = (
    (LAST_YEAR, _("Vorig kalenderjaar")),
    (THIS_YEAR, _("Dit jaar tot en met vandaag")),
    (LAST_12_MONTHS, _("Laatste 12 volle maanden")),
    (CUSTOM, _("Eigen periode")),
)
GRANULARITY_CHOICES = (
    ("auto", _("Automatisch (per maand tot 13 maanden, anders per kwartaal)")),
    ("month", _("Per maand")),
    ("quarter", _("Per kwartaal")),
)


def default_period(today: datetime.date) -> tuple[datetime.date, datetime.date]:
    """The last full calendar year."""
    return datetime.date(today.year - 1, 1, 1), datetime.date(today.year - 1, 12, 31)


def preset_period(preset: str, today: datetime.date) -> tuple[datetime.date, datetime.date]:
    if preset == THIS_YEAR:
        return datetime.date(today.year, 1, 1), today
    if preset == LAST_12_MONTHS:
        this_month = today.replace(day=1)
        return this_month.replace(year=this_month.year - 1), this_month - datetime.timedelta(days=1)
    return default_period(today)


class OrganisationField(forms.ModelChoiceField):
    """One of ``organisations``, the user's (read once for the request):
    chosen from that list, as ModelChoiceField would from a queryset of
    them, without reading the organisation again."""

    def __init__(self, **kwargs):
        super().__init__(queryset=Organisation.objects.none(), empty_label=None, **kwargs)
        self.organisations: list[Organisation] = []

    def to_python(self, value):
        if value in self.empty_values:
            return None
        self.validate_no_null_characters(value)
        try:
            pk = int(value)  # as the primary key's lookup reads it
        except (TypeError, ValueError):
            pk = None
        chosen = next((o for o in self.organisations if o.pk == pk), None)
        if chosen is None:
            raise ValidationError(
                self.error_messages["invalid_choice"], code="invalid_choice", params={"value": value}
            )
        return chosen


class StatisticsForm(forms.Form):
    organisatie = OrganisationField(label=_("Organisatie"))
    periode = forms.ChoiceField(label=_("Periode"), choices=PRESET_CHOICES)
    van = forms.DateField(
        label=_("Periode van"),
        widget=DateInput(),
        help_text=_("Alleen bij een eigen periode."),
    )
    tot = forms.DateField(label=_("tot en met"), widget=DateInput())
    indeling = forms.ChoiceField(
        label=_("Indeling in de tijd"), choices=GRANULARITY_CHOICES, required=False, initial="auto"
    )

    def __init__(self, data, *, organisations, today: datetime.date):
        organisations = list(organisations)
        given = {k: v for k, v in (data.items() if data is not None else []) if v}
        # Dates without a preset (an old link, the export links) are an own period.
        preset = given.get("periode") or (CUSTOM if "van" in given or "tot" in given else LAST_YEAR)
        start, end = preset_period(preset, today)
        defaults = {
            "periode": preset,
            "van": start,
            "tot": end,
            "indeling": "auto",
            "organisatie": organisations[0].pk if organisations else None,
        }
        merged = {**{k: v for k, v in defaults.items() if v is not None}, **given}
        if preset in dict(PRESET_CHOICES) and preset != CUSTOM:
            merged.update(van=start, tot=end)  # a preset wins over typed dates
        super().__init__(merged)
        self.fields["organisatie"].organisations = organisations
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
        data["indeling"] = data.get("indeling") or "auto"
        return data


@dataclass
class Chosen:
    """What the user asked for, and the report for it."""

    form: StatisticsForm
    organisation: Organisation | None = None
    start: datetime.date | None = None
    end: datetime.date | None = None
    granularity: str = "auto"
    report: Report | None = None

    @property
    def query(self) -> str:
        """The parameters for the presentation, PDF and CSV links: the same
        organisation, dates and granularity as shown."""
        query = QueryDict(mutable=True)
        query.update(
            {
                "organisatie": str(self.organisation.pk),
                "van": self.start.isoformat(),
                "tot": self.end.isoformat(),
                "indeling": self.granularity,
            }
        )
        return query.urlencode()

    def context(self) -> dict:
        return {
            "form": self.form,
            "report": self.report,
            "organisation": self.organisation,
            "start": self.start,
            "end": self.end,
            "granularity": self.granularity,
            "query": self.query if self.report is not None else "",
        }


def chosen_report(request) -> Chosen:
    """Read the form and build the report (None when the form is invalid).

    Only organisations the user is a member of are offered; a user without
    any gets 403."""
    organisations = organisation_list(request.user)
    if not organisations:
        raise PermissionDenied
    form = StatisticsForm(request.GET, organisations=organisations, today=datetime.date.today())
    chosen = Chosen(form)
    if form.is_valid():
        chosen.organisation = form.cleaned_data["organisatie"]
        chosen.start, chosen.end = form.cleaned_data["van"], form.cleaned_data["tot"]
        chosen.granularity = form.cleaned_data["indeling"]
        chosen.report = build_report(
            request.user, chosen.organisation, chosen.start, chosen.end, granularity=chosen.granularity
        )
    return chosen


@require_roles(*STATISTICS_ROLES)
@require_GET
def statistics_view(request):
    return render(request, "reporting/statistics/statistics.html", chosen_report(request).context())


@require_roles(*STATISTICS_ROLES)
@require_GET
def presentation_view(request):
    """The SRO presentation (R18): one section per slide, large type; the
    same sections as the page, so the same suppression (R19)."""
    return render(request, "reporting/statistics/presentation.html", chosen_report(request).context())


urlpatterns = [
    path("statistieken/", statistics_view, name="statistics"),
    path("statistieken/presentatie/", presentation_view, name="statistics_presentation"),
]
