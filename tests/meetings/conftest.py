"""Meeting fixtures: a case SMO chaired by the manager with the physician as
adviser and HR as minute taker, one week ahead."""

import datetime

import pytest
from django.utils import timezone

from consent import services as consent
from consent.types import MeetingType
from meetings.models import Participant
from meetings.services import scheduling
from smo.roles import Role

WEEK = datetime.timedelta(days=7)


def schedule(
    cast,
    meeting_type=MeetingType.CASE_SMO,
    chair="manager",
    invitees=(("physician", "adviseur"), ("hr", "notulist")),
    **data,
):
    starts = data.pop("starts_at", timezone.now().replace(hour=10, minute=0, second=0, microsecond=0) + WEEK)
    return scheduling.schedule_meeting(
        user=cast.users[chair],
        organisation=cast.organisation,
        data=scheduling.MeetingData(
            meeting_type=meeting_type, title=data.pop("title", "SMT Verpleging"), starts_at=starts, **data
        ),
        chair=cast.users[chair],
        invitees=[scheduling.Invitee(cast.users[r], role) for r, role in invitees],
    )


def allow(cast, meeting_type=MeetingType.CASE_SMO, roles=(Role.LEIDINGGEVENDE, Role.HR)):
    """Record the R6 notification and an R7 consent so the gate allows the case."""
    today = timezone.localdate()
    consent.record_notification(
        user=cast.users["manager"],
        case_id=cast.case.pk,
        informed_on=today,
        how="persoonlijk",
        meeting_type=meeting_type,
        period_start=today,
        period_end=today + 8 * WEEK,
        purpose="Werkhervatting afstemmen",
        questions="Welke taken kunnen weer?",
        employee_invited=True,
    )
    return consent.record_consent(
        user=cast.users["physician"],
        case_id=cast.case.pk,
        given_on=today,
        obtained="spreekuur",
        valid_until=today + 8 * WEEK,
        allowed_roles=list(roles),
        meeting_types=[meeting_type],
        items=(consent.ItemInput("prive", "Mantelzorg voor een ouder"),),
    )


@pytest.fixture
def meeting(cast):
    return schedule(cast)


__all__ = ["Participant", "allow", "schedule"]
