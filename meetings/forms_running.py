"""Forms of the meeting mode (vergadermodus), the minutes and the action
points. They parse input; the rules live in meetings.services. Employer-side
free text (decisions, action points, the evaluation) is checked for medical
terms (R7a) and rendered with the R7a notice beside it; the physician's note
goes to the medical file and is never shown back."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from casefiles.forms_reintegration import DateInput, EmployerTextForm

from .models import ActionPoint, Participant
from .services.running import SRO_FACTORS


def _person(user) -> str:
    return user.get_full_name() or user.get_username()


class VersionForm(forms.Form):
    """Optimistic locking only: the version the user saw."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class ConfirmRolesForm(forms.Form):
    """R21: who is present, in the role stated in the invitation."""

    present = forms.TypedMultipleChoiceField(
        label=_("Aanwezig"), coerce=int, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, participants: list[Participant], **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        field.choices = [(p.user_id, f"{_person(p.user)} — {p.get_role_display()}") for p in participants]
        if not self.is_bound:
            field.initial = [p.user_id for p in participants if p.present is not False]


class DecisionForm(EmployerTextForm):
    employer_text_fields = ("text",)

    text = forms.CharField(
        label=_("Besluit of afspraak"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
        help_text=_("Alleen afspraken en besluiten over de re-integratie; dit komt in het verslag (R10)."),
    )


class ActionPointForm(EmployerTextForm):
    """R10, R22: what, who (a participant or the employee), by when, which
    support measure."""

    employer_text_fields = ("what",)

    what = forms.CharField(label=_("Wat"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))
    owner = forms.TypedChoiceField(label=_("Wie"), coerce=int, empty_value=None, required=False)
    owner_label = forms.CharField(
        label=_("Of: wie anders"),
        max_length=100,
        required=False,
        help_text=_("Bijvoorbeeld een functie, als het geen deelnemer is."),
    )
    due = forms.DateField(label=_("Uiterlijk"), widget=DateInput())
    type = forms.ChoiceField(label=_("Soort ondersteuning"), choices=ActionPoint.Type.choices)

    def __init__(self, *args, organisation, owners: list[tuple[int, str]], **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["owner"].choices = [("", _("— kies een persoon —")), *owners]
        self.fields["type"].initial = ActionPoint.Type.OTHER

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("owner") is None and not (cleaned.get("owner_label") or "").strip():
            self.add_error("owner", _("Geef aan wie het actiepunt uitvoert."))
        return cleaned

    def owner_user(self):
        pk = self.cleaned_data.get("owner")
        return get_user_model().objects.filter(pk=pk).first() if pk is not None else None


class SroFactorsForm(forms.Form):
    """R17: the influenceable factors discussed, grouped by the
    belasting/belastbaarheid model."""

    factors = forms.MultipleChoiceField(
        label=_("Besproken beïnvloedbare factoren"),
        choices=[(f, f) for group in SRO_FACTORS.values() for f in group],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    GROUP_LABELS = {"belasting": _("Belasting"), "belastbaarheid": _("Belastbaarheid")}

    def groups(self) -> list[tuple[str, list]]:
        """The checkboxes per group, for the template."""
        by_value = {str(box.data["value"]): box for box in self["factors"]}
        return [
            (self.GROUP_LABELS[name], [by_value[f] for f in factors]) for name, factors in SRO_FACTORS.items()
        ]


class PhysicianNoteForm(forms.Form):
    """The bedrijfsarts's own note: to the medical file only (R9)."""

    text = forms.CharField(
        label=_("Aantekening voor het medisch dossier"),
        widget=forms.Textarea(attrs={"rows": 3, "autocomplete": "off"}),
        max_length=8000,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["text"].widget.attrs["aria-describedby"] = f"{self['text'].auto_id}_warning"


class ThemeMinutesForm(forms.Form):
    """R11: the full minutes of a beleids-/thema-SMT."""

    text = forms.CharField(
        label=_("Verslag"),
        widget=forms.Textarea(attrs={"rows": 10}),
        required=False,
        help_text=_(
            "Het verslag mag volledig zijn en wordt vrij gedeeld: noem geen namen of personeelsnummers (R11)."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)


class CloseMeetingForm(forms.Form):
    override_reason = forms.CharField(
        label=_("Reden om het verslag toch zo vast te stellen"), max_length=300, required=False
    )


class MeetingEvaluationForm(EmployerTextForm):
    """R21: what kind of meeting was this, and did we stay within its frame?"""

    employer_text_fields = ("note",)

    stayed_in_frame = forms.TypedChoiceField(
        label=_("Zijn we binnen het kader van dit soort overleg gebleven?"),
        choices=[("ja", _("Ja")), ("nee", _("Nee"))],
        coerce=lambda value: value == "ja",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Toelichting"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000, required=False
    )


class ActionPointStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=ActionPoint.Status.choices)
    # Sent by the page; without it the change is not checked for conflicts.
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0, required=False)


SCOPES = {"mine": _("Mijn actiepunten"), "department": _("Mijn afdeling"), "overdue": _("Te laat")}
