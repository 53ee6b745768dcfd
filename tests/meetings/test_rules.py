"""Meeting rules at the service level: R1-R5, R8, R10, R11, R17, R21, R22."""

import datetime
import itertools

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from casefiles import medical
from consent import services as consent
from consent.types import MeetingType
from meetings.models import ActionPoint, AgendaItem, Decision, FollowUpObligation, Meeting
from meetings.services import agenda, closing, running, scheduling
from meetings.services.common import StaleEdit, meeting_context

from .conftest import allow, schedule

pytestmark = pytest.mark.django_db
DUE = timezone.localdate() + datetime.timedelta(days=30)


def start(cast, meeting, present=("manager", "physician", "hr")):
    running.open_meeting(user=cast.users["manager"], meeting_id=meeting.pk)
    running.confirm_roles(
        user=cast.users["manager"],
        meeting_id=meeting.pk,
        present_user_ids={cast.users[r].pk for r in present},
    )


def test_R1_theme_meeting_has_no_case_items_even_in_the_database(cast):
    theme = schedule(cast, MeetingType.THEME, invitees=(("hr", "deelnemer"),))
    with pytest.raises(ValidationError):
        agenda.add_case_item(user=cast.users["manager"], meeting_id=theme.pk, case_id=cast.case.pk)
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=theme, kind=AgendaItem.Kind.CASE, case=cast.case)
    assert (
        agenda.add_topic_item(user=cast.users["manager"], meeting_id=theme.pk, title="Nachtwerk").kind
        == "thema"
    )


def test_R1_a_case_item_concerns_exactly_one_case(meeting):
    with pytest.raises(IntegrityError), transaction.atomic():
        AgendaItem.objects.create(meeting=meeting, kind=AgendaItem.Kind.CASE, case=None)


def test_R2_no_physician_in_an_sro_not_even_as_guest(cast):
    with pytest.raises(ValidationError):
        schedule(
            cast,
            MeetingType.SRO,
            chair="arbeidsdeskundige",
            invitees=(("manager", "deelnemer"), ("physician", "gast")),
        )
    sro = schedule(cast, MeetingType.SRO, chair="arbeidsdeskundige", invitees=(("manager", "deelnemer"),))
    assert sro.participants.count() == 2


@pytest.mark.parametrize(
    ("meeting_type", "chair", "ok"),
    [
        (MeetingType.CASE_SMO, "manager", True),
        (MeetingType.CASE_SMO, "arbeidsdeskundige", False),
        (MeetingType.SRO, "arbeidsdeskundige", True),
        (MeetingType.SRO, "manager", False),
        (MeetingType.SMO_WITH_EMPLOYEE, "physician", True),
        (MeetingType.MULTIDISCIPLINARY, "hr", False),
    ],
)
def test_R4_chair_per_meeting_type(cast, meeting_type, chair, ok):
    organiser = "arbeidsdeskundige" if chair == "arbeidsdeskundige" else "manager"
    call = lambda: scheduling.schedule_meeting(  # noqa: E731
        user=cast.users[organiser],
        organisation=cast.organisation,
        data=scheduling.MeetingData(meeting_type=meeting_type, title="x", starts_at=timezone.now()),
        chair=cast.users[chair],
        invitees=[],
    )
    if ok:
        assert call().participants.get().role == "voorzitter"
    else:
        with pytest.raises(ValidationError):
            call()


def test_R4_participants_belong_to_the_organisation_and_only_organisers_schedule(cast):
    with pytest.raises(ValidationError):
        schedule(cast, invitees=(("other_org_user", "deelnemer"),))
    with pytest.raises(PermissionDenied):  # a physician does not organise meetings
        scheduling.schedule_meeting(
            user=cast.users["physician"],
            organisation=cast.organisation,
            data=scheduling.MeetingData(
                meeting_type=MeetingType.CASE_SMO, title="x", starts_at=timezone.now()
            ),
            chair=cast.users["manager"],
            invitees=[],
        )


def test_series_every_six_weeks(cast):
    series = scheduling.schedule_series(
        user=cast.users["manager"],
        organisation=cast.organisation,
        data=scheduling.MeetingData(meeting_type=MeetingType.CASE_SMO, title="SMT", starts_at=timezone.now()),
        chair=cast.users["manager"],
        invitees=[],
        interval_weeks=6,
        count=4,
    )
    starts = list(series.meetings.order_by("starts_at").values_list("starts_at", flat=True))
    assert len(starts) == 4 and all(
        b - a == datetime.timedelta(weeks=6) for a, b in itertools.pairwise(starts)
    )


