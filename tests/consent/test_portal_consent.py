"""Consent as the employee and the employer side see it (R7, R8, R14, R7a).

The employee sees their own consents in full (items, wording, history) and
withdraws them (consent/views/portal.py). The employer side sees on the case
page only that a consent exists, its scope and period, and whether it was
withdrawn; never the items nor the reason (consent/views/employer.py).
"""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from consent import services
from consent.models import Consent, Notification
from consent.services import ItemInput, Reason, discussion_permission
from consent.types import MeetingContext, MeetingType

pytestmark = pytest.mark.django_db

TODAY = datetime.date.today()
ITEM_WORDING = "CANARY-item: volgt een traject bij de psycholoog"
REASON = "CANARY-reden: ik wil dit liever zelf vertellen"
MEETING = MeetingContext(meeting_type=MeetingType.CASE_SMO, date=TODAY + datetime.timedelta(days=7))


def give_consent(cast, *, given_on=TODAY, supersedes=None, wording=ITEM_WORDING) -> Consent:
    return services.record_consent(
        user=cast.users["physician"],
        case_id=cast.case.pk,
        given_on=given_on,
        obtained=Consent.Obtained.CONSULTATION,
        valid_until=given_on + datetime.timedelta(days=60),
        allowed_roles=["leidinggevende", "hr-adviseur"],
        meeting_types=[MeetingType.CASE_SMO, MeetingType.SMO_WITH_EMPLOYEE],
        items=(ItemInput(category="behandeling", wording=wording),),
        supersedes=supersedes,
    )


def notify(cast) -> Notification:
    return services.record_notification(
        user=cast.users["manager"],
        case_id=cast.case.pk,
        informed_on=TODAY,
        how=Notification.How.PHONE,
        meeting_type=MeetingType.CASE_SMO,
        period_start=TODAY,
        period_end=TODAY + datetime.timedelta(days=42),
        purpose="CANARY-doel: werkhervatting in halve dagen",
        questions="Welke taken passen nu?",
        employee_invited=True,
    )


def my_file(cast, role="employee_concerned") -> str:
    return cast.client(role).get(reverse("my_file")).content.decode()


def case_page(cast, role="manager") -> str:
    return cast.client(role).get(reverse("case_detail", args=[cast.case.pk])).content.decode()


def withdraw_url(consent) -> str:
    return reverse("my_consent_withdraw", args=[consent.pk])


# --- the employee (R14) -----------------------------------------------------------


def test_R14_employee_sees_own_consent_with_items_and_notifications(cast):
    consent = give_consent(cast)
    notify(cast)
    page = my_file(cast)
    assert "Mijn toestemmingen" in page
    assert ITEM_WORDING in page
    assert "Geldig" in page
    assert "Casus-specifiek SMO, SMO met medewerker" in page
    assert "CANARY-doel: werkhervatting in halve dagen" in page
    assert withdraw_url(consent) in page


def test_R14_another_employee_sees_nothing_of_it(cast):
    consent = give_consent(cast)
    notify(cast)
    page = my_file(cast, "other_employee")
    assert ITEM_WORDING not in page and "CANARY-doel" not in page
    assert withdraw_url(consent) not in page


def test_R14_history_shows_superseded_and_withdrawn_consents(cast):
    first = give_consent(cast, given_on=TODAY - datetime.timedelta(days=30), wording="CANARY-oud")
    second = give_consent(cast, supersedes=first, wording="CANARY-nieuw")
    services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=second.pk, reason=REASON)
    page = my_file(cast)
    assert "CANARY-oud" in page and "CANARY-nieuw" in page
    assert "Vervangen" in page and "Ingetrokken" in page
    assert REASON in page  # their own reason
    assert withdraw_url(first) not in page and withdraw_url(second) not in page


def test_R8_employee_withdraws_own_consent(cast):
    consent = give_consent(cast)
    notify(cast)
    assert discussion_permission(case=cast.case, meeting=MEETING).allowed
    client = cast.client("employee_concerned")

    confirm = client.get(withdraw_url(consent)).content.decode()
    assert "Het intrekken geldt direct." in confirm
    assert "U hoeft geen reden te geven." in confirm
    assert ITEM_WORDING in confirm

    response = client.post(withdraw_url(consent), {"reason": REASON})
    assert response.status_code == 302 and response["Location"] == reverse("my_file")
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == cast.users["employee_concerned"]
    assert consent.withdrawn_on_behalf is False
    assert consent.withdrawal_reason == REASON

    decision = discussion_permission(case=cast.case, meeting=MEETING)
    assert not decision.allowed and decision.reasons == (Reason.CONSENT_WITHDRAWN,)
    # What the chair is told says neither that nor why.
    chair_text = " ".join([decision.chair_message, *decision.next_steps]).lower()
    assert "ingetrokken" not in chair_text and "canary" not in chair_text


def test_R8_a_reason_is_not_needed(cast):
    consent = give_consent(cast)
    response = cast.client("employee_concerned").post(withdraw_url(consent), {})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_reason == ""


