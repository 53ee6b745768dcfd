"""Forms of the medical file (R7, R9): they only parse and validate input.

Reading and writing goes through :mod:`casefiles.medical`, which checks the
physician's authorisation and writes the NEN 7513 access log (R13).

The consultation form has two parts: the medical notes (never shared) and the
four R7 conclusions (degree of incapacity, expected duration, the six FML
rubrieken, adaptations), which reach the employer only after the physician
releases them. The shareable texts are checked for medical terms (R7a): once
released they are employer-side data and must be written in functional terms.
"""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .medical import ConclusionInput, LimitationInput
from .medical_terms import NoMedicalTermsFormMixin
from .models import Consultation, ConsultationConclusion, FunctionalLimitation

Incapacity = ConsultationConclusion.Incapacity
Duration = ConsultationConclusion.Duration
Rubriek = FunctionalLimitation.Rubriek
Level = FunctionalLimitation.Level

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _date_field(label, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=DATE_WIDGET, **kwargs)


def _not_in_future(value):
    if value and value > timezone.localdate():
        raise forms.ValidationError(_("Deze datum ligt in de toekomst."), code="future")
    return value


class ConsultationForm(NoMedicalTermsFormMixin, forms.Form):
    """A spreekuurcontact with its conclusions. The conclusions are optional
    (e.g. an open spreekuur on the employee's own initiative), but once a
    consultation has conclusions they cannot be emptied (``has_conclusion``)."""

    date = _date_field(_("Datum van het spreekuurcontact"))
    kind = forms.ChoiceField(label=_("Soort contact"), choices=Consultation.Kind.choices)
    notes = forms.CharField(
        label=_("Medische aantekeningen (vertrouwelijk)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_(
            "Alleen voor bedrijfsartsen en POB die voor deze medewerker zijn geautoriseerd. "
            "Medische aantekeningen worden nooit gedeeld, ook niet als u de conclusies deelt."
        ),
    )
    incapacity = forms.ChoiceField(
        label=_("Mate van arbeidsongeschiktheid"),
        required=False,
        choices=[("", _("— geen conclusies vastgelegd —")), *Incapacity.choices],
    )
    incapacity_percentage = forms.IntegerField(
        label=_("Percentage arbeidsongeschikt (optioneel)"),
        required=False,
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": _("Het percentage ligt tussen 0 en 100."),
            "max_value": _("Het percentage ligt tussen 0 en 100."),
            "invalid": _("Vul een heel getal in."),
        },
    )
    expected_duration = forms.ChoiceField(
        label=_("Verwachte duur van het verzuim"), choices=Duration.choices, initial=Duration.UNKNOWN
    )
    expected_return_from = _date_field(_("Verwachte terugkeer vanaf (optioneel)"), required=False)
    expected_return_until = _date_field(_("Verwachte terugkeer uiterlijk (optioneel)"), required=False)
    adaptations = forms.CharField(
        label=_("Aanpassingen nodig voor re-integratie"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "In functionele termen: wat kan de medewerker wel, en wat is nodig? Geen diagnose, "
            "behandeling of medicatie."
        ),
    )

    def __init__(self, *args, employee, has_conclusion: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = employee.organisation
        self.has_conclusion = has_conclusion
        if has_conclusion:
            self.fields["incapacity"].required = True
            self.fields["incapacity"].choices = Incapacity.choices
        for rubriek in Rubriek:
            self.fields[f"fml_{rubriek.value}_level"] = forms.ChoiceField(
                label=_("Mate"), choices=Level.choices, initial=Level.NONE
            )
            self.fields[f"fml_{rubriek.value}_description"] = forms.CharField(
                label=_("Toelichting (functioneel)"),
                required=False,
                max_length=FunctionalLimitation._meta.get_field("description").max_length,
            )

    @property
    def employer_text_fields(self) -> tuple[str, ...]:
        """The texts the employer may read once released (R7, R7a)."""
        return ("adaptations", *(f"fml_{r.value}_description" for r in Rubriek))

    def fml_rows(self) -> list[dict]:
        """The six FML rubrieken, each with its level and description field."""
        return [
            {
                "label": rubriek.label,
                "level": self[f"fml_{rubriek.value}_level"],
                "description": self[f"fml_{rubriek.value}_description"],
            }
            for rubriek in Rubriek
        ]

    def clean_date(self):
        return _not_in_future(self.cleaned_data.get("date"))

    def clean(self):
        cleaned = super().clean()
        incapacity = cleaned.get("incapacity")
        percentage = cleaned.get("incapacity_percentage")
        start, end = cleaned.get("expected_return_from"), cleaned.get("expected_return_until")
        if not incapacity:
            if self._has_conclusion_input(cleaned):
                self.add_error(
                    "incapacity",
                    _(
                        "Kies de mate van arbeidsongeschiktheid, of laat alle conclusievelden leeg "
                        "als u (nog) geen conclusies vastlegt."
                    ),
                )
        elif percentage is not None:
            allowed = {
                Incapacity.FULL: (100, 100),
                Incapacity.PARTIAL: (1, 99),
                Incapacity.NONE: (0, 0),
            }[incapacity]
            if not allowed[0] <= percentage <= allowed[1]:
                self.add_error(
                    "incapacity_percentage",
                    _("Dit percentage past niet bij de gekozen mate van arbeidsongeschiktheid."),
                )
        if start and end and end < start:
            self.add_error(
                "expected_return_until",
                _("De uiterste terugkeerdatum ligt vóór de datum waarop terugkeer wordt verwacht."),
            )
        return cleaned

    def _has_conclusion_input(self, cleaned) -> bool:
        if (
            any(
                cleaned.get(name)
                for name in (
                    "incapacity_percentage",
                    "expected_return_from",
                    "expected_return_until",
                    "adaptations",
                )
            )
            or cleaned.get("incapacity_percentage") == 0
        ):
            return True
        if cleaned.get("expected_duration") not in (None, "", Duration.UNKNOWN):
            return True
        return any(
            cleaned.get(f"fml_{r.value}_level") not in (None, "", Level.NONE)
            or cleaned.get(f"fml_{r.value}_description")
            for r in Rubriek
        )

    # --- what the service gets -------------------------------------------

    def consultation_data(self) -> dict:
        data = self.cleaned_data
        return {"date": data["date"], "kind": data["kind"], "notes": data["notes"]}

    def conclusion_input(self) -> ConclusionInput | None:
        data = self.cleaned_data
        if not data.get("incapacity"):
            return None
        return ConclusionInput(
            incapacity=data["incapacity"],
            incapacity_percentage=data["incapacity_percentage"],
            expected_duration=data["expected_duration"],
            expected_return_from=data["expected_return_from"],
            expected_return_until=data["expected_return_until"],
            adaptations=data["adaptations"],
            limitations=tuple(
                LimitationInput(
                    rubriek=r.value,
                    level=data[f"fml_{r.value}_level"],
                    description=data[f"fml_{r.value}_description"],
                )
                for r in Rubriek
            ),
        )


class ConsultationEditForm(ConsultationForm):
    """The same form with the version that was read (optimistic locking)."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)


def conclusion_of(consultation) -> ConsultationConclusion | None:
    """The consultation's conclusion, or None (loaded by the service)."""
    return getattr(consultation, "conclusion", None)


def conclusion_input_of(conclusion: ConsultationConclusion) -> ConclusionInput:
    """A stored conclusion as the form would send it: all six rubrieken,
    a missing rubriek as "geen beperking" (so unchanged input compares equal)."""
    stored = {x.rubriek: x for x in conclusion.limitations.all()}
    return ConclusionInput(
        incapacity=conclusion.incapacity,
        incapacity_percentage=conclusion.incapacity_percentage,
        expected_duration=conclusion.expected_duration,
        expected_return_from=conclusion.expected_return_from,
        expected_return_until=conclusion.expected_return_until,
        adaptations=conclusion.adaptations,
        limitations=tuple(
            LimitationInput(
                rubriek=r.value,
                level=stored[r.value].level if r.value in stored else Level.NONE,
                description=stored[r.value].description if r.value in stored else "",
            )
            for r in Rubriek
        ),
    )


def consultation_initial(consultation) -> dict:
    """Initial values of the edit form from a consultation (service-loaded)."""
    initial = {
        "date": consultation.date,
        "kind": consultation.kind,
        "notes": consultation.notes,
        "version": consultation.version,
    }
    conclusion = conclusion_of(consultation)
    if conclusion is not None:
        data = conclusion_input_of(conclusion)
        initial.update(
            incapacity=data.incapacity,
            incapacity_percentage=data.incapacity_percentage,
            expected_duration=data.expected_duration,
            expected_return_from=data.expected_return_from,
            expected_return_until=data.expected_return_until,
            adaptations=data.adaptations,
        )
        for x in data.limitations:
            initial[f"fml_{x.rubriek}_level"] = x.level
            initial[f"fml_{x.rubriek}_description"] = x.description
    return initial


class PhysicianNoteForm(forms.Form):
    date = _date_field(_("Datum"))
    context = forms.CharField(
        label=_("Context (optioneel)"),
        required=False,
        max_length=200,
        help_text=_("Bijvoorbeeld: SMO van 12-03, telefonisch contact met de huisarts."),
    )
    notes = forms.CharField(
        label=_("Aantekening (vertrouwelijk)"),
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_(
            "Alleen voor bedrijfsartsen en POB die voor deze medewerker zijn geautoriseerd. "
            "Wordt nooit gedeeld."
        ),
    )

    def clean_date(self):
        return _not_in_future(self.cleaned_data.get("date"))
