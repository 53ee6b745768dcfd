"""smo.choices.ChoiceLabels: get_FOO_display() with the choices read once per
field still gives the label of the value, in the language of the request."""

from __future__ import annotations

from django.utils import translation

from casefiles.models import Department
from meetings.models import AgendaItem, Meeting


def test_labels_follow_the_value_and_the_active_language():
    item = AgendaItem(status=AgendaItem.Status.OPEN)
    with translation.override("nl"):
        assert item.get_status_display() == "In bespreking"
        item.status = AgendaItem.Status.DONE
        assert item.get_status_display() == "Besproken"
    with translation.override("en"):
        english = item.get_status_display()
    assert english == "Discussed"  # the same cached choices, read in English


def test_an_unknown_value_is_shown_as_it_is():
    assert Meeting(status="onbekend").get_status_display() == "onbekend"
    assert Department(kind="").get_kind_display() == ""
