"""The medical-file pages (R7, R9, R13): the authorised bedrijfsarts works in
them; everybody else gets 404; every read and write is in the access log."""

from __future__ import annotations

import datetime
import re

import pytest
from auditlog.models import LogEntry
from django.urls import reverse
from django.utils import timezone

from casefiles import medical, services
from casefiles.models import Consultation, ConsultationConclusion, FunctionalLimitation, PhysicianNote
from smo.roles import Role

from ..conftest import MATRIX_ROLES
from ..factories import UserFactory

pytestmark = pytest.mark.django_db

CANARY = "KANARIE-51c2 hernia L5 en oxazepam"
TODAY = timezone.localdate()
DAY = TODAY - datetime.timedelta(days=3)
NOT_THE_PHYSICIAN = [r for r in MATRIX_ROLES if r not in ("anonymous", "physician")]
STALE = "Iemand anders heeft dit spreekuurcontact intussen gewijzigd"


def form_data(**overrides) -> dict:
    data = {
        "date": DAY.isoformat(),
        "kind": Consultation.Kind.PROBLEM_ANALYSIS,
        "notes": CANARY,
        "incapacity": ConsultationConclusion.Incapacity.PARTIAL,
        "incapacity_percentage": "50",
        "expected_duration": ConsultationConclusion.Duration.WEEKS_6_13,
        "expected_return_from": (TODAY + datetime.timedelta(days=30)).isoformat(),
        "expected_return_until": (TODAY + datetime.timedelta(days=60)).isoformat(),
        "adaptations": "Zittend werk, maximaal 4 uur per dag",
    }
    for rubriek in FunctionalLimitation.Rubriek:
        data[f"fml_{rubriek.value}_level"] = FunctionalLimitation.Level.NONE
        data[f"fml_{rubriek.value}_description"] = ""
    data.update(
        fml_5_level=FunctionalLimitation.Level.LIMITED,
        fml_5_description="Kan niet lang staan",
        fml_6_level=FunctionalLimitation.Level.SEVERE,
        fml_6_description="Halve dagen, geen nachtdienst",
    )
    data.update(overrides)
    return data


def consult(cast, notes: str = CANARY, **conclusion) -> Consultation:
    return medical.record_consultation(
        user=cast.users["physician"],
        employee_id=cast.employee.pk,
        date=DAY,
        kind=Consultation.Kind.REGULAR,
        notes=notes,
        conclusion=medical.ConclusionInput(
            incapacity=conclusion.pop("incapacity", ConsultationConclusion.Incapacity.FULL), **conclusion
        ),
    )


def stored(cast) -> list[Consultation]:
    return list(Consultation.objects.for_physician(cast.users["physician"]))


def medical_log(action: str | None = None):
    entries = LogEntry.objects.filter(additional_data__nen7513__isnull=False)
    if action:
        entries = entries.filter(additional_data__nen7513=action)
    return entries.order_by("pk")


def urls(cast, pk: int) -> dict[str, str]:
    return {
        "medical_file": reverse("medical_file", args=[cast.employee.pk]),
        "consultation_create": reverse("consultation_create", args=[cast.employee.pk]),
        "physician_note_create": reverse("physician_note_create", args=[cast.employee.pk]),
        "consultation_detail": reverse("consultation_detail", args=[pk]),
        "consultation_edit": reverse("consultation_edit", args=[pk]),
    }


# --- the authorised physician -------------------------------------------------


