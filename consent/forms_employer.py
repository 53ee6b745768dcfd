"""Forms of the employer side (manager, HR) for consent (R6). They parse
input; the rules live in consent.services. Every employer-side free-text
field is checked for medical terms (R7a) and rendered with the notice."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from casefiles.forms_reintegration import DateInput, EmployerTextForm

from .models import Notification
from .types import CASE_MEETING_TYPES, MeetingType

# R1: a beleids-/thema-SMT never discusses a case, so it is not offered.
CASE_MEETING_CHOICES = [(t.value, t.label) for t in MeetingType if t in CASE_MEETING_TYPES]
INVITED_CHOICES = [("ja", _("Ja")), ("nee", _("Nee"))]
DEFAULT_PERIOD = datetime.timedelta(weeks=6)


class NotificationForm(EmployerTextForm):
    """R6: the employee (and the bedrijfsarts) was informed that the case will
    be brought into a meeting, with the purpose and the specific questions."""

    employer_text_fields = ("purpose", "questions", "not_invited_reason")

    informed_on = forms.DateField(label=_("Geïnformeerd op"), widget=DateInput())
    how = forms.ChoiceField(label=_("Hoe is de medewerker geïnformeerd?"), choices=Notification.How.choices)
    meeting_type = forms.ChoiceField(
        label=_("Soort overleg"),
        choices=CASE_MEETING_CHOICES,
        help_text=_("In een beleids-/thema-SMT worden geen individuele casussen besproken."),
    )
    period_start = forms.DateField(label=_("Bespreking in de periode vanaf"), widget=DateInput())
    period_end = forms.DateField(label=_("tot en met"), widget=DateInput())
    purpose = forms.CharField(
        label=_("Doel van de bespreking"), max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    questions = forms.CharField(
        label=_("Specifieke vragen aan het overleg"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    employee_invited = forms.TypedChoiceField(
        label=_("Wordt de medewerker uitgenodigd voor de bespreking?"),
        choices=INVITED_CHOICES,
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
        initial="ja",
    )
    not_invited_reason = forms.CharField(
        label=_("Reden om de medewerker niet uit te nodigen"),
        max_length=300,
        required=False,
        help_text=_(
            "Verplicht als de medewerker niet wordt uitgenodigd, behalve bij een multidisciplinaire "
            "consultatie (daar is de medewerker nooit bij). Bijvoorbeeld: deelname is op dit moment "
            "te belastend."
        ),
    )
    physician_informed = forms.BooleanField(
        label=_("De bedrijfsarts is ook geïnformeerd"), required=False, initial=True
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        today = timezone.localdate()
        for name, value in (
            ("informed_on", today),
            ("period_start", today),
            ("period_end", today + DEFAULT_PERIOD),
        ):
            self.fields[name].initial = value
        # The R7a notice and the help text both describe the field.
        for name in self.employer_text_fields:
            field = self.fields[name]
            if field.help_text:
                attrs = field.widget.attrs
                attrs["aria-describedby"] = f"{attrs['aria-describedby']} {self[name].auto_id}_helptext"
