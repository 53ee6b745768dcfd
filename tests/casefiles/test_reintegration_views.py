"""The reintegration file (R9, R20, R7a, R14): the employee list with the next
WVP milestone, and per case the file that the manager, HR and the casemanager
work in. Everybody else gets 404 on a case, the physician included."""

from __future__ import annotations

import datetime

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from casefiles import medical, reintegration, services
from casefiles.medical import ConclusionInput, LimitationInput
from casefiles.models import (
    AbsenceCase,
    AbsencePercentage,
    CaseDocument,
    Consultation,
    ConsultationConclusion,
    CorrectionRequest,
    FunctionalLimitation,
    PlanAgreement,
    PlanEvaluation,
    PlanVanAanpak,
)
from smo.roles import Role

from ..factories import (
    AbsenceCaseFactory,
    AbsencePercentageFactory,
    DepartmentFactory,
    EmployeeFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
WORKERS = ["manager", "hr", "casemanager"]
OUTSIDERS = [
    "other_manager",
    "other_org_user",
    "physician",
    "other_physician",
    "arbeidsdeskundige",
    "privacy_officer",
    "admin",
    "employee_concerned",
    "other_employee",
]
R7A_NOTICE = (
    "Werkgeversdossier: noteer geen medische gegevens (diagnose, behandeling, medicatie, lichaamsdelen)."
)
MEDICAL_TEXT = "Rugklachten, fysiotherapie"
REFUSED = "Deze tekst lijkt medische informatie te bevatten"
CONFLICT = "Iemand anders heeft het plan van aanpak opgeslagen terwijl u het bewerkte."
CANARY = "KANARIE-7f3a hernia en oxazepam"
PDF = b"%PDF-1.4\n% test document\n"


@pytest.fixture(autouse=True)
def private_media(tmp_path, monkeypatch):
    """Documents go to a temporary private directory, never the project's."""
    storage = FileSystemStorage(location=tmp_path)
    monkeypatch.setattr(CaseDocument._meta.get_field("file"), "storage", storage)
    return storage


def url(name, *args):
    return reverse(name, args=args)


def page(cast, role, name, *args, **params) -> str:
    response = cast.client(role).get(url(name, *args), params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def make_plan(cast, **fields) -> PlanVanAanpak:
    defaults = {
        "drawn_up_on": cast.case.first_day + datetime.timedelta(days=20),
        "goal": "Terug naar eigen werk, opbouwend in uren",
        "casemanager": cast.users["casemanager"],
    }
    return PlanVanAanpak.objects.create(case=cast.case, **{**defaults, **fields})


def plan_data(cast, **overrides) -> dict:
    data = {
        "drawn_up_on": (cast.case.first_day + datetime.timedelta(days=30)).isoformat(),
        "goal": "Binnen drie maanden weer halve dagen in eigen functie",
        "casemanager": str(cast.users["casemanager"].pk),
        "version": "0",
    }
    return {**data, **overrides}


# --- who sees the case --------------------------------------------------------


@pytest.mark.parametrize("role", WORKERS)
def test_R9_manager_hr_and_casemanager_see_the_reintegration_file(cast, role):
    AbsencePercentageFactory(case=cast.case, percentage=100)
    AbsencePercentageFactory(
        case=cast.case, valid_from=cast.case.first_day + datetime.timedelta(days=21), percentage=50
    )
    earlier = AbsenceCaseFactory(
        employee=cast.employee,
        first_day=datetime.date(2024, 3, 4),
        end_date=datetime.date(2024, 3, 15),
        closed_reason=AbsenceCase.ClosedReason.RECOVERED,
    )
    AbsencePercentageFactory(case=earlier, percentage=100)
    text = page(cast, role, "case_detail", cast.case.pk)
    assert "Re-integratiedossier van Canary Pietersen" in text
    assert cast.employee.personnel_number in text
    assert cast.department.name in text
    assert "36,0" in text or "36.0" in text  # contract hours
    # Absence history: every spell with its percentages.
    assert "04-03-2024" in text and "15-03-2024" in text
    assert "50% vanaf" in text and "100% vanaf" in text
    assert "Tijdlijn Wet verbetering poortwachter" in text
    assert "Nog geen terugkoppeling van de bedrijfsarts." in text


@pytest.mark.parametrize("role", OUTSIDERS)
def test_R9_everybody_else_gets_404_on_every_case_url(cast, role):
    """Existence is confidential: another department's manager, another
    organisation, the physician (medical file only), AD, privacy officer and
    admin; the employee reads their own file in the portal (R14)."""
    client = cast.client(role)
    for name in ("case_detail", "plan_edit", "agreement_create", "evaluation_create", "document_upload"):
        assert client.get(url(name, cast.case.pk)).status_code == 404, name
    response = client.post(url("wvp_step", cast.case.pk), {"step": "ziekmelding_uwv", "date": TODAY})
    assert response.status_code == 404
    cast.case.refresh_from_db()
    assert cast.case.uwv_reported_on is None


def test_a_case_that_does_not_exist_looks_the_same_as_one_out_of_scope(cast):
    client = cast.client("other_manager")
    missing = client.get(url("case_detail", 999999))
    hidden = client.get(url("case_detail", cast.case.pk))
    assert missing.status_code == hidden.status_code == 404


def test_anonymous_is_sent_to_the_login_page(cast):
    response = cast.client("anonymous").get(url("case_detail", cast.case.pk))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_R9_direct_manager_outside_the_department_sees_the_case(cast):
    direct = UserFactory(roles=[Role.LEIDINGGEVENDE], organisations=[cast.organisation])
    cast.employee.manager = direct
    cast.employee.save()
    cast.users["direct"] = direct
    assert "Re-integratiedossier van" in page(cast, "direct", "case_detail", cast.case.pk)


def test_R9_manager_of_a_parent_department_sees_the_sub_department(cast):
    child = DepartmentFactory(organisation=cast.organisation, name="Verpleging nacht", parent=cast.department)
    employee = EmployeeFactory(organisation=cast.organisation, department=child)
    case = AbsenceCaseFactory(employee=employee)
    assert cast.client("manager").get(url("case_detail", case.pk)).status_code == 200
    assert cast.client("other_manager").get(url("case_detail", case.pk)).status_code == 404


def test_R9_casemanager_sees_only_the_guided_case(cast):
    other_case = AbsenceCase.objects.get(employee=cast.other_employee_record)
    assert cast.client("casemanager").get(url("case_detail", other_case.pk)).status_code == 404


def test_a_manager_never_works_on_their_own_reintegration_file(cast):
    """A sick manager (or HR-adviseur) does not edit their own file; they
    read it in the portal like every employee (R14)."""
    manager = cast.users["manager"]
    own = EmployeeFactory(organisation=cast.organisation, department=cast.department, user=manager)
    own_case = AbsenceCaseFactory(employee=own)
    assert cast.client("manager").get(url("case_detail", own_case.pk)).status_code == 404
    assert own.full_name not in page(cast, "manager", "employee_list")


def test_post_only_urls_refuse_get(cast):
    client = cast.client("manager")
    agreement = PlanAgreement.objects.create(plan=make_plan(cast), what="Gesprek", who="medewerker")
    assert client.get(url("wvp_step", cast.case.pk)).status_code == 405
    assert client.get(url("agreement_done", agreement.pk)).status_code == 405


# --- the employee list ---------------------------------------------------------


def test_R20_employee_list_shows_absence_and_the_next_milestone(cast):
    # cast.case started 50 days ago (week 8): the probleemanalyse was due at
    # the end of week 6 (day 41), 9 days ago, and is overdue.
    text = page(cast, "manager", "employee_list")
    assert cast.employee.full_name in text
    assert f"verzuimd sinds {cast.case.first_day:%d-%m-%Y}" in text
    assert ">8<" in text  # absence week
    assert "Probleemanalyse bedrijfsarts" in text
    assert (cast.case.first_day + datetime.timedelta(days=41)).strftime("%d-%m-%Y") in text
    assert "Te laat" in text  # overdue in words, not colour only
    assert url("case_detail", cast.case.pk) in text


def test_employee_list_shows_employees_without_absence(cast):
    healthy = EmployeeFactory(organisation=cast.organisation, department=cast.department)
    text = page(cast, "manager", "employee_list")
    assert healthy.full_name in text and "niet verzuimd" in text


def _former_employee(cast, *, left_days_ago: int):
    return EmployeeFactory(
        organisation=cast.organisation,
        department=cast.department,
        employment_end=TODAY - datetime.timedelta(days=left_days_ago),
    )


def test_R9_employee_list_keeps_a_former_employee_only_while_a_case_in_scope_is_open(cast):
    gone_sick = _former_employee(cast, left_days_ago=10)
    AbsenceCaseFactory(employee=gone_sick)
    gone = _former_employee(cast, left_days_ago=10)
    AbsenceCaseFactory(
        employee=gone,
        end_date=TODAY - datetime.timedelta(days=10),
        closed_reason=AbsenceCase.ClosedReason.LEFT,
    )
    leaving_today = _former_employee(cast, left_days_ago=0)
    text = page(cast, "hr", "employee_list")
    assert f"{gone_sick.full_name}<" in text and f"{leaving_today.full_name}<" in text
    assert f"{gone.full_name}<" not in text
    absent = page(cast, "hr", "employee_list", verzuimd="on")
    assert f"{gone_sick.full_name}<" in absent and cast.employee.full_name in absent
    assert f"{leaving_today.full_name}<" not in absent
    # A casemanager who guided an earlier case of a former employee does not
    # see them for an open case that is not theirs (R9: the case decides).
    earlier = AbsenceCaseFactory(
        employee=gone_sick,
        first_day=TODAY - datetime.timedelta(days=400),
        end_date=TODAY - datetime.timedelta(days=300),
        closed_reason=AbsenceCase.ClosedReason.RECOVERED,
    )
    services.assign_case_expert(actor=None, case=earlier, expert=cast.users["casemanager"])
    assert f"{gone_sick.full_name}<" not in page(cast, "casemanager", "employee_list")
    assert cast.employee.full_name in page(cast, "casemanager", "employee_list")


def test_R20_next_milestone_moves_on_when_steps_are_done(cast):
    cast.case.problem_analysis_on = cast.case.first_day + datetime.timedelta(days=35)
    cast.case.save()
    make_plan(cast, drawn_up_on=cast.case.first_day + datetime.timedelta(days=40))
    text = page(cast, "hr", "employee_list")
    # Next: the evaluation, 6 weeks after the plan.
    assert "Evaluatie plan van aanpak" in text
    assert (cast.case.first_day + datetime.timedelta(days=82)).strftime("%d-%m-%Y") in text


@pytest.mark.parametrize(
    ("role", "sees_other_department"), [("manager", False), ("hr", True), ("casemanager", False)]
)
def test_R9_employee_list_is_scoped(cast, role, sees_other_department):
    text = page(cast, role, "employee_list")
    assert cast.employee.full_name in text
    assert (cast.other_employee_record.full_name in text) == sees_other_department


@pytest.mark.parametrize(
    "role", ["physician", "arbeidsdeskundige", "privacy_officer", "admin", "employee_concerned"]
)
def test_employee_list_refused_to_roles_without_any_scope(cast, role):
    assert cast.client(role).get(url("employee_list")).status_code == 403


def test_other_organisation_sees_nobody_of_ours(cast):
    text = page(cast, "other_org_user", "employee_list")
    assert cast.employee.full_name not in text and cast.other_employee_record.full_name not in text
    assert cast.department.name not in text


def test_department_filter_offers_only_departments_in_scope(cast):
    text = page(cast, "manager", "employee_list")
    assert f'value="{cast.department.pk}"' in text
    assert f'value="{cast.other_department.pk}"' not in text
    # Asking for another department does not widen the scope.
    text = page(cast, "manager", "employee_list", afdeling=cast.other_department.pk)
    assert cast.other_employee_record.full_name not in text


def test_hr_filters_by_department_and_absence(cast):
    healthy = EmployeeFactory(organisation=cast.organisation, department=cast.department)
    text = page(cast, "hr", "employee_list", afdeling=cast.other_department.pk)
    assert cast.other_employee_record.full_name in text and cast.employee.full_name not in text
    text = page(cast, "hr", "employee_list", verzuimd="on")
    assert cast.employee.full_name in text and healthy.full_name not in text


def test_employee_list_is_paginated_by_50(cast):
    for _ in range(51):
        EmployeeFactory(organisation=cast.organisation, department=cast.department)
    first = page(cast, "manager", "employee_list")
    assert first.count('<th scope="row">') == 50
    assert "Pagina 1 van 2" in first and "pagina=2" in first
    second = page(cast, "manager", "employee_list", pagina=2)
    assert second.count('<th scope="row">') == 2


def _add_employees(cast, count: int) -> None:
    for i in range(count):
        employee = EmployeeFactory(organisation=cast.organisation, department=cast.department)
        case = AbsenceCaseFactory(employee=employee, first_day=TODAY - datetime.timedelta(days=60 + i))
        plan = PlanVanAanpak.objects.create(case=case, drawn_up_on=case.first_day, goal="Halve dagen")
        PlanEvaluation.objects.create(
            plan=plan, date=case.first_day + datetime.timedelta(days=5), summary="Goed"
        )
        services.assign_case_expert(actor=None, case=case, expert=cast.users["casemanager"])


@pytest.mark.parametrize("role", WORKERS)
def test_R20_employee_list_query_count_does_not_grow_with_rows(cast, role, django_assert_max_num_queries):
    """2 rows (3 for HR, who also sees the other department), then 28 more:
    the same number of queries (no query per row), at most 13 in all
    (issue 8: session, user, second factor and roles included)."""
    client = cast.client(role)
    _add_employees(cast, 1)
    client.get(url("employee_list"))  # warm the session
    with django_assert_max_num_queries(13) as few:
        response = client.get(url("employee_list"))
    rows = response.content.decode().count('<th scope="row">')
    assert rows == (3 if role == "hr" else 2)
    _add_employees(cast, 28)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url("employee_list"))
    assert response.content.decode().count('<th scope="row">') == rows + 28


# Issue 8: the case page of a full file (plan, released conclusions with FML
# limitations, documents, corrections, percentages) in at most this many
# queries: the 16 that make bench counts for it (5 of them the session, the
# user, the second factor, the roles and the session's save; 13 without plan
# and conclusions), plus the savepoint pair around the session's save inside
# a test's transaction. It was 21 (+2), then 19 before the consent block
# reused the case's employer-side answer.
CASE_PAGE_MAX_QUERIES = 18


def test_case_page_query_count_does_not_grow_with_its_content(cast, django_assert_max_num_queries):
    client = cast.client("hr")
    plan = make_plan(cast)
    medical.release_conclusions(user=cast.users["physician"], pk=consult(cast).pk)
    CorrectionRequest.objects.create(employee=cast.employee, case=None, text="Over het hele dossier")
    client.get(url("case_detail", cast.case.pk))
    with django_assert_max_num_queries(CASE_PAGE_MAX_QUERIES) as few:
        client.get(url("case_detail", cast.case.pk))
    for i in range(10):
        PlanAgreement.objects.create(plan=plan, what=f"Afspraak {i}", who="medewerker")
        PlanEvaluation.objects.create(
            plan=plan, date=plan.drawn_up_on + datetime.timedelta(days=i), summary="x"
        )
        CaseDocument.objects.create(case=cast.case, title=f"Stuk {i}", file=ContentFile(PDF, name="a.pdf"))
        CorrectionRequest.objects.create(employee=cast.employee, case=cast.case, text=f"Verzoek {i}")
        AbsencePercentage.objects.create(
            case=cast.case, valid_from=cast.case.first_day + datetime.timedelta(days=i), percentage=50 + i
        )
    with django_assert_max_num_queries(len(few)):
        text = client.get(url("case_detail", cast.case.pk)).text
    assert all(f"{what} 9" in text for what in ("Afspraak", "Stuk", "Verzoek"))
    assert "59% vanaf" in text and "Over het hele dossier" in text and "Kan niet lang staan" in text


# --- plan van aanpak with optimistic locking -------------------------------------


def test_R20_manager_draws_up_the_plan(cast):
    client = cast.client("manager")
    text = page(cast, "manager", "plan_edit", cast.case.pk)
    assert R7A_NOTICE in text
    assert 'aria-describedby="id_goal_r7a"' in text and 'id="id_goal_r7a"' in text
    response = client.post(url("plan_edit", cast.case.pk), plan_data(cast))
    assert response.status_code == 302
    plan = PlanVanAanpak.objects.get(case=cast.case)
    assert (plan.version, plan.casemanager) == (1, cast.users["casemanager"])
    text = page(cast, "casemanager", "case_detail", cast.case.pk)
    assert "Binnen drie maanden weer halve dagen in eigen functie" in text


def test_plan_conflict_when_two_people_edit_at_once(cast):
    plan = make_plan(cast)
    manager, hr = cast.client("manager"), cast.client("hr")
    # Both open version 1; HR saves first.
    assert (
        hr.post(
            url("plan_edit", cast.case.pk), plan_data(cast, goal="Versie van HR", version="1")
        ).status_code
        == 302
    )
    response = manager.post(
        url("plan_edit", cast.case.pk), plan_data(cast, goal="Versie van manager", version="1")
    )
    assert response.status_code == 409
    text = response.content.decode()
    assert CONFLICT in text
    assert "Versie van HR" in text and "Versie van manager" in text  # the current one and theirs
    assert 'name="version" value="2"' in text
    plan.refresh_from_db()
    assert (plan.goal, plan.version) == ("Versie van HR", 2)
    # A deliberate second save with the new version goes through.
    response = manager.post(
        url("plan_edit", cast.case.pk), plan_data(cast, goal="Versie van manager", version="2")
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert (plan.goal, plan.version) == ("Versie van manager", 3)


def test_plan_conflict_when_someone_else_created_it_first(cast):
    make_plan(cast, goal="Eerder opgesteld")
    response = cast.client("hr").post(url("plan_edit", cast.case.pk), plan_data(cast, version="0"))
    assert response.status_code == 409
    assert PlanVanAanpak.objects.get(case=cast.case).goal == "Eerder opgesteld"


def test_service_raises_conflict_on_a_stale_version(cast):
    make_plan(cast)
    with pytest.raises(reintegration.PlanConflict):
        reintegration.save_plan(
            user=cast.users["hr"],
            case=cast.case,
            expected_version=0,
            drawn_up_on=TODAY,
            goal="Nieuw",
            casemanager=cast.users["casemanager"],
        )


def test_R7a_medical_text_in_the_plan_is_refused_and_nothing_saved(cast):
    response = cast.client("manager").post(url("plan_edit", cast.case.pk), plan_data(cast, goal=MEDICAL_TEXT))
    assert response.status_code == 200
    assert REFUSED in response.content.decode()
    assert not PlanVanAanpak.objects.filter(case=cast.case).exists()


def test_R7a_service_refuses_medical_text_whatever_the_caller(cast):
    with pytest.raises(Exception, match="medische informatie"):
        reintegration.save_plan(
            user=cast.users["hr"],
            case=cast.case,
            expected_version=0,
            drawn_up_on=TODAY,
            goal="Na de operatie aan de knie",
            casemanager=cast.users["casemanager"],
        )
    assert not PlanVanAanpak.objects.exists()


def test_plan_casemanager_must_be_an_expert_of_the_organisation(cast):
    response = cast.client("manager").post(
        url("plan_edit", cast.case.pk), plan_data(cast, casemanager=str(cast.users["physician"].pk))
    )
    assert response.status_code == 200
    assert not PlanVanAanpak.objects.exists()


def test_plan_date_cannot_lie_before_the_absence_or_in_the_future(cast):
    client = cast.client("manager")
    for day in (cast.case.first_day - datetime.timedelta(days=1), TODAY + datetime.timedelta(days=1)):
        response = client.post(url("plan_edit", cast.case.pk), plan_data(cast, drawn_up_on=day.isoformat()))
        assert response.status_code == 200
    assert not PlanVanAanpak.objects.exists()


def test_services_answer_404_outside_scope(cast):
    from django.http import Http404

    with pytest.raises(Http404):
        reintegration.save_plan(
            user=cast.users["other_manager"],
            case=cast.case,
            expected_version=0,
            drawn_up_on=TODAY,
            goal="Plan",
            casemanager=cast.users["casemanager"],
        )
    with pytest.raises(Http404):
        reintegration.record_wvp_step(
            user=cast.users["physician"], case=cast.case, step="wia_aanvraag", date=TODAY
        )


# --- agreements and evaluations ------------------------------------------------


def test_agreements_are_added_and_marked_done(cast):
    make_plan(cast)
    client = cast.client("casemanager")
    assert R7A_NOTICE in page(cast, "casemanager", "agreement_create", cast.case.pk)
    due = (TODAY + datetime.timedelta(days=14)).isoformat()
    response = client.post(
        url("agreement_create", cast.case.pk),
        {"what": "Werkplek aanpassen", "who": "leidinggevende", "due": due},
    )
    assert response.status_code == 302
    agreement = PlanAgreement.objects.get(what="Werkplek aanpassen")
    assert client.post(url("agreement_done", agreement.pk)).status_code == 302
    agreement.refresh_from_db()
    assert agreement.done_on == TODAY
    text = page(cast, "manager", "case_detail", cast.case.pk)
    assert "Werkplek aanpassen" in text and f"afgerond op {TODAY:%d-%m-%Y}" in text


def test_R7a_agreement_with_medical_text_is_refused(cast):
    make_plan(cast)
    response = cast.client("manager").post(
        url("agreement_create", cast.case.pk), {"what": MEDICAL_TEXT, "who": "medewerker"}
    )
    assert response.status_code == 200 and REFUSED in response.content.decode()
    assert not PlanAgreement.objects.exists()


def test_agreement_done_outside_scope_is_404(cast):
    agreement = PlanAgreement.objects.create(plan=make_plan(cast), what="Gesprek", who="medewerker")
    for role in ("other_manager", "physician", "employee_concerned"):
        assert cast.client(role).post(url("agreement_done", agreement.pk)).status_code == 404
    agreement.refresh_from_db()
    assert agreement.done_on is None


def test_without_a_plan_an_agreement_leads_to_the_plan_first(cast):
    response = cast.client("manager").post(
        url("agreement_create", cast.case.pk), {"what": "Gesprek", "who": "hr"}
    )
    assert response.status_code == 302 and response["Location"] == url("plan_edit", cast.case.pk)
    assert not PlanAgreement.objects.exists()


def test_R20_evaluations_are_recorded(cast):
    plan = make_plan(cast)
    client = cast.client("hr")
    assert R7A_NOTICE in page(cast, "hr", "evaluation_create", cast.case.pk)
    data = {"date": TODAY.isoformat(), "summary": "Uren opgebouwd naar 20 per week"}
    assert client.post(url("evaluation_create", cast.case.pk), data).status_code == 302
    assert plan.evaluations.get().summary == "Uren opgebouwd naar 20 per week"
    # One per day.
    response = client.post(url("evaluation_create", cast.case.pk), data)
    assert (
        response.status_code == 200
        and "Op deze datum is al een evaluatie vastgelegd." in response.content.decode()
    )
    # R7a.
    response = client.post(url("evaluation_create", cast.case.pk), {**data, "summary": MEDICAL_TEXT})
    assert REFUSED in response.content.decode()
    assert plan.evaluations.count() == 1


# --- WVP steps ----------------------------------------------------------------------


def test_R20_recording_a_wvp_step(cast):
    day = TODAY - datetime.timedelta(days=2)
    response = cast.client("hr").post(url("wvp_step", cast.case.pk), {"step": "probleemanalyse", "date": day})
    assert response.status_code == 302
    cast.case.refresh_from_db()
    assert cast.case.problem_analysis_on == day
    text = page(cast, "manager", "case_detail", cast.case.pk)
    assert day.strftime("%d-%m-%Y") in text and "Gedaan" in text


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"step": "ziekmelding_uwv", "date": "2000-01-01"}, "Deze datum ligt vóór de eerste verzuimdag."),
        ({"step": "ziekmelding_uwv", "date": "2999-01-01"}, "Deze datum ligt in de toekomst."),
        ({"step": "einde_loondoorbetaling", "date": TODAY.isoformat()}, "Selecteer een geldige keuze"),
    ],
)
def test_wvp_step_refuses_wrong_input(cast, data, message):
    response = cast.client("manager").post(url("wvp_step", cast.case.pk), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    cast.case.refresh_from_db()
    assert cast.case.uwv_reported_on is None


# --- documents ------------------------------------------------------------------------


def upload(cast, role, *, name="verslag gesprek met medewerker.pdf", content=PDF, title="Verslag gesprek"):
    return cast.client(role).post(
        url("document_upload", cast.case.pk), {"title": title, "file": SimpleUploadedFile(name, content)}
    )


def test_document_upload_and_logged_download(cast, private_media):
    assert upload(cast, "manager").status_code == 302
    document = CaseDocument.objects.get()
    assert document.uploaded_by == cast.users["manager"]
    # Stored privately under a random name, not the original file name.
    assert "verslag" not in document.file.name and document.file.name.endswith(".pdf")
    assert private_media.exists(document.file.name)
    assert "Verslag gesprek" in page(cast, "casemanager", "case_detail", cast.case.pk)

    response = cast.client("hr").get(url("document_download", document.pk))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert 'filename="verslag-gesprek.pdf"' in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert b"".join(response.streaming_content) == PDF
    entries = LogEntry.objects.filter(
        action=LogEntry.Action.ACCESS, additional_data__what="document_download"
    )
    assert [(e.actor, e.object_pk) for e in entries] == [(cast.users["hr"], str(document.pk))]
    assert entries.get().additional_data["employee_id"] == cast.employee.pk


@pytest.mark.parametrize("role", [r for r in OUTSIDERS if r != "employee_concerned"])  # R14: see test_portal
def test_document_download_is_404_for_everybody_else_and_not_logged(cast, role):
    upload(cast, "manager")
    document = CaseDocument.objects.get()
    assert cast.client(role).get(url("document_download", document.pk)).status_code == 404
    assert not LogEntry.objects.filter(additional_data__what="document_download").exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("script.exe", b"MZ", "Alleen PDF, DOCX, ODT, PNG of JPG-bestanden zijn toegestaan."),
        ("nep.pdf", b"<html>", "De inhoud van het bestand past niet bij de extensie."),
        ("groot.pdf", b"%PDF-" + b"0" * (10 * 1024 * 1024), "Het bestand is groter dan 10 MB."),
    ],
)
def test_document_upload_refuses_wrong_files(cast, name, content, message):
    response = upload(cast, "hr", name=name, content=content)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not CaseDocument.objects.exists()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("foto.jpg", b"\xff\xd8\xff\xe0rest"),
        ("scan.png", b"\x89PNG\r\n\x1a\nrest"),
        ("brief.docx", b"PK\x03\x04rest"),
        ("brief.odt", b"PK\x03\x04rest"),
    ],
)
def test_document_upload_accepts_the_allowed_types(cast, name, content):
    assert upload(cast, "casemanager", name=name, content=content).status_code == 302


