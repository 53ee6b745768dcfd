"""R8: the one decision whether a case may be discussed, with every reason.

consent.services.discussion_permission is the gate; each test below names the
reason it proves. Reasons: not a case meeting (R1), no notification (R6), no
consent, consent withdrawn (R8), scope does not cover the meeting type or
meeting, consent expired, participant not covered (R7)."""

import datetime

import pytest

from casefiles import medical
from casefiles.models import ConsultationConclusion
from consent import services
from consent.models import Consent, ConsentItem, ImmutableRecord
from consent.services import Reason
from consent.types import MeetingContext, MeetingType, Participant
from smo.roles import Role, roles_of

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
MEETING_DAY = TODAY + datetime.timedelta(days=7)


def meeting(
    cast, meeting_type=MeetingType.CASE_SMO, day=MEETING_DAY, roles=("manager", "physician"), meeting_id=None
):
    participants = tuple(Participant(cast.users[r].pk, frozenset(roles_of(cast.users[r]))) for r in roles)
    return MeetingContext(
        meeting_type=meeting_type, date=day, participants=participants, meeting_id=meeting_id
    )


def notify(cast, meeting_type=MeetingType.CASE_SMO, **overrides):
    data = {
        "user": cast.users["manager"],
        "case_id": cast.case.pk,
        "informed_on": TODAY,
        "how": "persoonlijk",
        "meeting_type": meeting_type,
        "period_start": TODAY,
        "period_end": TODAY + datetime.timedelta(days=30),
        "purpose": "Afstemmen van de werkhervatting",
        "questions": "Welke taken kan de medewerker weer oppakken?",
        "employee_invited": True,
    }
    data.update(overrides)
    return services.record_notification(**data)


def consent(cast, **overrides):
    data = {
        "user": cast.users["physician"],
        "case_id": cast.case.pk,
        "given_on": TODAY,
        "obtained": "spreekuur",
        "valid_until": TODAY + datetime.timedelta(days=60),
        "allowed_roles": [Role.LEIDINGGEVENDE, Role.HR],
        "meeting_types": [MeetingType.CASE_SMO],
        "items": (services.ItemInput("prive", "Er is een zieke partner thuis"),),
    }
    data.update(overrides)
    return services.record_consent(**data)


def decide(cast, context=None):
    return services.discussion_permission(case=cast.case, meeting=context or meeting(cast))


def test_allowed_with_notification_and_covering_consent(cast):
    notify(cast)
    given = consent(cast)
    decision = decide(cast)
    assert decision.allowed and decision.reasons == () and decision.consent_id == given.pk


def test_reason_not_a_case_meeting_R1(cast):
    notify(cast)
    consent(cast)
    assert decide(cast, meeting(cast, MeetingType.THEME)).reasons == (Reason.NOT_A_CASE_MEETING,)


def test_reason_no_notification_R6(cast):
    consent(cast)
    assert decide(cast).reasons == (Reason.NO_NOTIFICATION,)


def test_reason_notification_after_the_meeting_does_not_count_R6(cast):
    consent(cast)
    notify(cast, informed_on=MEETING_DAY + datetime.timedelta(days=1), period_start=TODAY)
    assert Reason.NO_NOTIFICATION in decide(cast).reasons


def test_reason_no_consent(cast):
    notify(cast)
    assert decide(cast).reasons == (Reason.NO_CONSENT,)


def test_both_reasons_when_nothing_is_recorded(cast):
    assert decide(cast).reasons == (Reason.NO_NOTIFICATION, Reason.NO_CONSENT)


def test_reason_consent_withdrawn_R8_takes_effect_at_once(cast):
    notify(cast)
    given = consent(cast)
    assert decide(cast).allowed
    services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=given.pk)
    assert decide(cast).reasons == (Reason.CONSENT_WITHDRAWN,)


def test_reason_scope_does_not_cover_the_meeting_type(cast):
    notify(cast, meeting_type=MeetingType.MULTIDISCIPLINARY)
    consent(cast)  # case SMO only
    assert decide(cast, meeting(cast, MeetingType.MULTIDISCIPLINARY)).reasons == (Reason.SCOPE_MEETING_TYPE,)


def test_consent_for_one_specific_meeting_covers_only_that_meeting(cast):
    notify(cast)
    consent(cast, meeting_types=[], meeting_id=41)
    assert decide(cast, meeting(cast, meeting_id=41)).allowed
    assert decide(cast, meeting(cast, meeting_id=42)).reasons == (Reason.SCOPE_MEETING_TYPE,)


def test_reason_consent_expired_by_date(cast):
    notify(cast, period_end=TODAY + datetime.timedelta(days=90))
    consent(cast, valid_until=MEETING_DAY - datetime.timedelta(days=1))
    assert decide(cast).reasons == (Reason.CONSENT_EXPIRED,)
    assert decide(cast, meeting(cast, day=MEETING_DAY - datetime.timedelta(days=1))).allowed


def test_reason_participant_not_covered(cast):
    notify(cast)
    consent(cast, allowed_roles=[Role.LEIDINGGEVENDE])
    with_ad = meeting(cast, roles=("manager", "physician", "arbeidsdeskundige"))
    assert decide(cast, with_ad).reasons == (Reason.PARTICIPANT_NOT_COVERED,)
    assert decide(cast, meeting(cast, roles=("manager", "physician"))).allowed


def test_the_employee_and_physicians_are_always_covered(cast):
    notify(cast, meeting_type=MeetingType.SMO_WITH_EMPLOYEE)
    consent(cast, meeting_types=[MeetingType.SMO_WITH_EMPLOYEE], allowed_roles=[Role.LEIDINGGEVENDE])
    context = meeting(
        cast, MeetingType.SMO_WITH_EMPLOYEE, roles=("manager", "physician", "employee_concerned")
    )
    assert decide(cast, context).allowed


