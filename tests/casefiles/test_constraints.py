"""Database constraints on the core data: the database refuses what can never be true."""

import datetime

import pytest
from django.db import IntegrityError, transaction

from casefiles.models import AbsenceCase, Department

from ..factories import (
    AbsenceCaseFactory,
    AbsencePercentageFactory,
    DepartmentFactory,
    EmployeeFactory,
    OrganisationFactory,
)

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 3, 2)


def refused(**kwargs):
    factory = kwargs.pop("factory")
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(**kwargs)


def test_personnel_number_is_unique_within_an_organisation_only():
    org, other = OrganisationFactory(), OrganisationFactory()
    EmployeeFactory(organisation=org, personnel_number="1001")
    refused(factory=EmployeeFactory, organisation=org, personnel_number="1001")
    assert EmployeeFactory(organisation=other, personnel_number="1001").pk


def test_employment_cannot_end_before_it_starts():
    refused(factory=EmployeeFactory, employment_start=DAY, employment_end=DAY - datetime.timedelta(days=1))
    assert EmployeeFactory(employment_start=DAY, employment_end=DAY).pk


@pytest.mark.parametrize("hours", ["0", "-4", "61"])
def test_contract_hours_must_be_plausible(hours):
    refused(factory=EmployeeFactory, contract_hours=hours)


def test_case_cannot_end_before_its_first_day():
    refused(
        factory=AbsenceCaseFactory,
        first_day=DAY,
        end_date=DAY - datetime.timedelta(days=1),
        closed_reason=AbsenceCase.ClosedReason.RECOVERED,
    )


def test_closed_case_states_why_and_open_case_does_not():
    refused(factory=AbsenceCaseFactory, first_day=DAY, end_date=DAY)  # no reason
    refused(factory=AbsenceCaseFactory, first_day=DAY, closed_reason=AbsenceCase.ClosedReason.RECOVERED)
    assert AbsenceCaseFactory(first_day=DAY, end_date=DAY, closed_reason="hersteld").duration_days() == 1


def test_one_open_case_per_employee():
    employee = EmployeeFactory()
    AbsenceCaseFactory(employee=employee, first_day=DAY)
    refused(factory=AbsenceCaseFactory, employee=employee, first_day=DAY + datetime.timedelta(days=3))
    AbsenceCaseFactory(
        employee=employee,
        first_day=DAY - datetime.timedelta(days=30),
        end_date=DAY - datetime.timedelta(days=20),
        closed_reason="hersteld",
    )
    assert employee.absence_cases.count() == 2


@pytest.mark.parametrize("percentage", [0, 101])
def test_absence_percentage_between_1_and_100(percentage):
    refused(factory=AbsencePercentageFactory, percentage=percentage)


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("statistics_min_count", 2),  # R19: never below 3
        ("retention_access_log_years", 4),  # R15: at least 5 years
        ("retention_medical_years", 15),  # R15: WGBO 20 years
        ("statistics_group_threshold", 4),  # below the minimum cell count
    ],
)
def test_organisation_settings_respect_the_legal_minimums(field, value):
    refused(factory=OrganisationFactory, **{field: value})


def test_R15_eigenrisicodrager_keeps_the_reintegration_file_five_years():
    assert OrganisationFactory().effective_reintegration_retention_years == 2
    assert OrganisationFactory(eigenrisicodrager_zw=True).effective_reintegration_retention_years == 5


def test_department_hierarchy_stays_within_one_organisation_and_has_no_cycles():
    from django.core.exceptions import ValidationError

    top = DepartmentFactory()
    child = DepartmentFactory(organisation=top.organisation, parent=top)
    top.parent = child
    with pytest.raises(ValidationError):
        top.full_clean()
    foreign = DepartmentFactory(parent=None)
    child.parent = foreign
    with pytest.raises(ValidationError):
        child.full_clean()
    assert Department.descendant_ids([top.pk]) == {top.pk, child.pk}


def test_absence_week_counts_from_the_first_day():
    case = AbsenceCaseFactory(first_day=DAY)
    assert case.absence_week(today=DAY) == 1
    assert case.absence_week(today=DAY + datetime.timedelta(days=6)) == 1
    assert case.absence_week(today=DAY + datetime.timedelta(days=7)) == 2
    assert case.absence_week(today=DAY + datetime.timedelta(days=41)) == 6
