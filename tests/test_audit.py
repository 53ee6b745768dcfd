"""R13: the audit trail records changes and reads, hides content, and is
readable only by the privacy officer of the organisation."""

import pytest
from auditlog.models import LogEntry
from django.urls import reverse

from casefiles import services
from smo.audit import AUDIT_LOG, MASK, MEDICAL_FILE_AUTHORISATION

from .factories import EmployeeFactory

pytestmark = pytest.mark.django_db


def entries_for(obj):
    return LogEntry.objects.get_for_object(obj).order_by("pk")


def test_changes_to_an_employee_are_logged_with_contact_details_fully_masked(cast):
    employee = cast.employee
    employee.private_phone = "06-12345678"
    employee.care_address = "Revalidatiecentrum De Hoogstraat, Utrecht"
    employee.contract_hours = 24
    employee.save()
    entry = entries_for(employee).last()
    assert entry.action == LogEntry.Action.UPDATE
    changes = entry.changes_dict
    assert changes["private_phone"][1] == MASK
    assert changes["care_address"][1] == MASK
    assert changes["contract_hours"][1] == "24"
    assert "Hoogstraat" not in str(entry.changes) and "12345678" not in str(entry.changes)


def test_R13_granting_and_revoking_medical_authorisation_is_in_the_trail(cast):
    admin, physician = cast.users["admin"], cast.users["other_physician"]
    services.authorise_physician(actor=admin, employee=cast.employee, physician=physician)
    services.revoke_physician(actor=admin, employee=cast.employee, physician=physician)
    grant, revoke = entries_for(cast.employee).filter(additional_data__what=MEDICAL_FILE_AUTHORISATION)[1:]
    assert grant.actor == admin and grant.changes_dict[MEDICAL_FILE_AUTHORISATION] == [
        "",
        physician.username,
    ]
    assert revoke.changes_dict[MEDICAL_FILE_AUTHORISATION] == [physician.username, ""]


def test_R13_privacy_officer_sees_own_organisation_only(cast):
    outsider = EmployeeFactory(organisation=cast.other_organisation, last_name="Buitenstaander")
    outsider.contract_hours = 20
    outsider.save()
    cast.employee.contract_hours = 20
    cast.employee.save()
    page = cast.client("privacy_officer").get(reverse("audit_log")).content.decode()
    assert cast.employee.full_name in page
    assert "Buitenstaander" not in page


def test_R13_reading_the_audit_log_is_itself_logged(cast):
    before = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).count()
    cast.client("privacy_officer").get(reverse("audit_log"))
    read = LogEntry.objects.filter(action=LogEntry.Action.ACCESS).order_by("pk")
    assert read.count() == before + 1
    entry = read.last()
    assert entry.actor == cast.users["privacy_officer"]
    assert entry.additional_data == {"organisation_id": cast.organisation.pk, "what": AUDIT_LOG}


def test_audit_log_filters_by_employee(cast):
    cast.employee.contract_hours = 30
    cast.employee.save()
    cast.other_employee_record.contract_hours = 30
    cast.other_employee_record.save()
    client = cast.client("privacy_officer")
    page = client.get(reverse("audit_log"), {"medewerker": cast.employee.personnel_number}).content.decode()
    assert cast.employee.full_name in page
    assert cast.other_employee_record.full_name not in page


def test_audit_log_query_count_does_not_grow_with_entries(cast, django_assert_max_num_queries):
    client = cast.client("privacy_officer")
    for hours in range(10, 50):
        cast.employee.contract_hours = hours
        cast.employee.save()
    with django_assert_max_num_queries(12):
        response = client.get(reverse("audit_log"))
    assert response.status_code == 200
    assert response.content.decode().count("<tr>") > 40


def test_audit_log_shows_field_labels_and_what_changed_never_values(cast):
    cast.employee.care_address = "Hospice Het Geheim 12"
    cast.employee.save()
    page = cast.client("privacy_officer").get(reverse("audit_log")).content.decode()
    assert "verpleegadres" in page  # the field label
    assert "autorisatie medisch dossier" in page  # the physician's authorisation
    assert "Het Geheim" not in page


def test_R13_privacy_officer_lists_medical_file_accesses_per_employee_and_user(cast):
    import datetime

    from casefiles import medical

    physician = cast.users["physician"]
    medical.record_note(
        user=physician, employee_id=cast.employee.pk, date=datetime.date.today(), notes="KANARIE-x1"
    )
    medical.medical_file(user=physician, employee_id=cast.employee.pk)
    client = cast.client("privacy_officer")
    page = client.get(
        reverse("audit_log"),
        {"soort": "medisch", "medewerker": cast.employee.personnel_number, "gebruiker": physician.username},
    ).content.decode()
    assert page.count("<tr>") == 3  # header + create + read
    assert "ingezien" in page and "aangemaakt" in page and "medisch dossier" in page
    assert "bedrijfsarts" in page  # the role of who accessed
    assert "KANARIE-x1" not in page
    other = client.get(reverse("audit_log"), {"soort": "medisch", "gebruiker": "hr"}).content.decode()
    assert "ingezien" not in other