def test_R7a_document_title_is_checked_and_the_notice_shown(cast):
    assert R7A_NOTICE in page(cast, "manager", "document_upload", cast.case.pk)
    response = upload(cast, "manager", title="Brief van de neuroloog")
    assert REFUSED in response.content.decode()
    assert not CaseDocument.objects.exists()


# --- what the physician shares (R7) ------------------------------------------------------


def consult(cast) -> Consultation:
    return medical.record_consultation(
        user=cast.users["physician"],
        employee_id=cast.employee.pk,
        date=TODAY - datetime.timedelta(days=3),
        kind=Consultation.Kind.PROBLEM_ANALYSIS,
        notes=CANARY,
        conclusion=ConclusionInput(
            incapacity=ConsultationConclusion.Incapacity.PARTIAL,
            incapacity_percentage=50,
            expected_duration=ConsultationConclusion.Duration.WEEKS_6_13,
            adaptations="Zittend werk, maximaal vier uur per dag",
            limitations=(
                LimitationInput(
                    rubriek=FunctionalLimitation.Rubriek.STATIC,
                    level=FunctionalLimitation.Level.LIMITED,
                    description="Kan niet lang staan",
                ),
            ),
        ),
        case_id=cast.case.pk,
    )


@pytest.mark.parametrize("role", WORKERS)
def test_R7_shared_conclusions_appear_only_after_release_and_never_the_notes(cast, role):
    consultation = consult(cast)
    text = page(cast, role, "case_detail", cast.case.pk)
    assert "Nog geen terugkoppeling van de bedrijfsarts." in text
    assert "Zittend werk" not in text and CANARY not in text

    medical.release_conclusions(user=cast.users["physician"], pk=consultation.pk)
    text = page(cast, role, "case_detail", cast.case.pk)
    assert "Nog geen terugkoppeling van de bedrijfsarts." not in text
    assert "Gedeeltelijk arbeidsongeschikt (50%)" in text
    assert "6 weken tot 3 maanden" in text
    assert "V. Statische houdingen" in text and "Kan niet lang staan" in text
    assert "Zittend werk, maximaal vier uur per dag" in text
    assert CANARY not in text and "KANARIE" not in text
    # Releasing a probleemanalyse marks the WVP step.
    assert (TODAY - datetime.timedelta(days=3)).strftime("%d-%m-%Y") in text


