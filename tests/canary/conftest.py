"""Fixtures of the canary tests: the cast's world with every canary planted."""

from __future__ import annotations

import pytest
from django.db.models import Value
from django.db.models.functions import Concat

from meetings.models import AgendaItem, Meeting
from meetings.reminders import feeds

from ..conftest import MATRIX_ROLES
from ..test_permission_matrix import MATRIX
from .planting import plant

BASE_URL = "https://smo.example.test"


@pytest.fixture(autouse=True)
def canary_settings(settings):
    settings.SMO_BASE_URL = BASE_URL
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture
def world(cast):
    """The canaries planted; every object of the permission matrix built
    (meetings, closed minutes, ...); a calendar feed for every user. Returns
    the URLs to start crawling from."""
    canaries = plant(cast)
    urls = ["/"] + [entry.url(cast) for entry in MATRIX.values() if entry.method == "get"]
    # R12: meeting titles and agenda questions name the employee; inside the
    # application that is fine, in a calendar entry it is not.
    employee = cast.employee
    named = f" {employee.full_name} ({employee.personnel_number})"
    Meeting.objects.update(title=Concat("title", Value(named)))
    AgendaItem.objects.update(questions=Concat("questions", Value(named)))
    for role in MATRIX_ROLES:
        if role in cast.users:
            feeds.enable_feed(user=cast.users[role])
    return canaries, urls