def test_R3_smo_with_employee_one_case_employee_present_recent_consultation(cast):
    smo = schedule(
        cast,
        MeetingType.SMO_WITH_EMPLOYEE,
        invitees=(("physician", "adviseur"), ("employee_concerned", "deelnemer")),
    )
    with pytest.raises(ValidationError, match="spreekuurcontact"):
        agenda.add_case_item(user=cast.users["manager"], meeting_id=smo.pk, case_id=cast.case.pk)
    medical.record_consultation(
        user=cast.users["physician"],
        employee_id=cast.employee.pk,
        date=timezone.localdate(),
        kind="regulier",
        notes="",
        conclusion=None,
    )
    agenda.add_case_item(user=cast.users["manager"], meeting_id=smo.pk, case_id=cast.case.pk)
    other_case = cast.other_employee_record.absence_cases.get()
    with pytest.raises(ValidationError):
        agenda.add_case_item(user=cast.users["hr"], meeting_id=smo.pk, case_id=other_case.pk)
    without_employee = schedule(cast, MeetingType.SMO_WITH_EMPLOYEE, invitees=(("physician", "adviseur"),))
    with pytest.raises(ValidationError, match="deelnemer"):
        agenda.add_case_item(user=cast.users["manager"], meeting_id=without_employee.pk, case_id=cast.case.pk)


def test_managers_bring_in_only_their_own_employees(cast, meeting):
    other_case = cast.other_employee_record.absence_cases.get()
    with pytest.raises(ValidationError):
        agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=other_case.pk)


def test_R8_blocked_item_cannot_be_opened_or_written(cast, meeting):
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    start(cast, meeting)
    with pytest.raises(running.ItemBlocked) as blocked:
        running.open_item(user=cast.users["manager"], item_id=item.pk)
    assert set(blocked.value.decision.reasons) == {consent.Reason.NO_NOTIFICATION, consent.Reason.NO_CONSENT}
    item.refresh_from_db()
    assert item.status == AgendaItem.Status.PENDING


def test_R8_withdrawal_during_the_meeting_blocks_further_recording(cast, meeting):
    given = allow(cast)
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    start(cast, meeting)
    running.open_item(user=cast.users["manager"], item_id=item.pk)
    running.record_decision(user=cast.users["hr"], item_id=item.pk, text="Start met halve dagen")
    consent.withdraw_consent(user=cast.users["employee_concerned"], consent_id=given.pk)
    with pytest.raises(running.ItemBlocked):
        running.record_decision(user=cast.users["manager"], item_id=item.pk, text="Nog een afspraak")
    with pytest.raises(running.ItemBlocked):
        running.add_action_point(
            user=cast.users["manager"], item_id=item.pk, what="x", due=DUE, type="overig", owner_label="HR"
        )
    assert Decision.objects.count() == 1
    assert running.summary_for(item) is None


def test_R21_roles_confirmed_before_items_open_and_absentees_do_not_count(cast, meeting):
    allow(cast, roles=("leidinggevende",))  # HR not covered by the consent
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    running.open_meeting(user=cast.users["manager"], meeting_id=meeting.pk)
    with pytest.raises(ValidationError):
        running.open_item(user=cast.users["manager"], item_id=item.pk)
    running.confirm_roles(
        user=cast.users["manager"],
        meeting_id=meeting.pk,
        present_user_ids={cast.users["manager"].pk, cast.users["hr"].pk},
    )
    with pytest.raises(running.ItemBlocked):  # HR is present and not covered
        running.open_item(user=cast.users["manager"], item_id=item.pk)
    running.confirm_roles(
        user=cast.users["manager"],
        meeting_id=meeting.pk,
        present_user_ids={cast.users["manager"].pk, cast.users["physician"].pk},
    )
    assert running.open_item(user=cast.users["manager"], item_id=item.pk).status == AgendaItem.Status.OPEN


def test_R10_R22_decisions_and_action_points_without_medical_terms(cast, meeting):
    allow(cast)
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    start(cast, meeting)
    running.open_item(user=cast.users["manager"], item_id=item.pk)
    with pytest.raises(ValidationError):
        running.record_decision(user=cast.users["manager"], item_id=item.pk, text="Fysiotherapie voor de rug")
    point = running.add_action_point(
        user=cast.users["manager"],
        item_id=item.pk,
        what="Werkplek aanpassen",
        due=DUE,
        type=ActionPoint.Type.WORK_ADAPTATION,
        owner=cast.users["hr"],
    )
    assert point.case == cast.case
    with pytest.raises(PermissionDenied):  # the adviser does not take minutes
        running.record_decision(user=cast.users["physician"], item_id=item.pk, text="x")


def test_R7_summary_shows_what_may_be_said_and_never_the_physician_note(cast, meeting):
    allow(cast)
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    start(cast, meeting)
    running.open_item(user=cast.users["manager"], item_id=item.pk)
    running.record_physician_note(user=cast.users["physician"], item_id=item.pk, text="GEHEIM-notitie")
    summary = running.summary_for(item)
    assert [i.wording for i in summary.items] == ["Mantelzorg voor een ouder"]
    assert "GEHEIM" not in repr(summary)
    with pytest.raises(PermissionDenied):
        running.record_physician_note(user=cast.users["hr"], item_id=item.pk, text="x")