# --- correction requests (R14) -------------------------------------------------------------


def correction(cast, **fields) -> CorrectionRequest:
    return CorrectionRequest.objects.create(
        employee=cast.employee, **{"case": cast.case, "text": "Mijn eerste verzuimdag klopt niet.", **fields}
    )


@pytest.mark.parametrize("role", ["hr", "manager"])
def test_R14_hr_or_the_manager_handles_a_correction_request(cast, role):
    request = correction(cast)
    text = page(cast, role, "case_detail", cast.case.pk)
    assert "Mijn eerste verzuimdag klopt niet." in text
    assert R7A_NOTICE in text and url("correction_handle", request.pk) in text
    response = cast.client(role).post(
        url("correction_handle", request.pk),
        {"response": "Aangepast naar de juiste datum.", "terug": cast.case.pk},
    )
    assert response.status_code == 302 and response["Location"] == url("case_detail", cast.case.pk)
    request.refresh_from_db()
    assert request.handled_by == cast.users[role] and request.handled_at is not None
    assert request.response == "Aangepast naar de juiste datum."
    # A second answer is refused; the first stays.
    cast.client("hr").post(url("correction_handle", request.pk), {"response": "Nogmaals"})
    request.refresh_from_db()
    assert request.response == "Aangepast naar de juiste datum."


