"""R9: the canary is planted in every free-text field of every medical
model, found from the models themselves, so a text field added later fails
the canary tests until it is planted (tests/canary/planting.py)."""

from __future__ import annotations

import pytest

from casefiles.models import Consultation, ConsultationConclusion, FunctionalLimitation, PhysicianNote

from .planting import free_text_fields, medical_models, plant_consent, plant_medical, unplanted_medical_fields

pytestmark = pytest.mark.django_db


def test_R9_the_medical_models_and_their_text_fields_are_found():
    assert {Consultation, ConsultationConclusion, FunctionalLimitation, PhysicianNote} <= set(
        medical_models()
    )
    assert set(free_text_fields(PhysicianNote)) == {"context", "notes"}
    assert "kind" not in free_text_fields(Consultation)  # a choice, not free text


def test_R9_a_text_field_without_the_canary_is_named(cast):
    assert "casefiles.PhysicianNote.notes" in unplanted_medical_fields()
    plant_consent(cast)  # not medical: changes nothing here
    plant_medical(cast)
    assert unplanted_medical_fields() == []