def test_R8_employee_cannot_withdraw_anothers_consent(cast):
    consent = give_consent(cast)
    client = cast.client("other_employee")
    assert client.get(withdraw_url(consent)).status_code == 404
    assert client.post(withdraw_url(consent), {"reason": "x"}).status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_R8_withdrawn_consent_cannot_be_withdrawn_again(cast):
    consent = give_consent(cast)
    client = cast.client("employee_concerned")
    client.post(withdraw_url(consent), {"reason": REASON})
    consent.refresh_from_db()
    withdrawn_at = consent.withdrawn_at
    response = client.post(withdraw_url(consent), {"reason": "anders"})
    assert response.status_code == 302
    consent.refresh_from_db()
    assert consent.withdrawn_at == withdrawn_at and consent.withdrawal_reason == REASON


def test_sro_consent_recorded_by_the_employer_asks_no_reason(cast):
    """A consent the manager recorded as SRO bringer: a reason would land on
    the employer side, so none is asked."""
    consent = services.record_consent(
        user=cast.users["manager"],
        case_id=cast.case.pk,
        given_on=TODAY,
        obtained=Consent.Obtained.WRITTEN,
        valid_until=TODAY + datetime.timedelta(days=30),
        allowed_roles=["arbeidsdeskundige"],
        meeting_types=[MeetingType.SRO],
    )
    assert consent.recorder_role == Consent.RecorderRole.SRO_BRINGER
    client = cast.client("employee_concerned")
    assert 'name="reason"' not in client.get(withdraw_url(consent)).content.decode()
    client.post(withdraw_url(consent), {"reason": REASON})
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None and consent.withdrawal_reason == ""


def test_my_file_query_count_does_not_grow_with_consents(cast, django_assert_max_num_queries):
    give_consent(cast)
    notify(cast)
    client = cast.client("employee_concerned")
    with django_assert_max_num_queries(60) as one:
        client.get(reverse("my_file"))
    previous = Consent.objects.get()
    for n in range(4):
        previous = give_consent(cast, supersedes=previous, wording=f"onderdeel {n}")
        notify(cast)
    with django_assert_max_num_queries(len(one.captured_queries)):
        client.get(reverse("my_file"))


# --- the employer side ------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "hr"])
def test_R7a_employer_sees_status_but_never_items_nor_reason(cast, role):
    consent = give_consent(cast)
    page = case_page(cast, role)
    assert "Toestemming voor bespreking" in page
    assert TODAY.strftime("%d-%m-%Y") in page
    assert "Casus-specifiek SMO, SMO met medewerker" in page
    assert "geldig" in page
    assert ITEM_WORDING not in page and "CANARY" not in page
    assert reverse("consent_withdraw_by_employer", args=[consent.pk]) in page

    services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=consent.pk, reason=REASON)
    page = case_page(cast, role)
    # R8: the employer side (often the chair) learns that the consent no
    # longer holds, not that or why it was withdrawn.
    assert "niet meer geldig" in page and "ingetrokken" not in page.lower()
    assert REASON not in page and "CANARY" not in page
    assert reverse("consent_withdraw_by_employer", args=[consent.pk]) not in page


def test_employer_sees_only_current_consents(cast):
    old = give_consent(cast, given_on=TODAY - datetime.timedelta(days=30))
    give_consent(cast, supersedes=old)
    page = case_page(cast)
    assert (TODAY - datetime.timedelta(days=30)).strftime("%d-%m-%Y") not in page
    assert reverse("consent_withdraw_by_employer", args=[old.pk]) not in page


def test_casemanager_sees_no_consent_block(cast):
    give_consent(cast)
    page = case_page(cast, "casemanager")
    assert "Toestemming voor bespreking" not in page and ITEM_WORDING not in page


def test_R8_employer_records_withdrawal_on_behalf(cast):
    consent = give_consent(cast)
    notify(cast)
    url = reverse("consent_withdraw_by_employer", args=[consent.pk])
    client = cast.client("manager")
    confirm = client.get(url).content.decode()
    assert "Intrekking namens de medewerker vastleggen" in confirm
    assert ITEM_WORDING not in confirm
    assert 'name="reason"' not in confirm

    response = client.post(url)
    assert response.status_code == 302
    assert response["Location"] == reverse("case_detail", args=[cast.case.pk])
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == cast.users["manager"]
    assert consent.withdrawn_on_behalf is True
    assert consent.withdrawal_reason == ""
    decision = discussion_permission(case=cast.case, meeting=MEETING)
    assert decision.reasons == (Reason.CONSENT_WITHDRAWN,)
    # The employee sees it in their own file.
    page = my_file(cast)
    assert "Ingetrokken" in page and "namens u vastgelegd" in page


@pytest.mark.parametrize(
    "role,status",
    [
        ("other_manager", 404),
        ("other_org_user", 404),
        ("casemanager", 403),
        ("physician", 403),
        ("employee_concerned", 403),
    ],
)
def test_others_cannot_use_the_employer_withdrawal(cast, role, status):
    consent = give_consent(cast)
    url = reverse("consent_withdraw_by_employer", args=[consent.pk])
    assert cast.client(role).post(url).status_code == status
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_employer_withdrawal_of_a_superseded_consent_changes_nothing(cast):
    old = give_consent(cast, given_on=TODAY - datetime.timedelta(days=30))
    new = give_consent(cast, supersedes=old)
    url = reverse("consent_withdraw_by_employer", args=[old.pk])
    response = cast.client("hr").post(url)
    assert response.status_code == 302
    old.refresh_from_db()
    new.refresh_from_db()
    assert old.withdrawn_at is None and new.withdrawn_at is None