def test_R14_casemanager_sees_the_request_but_does_not_handle_it(cast):
    request = correction(cast)
    text = page(cast, "casemanager", "case_detail", cast.case.pk)
    assert "Mijn eerste verzuimdag klopt niet." in text
    assert url("correction_handle", request.pk) not in text
    response = cast.client("casemanager").post(url("correction_handle", request.pk), {"response": "Gedaan"})
    assert response.status_code == 403
    request.refresh_from_db()
    assert request.handled_at is None


@pytest.mark.parametrize(
    "role", ["other_manager", "physician", "admin", "employee_concerned", "other_org_user"]
)
def test_R14_correction_handle_is_404_outside_scope(cast, role):
    request = correction(cast)
    assert (
        cast.client(role).post(url("correction_handle", request.pk), {"response": "Gedaan"}).status_code
        == 404
    )


def test_R7a_correction_response_with_medical_text_is_refused(cast):
    request = correction(cast)
    response = cast.client("hr").post(url("correction_handle", request.pk), {"response": MEDICAL_TEXT})
    assert response.status_code == 200 and REFUSED in response.content.decode()
    request.refresh_from_db()
    assert request.handled_at is None and request.response == ""


def test_R14_a_request_about_the_whole_file_is_shown_to_the_employer_side_only(cast):
    general = correction(cast, case=None, text="Mijn telefoonnummer is veranderd.")
    assert "Mijn telefoonnummer is veranderd." in page(cast, "manager", "case_detail", cast.case.pk)
    assert "Mijn telefoonnummer is veranderd." not in page(cast, "casemanager", "case_detail", cast.case.pk)
    response = cast.client("manager").post(
        url("correction_handle", general.pk), {"response": "Aangepast.", "terug": cast.case.pk}
    )
    assert response["Location"] == url("case_detail", cast.case.pk)
    assert (
        cast.client("casemanager").post(url("correction_handle", general.pk), {"response": "x"}).status_code
        == 404
    )
