"""Permission-matrix entries of the recording side of consent
(consent/views/recording.py).

R7/R9: consent items are health information. The bedrijfsarts authorised for
the employee works on every page; the casemanager who guides the open case
may record an expert consent and sees the list (only their own records), but
not the physician's consent. Everybody else — the employee (who has the
portal), the other bedrijfsarts, the employer side, the arbeidsdeskundige,
the privacy officer, the admin and the other organisation — gets 404: the
existence of a consent is confidential. Anonymous users go to the login page.
"""

from __future__ import annotations

import datetime

from django.urls import reverse

from consent import services
from consent.models import ConsentItem
from consent.types import MeetingType
from smo.roles import Role

from .matrix_support import Entry, only

PHYSICIAN_ONLY = only(("physician",), others=404)
RECORDING_SIDE = only(("physician", "casemanager"), others=404)


def _consent(cast) -> int:
    """A current consent with an item, recorded by the authorised physician."""
    today = datetime.date.today()
    consent = services.record_consent(
        user=cast.users["physician"],
        case_id=cast.case.pk,
        given_on=today,
        obtained="spreekuur",
        valid_until=today + datetime.timedelta(days=60),
        allowed_roles=[Role.LEIDINGGEVENDE],
        meeting_types=[MeetingType.CASE_SMO],
        items=(services.ItemInput(ConsentItem.Category.TREATMENT, "Volgt fysiotherapie"),),
    )
    return consent.pk


ENTRIES: dict[str, Entry] = {
    "consent_list": Entry(lambda c: reverse("consent_list", args=[c.employee.pk]), RECORDING_SIDE),
    "consent_create": Entry(lambda c: reverse("consent_create", args=[c.employee.pk]), RECORDING_SIDE),
    "consent_supersede": Entry(lambda c: reverse("consent_supersede", args=[_consent(c)]), PHYSICIAN_ONLY),
    # GET shows the confirmation; the POST is tested in tests/consent/test_recording_views.py.
    "consent_withdraw_on_behalf": Entry(
        lambda c: reverse("consent_withdraw_on_behalf", args=[_consent(c)]), PHYSICIAN_ONLY
    ),
}