def test_supersession_the_newest_record_decides_R7(cast):
    notify(cast)
    old = consent(cast)
    new = services.supersede_consent(
        user=cast.users["physician"],
        consent_id=old.pk,
        given_on=TODAY,
        obtained="spreekuur",
        valid_until=TODAY + datetime.timedelta(days=60),
        allowed_roles=[Role.LEIDINGGEVENDE],
        meeting_types=[MeetingType.CASE_SMO],
    )
    old.refresh_from_db()
    assert old.superseded_by == new and not old.is_current
    with_hr = meeting(cast, roles=("manager", "hr"))
    assert decide(cast, with_hr).reasons == (Reason.PARTICIPANT_NOT_COVERED,)  # the old one no longer counts
    services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=new.pk)
    assert decide(cast).reasons == (Reason.CONSENT_WITHDRAWN,)


def test_consent_records_are_immutable_R7(cast):
    given = consent(cast)
    given.valid_until = TODAY + datetime.timedelta(days=365)
    with pytest.raises(ImmutableRecord):
        given.save()
    item = ConsentItem.objects.get(consent=given)
    item.wording = "iets anders"
    with pytest.raises(ImmutableRecord):
        item.save()


def test_an_experts_own_consent_does_not_open_the_case(cast):
    notify(cast)
    consent(cast, user=cast.users["casemanager"], items=())
    assert Consent.objects.get().recorder_role == Consent.RecorderRole.EXPERT
    assert decide(cast).reasons == (Reason.NO_CONSENT,)


def test_chair_sees_not_available_and_next_steps_never_the_withdrawal(cast):
    notify(cast)
    given = consent(cast)
    services.withdraw_consent(
        user=cast.users["employee_concerned"], consent_id=given.pk, reason="Te persoonlijk"
    )
    decision = decide(cast)
    text = f"{decision.chair_message} {' '.join(decision.next_steps)}".lower()
    assert decision.chair_message == "Niet beschikbaar voor bespreking"
    assert "ingetrokken" not in text and "intrek" not in text and "te persoonlijk" not in text


def test_shareable_summary_is_conclusions_plus_consented_items_minus_withheld_R7(cast):
    notify(cast)
    physician = cast.users["physician"]
    consultation = medical.record_consultation(
        user=physician,
        employee_id=cast.employee.pk,
        date=TODAY,
        kind="regulier",
        notes="GEHEIM",
        conclusion=medical.ConclusionInput(incapacity=ConsultationConclusion.Incapacity.PARTIAL),
    )
    medical.release_conclusions(user=physician, pk=consultation.pk)
    consent(
        cast,
        items=(
            services.ItemInput("behandeling", "Volgt een traject bij een psycholoog"),
            services.ItemInput("prive", "Zorgt voor een ziek gezinslid", withheld=True),
        ),
    )
    summary = services.shareable_summary(case=cast.case, meeting=meeting(cast))
    assert summary.conclusions.incapacity == "Gedeeltelijk arbeidsongeschikt"
    assert [i.wording for i in summary.items] == ["Volgt een traject bij een psycholoog"]
    assert "GEHEIM" not in repr(summary)
    with_ad = meeting(cast, roles=("manager", "arbeidsdeskundige"))
    assert services.shareable_summary(case=cast.case, meeting=with_ad) is None


def test_only_the_physician_may_withhold_and_only_allowed_recorders_record(cast):
    from django.core.exceptions import PermissionDenied
    from django.http import Http404

    with pytest.raises(PermissionDenied):
        consent(
            cast, user=cast.users["casemanager"], items=(services.ItemInput("anders", "x", withheld=True),)
        )
    for role in ("other_physician", "arbeidsdeskundige", "other_manager", "privacy_officer", "admin"):
        with pytest.raises(Http404):
            consent(cast, user=cast.users[role])


def test_sro_consent_by_the_manager_who_brings_the_case_in(cast):
    notify(cast, meeting_type=MeetingType.SRO)
    consent(
        cast,
        user=cast.users["manager"],
        meeting_types=[MeetingType.SRO],
        allowed_roles=[Role.ARBEIDSDESKUNDIGE, Role.LEIDINGGEVENDE],
        items=(),
    )
    sro = meeting(cast, MeetingType.SRO, roles=("manager", "arbeidsdeskundige"))
    assert decide(cast, sro).allowed
    from django.http import Http404

    with pytest.raises(Http404):  # a manager records consent for an SRO only
        consent(cast, user=cast.users["manager"])


@pytest.mark.django_db(transaction=True)
def test_open_for_discussion_must_run_in_a_transaction(cast):
    with pytest.raises(RuntimeError):
        services.open_for_discussion(case=cast.case, meeting=meeting(cast))


def test_R7a_the_sro_bringer_records_no_extra_items(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        consent(
            cast,
            user=cast.users["manager"],
            meeting_types=[MeetingType.SRO],
            allowed_roles=[Role.ARBEIDSDESKUNDIGE],
        )
    assert not Consent.objects.exists()


def test_a_record_is_superseded_only_by_the_side_that_made_it(cast):
    from django.core.exceptions import PermissionDenied

    experts = consent(cast, user=cast.users["casemanager"], items=())
    with pytest.raises(PermissionDenied):
        services.record_consent(
            user=cast.users["physician"],
            case_id=cast.case.pk,
            given_on=TODAY,
            obtained="spreekuur",
            valid_until=TODAY + datetime.timedelta(days=30),
            allowed_roles=[Role.LEIDINGGEVENDE],
            meeting_types=[MeetingType.CASE_SMO],
            supersedes=experts,
        )
