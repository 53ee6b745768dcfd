"""Scheduling and agenda pages (R1-R4, R8, R12, R20), through the views:
the rules themselves live in meetings.services; these tests prove that every
page goes through them, shows their refusals in Dutch and saves nothing then."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.urls import reverse
from django.utils import timezone

from casefiles import medical
from consent import services as consent
from consent.types import MeetingType
from meetings.models import AgendaItem, Meeting, MeetingSeries, Participant
from meetings.services import agenda, scheduling
from smo.roles import Role

from ..factories import AbsenceCaseFactory, EmployeeFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
MEETING_DAY = TODAY + datetime.timedelta(days=7)
NOT_AVAILABLE = "Niet beschikbaar voor bespreking"
READY = "Klaar voor bespreking"


def url(name, *args):
    return reverse(name, args=args)


def schedule(
    cast, organiser="manager", *, meeting_type=MeetingType.CASE_SMO, chair=None, invitees=(), **data
):
    """A meeting through the service (for agenda tests)."""
    user = cast.users[organiser]
    return scheduling.schedule_meeting(
        user=user,
        organisation=cast.organisation,
        data=scheduling.MeetingData(
            meeting_type=meeting_type,
            title=data.pop("title", "Overleg Verpleging"),
            starts_at=data.pop("starts_at", timezone.now() + datetime.timedelta(days=7)),
            **data,
        ),
        chair=cast.users[chair or organiser],
        invitees=[scheduling.Invitee(cast.users[name], role) for name, role in invitees],
    )


def form_data(cast, *, meeting_type=MeetingType.CASE_SMO, chair="manager", participants=(), **extra):
    """What the planning form posts; ``participants`` are (role name or user, meeting role)."""
    data = {
        "meeting_type": meeting_type,
        "title": "SMT Verpleging",
        "date": MEETING_DAY.isoformat(),
        "time": "10:00",
        "duration_minutes": "60",
        "location": "Kamer 2.14",
        "video_link": "",
        "chair": str(cast.users[chair].pk),
        "deelnemers-TOTAL_FORMS": str(len(participants) + 1),
        "deelnemers-INITIAL_FORMS": "0",
        "deelnemers-MIN_NUM_FORMS": "0",
        "deelnemers-MAX_NUM_FORMS": "1000",
    }
    for i, (who, role) in enumerate(participants):
        user = cast.users[who] if isinstance(who, str) else who
        data[f"deelnemers-{i}-user"] = str(user.pk)
        data[f"deelnemers-{i}-role"] = role
    data.update(extra)
    return data


def create(cast, role="manager", **kwargs):
    return cast.client(role).post(url("meeting_create"), form_data(cast, **kwargs))


# --- planning (R2, R4) -------------------------------------------------------------


def test_manager_plans_a_case_smo_with_roles(cast):
    response = create(cast, participants=[("physician", "adviseur"), ("hr", "notulist")])
    meeting = Meeting.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("meeting_detail", meeting.pk)
    assert meeting.created_by == cast.users["manager"]
    assert timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M") == f"{MEETING_DAY} 10:00"
    roles = {p.user.username: p.role for p in meeting.participants.select_related("user")}
    assert roles == {"leidinggevende": "voorzitter", "bedrijfsarts": "adviseur", "hr": "notulist"}


def test_the_form_explains_each_meeting_type(cast):
    page = cast.client("manager").get(url("meeting_create")).text
    assert "Geen bedrijfsarts en geen POB (R2)" in page  # SRO
    assert "Precies één casus, en de medewerker neemt deel" in page  # SMO met medewerker
    assert "Geen individuele casussen (R1)" in page  # thema-SMT
    assert 'aria-describedby="meeting-type-help"' in page
    assert "noteer geen medische gegevens" in page  # R7a beside the title


def test_R2_an_sro_with_a_physician_is_refused_and_nothing_saved(cast):
    response = create(
        cast,
        "arbeidsdeskundige",
        meeting_type=MeetingType.SRO,
        chair="arbeidsdeskundige",
        participants=[("physician", "adviseur")],
    )
    assert response.status_code == 200
    assert "In een SRO neemt geen bedrijfsarts of POB deel" in response.text
    assert not Meeting.objects.exists()


def test_R4_the_chair_must_fit_the_meeting_type(cast):
    response = create(cast, meeting_type=MeetingType.SRO, chair="manager")
    assert "Deze persoon kan dit soort overleg niet voorzitten (R4)." in response.text
    assert not Meeting.objects.exists()
    # The arbeidsdeskundige chairs an SRO; the BA may chair an SMO met medewerker.
    assert create(cast, meeting_type=MeetingType.SRO, chair="arbeidsdeskundige").status_code == 302
    response = create(
        cast,
        meeting_type=MeetingType.SMO_WITH_EMPLOYEE,
        chair="physician",
        participants=[("employee_concerned", "deelnemer")],
    )
    assert response.status_code == 302


def test_R4_one_chair(cast):
    response = create(cast, participants=[("hr", "voorzitter")])
    assert "Een overleg heeft precies één voorzitter (R4)." in response.text
    assert not Meeting.objects.exists()


def test_R4_only_members_of_the_organisation_take_part(cast):
    response = create(cast, participants=[("other_org_user", "deelnemer")])
    assert response.status_code == 200
    assert "geldige keuze" in response.text
    assert not Meeting.objects.exists()
    page = cast.client("manager").get(url("meeting_create")).text
    assert "elders-hr" not in page and cast.users["other_org_user"].last_name not in page


def test_a_role_is_stated_for_every_participant(cast):
    response = create(cast, participants=[("physician", "")])
    assert "Kies de rol van deze deelnemer." in response.text
    assert not Meeting.objects.exists()


def test_a_series_creates_n_meetings_at_the_interval(cast):
    response = create(cast, repeat="on", interval_weeks="6", count="3")
    assert response.status_code == 302
    series = MeetingSeries.objects.get()
    starts = [m.starts_at for m in series.meetings.order_by("starts_at")]
    assert len(starts) == 3
    assert [b - a for a, b in itertools.pairwise(starts)] == [datetime.timedelta(weeks=6)] * 2
    assert all(m.participants.filter(role="voorzitter").count() == 1 for m in series.meetings.all())


def test_a_series_outside_the_limits_is_refused_and_nothing_saved(cast):
    response = create(cast, repeat="on", interval_weeks="6", count="1")
    assert "Kies een interval van 1 tot 52 weken en 2 tot 52 overleggen." in response.text
    assert not MeetingSeries.objects.exists() and not Meeting.objects.exists()
    assert "Vul dit in om het overleg te herhalen." in create(cast, repeat="on").text


def test_a_user_of_several_organisations_chooses_the_organisation(cast):
    both = UserFactory(
        username="twee-orgs", roles=[Role.HR], organisations=(cast.organisation, cast.other_organisation)
    )
    client = cast.client("anonymous")
    client.force_login(both)
    page = client.get(url("meeting_create")).text
    assert "Voor welke organisatie plant u het overleg?" in page
    page = client.get(url("meeting_create"), {"organisatie": cast.other_organisation.pk}).text
    assert f'name="organisatie" value="{cast.other_organisation.pk}"' in page
    assert cast.users["other_org_user"].get_full_name() in page
    assert cast.users["manager"].get_full_name() not in page


def test_non_organisers_cannot_plan(cast):
    for role in ("physician", "casemanager", "employee_concerned", "privacy_officer"):
        assert cast.client(role).get(url("meeting_create")).status_code == 403


# --- Mijn overleggen ------------------------------------------------------------------


def test_my_meetings_lists_only_meetings_i_take_part_in(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")], title="SMT Verpleging")
    agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    for role in ("manager", "physician", "hr"):
        page = cast.client(role).get(url("meeting_list")).text
        assert "SMT Verpleging" in page, role
    for role in ("other_manager", "casemanager", "employee_concerned", "other_org_user", "admin"):
        page = cast.client(role).get(url("meeting_list")).text
        assert "SMT Verpleging" not in page, role
        assert "Geen overleggen." in page


def test_my_meetings_shows_type_time_place_role_and_status(cast):
    schedule(
        cast, invitees=[("physician", "adviseur")], location="Kamer 2.14", video_link="https://meet.example/x"
    )
    page = cast.client("physician").get(url("meeting_list")).text
    for text in ("Casus-specifiek SMO", "Kamer 2.14", "https://meet.example/x", "Adviseur", "Gepland"):
        assert text in page
    assert "Overleg plannen" not in page
    assert "Overleg plannen" in cast.client("manager").get(url("meeting_list")).text


def test_R12_my_meetings_names_no_employee(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    for role in ("manager", "physician", "hr"):
        page = cast.client(role).get(url("meeting_list")).text
        assert "Pietersen" not in page and "Canary" not in page


def test_R12_title_and_location_may_not_name_an_employee(cast):
    """Title and location go into invitations, reminders and calendar files."""
    person = cast.employee
    response = create(
        cast,
        title=f"Overleg {person.first_name} {person.last_name}",
        location=f"Kamer {person.personnel_number}",
    )
    assert response.status_code == 200
    assert not Meeting.objects.exists()
    page = response.text
    assert "noem geen medewerker en geen personeelsnummer (R12)" in page
    assert page.count("(R12).") >= 2  # an error on the title and one on the location
    # Editing is checked the same way.
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    response = cast.client("manager").post(
        url("meeting_edit", meeting.pk), edit_data(cast, meeting, location=f"Bij {person.last_name}")
    )
    assert response.status_code == 200
    meeting.refresh_from_db()
    assert meeting.location == "" and meeting.version == 1


def test_my_meetings_query_count_does_not_grow(cast, django_assert_max_num_queries):
    schedule(cast)
    client = cast.client("manager")
    client.get(url("meeting_list"))
    with django_assert_max_num_queries(40) as baseline:
        client.get(url("meeting_list"))
    for n in range(20):
        schedule(cast, starts_at=timezone.now() + datetime.timedelta(days=n - 10))
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        assert client.get(url("meeting_list")).status_code == 200


# --- changing and cancelling ---------------------------------------------------------


def edit_data(cast, meeting, **extra):
    return form_data(cast, participants=[("physician", "adviseur")], version=str(meeting.version), **extra)


def test_the_organiser_changes_a_meeting(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    page = cast.client("manager").get(url("meeting_edit", meeting.pk)).text
    assert 'value="Overleg Verpleging"' in page
    response = cast.client("manager").post(
        url("meeting_edit", meeting.pk), edit_data(cast, meeting, title="Nieuw")
    )
    assert response.status_code == 302
    meeting.refresh_from_db()
    assert meeting.title == "Nieuw" and meeting.version == 2


def test_a_stale_edit_is_a_conflict_and_saves_nothing(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    stale = edit_data(cast, meeting, title="Mijn versie")
    scheduling.update_meeting(
        user=cast.users["manager"],
        meeting_id=meeting.pk,
        expected_version=1,
        data=scheduling.MeetingData(MeetingType.CASE_SMO, "Andermans versie", meeting.starts_at),
        chair=cast.users["manager"],
        invitees=[],
    )
    response = cast.client("manager").post(url("meeting_edit", meeting.pk), stale)
    assert response.status_code == 409
    assert "Iemand anders heeft dit intussen gewijzigd." in response.text
    assert "Andermans versie" in response.text and 'value="Mijn versie"' in response.text
    meeting.refresh_from_db()
    assert meeting.title == "Andermans versie"


def test_R4_a_changed_circle_is_checked_again(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    data = edit_data(cast, meeting, meeting_type=MeetingType.SRO, chair="arbeidsdeskundige")
    response = cast.client("manager").post(url("meeting_edit", meeting.pk), data)
    assert "In een SRO neemt geen bedrijfsarts of POB deel" in response.text
    meeting.refresh_from_db()
    assert meeting.meeting_type == MeetingType.CASE_SMO


def test_cancelling_asks_first_then_cancels(cast):
    meeting = schedule(cast)
    client = cast.client("manager")
    assert "Overleg annuleren" in client.get(url("meeting_cancel", meeting.pk)).text
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.PLANNED
    response = client.post(url("meeting_cancel", meeting.pk))
    assert response.status_code == 302 and response["Location"] == url("meeting_list")
    meeting.refresh_from_db()
    assert meeting.status == Meeting.Status.CANCELLED
    again = client.post(url("meeting_cancel", meeting.pk), follow=True)
    assert "Alleen een gepland overleg kan worden geannuleerd." in again.text


def test_a_participant_who_is_not_organiser_or_chair_cannot_change_it(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    client = cast.client("physician")
    assert client.post(url("meeting_edit", meeting.pk), edit_data(cast, meeting)).status_code == 403
    assert client.post(url("meeting_cancel", meeting.pk)).status_code == 403
    page = client.get(url("meeting_detail", meeting.pk)).text
    assert "Overleg wijzigen" not in page and "Vergadermodus" not in page


# --- the meeting page ----------------------------------------------------------------------


def test_the_meeting_page_shows_data_participants_and_agenda(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")], location="Kamer 2.14")
    agenda.add_case_item(
        user=cast.users["manager"],
        meeting_id=meeting.pk,
        case_id=cast.case.pk,
        questions="Welke taken kan zij aan?",
    )
    page = cast.client("manager").get(url("meeting_detail", meeting.pk)).text
    for text in (
        "Kamer 2.14",
        "Voorzitter",
        "Adviseur",
        "Casus Canary Pietersen",
        "Welke taken kan zij aan?",
    ):
        assert text in page
    assert NOT_AVAILABLE in page  # nothing recorded yet (R6, R8)
    assert "Overleg wijzigen" in page and "Casus toevoegen" in page


def test_R18_an_sro_page_leads_the_arbeidsdeskundige_to_the_figures_to_present(cast):
    sro = schedule(cast, "arbeidsdeskundige", meeting_type=MeetingType.SRO, chair="arbeidsdeskundige")
    page = cast.client("arbeidsdeskundige").get(url("meeting_detail", sro.pk)).text
    link = f"{url('statistics_presentation')}?organisatie={cast.organisation.pk}"
    assert f'href="{link}"' in page and "Verzuimcijfers presenteren" in page
    presentation = cast.client("arbeidsdeskundige").get(link)
    assert presentation.status_code == 200
    assert presentation.context["report"].organisation == cast.organisation
    # Not in a case SMO, and not for a participant without statistics.
    smo = schedule(cast, invitees=[("physician", "adviseur")])
    assert "Verzuimcijfers presenteren" not in cast.client("manager").get(url("meeting_detail", smo.pk)).text
    assert (
        "Verzuimcijfers presenteren" not in cast.client("physician").get(url("meeting_detail", smo.pk)).text
    )


def test_the_chair_gets_the_meeting_mode(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    page = cast.client("manager").get(url("meeting_detail", meeting.pk)).text
    assert "Vergadermodus" in page
    assert f"/overleggen/{meeting.pk}/vergadermodus/" in page


def test_R8_readiness_after_a_withdrawal_says_only_not_available(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    consent.record_notification(
        user=cast.users["manager"],
        case_id=cast.case.pk,
        informed_on=TODAY,
        how="persoonlijk",
        meeting_type=MeetingType.CASE_SMO,
        period_start=TODAY,
        period_end=TODAY + datetime.timedelta(days=30),
        purpose="Afstemmen van de werkhervatting",
        questions="Welke taken kan de medewerker weer oppakken?",
        employee_invited=True,
    )
    given = consent.record_consent(
        user=cast.users["physician"],
        case_id=cast.case.pk,
        given_on=TODAY,
        obtained="spreekuur",
        valid_until=TODAY + datetime.timedelta(days=60),
        allowed_roles=[Role.LEIDINGGEVENDE, Role.HR],
        meeting_types=[MeetingType.CASE_SMO],
    )
    client = cast.client("manager")
    page = client.get(url("meeting_detail", meeting.pk)).text
    assert READY in page and NOT_AVAILABLE not in page

    consent.withdraw_consent(user=cast.users["employee_concerned"], consent_id=given.pk)
    page = client.get(url("meeting_detail", meeting.pk)).text
    assert NOT_AVAILABLE in page and READY not in page
    assert "Neem contact op met de bedrijfsarts." in page
    assert "ingetrokken" not in page.lower() and "intrekking" not in page.lower()


def test_a_physician_participant_sees_which_cases_still_need_consent(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    page = cast.client("physician").get(url("meeting_detail", meeting.pk)).text
    assert "Toestemming nog nodig" in page
    assert f"/medewerkers/{cast.employee.pk}/toestemmingen/nieuw/" in page
    assert "Toestemming nog nodig" not in cast.client("manager").get(url("meeting_detail", meeting.pk)).text


def test_employee_names_only_for_participants_and_those_with_the_case_in_scope(cast):
    # The other manager organises but takes no part; HR chairs and brings in the case.
    meeting = schedule(cast, "other_manager", chair="hr", invitees=[("physician", "adviseur")])
    agenda.add_case_item(user=cast.users["hr"], meeting_id=meeting.pk, case_id=cast.case.pk)
    for role in ("hr", "physician"):
        assert "Pietersen" in cast.client(role).get(url("meeting_detail", meeting.pk)).text, role
    page = cast.client("other_manager").get(url("meeting_detail", meeting.pk)).text
    assert "Pietersen" not in page and "Canary" not in page
    assert "naam alleen zichtbaar voor deelnemers en betrokkenen" in page


def test_a_meeting_of_others_does_not_exist(cast):
    meeting = schedule(cast)
    for role in ("other_manager", "casemanager", "employee_concerned", "other_org_user", "privacy_officer"):
        assert cast.client(role).get(url("meeting_detail", meeting.pk)).status_code == 404, role


def _meeting_with_cases(cast, n: int) -> Meeting:
    meeting = schedule(cast, invitees=[("physician", "adviseur"), ("hr", "notulist")])
    for _ in range(n):
        employee = EmployeeFactory(organisation=cast.organisation, department=cast.department)
        case = AbsenceCaseFactory(employee=employee)
        agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=case.pk)
    return meeting


@pytest.mark.parametrize("role", ["manager", "physician", "hr"])
def test_meeting_page_query_count_is_constant(cast, role, django_assert_max_num_queries):
    small, big = _meeting_with_cases(cast, 3), _meeting_with_cases(cast, 30)
    client = cast.client(role)
    client.get(url("meeting_detail", small.pk))
    with django_assert_max_num_queries(60) as baseline:
        assert client.get(url("meeting_detail", small.pk)).status_code == 200
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        response = client.get(url("meeting_detail", big.pk))
    assert response.status_code == 200
    assert response.text.count(NOT_AVAILABLE) == 30


# --- the agenda (R1, R3, R20) --------------------------------------------------------------


def test_R1_a_theme_meeting_refuses_case_items(cast):
    meeting = schedule(cast, meeting_type=MeetingType.THEME)
    page = cast.client("manager").get(url("agenda_add_case", meeting.pk)).text
    assert "In dit soort overleg worden geen individuele casussen besproken." in page
    response = cast.client("manager").post(url("agenda_add_case", meeting.pk), {"case": cast.case.pk})
    assert response.status_code == 200
    assert "In een beleids-/thema-SMT worden geen individuele casussen besproken (R1)." in response.text
    assert not AgendaItem.objects.exists()


def test_R1_a_theme_meeting_takes_themes_and_a_case_smo_does_not(cast):
    theme = schedule(cast, meeting_type=MeetingType.THEME)
    response = cast.client("manager").post(url("agenda_add_topic", theme.pk), {"title": "Nachtwerk"})
    assert response.status_code == 302
    assert theme.items.get().kind == AgendaItem.Kind.THEME
    smo = schedule(cast)
    response = cast.client("manager").post(url("agenda_add_topic", smo.pk), {"title": "Nachtwerk"})
    assert "Dit soort overleg heeft alleen casussen op de agenda." in response.text
    assert not smo.items.exists()


def test_R7a_questions_are_checked_for_medical_terms(cast):
    meeting = schedule(cast)
    page = cast.client("manager").get(url("agenda_add_case", meeting.pk)).text
    assert "noteer geen medische gegevens" in page
    response = cast.client("manager").post(
        url("agenda_add_case", meeting.pk), {"case": cast.case.pk, "questions": "Hoe gaat het met de hernia?"}
    )
    assert "Deze tekst lijkt medische informatie te bevatten" in response.text
    assert not meeting.items.exists()


def test_R3_smo_with_employee(cast):
    manager = cast.users["manager"]
    without = schedule(cast, meeting_type=MeetingType.SMO_WITH_EMPLOYEE, invitees=[("physician", "adviseur")])
    response = cast.client("manager").post(url("agenda_add_case", without.pk), {"case": cast.case.pk})
    assert "De medewerker moet deelnemer zijn van een SMO met medewerker (R3)." in response.text

    meeting = schedule(
        cast,
        meeting_type=MeetingType.SMO_WITH_EMPLOYEE,
        invitees=[("physician", "adviseur"), ("employee_concerned", "deelnemer")],
    )
    response = cast.client("manager").post(url("agenda_add_case", meeting.pk), {"case": cast.case.pk})
    assert "Een SMO met medewerker vereist een spreekuurcontact in de 6 weken ervoor (R3)." in response.text
    assert not meeting.items.exists()

    medical.record_consultation(
        user=cast.users["physician"],
        employee_id=cast.employee.pk,
        date=TODAY - datetime.timedelta(days=3),
        kind="regulier",
        notes="",
        conclusion=None,
    )
    response = cast.client("manager").post(url("agenda_add_case", meeting.pk), {"case": cast.case.pk})
    assert response.status_code == 302
    assert meeting.items.get().case == cast.case

    second = AbsenceCaseFactory(
        employee=EmployeeFactory(organisation=cast.organisation, department=cast.department)
    )
    response = cast.client("manager").post(url("agenda_add_case", meeting.pk), {"case": second.pk})
    assert "Een SMO met medewerker bespreekt precies één casus (R3)." in response.text
    assert meeting.items.count() == 1
    assert manager.pk == meeting.created_by_id


def test_R20_cases_near_a_wvp_milestone_are_proposed_and_added_in_one_click(cast):
    meeting = schedule(cast)
    page = cast.client("manager").get(url("agenda_add_case", meeting.pk)).text
    assert "Voorgesteld op basis van de Wet verbetering poortwachter" in page
    assert "Probleemanalyse bedrijfsarts" in page and "Canary Pietersen" in page
    response = cast.client("manager").post(url("agenda_add_case", meeting.pk), {"case": cast.case.pk})
    assert response.status_code == 302
    assert meeting.items.get().case == cast.case
    page = cast.client("manager").get(url("agenda_add_case", meeting.pk)).text
    assert "Voorgesteld op basis van de Wet verbetering poortwachter" not in page


def test_a_manager_brings_in_only_own_cases(cast):
    meeting = schedule(cast, invitees=[("other_manager", "deelnemer")])
    other_case = cast.other_employee_record.absence_cases.get()
    response = cast.client("manager").post(url("agenda_add_case", meeting.pk), {"case": other_case.pk})
    assert "geldige keuze" in response.text
    assert not meeting.items.exists()


def test_reorder_with_up_and_down_buttons_and_remove(cast):
    meeting = schedule(cast, "arbeidsdeskundige", meeting_type=MeetingType.SRO)
    client = cast.client("arbeidsdeskundige")
    for title in ("Verzuimcijfers per afdeling", "Werkdruk en taakverdeling", "Vervolgafspraken"):
        assert client.post(url("agenda_add_topic", meeting.pk), {"title": title}).status_code == 302
    first, second, third = meeting.items.all()
    page = client.get(url("meeting_detail", meeting.pk)).text
    assert "Omhoog" in page and "Omlaag" in page
    order = [first.pk, second.pk, third.pk]
    response = client.post(url("agenda_reorder", meeting.pk), {"volgorde": order, "omlaag": first.pk})
    assert response.status_code == 302 and response["Location"].endswith(f"#punt-{first.pk}")
    assert list(meeting.items.values_list("pk", flat=True)) == [second.pk, first.pk, third.pk]
    response = client.post(url("agenda_reorder", meeting.pk), {"volgorde": [third.pk, second.pk, first.pk]})
    assert list(meeting.items.values_list("pk", flat=True)) == [third.pk, second.pk, first.pk]

    assert client.post(url("agenda_remove", second.pk)).status_code == 302
    assert list(meeting.items.values_list("pk", flat=True)) == [third.pk, first.pk]


def test_an_incomplete_order_is_refused(cast):
    meeting = schedule(cast, "arbeidsdeskundige", meeting_type=MeetingType.SRO)
    client = cast.client("arbeidsdeskundige")
    client.post(url("agenda_add_topic", meeting.pk), {"title": "Verzuimcijfers"})
    client.post(url("agenda_add_topic", meeting.pk), {"title": "Werkdruk"})
    first = meeting.items.first()
    response = client.post(url("agenda_reorder", meeting.pk), {"volgorde": [first.pk]}, follow=True)
    assert "De nieuwe volgorde moet alle agendapunten bevatten." in response.text


def test_agenda_posts_only(cast):
    meeting = schedule(cast)
    assert cast.client("manager").get(url("agenda_reorder", meeting.pk)).status_code == 405


def test_only_preparers_change_the_agenda(cast):
    meeting = schedule(cast, invitees=[("physician", "adviseur")])
    item = agenda.add_case_item(user=cast.users["manager"], meeting_id=meeting.pk, case_id=cast.case.pk)
    client = cast.client("physician")
    assert client.post(url("agenda_add_case", meeting.pk), {"case": cast.case.pk}).status_code == 403
    assert client.post(url("agenda_remove", item.pk)).status_code == 403
    assert client.post(url("agenda_reorder", meeting.pk), {"volgorde": [item.pk]}).status_code == 403
    assert cast.client("other_manager").post(url("agenda_remove", item.pk)).status_code == 404
    assert AgendaItem.objects.filter(pk=item.pk).exists()
    page = client.get(url("meeting_detail", meeting.pk)).text
    assert "Casus toevoegen" not in page and "Omhoog" not in page
    assert Participant.objects.filter(meeting=meeting).count() == 2
