"""R9, R13: the canary is in no audit or access-log entry and on no log page
the privacy officer reads (with every filter), and in no error page: 404,
403 and a real 500 rendered with DEBUG off show neither the canary nor the
exception, and answer in Dutch."""

from __future__ import annotations

from unittest import mock

import pytest
from auditlog.models import LogEntry
from django.test import Client
from django.urls import reverse

from casefiles import medical

from .crawling import crawl
from .planting import CANARIES, MEDICAL, plant

pytestmark = pytest.mark.django_db


def _physician_works_on_the_file(cast) -> None:
    """Read, change (the notes, a field name in the log) and search: each a
    NEN 7513 entry."""
    physician = cast.users["physician"]
    file = medical.medical_file(user=physician, employee_id=cast.employee.pk)
    consultation = file.consultations.first()
    medical.update_consultation(
        user=physician,
        pk=consultation.pk,
        expected_version=consultation.version,
        date=consultation.date,
        kind=consultation.kind,
        notes=f"{MEDICAL.text}-gewijzigd",
        conclusion=None,
    )


def test_R13_no_log_entry_holds_a_canary(cast):
    plant(cast)
    _physician_works_on_the_file(cast)
    entries = list(LogEntry.objects.all())
    assert len(entries) > 5
    for entry in entries:
        text = f"{entry.changes} {entry.changes_text} {entry.additional_data} {entry.object_repr}"
        assert not [c.text for c in CANARIES if c.text in text], entry.pk


def test_R13_the_privacy_officer_reads_every_log_view_without_a_canary(cast):
    plant(cast)
    _physician_works_on_the_file(cast)
    log = reverse("audit_log")
    filters = [
        f"{log}?soort=medisch",
        f"{log}?medewerker={cast.employee.personnel_number}",
        f"{log}?medewerker={cast.employee.personnel_number}&soort=medisch",
        f"{log}?gebruiker={cast.users['physician'].username}",
        f"{log}?gebruiker={cast.users['employee_concerned'].username}",
    ]
    result = crawl(cast.client("privacy_officer"), [log, *filters])
    medical_log = result.texts[f"{log}?soort=medisch"]
    # The NEN 7513 entries of the physician's work are there (who, what) ...
    assert cast.users["physician"].username in medical_log or "bedrijfsarts" in medical_log
    assert all(result.statuses[url] == 200 for url in filters)
    # ... but nothing of their content.
    assert not {c.text: result.containing(c.text) for c in CANARIES if result.containing(c.text)}


# --- error pages, DEBUG off ------------------------------------------------------


def _assert_safe_error_page(response, status: int, dutch: str) -> None:
    body = response.content.decode()
    assert response.status_code == status
    assert dutch in body
    for secret in [c.text for c in CANARIES] + ["Traceback", "RuntimeError", "Http404", "PermissionDenied"]:
        assert secret not in body, secret


def test_R9_404_pages_show_neither_the_path_nor_a_canary(cast, settings):
    settings.DEBUG = False
    plant(cast)
    manager = cast.client("manager")
    # A medical file outside the manager's reach: hidden (404) ...
    hidden = manager.get(reverse("medical_file", args=[cast.employee.pk]))
    _assert_safe_error_page(hidden, 404, "Pagina niet gevonden")
    # ... and a path that carries the canary is not echoed back.
    echoed = manager.get(f"/{MEDICAL.text}/")
    _assert_safe_error_page(echoed, 404, "Pagina niet gevonden")
    anonymous = Client().get(f"/health/{MEDICAL.text}/")
    _assert_safe_error_page(anonymous, 404, "Pagina niet gevonden")


def test_403_page_is_dutch_and_shows_no_detail(cast, settings):
    settings.DEBUG = False
    plant(cast)
    response = cast.client("manager").get(reverse("audit_log"))
    _assert_safe_error_page(response, 403, "Geen toegang")


def test_R9_a_real_500_with_debug_off_shows_no_exception_and_no_canary(cast, settings):
    """A failure inside the medical file (the exception message carries the
    canary, as a database error quoting a row might) renders the static 500
    page, not the exception."""
    settings.DEBUG = False
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    plant(cast)
    client = cast.client("physician")
    client.raise_request_exception = False
    failure = RuntimeError(f"kapot bij {MEDICAL.text} van {cast.employee.full_name}")
    with mock.patch("casefiles.medical.medical_file", side_effect=failure):
        response = client.get(reverse("medical_file", args=[cast.employee.pk]))
    _assert_safe_error_page(response, 500, "Er ging iets mis")
    body = response.content.decode()
    assert cast.employee.full_name not in body
    assert cast.employee.last_name not in body
    assert "kapot" not in body


def test_a_refused_csrf_token_gets_a_dutch_page_without_detail(cast, settings):
    settings.DEBUG = False
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.users["employee_concerned"])
    response = client.post(reverse("my_file"), {"text": MEDICAL.text})
    _assert_safe_error_page(response, 403, "Formulier verlopen")
    assert "CSRF" not in response.content.decode()
