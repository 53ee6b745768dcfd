"""R7a: employer-side free text is checked for medical terms before saving."""

from __future__ import annotations

import pytest
from django import forms
from django.core.exceptions import ValidationError

from casefiles.medical_terms import NoMedicalTermsFormMixin, check_no_medical_terms, find_medical_terms
from tests.factories import OrganisationFactory


@pytest.mark.parametrize(
    ("text", "flagged"),
    [
        # diagnoses and conditions
        ("Medewerker heeft een burn-out", ["burn-out"]),
        ("Sinds de depressie minder belastbaar", ["depressie"]),
        ("Rugklachten, fysiotherapie", ["Rugklachten", "fysiotherapie"]),
        ("Herstelt van een hernia", ["hernia"]),
        ("Diabetes type 2", ["Diabetes"]),
        # treatments and care
        ("Is geopereerd en ligt in het ziekenhuis", ["geopereerd", "ziekenhuis"]),
        ("Loopt bij de psycholoog", ["psycholoog"]),
        # medication
        ("Gebruikt medicatie tegen de pijn: paracetamol", ["medicatie", "paracetamol"]),
        ("Neemt antidepressiva", ["antidepressiva"]),
        # body parts
        ("Pijn in de knie en de schouder", ["knie", "schouder"]),
        ("Kan niet lang op de voeten staan", ["voeten"]),
        ("Last van de nek", ["nek"]),
        # accents and capitals do not hide a term
        ("RUGPIJN", ["RUGPIJN"]),
    ],
)
def test_R7a_flags_medical_words(text, flagged):
    assert find_medical_terms(text) == flagged


@pytest.mark.parametrize(
    "text",
    [
        "Hij komt terug op maandag",
        "Met hartelijke groet",
        "Hartelijk dank voor het gesprek",
        "We werken aan de hand van het plan van aanpak",
        "Er zijn enkele afspraken gemaakt",
        "Met het oog op de werkhervatting",
        "Verlof opgenomen in week 12",
        "Het hoofd van de afdeling sluit aan",
        "Kan vier uur per dag werken, niet langer dan een uur achter elkaar staan",
        "Rugzak meenemen naar de training",
        "We behandelen je verzoek volgende week",
        "",
    ],
)
def test_R7a_leaves_ordinary_words_alone(text):
    assert find_medical_terms(text) == []


def test_R7a_each_word_is_named_once():
    assert find_medical_terms("knie, knie en nog eens knie") == ["knie"]


@pytest.mark.django_db
def test_R7a_organisation_extra_terms():
    organisation = OrganisationFactory(extra_medical_terms="Zorgverlof-X\nlymfe\n\n")
    assert find_medical_terms("Krijgt lymfedrainage", organisation) == ["lymfedrainage"]
    assert find_medical_terms("Krijgt lymfedrainage") == []
    assert find_medical_terms("zorgverlof-x aangevraagd", organisation) == ["zorgverlof-x"]


def test_R7a_check_raises_a_dutch_error_naming_the_words():
    with pytest.raises(ValidationError) as raised:
        check_no_medical_terms("Rugklachten, fysiotherapie")
    message = raised.value.messages[0]
    assert "“Rugklachten”" in message and "“fysiotherapie”" in message
    assert "Beschrijf het in functionele termen" in message
    assert raised.value.code == "medical_terms"


def test_R7a_check_accepts_functional_terms():
    check_no_medical_terms("Kan tijdelijk geen zware dozen tillen; werkt halve dagen.")


class GoalForm(NoMedicalTermsFormMixin, forms.Form):
    employer_text_fields = ("goal",)
    goal = forms.CharField()
    other = forms.CharField(required=False)


def test_R7a_form_mixin_puts_the_error_on_the_field():
    form = GoalForm({"goal": "Na de operatie terug", "other": "knie"})
    assert not form.is_valid()
    assert list(form.errors) == ["goal"]  # only listed fields are checked
    assert GoalForm({"goal": "Halve dagen werken"}).is_valid()


@pytest.mark.django_db
def test_R7a_form_mixin_uses_the_organisation_terms():
    form = GoalForm({"goal": "Bezoekt de lymfepoli"})
    form.organisation = OrganisationFactory(extra_medical_terms="lymfe")
    assert not form.is_valid()