def test_R7_physician_records_a_consultation_with_fml_and_conclusions_and_sees_it(cast):
    client = cast.client("physician")
    page = client.get(reverse("consultation_create", args=[cast.employee.pk]))
    assert page.status_code == 200
    assert "Medische aantekeningen (vertrouwelijk)" in page.text
    assert "Alleen deze vier conclusies kunnen ooit met de werkgever worden gedeeld" in page.text
    for rubriek in FunctionalLimitation.Rubriek:
        assert str(rubriek.label) in page.text

    response = client.post(reverse("consultation_create", args=[cast.employee.pk]), form_data())
    [consultation] = stored(cast)
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_detail", args=[consultation.pk])
    assert consultation.notes == CANARY
    assert consultation.physician == cast.users["physician"]
    assert consultation.case == cast.case
    conclusion = consultation.conclusion
    assert conclusion.incapacity == ConsultationConclusion.Incapacity.PARTIAL
    assert conclusion.incapacity_percentage == 50
    assert conclusion.released_at is None
    limitations = {x.rubriek: (x.level, x.description) for x in conclusion.limitations.all()}
    assert len(limitations) == 6
    assert limitations[5] == ("beperkt", "Kan niet lang staan")
    assert limitations[6] == ("sterk_beperkt", "Halve dagen, geen nachtdienst")
    assert limitations[1] == ("geen", "")

    detail = client.get(response["Location"])
    assert "Het spreekuurcontact is opgeslagen in het medisch dossier." in detail.text
    assert CANARY in detail.text
    assert "Kan niet lang staan" in detail.text and "Sterk beperkt" in detail.text
    assert "Gedeeltelijk arbeidsongeschikt (50%)" in detail.text
    assert "Nog niet gedeeld met de werkgever." in detail.text
    assert "Conclusies delen met werkgever" in detail.text

    file = client.get(reverse("medical_file", args=[cast.employee.pk])).text
    assert DAY.strftime("%d-%m-%Y") in file
    assert "Probleemanalyse (WVP)" in file
    assert "nee, nog niet gedeeld" in file


def test_medical_file_shows_the_employee_header_consultations_and_notes(cast):
    consult(cast)
    medical.record_note(
        user=cast.users["physician"], employee_id=cast.employee.pk, date=DAY, notes="Belde met de medewerker"
    )
    page = cast.client("physician").get(reverse("medical_file", args=[cast.employee.pk]))
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    text = page.text
    assert "Medisch dossier van Canary Pietersen" in text
    assert cast.employee.personnel_number in text
    assert cast.department.name in text
    assert cast.case.first_day.strftime("%d-%m-%Y") in text
    assert "Belde met de medewerker" in text
    assert "geen conclusies" not in text
    # The consultation's notes are on its own page, not in the list.
    assert CANARY not in text


def test_R9_an_authorised_pob_uses_the_medical_file_too(cast):
    pob = UserFactory(username="pob", roles=[Role.POB], organisations=[cast.organisation])
    services.authorise_physician(actor=None, employee=cast.employee, physician=pob)
    client = cast.client("physician")
    client.force_login(pob)
    assert client.get(reverse("medical_file", args=[cast.employee.pk])).status_code == 200


def test_physician_records_a_note(cast):
    client = cast.client("physician")
    url = reverse("physician_note_create", args=[cast.employee.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"date": DAY.isoformat(), "context": "SMO van vandaag", "notes": CANARY})
    assert response.status_code == 302
    assert response["Location"] == reverse("medical_file", args=[cast.employee.pk])
    [note] = PhysicianNote.objects.for_physician(cast.users["physician"])
    assert (note.notes, note.context, note.physician) == (CANARY, "SMO van vandaag", cast.users["physician"])
    [entry] = medical_log("create")
    assert entry.additional_data["what"] == "physician_note"
    page = client.get(response["Location"]).text
    assert "De aantekening is opgeslagen in het medisch dossier." in page
    assert CANARY in page


# --- everybody else: 404 --------------------------------------------------------


