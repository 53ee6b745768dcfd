"""Editing the free-text parts of the SMO reglement (R16): the form (with the
R7a medical-term check, since every employee reads these texts) and the one
service that saves them."""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from casefiles.medical_terms import NoMedicalTermsFormMixin
from casefiles.models import Organisation
from smo.permissions import organisations_of
from smo.roles import Role, has_role

from .models_reglement import ReglementText

TEXT_FIELDS = ("purpose", "complaints_contact", "privacy_contact", "additional_provisions")


class StaleReglement(Exception):
    """Someone else saved the texts since this form was opened."""

    message = _(
        "Iemand anders heeft deze teksten intussen gewijzigd. Bekijk de nieuwe versie en probeer het opnieuw."
    )


class ReglementTextForm(NoMedicalTermsFormMixin, forms.ModelForm):
    # R7a: the texts are read by every employee; no health data in them.
    employer_text_fields = TEXT_FIELDS
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    class Meta:
        model = ReglementText
        fields = TEXT_FIELDS
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 6}),
            "complaints_contact": forms.Textarea(attrs={"rows": 4}),
            "privacy_contact": forms.Textarea(attrs={"rows": 3}),
            "additional_provisions": forms.Textarea(attrs={"rows": 8}),
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["version"].initial = self.instance.version


def may_edit(user, organisation: Organisation) -> bool:
    """R16: only the functioneel beheerder of this organisation edits its texts."""
    return has_role(user, Role.BEHEERDER) and organisations_of(user).filter(pk=organisation.pk).exists()


def texts_for_editing(organisation: Organisation) -> ReglementText:
    """The stored texts, or a new unsaved record."""
    return ReglementText.objects.filter(organisation=organisation).first() or ReglementText(
        organisation=organisation
    )


@transaction.atomic
def save_texts(*, user, organisation: Organisation, data: dict, expected_version: int) -> ReglementText:
    """Save the free-text parts (already cleaned by :class:`ReglementTextForm`).
    Raises PermissionDenied for anyone but the organisation's beheerder and
    :class:`StaleReglement` when another save came first."""
    if not may_edit(user, organisation):
        raise PermissionDenied
    texts, _created = ReglementText.objects.select_for_update().get_or_create(organisation=organisation)
    if texts.version != expected_version:
        raise StaleReglement
    for field in TEXT_FIELDS:
        setattr(texts, field, data.get(field, "").strip())
    texts.updated_by = user
    texts.version += 1
    texts.save()
    return texts
