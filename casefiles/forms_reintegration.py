"""Forms of the reintegration file. They parse input; the rules live in
casefiles.reintegration. Every employer-side free-text field is checked for
medical terms (R7a) and rendered with the R7a notice beside it."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smo.forms import ShortListChoiceField

from . import wvp
from .medical_terms import NoMedicalTermsFormMixin
from .models import Department, PlanAgreement
from .reintegration import STEP_FIELDS
from .selectors import expert_choices


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class EmployerTextForm(NoMedicalTermsFormMixin, forms.Form):
    """Links each employer-side text field to its R7a notice (aria-describedby)."""

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        for name in self.employer_text_fields:
            self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}_r7a"


class EmployeeFilterForm(forms.Form):
    afdeling = ShortListChoiceField(
        label=_("Afdeling"),
        queryset=Department.objects.none(),
        required=False,
        empty_label=_("Alle afdelingen"),
    )
    verzuimd = forms.BooleanField(label=_("Alleen verzuimd"), required=False)

    def __init__(self, *args, departments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["afdeling"].queryset = departments


class ExpertChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class PlanForm(EmployerTextForm):
    employer_text_fields = ("goal",)

    drawn_up_on = forms.DateField(label=_("Opgesteld op"), widget=DateInput())
    goal = forms.CharField(
        label=_("Doel van de re-integratie"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )
    casemanager = ExpertChoiceField(
        label=_("Casemanager"),
        queryset=None,
        help_text=_("Verplicht volgens de Wet verbetering poortwachter."),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, organisation=organisation, **kwargs)
        self.fields["casemanager"].queryset = expert_choices(organisation)


class AgreementForm(EmployerTextForm):
    employer_text_fields = ("what",)

    what = forms.CharField(
        label=_("Afspraak"), max_length=300, widget=forms.Textarea(attrs={"rows": 2, "maxlength": 300})
    )
    who = forms.ChoiceField(label=_("Wie"), choices=PlanAgreement.Who.choices)
    due = forms.DateField(label=_("Uiterlijk"), required=False, widget=DateInput())


class EvaluationForm(EmployerTextForm):
    employer_text_fields = ("summary",)

    date = forms.DateField(label=_("Datum evaluatie"), widget=DateInput())
    summary = forms.CharField(
        label=_("Bevindingen en bijstelling"), widget=forms.Textarea(attrs={"rows": 5}), max_length=4000
    )


class WvpStepForm(forms.Form):
    step = forms.ChoiceField(
        label=_("Stap"), choices=[(step.value, wvp.STEP_LABELS[step]) for step in STEP_FIELDS]
    )
    date = forms.DateField(label=_("Gedaan op"), widget=DateInput())


class DocumentForm(EmployerTextForm):
    employer_text_fields = ("title",)

    title = forms.CharField(label=_("Titel"), max_length=200)
    file = forms.FileField(
        label=_("Bestand"),
        help_text=_("PDF, DOCX, ODT, PNG of JPG; hoogstens 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.docx,.odt,.png,.jpg,.jpeg"}),
    )


class CorrectionResponseForm(EmployerTextForm):
    employer_text_fields = ("response",)

    response = forms.CharField(
        label=_("Reactie aan de medewerker"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )
