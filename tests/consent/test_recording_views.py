"""The recording side of consent (R7, R8, R13): the authorised bedrijfsarts
and the guiding expert record, supersede and withdraw consents; everybody
else gets 404; a physician's read is in the NEN 7513 access log."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consent import services
from consent.models import Consent, ConsentItem, ImmutableRecord
from consent.types import MeetingContext, MeetingType
from smo.roles import Role

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
LATER = TODAY + datetime.timedelta(days=60)
WORDING = "KANARIE-7c1 volgt fysiotherapie voor de rug"
PRIVATE = "KANARIE-7c1 zorgt voor een zieke ouder"
# Everyone of the cast who is not on the recording side of this employee.
NOT_RECORDING = [
    "employee_concerned",
    "other_employee",
    "manager",
    "other_manager",
    "hr",
    "other_physician",
    "arbeidsdeskundige",
    "privacy_officer",
    "admin",
    "other_org_user",
]
CHECK_FIELDS = "Controleer de gemarkeerde velden."


def form_data(**overrides) -> dict:
    data = {
        "given_on": TODAY.isoformat(),
        "obtained": Consent.Obtained.CONSULTATION,
        "meeting_types": [MeetingType.CASE_SMO, MeetingType.SMO_WITH_EMPLOYEE],
        "meeting_id": "",
        "valid_until": LATER.isoformat(),
        "allowed_roles": [Role.LEIDINGGEVENDE, Role.HR],
        "item_1_category": ConsentItem.Category.TREATMENT,
        "item_1_wording": WORDING,
        "item_2_category": ConsentItem.Category.PRIVATE,
        "item_2_wording": PRIVATE,
        "item_2_withheld": "on",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def record(cast, role: str = "physician", wording: str = WORDING, **overrides) -> Consent:
    arguments = {
        "given_on": TODAY,
        "obtained": Consent.Obtained.CONSULTATION,
        "valid_until": LATER,
        "allowed_roles": [Role.LEIDINGGEVENDE],
        "meeting_types": [MeetingType.CASE_SMO],
        "items": (services.ItemInput(ConsentItem.Category.TREATMENT, wording),),
        **overrides,
    }
    return services.record_consent(user=cast.users[role], case_id=cast.case.pk, **arguments)


def medical_log():
    return LogEntry.objects.filter(additional_data__nen7513="read").order_by("pk")


def list_url(cast) -> str:
    return reverse("consent_list", args=[cast.employee.pk])


def create_url(cast) -> str:
    return reverse("consent_create", args=[cast.employee.pk])


def supersede_url(consent) -> str:
    return reverse("consent_supersede", args=[consent.pk])


def withdraw_url(consent) -> str:
    return reverse("consent_withdraw_on_behalf", args=[consent.pk])


# --- the physician records and sees the history -----------------------------------


def test_R7_physician_records_a_consent_with_items_and_sees_it_in_the_history(cast):
    client = cast.client("physician")
    page = client.get(create_url(cast))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = page.text
    assert "Alleen wat daarbuiten valt" in text  # only what goes beyond the four conclusions
    assert "Toestemming moet vrij gegeven zijn" in text
    assert "noodzakelijkheidsvereiste" in text
    assert "Specifiek overleg (nummer)" in text
    assert "Niet delen (noodzakelijkheidsvereiste)" in text
    assert str(MeetingType.THEME.label) not in text  # R1: never for a theme meeting
    assert "Bedrijfsarts" not in page.context["form"]["allowed_roles"].as_widget()

    response = client.post(create_url(cast), form_data())
    assert response.status_code == 302
    assert response["Location"] == list_url(cast)
    [consent] = Consent.objects.all()
    assert consent.recorder_role == Consent.RecorderRole.PHYSICIAN
    assert consent.recorded_by == cast.users["physician"]
    assert (consent.employee, consent.case) == (cast.employee, cast.case)
    assert consent.meeting_types == sorted([MeetingType.CASE_SMO, MeetingType.SMO_WITH_EMPLOYEE])
    assert consent.allowed_roles == sorted([Role.HR, Role.LEIDINGGEVENDE])
    assert (consent.given_on, consent.valid_until, consent.meeting_id) == (TODAY, LATER, None)
    assert [(i.category, i.wording, i.withheld) for i in consent.items.all()] == [
        (ConsentItem.Category.TREATMENT, WORDING, False),
        (ConsentItem.Category.PRIVATE, PRIVATE, True),
    ]

    history = client.get(response["Location"]).text
    assert "De toestemming is vastgelegd." in history
    assert "Toestemmingen van Canary Pietersen" in history
    assert WORDING in history and PRIVATE in history
    assert "nee: de bedrijfsarts deelt dit niet (noodzakelijkheidsvereiste)" in history
    assert "Casus-specifiek SMO, SMO met medewerker" in history
    assert "HR-adviseur, Leidinggevende" in history
    assert LATER.strftime("%d-%m-%Y") in history
    assert "Geldig" in history
    assert reverse("consent_supersede", args=[consent.pk]) in history
    assert reverse("consent_withdraw_on_behalf", args=[consent.pk]) in history


def test_R7_a_consent_for_one_specific_meeting(cast):
    response = cast.client("physician").post(
        create_url(cast),
        form_data(meeting_types=None, meeting_id="42", item_1_category="", item_1_wording=""),
    )
    assert response.status_code == 302
    [consent] = Consent.objects.all()
    assert (consent.meeting_id, consent.meeting_types) == (42, [])
    assert [i.wording for i in consent.items.all()] == [PRIVATE]
    page = cast.client("physician").get(list_url(cast)).text
    assert "alleen het specifieke overleg nummer 42" in page


def test_without_an_open_case_the_physician_gets_a_message_and_nothing_is_saved(cast):
    cast.case.end_date = TODAY
    cast.case.closed_reason = cast.case.ClosedReason.RECOVERED
    cast.case.save()
    client = cast.client("physician")
    page = client.get(create_url(cast))
    assert page.status_code == 200
    assert "Deze medewerker heeft op dit moment geen lopend verzuim." in page.text
    assert 'name="given_on"' not in page.text
    assert client.post(create_url(cast), form_data()).status_code == 200
    assert not Consent.objects.exists()
    # The guiding casemanager of the closed case has nothing to record on.
    assert cast.client("casemanager").get(create_url(cast)).status_code == 404


# --- supersede: a new record, the old one immutable -------------------------------------


def test_R7_supersede_creates_a_new_record_and_the_old_one_is_superseded_and_immutable(cast):
    old = record(cast, given_on=TODAY - datetime.timedelta(days=10))
    client = cast.client("physician")
    page = client.get(supersede_url(old))
    assert page.status_code == 200
    # Prefilled from the old record; the new consent is given today.
    form = page.context["form"]
    assert form.initial["item_1_wording"] == WORDING
    assert form.initial["meeting_types"] == [MeetingType.CASE_SMO]
    assert form.initial["given_on"] == TODAY
    assert WORDING in page.text
    assert "Een vastgelegde toestemming wordt nooit overschreven." in page.text

    data = form_data(item_1_wording="KANARIE-7c1 volgt oefentherapie", item_2_category="", item_2_wording="")
    data.pop("item_2_withheld")
    response = client.post(supersede_url(old), data)
    assert response.status_code == 302
    assert response["Location"] == list_url(cast)
    new = Consent.objects.exclude(pk=old.pk).get()
    old.refresh_from_db()
    assert old.superseded_by == new
    assert not old.is_current and new.is_current
    assert [i.wording for i in new.items.all()] == ["KANARIE-7c1 volgt oefentherapie"]
    assert [i.wording for i in old.items.all()] == [WORDING]  # the old record is kept as it was

    history = client.get(list_url(cast)).text
    assert "De nieuwe toestemming is vastgelegd; de vorige is daardoor vervangen." in history
    assert "Vervangen" in history
    assert f'href="#toestemming-{new.pk}"' in history
    assert f'id="toestemming-{old.pk}"' in history
    assert supersede_url(old) not in history  # only the current one can be changed

    # Immutable: a direct save raises, for the consent and its items.
    old.valid_until = LATER + datetime.timedelta(days=1)
    with pytest.raises(ImmutableRecord):
        old.save()
    item = old.items.get()
    item.wording = "iets anders"
    with pytest.raises(ImmutableRecord):
        item.save()

    # A superseded consent cannot be superseded again.
    response = client.post(supersede_url(old), form_data(), follow=True)
    assert "Deze toestemming is al vervangen of ingetrokken." in response.text
    assert Consent.objects.count() == 2


def test_supersede_with_invalid_input_changes_nothing(cast):
    old = record(cast)
    response = cast.client("physician").post(supersede_url(old), form_data(allowed_roles=None))
    assert response.status_code == 200
    assert "Kies met welke rollen de casus besproken mag worden." in response.text
    old.refresh_from_db()
    assert old.is_current and Consent.objects.count() == 1


# --- withdrawal on behalf -------------------------------------------------------------


def test_R8_physician_withdraws_on_behalf_at_once_and_idempotently(cast):
    consent = record(cast)
    client = cast.client("physician")
    page = client.get(withdraw_url(consent))
    assert page.status_code == 200
    assert "Toestemming intrekken namens de medewerker" in page.text
    assert "Intrekken werkt direct" in page.text
    assert WORDING not in page.text  # the confirmation shows no items

    response = client.post(withdraw_url(consent), {"reason": "Wil het zelf vertellen"})
    assert response.status_code == 302
    assert response["Location"] == list_url(cast)
    consent.refresh_from_db()
    assert consent.withdrawn_at is not None
    assert consent.withdrawn_by == cast.users["physician"]
    assert consent.withdrawn_on_behalf is True
    assert consent.withdrawal_reason == "Wil het zelf vertellen"
    # R8: the gate blocks at once.
    decision = services.discussion_permission(
        case=cast.case, meeting=MeetingContext(meeting_type=MeetingType.CASE_SMO, date=TODAY)
    )
    assert services.Reason.CONSENT_WITHDRAWN in decision.reasons

    history = client.get(list_url(cast)).text
    assert "Ingetrokken" in history and "namens de medewerker" in history
    assert "Wil het zelf vertellen" in history
    assert withdraw_url(consent) not in history

    # Idempotent: a second withdrawal changes nothing.
    withdrawn_at = consent.withdrawn_at
    response = client.post(withdraw_url(consent), {"reason": "Andere reden"}, follow=True)
    assert "Deze toestemming was al ingetrokken of vervangen; er is niets gewijzigd." in response.text
    consent.refresh_from_db()
    assert (consent.withdrawn_at, consent.withdrawal_reason) == (withdrawn_at, "Wil het zelf vertellen")
    page = client.get(withdraw_url(consent))
    assert "er valt niets meer in te trekken" in page.text


def test_withdrawal_by_the_employee_themself_shows_as_such(cast):
    consent = record(cast)
    services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=consent.pk)
    history = cast.client("physician").get(list_url(cast)).text
    assert "de medewerker zelf" in history
    assert "geen reden opgegeven" in history


# --- everybody else: 404 ---------------------------------------------------------------


@pytest.mark.parametrize("role", NOT_RECORDING)
def test_R9_everybody_else_gets_404_on_every_page_and_changes_nothing(cast, role):
    consent = record(cast)
    if role == "admin":
        cast.users[role].is_superuser = True
        cast.users[role].save()
    client = cast.client(role)
    before = medical_log().count()
    for url in (list_url(cast), create_url(cast), supersede_url(consent), withdraw_url(consent)):
        response = client.get(url)
        assert response.status_code == 404, url
        assert WORDING not in response.text and cast.employee.full_name not in response.text
    assert client.post(create_url(cast), form_data()).status_code == 404
    assert client.post(supersede_url(consent), form_data()).status_code == 404
    assert client.post(withdraw_url(consent), {"reason": "x"}).status_code == 404
    consent.refresh_from_db()
    assert consent.is_current
    assert Consent.objects.count() == 1
    assert medical_log().count() == before


def test_anonymous_is_sent_to_the_login_page(cast):
    consent = record(cast)
    client = cast.client("anonymous")
    for url in (list_url(cast), create_url(cast), supersede_url(consent), withdraw_url(consent)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_consent_or_employee_that_does_not_exist_looks_the_same(cast):
    consent = record(cast)
    client = cast.client("physician")
    assert (
        client.get(supersede_url(consent).replace(str(consent.pk), str(consent.pk + 1000))).status_code == 404
    )
    assert client.get(reverse("consent_list", args=[cast.other_employee_record.pk])).status_code == 404
    assert client.get(reverse("consent_list", args=[cast.employee.pk + 1000])).status_code == 404


# --- the expert (casemanager) -----------------------------------------------------------


def test_R7_casemanager_records_an_expert_consent_and_sees_only_own_records(cast):
    physicians = record(cast, wording=WORDING)
    client = cast.client("casemanager")
    page = client.get(create_url(cast))
    assert page.status_code == 200
    assert "Als casemanager of andere expert legt u vast" in page.text
    assert "Niet delen (noodzakelijkheidsvereiste)" not in page.text

    data = form_data(item_1_wording="KANARIE-cm mag zeggen: heeft een coach", item_2_category="")
    data.pop("item_2_wording")
    data.pop("item_2_withheld")
    response = client.post(create_url(cast), data)
    assert response.status_code == 302
    own = Consent.objects.exclude(pk=physicians.pk).get()
    assert own.recorder_role == Consent.RecorderRole.EXPERT
    assert own.recorded_by == cast.users["casemanager"]
    assert [(i.wording, i.withheld) for i in own.items.all()] == [
        ("KANARIE-cm mag zeggen: heeft een coach", False)
    ]

    history = client.get(list_url(cast)).text
    assert "heeft een coach" in history
    assert WORDING not in history  # the physician's consent is not the expert's
    assert "U ziet alleen de toestemmingen die u zelf heeft vastgelegd." in history
    assert supersede_url(own) in history
    # The physician sees every consent of the employee, the expert's too.
    physician_page = cast.client("physician").get(list_url(cast)).text
    assert WORDING in physician_page and "heeft een coach" in physician_page
    # The expert cannot open the physician's record.
    assert client.get(supersede_url(physicians)).status_code == 404
    assert client.get(withdraw_url(physicians)).status_code == 404
    # ...but supersedes and withdraws their own.
    assert client.get(supersede_url(own)).status_code == 200
    assert client.post(withdraw_url(own), {}).status_code == 302
    own.refresh_from_db()
    assert own.withdrawn_by == cast.users["casemanager"] and own.withdrawn_on_behalf


def test_R7_only_the_physician_may_withhold_the_casemanager_is_refused(cast):
    response = cast.client("casemanager").post(create_url(cast), form_data())  # item 2 withheld
    assert response.status_code == 403
    assert not Consent.objects.exists()
    assert not ConsentItem.objects.exists()


def test_casemanager_without_records_sees_an_empty_list_and_no_log_is_written(cast):
    page = cast.client("casemanager").get(list_url(cast))
    assert page.status_code == 200
    assert "Er is geen geldende toestemming vastgelegd." in page.text
    assert not medical_log().exists()


# --- invalid input: Dutch errors, nothing saved -----------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"valid_until": (TODAY - datetime.timedelta(days=1)).isoformat()},
            "De toestemming kan niet eindigen voordat ze is gegeven.",
        ),
        ({"meeting_types": None}, "Kies een specifiek overleg of ten minste één soort overleg."),
        (
            {"meeting_types": [MeetingType.THEME]},
            "een beleids-/thema-SMT bespreekt geen individuele casussen (R1).",
        ),
        (
            {"meeting_types": [MeetingType.CASE_SMO, MeetingType.THEME]},
            "een beleids-/thema-SMT bespreekt geen individuele casussen (R1).",
        ),
        ({"allowed_roles": None}, "Kies met welke rollen de casus besproken mag worden."),
        ({"allowed_roles": [Role.BEDRIJFSARTS]}, "Selecteer een geldige keuze."),
        ({"item_1_wording": ""}, "Noteer letterlijk wat gezegd mag worden"),
        ({"item_3_wording": "Zonder categorie"}, "Kies de categorie van dit onderdeel."),
        (
            {"given_on": (TODAY + datetime.timedelta(days=1)).isoformat()},
            "Toestemming kan niet in de toekomst gegeven zijn.",
        ),
        ({"valid_until": ""}, "Dit veld is verplicht."),
        ({"meeting_id": "0"}, "Vul een overlegnummer van 1 of hoger in."),
    ],
)
def test_invalid_input_saves_nothing_and_says_why_in_dutch(cast, overrides, message):
    response = cast.client("physician").post(create_url(cast), form_data(**overrides))
    assert response.status_code == 200
    assert CHECK_FIELDS in response.text
    assert message in response.text
    assert not Consent.objects.exists()
    assert not ConsentItem.objects.exists()


# --- constant cost and the access log (R13) -----------------------------------------------


def add_consents(cast, count: int) -> None:
    """``count`` more consents of every kind: current, superseded (the
    expert's), withdrawn on behalf and by the employee themself."""
    before = Consent.objects.count()
    made = 0
    while made < count:
        kind = made % 4
        if kind == 0:
            record(cast)
        elif kind == 1:
            old = record(cast, role="casemanager", wording="KANARIE-cm eerder")
            if made + 1 < count:
                services.supersede_consent(
                    user=cast.users["casemanager"],
                    consent_id=old.pk,
                    given_on=TODAY,
                    obtained=Consent.Obtained.PHONE,
                    valid_until=LATER,
                    allowed_roles=[Role.HR],
                    meeting_types=[MeetingType.SRO],
                )
                made += 1
        elif kind == 2:
            consent = record(cast)
            services.withdraw_consent(user=cast.users["physician"], consent_id=consent.pk, reason="x")
        else:
            consent = record(cast)
            services.withdraw_consent(user=cast.users["employee_concerned"], consent_id=consent.pk)
        made += 1
    assert Consent.objects.count() == before + count


def test_the_list_costs_the_same_number_of_queries_for_1_or_8_consents(cast, django_assert_max_num_queries):
    client = cast.client("physician")
    add_consents(cast, 1)
    client.get(list_url(cast))  # the first request of a session may cost more
    with CaptureQueriesContext(connection) as one:
        assert client.get(list_url(cast)).status_code == 200
    add_consents(cast, 7)
    with django_assert_max_num_queries(len(one.captured_queries)):
        response = client.get(list_url(cast))
    assert response.status_code == 200
    rows = response.context["current"] + response.context["history"]
    assert len(rows) == 8
    assert {r.status for r in rows} == {"Geldig", "Vervangen", "Ingetrokken"}


def test_R13_each_physician_read_is_logged_once_without_item_wording(cast):
    consent = record(cast)
    client = cast.client("physician")
    for expected in (1, 2):
        response = client.get(list_url(cast))
        assert WORDING in response.text
        assert medical_log().count() == expected
    entries = list(medical_log())
    for entry in entries:
        assert entry.additional_data["nen7513"] == "read"
        assert entry.additional_data["what"] == "consent"
        assert entry.additional_data["employee_id"] == cast.employee.pk
        assert entry.actor == cast.users["physician"]
        assert "KANARIE" not in str(entry.__dict__)
    # Opening the supersede form shows the items: a read of that consent.
    client.get(supersede_url(consent))
    last = medical_log().last()
    assert (last.additional_data["nen7513"], last.additional_data["item_id"]) == ("read", consent.pk)
    assert medical_log().count() == 3
    # An empty form and the withdrawal confirmation show no items: no read.
    client.get(create_url(cast))
    client.get(withdraw_url(consent))
    assert medical_log().count() == 3
    assert not LogEntry.objects.filter(changes_text__contains="KANARIE").exists()


def test_R13_recording_and_superseding_a_consent_are_in_the_nen7513_log(cast):
    consent = record(cast)
    created = LogEntry.objects.get(additional_data__nen7513="create", additional_data__what="consent")
    assert created.additional_data["item_id"] == consent.pk and created.actor == cast.users["physician"]
    assert "KANARIE" not in str(created.__dict__)
