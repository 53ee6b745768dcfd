"""R14: the employee's own file, read-only, with a request for correction."""

import datetime

import pytest
from django.urls import reverse

from casefiles import medical
from casefiles.models import ConsultationConclusion, CorrectionRequest, PlanAgreement, PlanVanAanpak

pytestmark = pytest.mark.django_db


def test_employee_sees_own_case_plan_and_milestones_only(cast):
    plan = PlanVanAanpak.objects.create(
        case=cast.case, drawn_up_on=cast.case.first_day, goal="Terug naar eigen werk"
    )
    PlanAgreement.objects.create(plan=plan, what="Wekelijks contact", who=PlanAgreement.Who.MANAGER)
    page = cast.client("employee_concerned").get(reverse("my_file")).content.decode()
    assert "Terug naar eigen werk" in page and "Wekelijks contact" in page
    assert "Probleemanalyse bedrijfsarts" in page
    other = cast.client("other_employee").get(reverse("my_file")).content.decode()
    assert "Terug naar eigen werk" not in other and cast.employee.full_name not in other


def test_employee_sees_released_conclusions_but_never_the_notes(cast):
    physician = cast.users["physician"]
    consultation = medical.record_consultation(
        user=physician,
        employee_id=cast.employee.pk,
        date=datetime.date.today(),
        kind="regulier",
        notes="GEHEIM-notitie-123",
        conclusion=medical.ConclusionInput(
            incapacity=ConsultationConclusion.Incapacity.PARTIAL, adaptations="Halve dagen"
        ),
    )
    client = cast.client("employee_concerned")
    assert "Halve dagen" not in client.get(reverse("my_file")).content.decode()
    medical.release_conclusions(user=physician, pk=consultation.pk)
    page = client.get(reverse("my_file")).content.decode()
    assert "Halve dagen" in page and "Gedeeltelijk arbeidsongeschikt" in page
    assert "GEHEIM-notitie-123" not in page


def test_employee_requests_a_correction(cast):
    client = cast.client("employee_concerned")
    response = client.post(
        reverse("my_file"), {"case": cast.case.pk, "text": "Mijn eerste verzuimdag was een dag later."}
    )
    assert response.status_code == 302
    request = CorrectionRequest.objects.get()
    assert request.employee == cast.employee and request.case == cast.case
    page = client.get(reverse("my_file")).content.decode()
    assert "Mijn eerste verzuimdag was een dag later." in page and "in behandeling" in page


def test_employee_cannot_file_a_correction_about_someone_elses_case(cast):
    other_case = cast.other_employee_record.absence_cases.get()
    response = cast.client("employee_concerned").post(
        reverse("my_file"), {"case": other_case.pk, "text": "x"}
    )
    assert response.status_code == 200  # invalid choice, shown again
    assert not CorrectionRequest.objects.exists()


def test_employee_role_without_employee_record_gets_404(cast):
    cast.employee.user = None
    cast.employee.save()
    assert cast.client("employee_concerned").get(reverse("my_file")).status_code == 404


def test_my_file_query_count_is_constant_in_the_number_of_spells(cast, django_assert_max_num_queries):
    from tests.factories import AbsenceCaseFactory

    client = cast.client("employee_concerned")
    with django_assert_max_num_queries(40) as baseline:
        client.get(reverse("my_file"))
    for n in range(1, 12):
        start = cast.case.first_day - datetime.timedelta(days=40 * n)
        AbsenceCaseFactory(
            employee=cast.employee,
            first_day=start,
            end_date=start + datetime.timedelta(days=3),
            closed_reason="hersteld",
        )
    with django_assert_max_num_queries(len(baseline.captured_queries)):
        client.get(reverse("my_file"))


def test_R7a_correction_request_with_medical_terms_is_refused(cast):
    client = cast.client("employee_concerned")
    response = client.post(reverse("my_file"), {"text": "Mijn hernia is niet genoemd"})
    assert response.status_code == 200
    assert "medische informatie" in response.content.decode()
    assert not CorrectionRequest.objects.exists()


def test_R14_employee_downloads_documents_of_own_file(cast):
    from django.core.files.base import ContentFile

    from casefiles.models import CaseDocument

    document = CaseDocument(case=cast.case, title="Verslag gesprek")
    document.file.save("verslag.pdf", ContentFile(b"%PDF-1.4 test"), save=True)
    page = cast.client("employee_concerned").get(reverse("my_file")).content.decode()
    assert reverse("document_download", args=[document.pk]) in page
    assert (
        cast.client("employee_concerned").get(reverse("document_download", args=[document.pk])).status_code
        == 200
    )
    assert (
        cast.client("other_employee").get(reverse("document_download", args=[document.pk])).status_code == 404
    )
