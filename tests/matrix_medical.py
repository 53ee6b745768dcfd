"""Permission-matrix entries of the medical pages (casefiles/views/medical.py).

R9: only the bedrijfsarts authorised for the employee opens anything of the
medical file. Everybody else, the other bedrijfsarts and the admin included,
gets 404: the existence of the file (and of a consultation) is confidential.
Anonymous users are sent to the login page.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from casefiles import medical
from casefiles.models import ConsultationConclusion

from .matrix_support import Entry, only

PHYSICIAN_ONLY = only(("physician",), others=404)


def _consultation(cast) -> int:
    """A consultation with conclusions, recorded by the authorised physician."""
    consultation = medical.record_consultation(
        user=cast.users["physician"],
        employee_id=cast.employee.pk,
        date=datetime.date.today(),
        kind="regulier",
        notes="Medische aantekening voor de matrix",
        conclusion=medical.ConclusionInput(incapacity=ConsultationConclusion.Incapacity.PARTIAL),
    )
    return consultation.pk


ENTRIES: dict[str, Entry] = {
    "medical_file": Entry(lambda c: reverse("medical_file", args=[c.employee.pk]), PHYSICIAN_ONLY),
    "consultation_create": Entry(
        lambda c: reverse("consultation_create", args=[c.employee.pk]), PHYSICIAN_ONLY
    ),
    "physician_note_create": Entry(
        lambda c: reverse("physician_note_create", args=[c.employee.pk]), PHYSICIAN_ONLY
    ),
    "consultation_detail": Entry(
        lambda c: reverse("consultation_detail", args=[_consultation(c)]), PHYSICIAN_ONLY
    ),
    "consultation_edit": Entry(
        lambda c: reverse("consultation_edit", args=[_consultation(c)]), PHYSICIAN_ONLY
    ),
    # POST only (a GET answers 405, tested in tests/casefiles/test_medical_views.py):
    # the physician is sent back to the consultation, everybody else gets 404.
    "consultation_release": Entry(
        lambda c: reverse("consultation_release", args=[_consultation(c)]),
        only(("physician",), status=302, others=404),
        method="post",
    ),
}