@pytest.mark.parametrize("role", NOT_THE_PHYSICIAN)
def test_R9_everybody_else_gets_404_on_every_page_and_changes_nothing(cast, role):
    consultation = consult(cast)
    user = cast.users[role]
    if role == "admin":
        user.is_superuser = True
        user.save()
    client = cast.client(role)
    before = medical_log().count()
    for name, url in urls(cast, consultation.pk).items():
        response = client.get(url)
        assert response.status_code == 404, name
        assert CANARY not in response.text and cast.employee.full_name not in response.text
    posts = {
        "consultation_create": form_data(notes="overschreven"),
        "consultation_edit": form_data(notes="overschreven", version="1"),
        "physician_note_create": {"date": DAY.isoformat(), "notes": "overschreven"},
    }
    for name, data in posts.items():
        assert client.post(urls(cast, consultation.pk)[name], data).status_code == 404, name
    release = reverse("consultation_release", args=[consultation.pk])
    assert client.post(release).status_code == 404
    # Nothing was read, written or released.
    assert medical_log().count() == before
    [unchanged] = stored(cast)
    assert unchanged.notes == CANARY and unchanged.version == 1
    assert unchanged.conclusion.released_at is None
    assert not PhysicianNote.objects.for_physician(cast.users["physician"]).exists()


def test_R9_a_consultation_that_does_not_exist_looks_the_same(cast):
    consultation = consult(cast)
    missing = consultation.pk + 1000
    client = cast.client("physician")
    assert client.get(reverse("consultation_detail", args=[missing])).status_code == 404
    assert client.get(reverse("medical_file", args=[cast.other_employee_record.pk])).status_code == 404


def test_anonymous_is_sent_to_the_login_page(cast):
    consultation = consult(cast)
    client = cast.client("anonymous")
    for url in [
        *urls(cast, consultation.pk).values(),
        reverse("consultation_release", args=[consultation.pk]),
    ]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


# --- the access log (R13) -------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "what"),
    [
        ("medical_file", "medical_file"),
        ("consultation_detail", "consultation"),
        ("consultation_edit", "consultation"),
    ],
)
def test_R13_each_read_is_logged_once_without_content(cast, name, what):
    consultation = consult(cast)
    medical.record_note(user=cast.users["physician"], employee_id=cast.employee.pk, date=DAY, notes=CANARY)
    before = set(medical_log().values_list("pk", flat=True))
    response = cast.client("physician").get(urls(cast, consultation.pk)[name])
    assert response.status_code == 200
    assert CANARY in response.text
    [entry] = medical_log().exclude(pk__in=before)
    assert entry.additional_data["nen7513"] == "read"
    assert entry.additional_data["employee_id"] == cast.employee.pk
    assert entry.additional_data["what"] == what
    if what == "consultation":
        assert entry.additional_data["item_id"] == consultation.pk
    assert entry.actor == cast.users["physician"]
    assert "KANARIE" not in str(entry.__dict__)


def test_R13_opening_an_empty_form_reads_nothing(cast):
    client = cast.client("physician")
    client.get(reverse("consultation_create", args=[cast.employee.pk]))
    client.get(reverse("physician_note_create", args=[cast.employee.pk]))
    assert not medical_log().exists()


def test_R13_creating_a_consultation_is_logged_without_content(cast):
    cast.client("physician").post(reverse("consultation_create", args=[cast.employee.pk]), form_data())
    [entry] = medical_log()
    [consultation] = stored(cast)
    assert entry.additional_data["nen7513"] == "create"
    assert entry.additional_data["what"] == "consultation"
    assert entry.additional_data["item_id"] == consultation.pk
    assert entry.additional_data["employee_id"] == cast.employee.pk
    assert "KANARIE" not in str(entry.__dict__)


# --- release (R7) ---------------------------------------------------------------


def test_R7_release_shares_the_conclusions_and_is_logged(cast):
    consultation = consult(cast)
    client = cast.client("physician")
    response = client.post(reverse("consultation_release", args=[consultation.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("consultation_detail", args=[consultation.pk])
    [updated] = stored(cast)
    assert updated.conclusion.released_at is not None
    [entry] = medical_log("change")
    assert entry.additional_data["what"] == "conclusions"
    assert entry.additional_data["item_id"] == consultation.pk
    page = client.get(response["Location"]).text
    assert "De conclusies zijn gedeeld met de werkgever." in page
    assert "Gedeeld met de werkgever op" in page
    assert "Conclusies delen met werkgever" not in page
    shared = medical.shared_conclusions(user=cast.users["manager"], case=cast.case)
    assert shared.incapacity == "Volledig arbeidsongeschikt"
    assert "KANARIE" not in repr(shared)


def test_release_answers_405_to_get(cast):
    consultation = consult(cast)
    response = cast.client("physician").get(reverse("consultation_release", args=[consultation.pk]))
    assert response.status_code == 405
    assert stored(cast)[0].conclusion.released_at is None


# --- editing, optimistic locking ---------------------------------------------------


def edit_url(consultation) -> str:
    return reverse("consultation_edit", args=[consultation.pk])


def version_in(page: str) -> str:
    return re.search(r'name="version" value="(\d+)"', page).group(1)


def test_edit_form_is_prefilled_with_the_version(cast):
    consultation = consult(cast, adaptations="Geen tilwerk")
    page = cast.client("physician").get(edit_url(consultation)).text
    assert version_in(page) == "1"
    assert CANARY in page and "Geen tilwerk" in page
    assert 'value="volledig" selected' in page


def test_optimistic_locking_the_second_edit_of_a_version_does_not_overwrite(cast):
    consultation = consult(cast)
    first, second = cast.client("physician"), cast.client("physician")
    version = version_in(first.get(edit_url(consultation)).text)
    assert version_in(second.get(edit_url(consultation)).text) == version

    response = first.post(edit_url(consultation), form_data(notes="Eerste versie", version=version))
    assert response.status_code == 302
    response = second.post(edit_url(consultation), form_data(notes="Tweede versie", version=version))
    assert response.status_code == 409
    assert STALE in response.text
    # The user's own text is kept in the form, the current version is shown.
    assert "Tweede versie" in response.text and "Eerste versie" in response.text
    assert version_in(response.text) == "2"
    [current] = stored(cast)
    assert current.notes == "Eerste versie"
    assert current.version == 2


def test_changing_a_released_conclusion_withdraws_the_release_and_says_so(cast):
    consultation = consult(cast)
    medical.release_conclusions(user=cast.users["physician"], pk=consultation.pk)
    client = cast.client("physician")
    page = client.get(edit_url(consultation)).text
    assert "Let op: de conclusies zijn gedeeld" in page
    data = form_data(version="1", incapacity=ConsultationConclusion.Incapacity.PARTIAL)
    response = client.post(edit_url(consultation), data, follow=True)
    assert (
        "U heeft de conclusies gewijzigd. Daarom zijn ze niet meer gedeeld met de werkgever." in response.text
    )
    assert stored(cast)[0].conclusion.released_at is None
    assert medical.shared_conclusions(user=cast.users["manager"], case=cast.case) is None


def test_changing_only_the_notes_keeps_the_release(cast):
    consult(cast, adaptations="Geen tilwerk")
    consultation = stored(cast)[0]
    medical.release_conclusions(user=cast.users["physician"], pk=consultation.pk)
    client = cast.client("physician")
    # Post back exactly what the form showed, with other notes.
    form = client.get(edit_url(consultation)).context["form"]
    data = {name: "" if form[name].value() is None else form[name].value() for name in form.fields}
    data["notes"] = "Aangevuld"
    response = client.post(edit_url(consultation), data, follow=True)
    assert "De wijzigingen in het spreekuurcontact zijn opgeslagen." in response.text
    assert "U heeft de conclusies gewijzigd" not in response.text
    [updated] = stored(cast)
    assert updated.notes == "Aangevuld"
    assert updated.conclusion.released_at is not None
    change = medical_log("change").last()
    assert set(change.changes_dict) == {"notes"}


def test_conclusions_once_recorded_cannot_be_emptied(cast):
    consultation = consult(cast)
    response = cast.client("physician").post(
        edit_url(consultation), {"date": DAY.isoformat(), "kind": "regulier", "version": "1"}
    )
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.text
    assert stored(cast)[0].version == 1


# --- validation: Dutch messages, nothing saved --------------------------------------


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"incapacity_percentage": "150"}, "Het percentage ligt tussen 0 en 100."),
        (
            {"expected_return_from": "2030-02-01", "expected_return_until": "2030-01-01"},
            "De uiterste terugkeerdatum ligt vóór de datum waarop terugkeer wordt verwacht.",
        ),
        (
            {"incapacity": ConsultationConclusion.Incapacity.FULL, "incapacity_percentage": "40"},
            "Dit percentage past niet bij de gekozen mate van arbeidsongeschiktheid.",
        ),
        ({"incapacity": ""}, "Kies de mate van arbeidsongeschiktheid, of laat alle conclusievelden leeg"),
        ({"date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "Deze datum ligt in de toekomst."),
        ({"date": ""}, "Dit veld is verplicht."),
        # R7a: what the employer may read after release is written in functional terms.
        (
            {"adaptations": "Na de hernia-operatie geen tilwerk"},
            "Deze tekst lijkt medische informatie te bevatten",
        ),
        ({"fml_5_description": "Rugklachten bij staan"}, "Beschrijf het in functionele termen"),
    ],
)
def test_invalid_input_is_refused_in_dutch_and_nothing_is_saved(cast, overrides, message):
    response = cast.client("physician").post(
        reverse("consultation_create", args=[cast.employee.pk]), form_data(**overrides)
    )
    assert response.status_code == 200
    assert "Controleer de gemarkeerde velden." in response.text
    assert message in response.text
    assert 'aria-invalid="true"' in response.text
    assert stored(cast) == []
    assert not medical_log().exists()


def test_a_consultation_without_conclusions(cast):
    data = form_data(
        incapacity="", incapacity_percentage="", expected_return_from="", expected_return_until=""
    )
    data.update(adaptations="", expected_duration=ConsultationConclusion.Duration.UNKNOWN)
    data.update({f"fml_{r.value}_level": "geen" for r in FunctionalLimitation.Rubriek})
    data.update({f"fml_{r.value}_description": "" for r in FunctionalLimitation.Rubriek})
    data["kind"] = Consultation.Kind.OWN_INITIATIVE
    client = cast.client("physician")
    response = client.post(reverse("consultation_create", args=[cast.employee.pk]), data, follow=True)
    assert "Bij dit spreekuurcontact zijn geen conclusies vastgelegd." in response.text
    assert "Conclusies delen met werkgever" not in response.text
    [consultation] = stored(cast)
    assert not hasattr(consultation, "conclusion")
    file = client.get(reverse("medical_file", args=[cast.employee.pk])).text
    assert "geen conclusies" in file


def test_invalid_note_is_refused(cast):
    response = cast.client("physician").post(
        reverse("physician_note_create", args=[cast.employee.pk]), {"date": DAY.isoformat(), "notes": ""}
    )
    assert response.status_code == 200
    assert "Dit veld is verplicht." in response.text
    assert not PhysicianNote.objects.for_physician(cast.users["physician"]).exists()


# --- cost ------------------------------------------------------------------------------


def test_medical_file_query_count_does_not_grow_with_consultations(cast, django_assert_max_num_queries):
    physician = cast.users["physician"]
    consult(cast)
    medical.record_note(user=physician, employee_id=cast.employee.pk, date=DAY, notes="Aantekening")
    client = cast.client("physician")
    url = reverse("medical_file", args=[cast.employee.pk])
    with django_assert_max_num_queries(50) as one:
        client.get(url)
    for _ in range(9):
        consult(cast)
        medical.record_note(user=physician, employee_id=cast.employee.pk, date=DAY, notes="Aantekening")
    with django_assert_max_num_queries(len(one.captured_queries)):
        page = client.get(url).text
    assert page.count("Volledig") == 0  # conclusions are on the consultation page
    assert page.count('href="/medisch/spreekuur/') == 10