def test_R17_sro_factors_only_from_the_list(cast):
    sro = schedule(cast, MeetingType.SRO, chair="arbeidsdeskundige", invitees=(("manager", "deelnemer"),))
    allow(cast, MeetingType.SRO, roles=("leidinggevende", "arbeidsdeskundige"))
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=sro.pk, case_id=cast.case.pk)
    ad = cast.users["arbeidsdeskundige"]
    running.open_meeting(user=ad, meeting_id=sro.pk)
    running.confirm_roles(user=ad, meeting_id=sro.pk, present_user_ids={ad.pk, cast.users["manager"].pk})
    running.open_item(user=ad, item_id=item.pk)
    item = running.tag_sro_factors(
        user=ad, item_id=item.pk, factors=["werkdruk/inspraak/arbo", "ziektegedrag"]
    )
    assert item.sro_factors == ["werkdruk/inspraak/arbo", "ziektegedrag"]
    with pytest.raises(ValidationError):
        running.tag_sro_factors(user=ad, item_id=item.pk, factors=["hernia"])
    with pytest.raises(StaleEdit):
        running.tag_sro_factors(user=ad, item_id=item.pk, factors=[], expected_version=item.version - 1)


def test_R5_follow_up_after_a_multidisciplinary_consultation(cast):
    mdc = schedule(
        cast,
        MeetingType.MULTIDISCIPLINARY,
        invitees=(("physician", "adviseur"), ("casemanager", "deelnemer")),
    )
    allow(cast, MeetingType.MULTIDISCIPLINARY, roles=("leidinggevende", "casemanager"))
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=mdc.pk, case_id=cast.case.pk)
    start(cast, mdc, present=("manager", "physician", "casemanager"))
    running.open_item(user=cast.users["manager"], item_id=item.pk)
    closing.close_meeting(user=cast.users["manager"], meeting_id=mdc.pk)
    obligation = FollowUpObligation.objects.get()
    assert obligation.case == cast.case and obligation.done_at is None
    closing.mark_follow_up_done(user=obligation.manager, obligation_id=obligation.pk)
    obligation.refresh_from_db()
    assert obligation.done_at is not None


def test_R11_theme_minutes_naming_an_employee_need_a_logged_override(cast):
    theme = schedule(cast, MeetingType.THEME, invitees=(("hr", "deelnemer"),))
    running.open_meeting(user=cast.users["manager"], meeting_id=theme.pk)
    theme.refresh_from_db()
    text = f"Besproken: nachtwerk. {cast.employee.full_name} gaf een voorbeeld."
    closing.save_theme_minutes(
        user=cast.users["manager"], meeting_id=theme.pk, text=text, expected_version=theme.version
    )
    with pytest.raises(closing.MinutesWarning) as warning:
        closing.close_meeting(user=cast.users["manager"], meeting_id=theme.pk)
    assert cast.employee.full_name in warning.value.found
    closing.close_meeting(
        user=cast.users["manager"], meeting_id=theme.pk, override_reason="Met toestemming, eigen verhaal"
    )
    assert Meeting.objects.get(pk=theme.pk).minutes_override_reason


def test_R10_minutes_to_participants_and_to_the_employee_for_own_items_only(cast, meeting):
    from django.http import Http404

    allow(cast)
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    start(cast, meeting)
    running.open_item(user=cast.users["manager"], item_id=item.pk)
    running.record_decision(user=cast.users["manager"], item_id=item.pk, text="Halve dagen vanaf maandag")
    closing.close_meeting(user=cast.users["manager"], meeting_id=meeting.pk)
    assert closing.minutes_for(cast.users["hr"], meeting.pk).items == [item]
    assert closing.minutes_for(cast.users["employee_concerned"], meeting.pk).items == [item]
    for outsider in ("other_employee", "other_manager", "arbeidsdeskundige", "other_org_user"):
        with pytest.raises(Http404):
            closing.minutes_for(cast.users[outsider], meeting.pk)


def test_meeting_context_uses_participants_roles(cast, meeting):
    context = meeting_context(meeting)
    assert {p.user_id for p in context.participants} == {
        cast.users[r].pk for r in ("manager", "physician", "hr")
    }


def test_R10_action_points_appear_in_the_reintegration_file_of_the_case(cast, meeting):
    from django.urls import reverse

    allow(cast)
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    start(cast, meeting)
    running.open_item(user=cast.users["manager"], item_id=item.pk)
    running.add_action_point(
        user=cast.users["manager"],
        item_id=item.pk,
        what="Werkplek aanpassen",
        due=DUE,
        type="werkaanpassing",
        owner_label="HR",
    )
    url = reverse("case_detail", args=[cast.case.pk])
    for role in ("manager", "hr", "casemanager"):
        page = cast.client(role).get(url).content.decode()
        assert "Actiepunten uit overleggen" in page and "Werkplek aanpassen" in page
