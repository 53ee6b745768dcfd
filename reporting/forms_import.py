"""The upload form of the absence import; the rules live in reporting.absence_import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 30 * 1024 * 1024  # ~ 500,000 CSV rows
EXTENSIONS = (".csv", ".txt", ".xlsx")


class AbsenceImportForm(forms.Form):
    organisatie = forms.ModelChoiceField(label=_("Organisatie"), queryset=None, empty_label=None)
    bestand = forms.FileField(
        label=_("Bestand (CSV in UTF-8, of Excel .xlsx)"),
        help_text=_(
            "Kolommen: personeelsnummer, afdeling, eerste_verzuimdag, laatste_verzuimdag (leeg = lopend), "
            "percentage (bijv. 50 of 2026-03-01:50|2026-04-01:100), contracturen (per week tijdens het verzuim; "
            "leeg = de huidige contracturen). "
            "CSV: scheidingsteken ; of ,. Excel: het eerste werkblad, de eerste rij bevat de kolomnamen. "
            "Datums als JJJJ-MM-DD of DD-MM-JJJJ (of als Excel-datum)."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisatie"].queryset = organisations
        self.fields["bestand"].widget.attrs["accept"] = (
            ".csv,text/csv,.xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )

    def clean_bestand(self):
        upload = self.cleaned_data["bestand"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Het bestand is te groot (hoogstens 30 MB)."))
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Kies een CSV-bestand (.csv) of een Excel-bestand (.xlsx)."))
        return upload
