"""The upload form of the absence import; the rules live in reporting.absence_import."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 30 * 1024 * 1024  # ~ 500,000 rows


class AbsenceImportForm(forms.Form):
    organisatie = forms.ModelChoiceField(label=_("Organisatie"), queryset=None, empty_label=None)
    bestand = forms.FileField(
        label=_("Bestand (CSV, UTF-8)"),
        help_text=_(
            "Kolommen: personeelsnummer, afdeling, eerste_verzuimdag, laatste_verzuimdag (leeg = lopend), "
            "percentage (bijv. 50 of 2026-03-01:50|2026-04-01:100), contracturen. "
            "Scheidingsteken ; of ,. Datums als JJJJ-MM-DD of DD-MM-JJJJ."
        ),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisatie"].queryset = organisations
        self.fields["bestand"].widget.attrs["accept"] = ".csv,text/csv"

    def clean_bestand(self):
        upload = self.cleaned_data["bestand"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Het bestand is te groot (hoogstens 30 MB)."))
        return upload
