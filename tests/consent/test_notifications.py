"""R6: the manager (or HR) records that the employee was informed before the
case is discussed (consent/views/employer.py, notification_create)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from consent.models import Notification
from consent.services import Reason, discussion_permission
from consent.types import MeetingContext, MeetingType

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()


def form_data(**overrides) -> dict:
    data = {
        "informed_on": TODAY.isoformat(),
        "how": Notification.How.IN_PERSON,
        "meeting_type": MeetingType.CASE_SMO,
        "period_start": TODAY.isoformat(),
        "period_end": (TODAY + datetime.timedelta(days=42)).isoformat(),
        "purpose": "Bespreken hoe de werkhervatting in halve dagen verloopt.",
        "questions": "Welke taken kan de medewerker de komende weken oppakken?",
        "employee_invited": "ja",
        "not_invited_reason": "",
        "physician_informed": "on",
    }
    data.update(overrides)
    return data


def url(cast) -> str:
    return reverse("notification_create", args=[cast.case.pk])


@pytest.mark.parametrize("role", ["manager", "hr"])
def test_R6_employer_side_records_a_notification(cast, role):
    response = cast.client(role).post(url(cast), form_data())
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[cast.case.pk])
    notification = Notification.objects.get()
    assert notification.case == cast.case
    assert notification.recorded_by == cast.users[role]
    assert notification.meeting_type == MeetingType.CASE_SMO
    assert notification.employee_invited is True
    assert notification.physician_informed is True
    assert notification.informed_on == TODAY


def test_R6_the_case_page_lists_the_notification_with_a_success_message(cast):
    client = cast.client("manager")
    response = client.post(url(cast), form_data(), follow=True)
    page = response.content.decode()
    assert "De melding aan de medewerker is vastgelegd." in page
    assert "Bespreken hoe de werkhervatting in halve dagen verloopt." in page
    assert "Welke taken kan de medewerker de komende weken oppakken?" in page
    assert "Casus-specifiek SMO" in page
    assert url(cast) in page


def test_R6_a_new_notification_opens_the_gate_for_it(cast):
    meeting = MeetingContext(meeting_type=MeetingType.CASE_SMO, date=TODAY + datetime.timedelta(days=7))
    assert Reason.NO_NOTIFICATION in discussion_permission(case=cast.case, meeting=meeting).reasons
    cast.client("manager").post(url(cast), form_data())
    cast.case.refresh_from_db()
    reasons = discussion_permission(case=cast.case, meeting=meeting).reasons
    assert Reason.NO_NOTIFICATION not in reasons
    assert Reason.NO_CONSENT in reasons  # consent is the bedrijfsarts' to record


def test_R6_not_invited_needs_a_reason_and_nothing_is_saved(cast):
    response = cast.client("manager").post(url(cast), form_data(employee_invited="nee"))
    assert response.status_code == 200
    assert "Geef aan waarom de medewerker niet wordt uitgenodigd" in response.content.decode()
    assert not Notification.objects.exists()


def test_R6_not_invited_with_a_reason_is_recorded(cast):
    response = cast.client("manager").post(
        url(cast), form_data(employee_invited="nee", not_invited_reason="Deelname is nu te belastend.")
    )
    assert response.status_code == 302
    notification = Notification.objects.get()
    assert notification.employee_invited is False
    assert notification.not_invited_reason == "Deelname is nu te belastend."


def test_R6_multidisciplinary_consultation_needs_no_reason(cast):
    response = cast.client("hr").post(
        url(cast), form_data(meeting_type=MeetingType.MULTIDISCIPLINARY, employee_invited="nee")
    )
    assert response.status_code == 302
    assert Notification.objects.get().meeting_type == MeetingType.MULTIDISCIPLINARY


def test_R1_theme_meeting_is_not_offered_and_refused(cast):
    client = cast.client("manager")
    form = client.get(url(cast)).content.decode()
    assert f'value="{MeetingType.THEME}"' not in form
    assert f'value="{MeetingType.SRO}"' in form
    response = client.post(url(cast), form_data(meeting_type=MeetingType.THEME))
    assert response.status_code == 200
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "field,text",
    [
        ("purpose", "Bespreken hoe het gaat na de operatie aan de knie."),
        ("questions", "Hoe lang duurt de fysiotherapie nog?"),
        ("not_invited_reason", "Medewerker is opgenomen met een depressie."),
    ],
)
def test_R7a_medical_terms_are_refused_and_nothing_is_saved(cast, field, text):
    data = form_data(**{field: text})
    if field == "not_invited_reason":
        data["employee_invited"] = "nee"
    response = cast.client("manager").post(url(cast), data)
    assert response.status_code == 200
    assert "medische informatie" in response.content.decode()
    assert not Notification.objects.exists()


def test_R7a_notice_beside_each_employer_text_field(cast):
    page = cast.client("manager").get(url(cast)).content.decode()
    for field in ("purpose", "questions", "not_invited_reason"):
        assert f'id="id_{field}_r7a"' in page
        assert f'aria-describedby="id_{field}_r7a' in page


def test_period_end_before_start_is_refused(cast):
    response = cast.client("manager").post(
        url(cast), form_data(period_end=(TODAY - datetime.timedelta(days=1)).isoformat())
    )
    assert response.status_code == 200
    assert "Het einde van de periode ligt voor het begin." in response.content.decode()
    assert not Notification.objects.exists()


@pytest.mark.parametrize(
    "role,status",
    [
        ("other_manager", 404),
        ("other_org_user", 404),
        ("casemanager", 403),
        ("physician", 403),
        ("arbeidsdeskundige", 403),
        ("employee_concerned", 403),
        ("admin", 403),
    ],
)
def test_others_cannot_record_a_notification(cast, role, status):
    response = cast.client(role).post(url(cast), form_data())
    assert response.status_code == status
    assert not Notification.objects.exists()


def test_only_the_employer_side_sees_the_block_on_the_case_page(cast):
    case_page = reverse("case_detail", args=[cast.case.pk])
    assert url(cast) in cast.client("manager").get(case_page).content.decode()
    page = cast.client("casemanager").get(case_page).content.decode()
    assert "Melding en toestemming" not in page and url(cast) not in page


def test_the_form_starts_with_today_and_a_six_week_period(cast):
    page = cast.client("manager").get(url(cast)).content.decode()
    assert f'name="informed_on" value="{TODAY.isoformat()}"' in page
    assert f'value="{(TODAY + datetime.timedelta(weeks=6)).isoformat()}"' in page
