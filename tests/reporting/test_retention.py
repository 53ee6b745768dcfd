"""Retention purge (R15, issue 6 item 4): exactly what is due is destroyed,
and nothing else; a preview first, destruction only if nothing changed since.

The world below is built around one fixed day (TODAY). Every row is marked
``due`` or ``kept`` when it is made; the tests compare the database with
those marks, so a row destroyed by mistake (or kept by mistake) fails.
"""

from __future__ import annotations

import datetime
import json
from collections import Counter
from dataclasses import dataclass, field
from io import StringIO

import pytest
from auditlog.models import LogEntry
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from guardian.models import UserObjectPermission
from guardian.shortcuts import assign_perm

from casefiles.models import (
    AbsenceCase,
    AbsencePercentage,
    CaseDocument,
    Consultation,
    ConsultationConclusion,
    CorrectionRequest,
    FunctionalLimitation,
    PhysicianNote,
    PlanAgreement,
    PlanEvaluation,
    PlanVanAanpak,
)
from consent.models import Consent, ConsentItem, Notification
from consent.types import MeetingType
from meetings.models import ActionPoint, AgendaItem, Decision, FollowUpObligation, Meeting, Participant
from reporting import retention
from reporting.models import MinutesPdf, RetentionRun
from reporting.tasks_retention import purge_all
from smo import audit

from ..factories import EmployeeFactory, OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 6, 15)
DAY = datetime.timedelta(days=1)
SECOND = datetime.timedelta(seconds=1)
# Cutoffs on TODAY: 2 years (reintegration, administration), 5 (eigenrisicodrager,
# access log), 20 (medical file). "More than N years ago" = before that day.
TWO_YEARS = datetime.date(2024, 6, 15)
FIVE_YEARS = datetime.date(2021, 6, 15)
TWENTY_YEARS = datetime.date(2006, 6, 15)
CANARY = "KANARIE-MEDISCH-9931"


def at(day: datetime.date, hour: int = 0) -> datetime.datetime:
    """The start of ``day`` (or an hour of it) in local time."""
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


def label(obj) -> str:
    return obj._meta.label_lower


def exists(obj) -> bool:
    return type(obj)._base_manager.filter(pk=obj.pk).exists()


@dataclass
class World:
    """Rows of one organisation, marked by what the purge must do with them."""

    organisation: object
    user: object
    due: list = field(default_factory=list)
    kept: list = field(default_factory=list)
    names: list = field(default_factory=list)

    def mark(self, obj, due: bool):
        (self.due if due else self.kept).append(obj)
        return obj

    def expected_counts(self) -> dict[str, int]:
        return dict(Counter(label(obj) for obj in self.due))

    # --- builders ---------------------------------------------------------

    def employee(self, *, left: datetime.date | None = None, due: bool = False, name: str = ""):
        first, last = (name or "Medewerker Zonder-Naam").split(" ", 1)
        employee = EmployeeFactory(
            organisation=self.organisation,
            first_name=first,
            last_name=last,
            employment_start=datetime.date(1980, 1, 1),
            employment_end=left,
        )
        self.names.append(employee.full_name)
        return self.mark(employee, due)

    def case(self, employee, *, ended: datetime.date | None, due: bool, first_day=None, full: bool = False):
        first_day = first_day or (ended - 120 * DAY if ended else datetime.date(2015, 3, 1))
        case = AbsenceCase.objects.create(
            employee=employee, first_day=first_day, end_date=ended, closed_reason="hersteld" if ended else ""
        )
        self.mark(case, due)
        if full:
            self.fill(case, due)
        return case

    def fill(self, case, due: bool) -> None:
        """Everything about a case in the reintegration file and consent."""
        user, day = self.user, case.first_day
        mark = lambda obj: self.mark(obj, due)  # noqa: E731
        mark(AbsencePercentage.objects.create(case=case, valid_from=day, percentage=100))
        plan = mark(PlanVanAanpak.objects.create(case=case, drawn_up_on=day + 50 * DAY, goal="Eigen werk"))
        mark(PlanAgreement.objects.create(plan=plan, what="Gesprek plannen", who="medewerker"))
        mark(PlanEvaluation.objects.create(plan=plan, date=day + 90 * DAY, summary="Volgens plan"))
        mark(
            CaseDocument.objects.create(
                case=case, title="Plan", file=ContentFile(b"%PDF-1.4 plan", name="plan.pdf"), uploaded_by=user
            )
        )
        mark(CorrectionRequest.objects.create(employee=case.employee, case=case, text="Datum klopt niet"))
        mark(
            Notification.objects.create(
                case=case,
                informed_on=day,
                how="persoonlijk",
                recorded_by=user,
                meeting_type=MeetingType.CASE_SMO,
                period_start=day,
                period_end=day + 30 * DAY,
                purpose="Werkhervatting",
                questions="Welke taken?",
            )
        )
        consents = [
            mark(
                Consent.objects.create(
                    employee=case.employee,
                    case=case,
                    recorded_by=user,
                    recorder_role="bedrijfsarts",
                    given_on=day,
                    obtained="spreekuur",
                    valid_until=day + 30 * DAY,
                    allowed_roles=["hr"],
                )
            )
            for _ in range(2)
        ]
        mark(ConsentItem.objects.create(consent=consents[0], category="prive", wording="Mantelzorg"))
        consents[0].superseded_by = consents[1]
        consents[0].save(update_fields=["superseded_by"])
        assign_perm("casefiles.guide_case", user, case)
        mark(UserObjectPermission.objects.get(object_pk=str(case.pk), permission__codename="guide_case"))

    def meeting(self, *, ends: datetime.datetime, due: bool, meeting_type=MeetingType.CASE_SMO, cases=()):
        """A meeting; each case gets an item with a decision and an action
        point (due with its case), and a follow-up for the first case."""
        meeting = Meeting.objects.create(
            organisation=self.organisation,
            meeting_type=meeting_type,
            title="Overleg",
            starts_at=ends - datetime.timedelta(minutes=60),
            duration_minutes=60,
            created_by=self.user,
        )
        self.mark(meeting, due)
        self.mark(Participant.objects.create(meeting=meeting, user=self.user, role="voorzitter"), due)
        if meeting_type == MeetingType.THEME:
            self.mark(AgendaItem.objects.create(meeting=meeting, kind="thema", title="Nachtwerk"), due)
        for case, case_due in cases:
            item = self.mark(AgendaItem.objects.create(meeting=meeting, kind="casus", case=case), case_due)
            self.mark(
                Decision.objects.create(item=item, text="Uren opbouwen", created_by=self.user), case_due
            )
            self.mark(
                ActionPoint.objects.create(
                    item=item,
                    case=case,
                    what="Werkplek",
                    owner=self.user,
                    due=case.first_day,
                    created_by=self.user,
                ),
                case_due,
            )
        if cases:
            case, case_due = cases[0]
            self.mark(
                FollowUpObligation.objects.create(
                    meeting=meeting, case=case, manager=self.user, due=case.first_day
                ),
                case_due,
            )
        return meeting

    def pdf(self, meeting, *, due: bool, employee=None):
        kind = MinutesPdf.Kind.EMPLOYEE if employee else MinutesPdf.Kind.FULL
        return self.mark(
            MinutesPdf.objects.create(
                meeting=meeting,
                kind=kind,
                employee=employee,
                file=ContentFile(b"%PDF-1.4 verslag", name="verslag.pdf"),
                content_hash="0" * 64,
                generated_at=meeting.starts_at,
            ),
            due,
        )

    def consultation(self, employee, *, changed: datetime.datetime, due: bool, released=None):
        consultation = Consultation.records.create(
            employee=employee, physician=self.user, date=changed.date(), notes=CANARY
        )
        conclusion = ConsultationConclusion.records.create(
            consultation=consultation, incapacity="volledig", released_at=released
        )
        limitation = FunctionalLimitation.records.create(conclusion=conclusion, rubriek=4, level="beperkt")
        Consultation.records.filter(pk=consultation.pk).update(updated_at=changed)
        for obj in (consultation, conclusion, limitation):
            self.mark(obj, due)
        return consultation

    def note(self, employee, *, changed: datetime.datetime, due: bool, case=None):
        note = PhysicianNote.records.create(
            employee=employee, physician=self.user, date=changed.date(), notes=CANARY, case=case
        )
        PhysicianNote.records.filter(pk=note.pk).update(updated_at=changed)
        return self.mark(note, due)

    def log_entry(self, instance, *, when: datetime.datetime, due: bool):
        entry = audit.log_access(instance, actor=self.user, what=audit.MEDICAL_FILE)
        LogEntry.objects.filter(pk=entry.pk).update(timestamp=when)
        return self.mark(entry, due)

    def authorise_physician(self, employee, due: bool) -> None:
        assign_perm("casefiles.view_medical_file", self.user, employee)
        self.mark(
            UserObjectPermission.objects.get(
                object_pk=str(employee.pk), permission__codename="view_medical_file"
            ),
            due,
        )


def build_standard(world: World) -> World:
    """An organisation with the default terms (2/2/20/5 years)."""
    stay = world.employee(name="Stijn Blijft")  # still employed
    case_over = world.case(stay, ended=TWO_YEARS - DAY, due=True, full=True)
    case_under = world.case(stay, ended=TWO_YEARS, due=False, full=True)
    world.case(world.employee(name="Olga Open"), ended=None, due=False, first_day=datetime.date(2015, 1, 1))
    # Meetings: due only when every case on them is due and they ended before the cutoff.
    m_due = world.meeting(ends=at(TWO_YEARS - DAY, 11), due=True, cases=[(case_over, True)])
    world.pdf(m_due, due=True)
    world.pdf(m_due, due=True, employee=stay)
    m_mixed = world.meeting(
        ends=at(TWO_YEARS - DAY, 15), due=False, cases=[(case_over, True), (case_under, False)]
    )
    world.pdf(m_mixed, due=True)  # still prints the destroyed case: regenerated on download
    m_recent = world.meeting(ends=at(TWO_YEARS) + 30 * 60 * SECOND, due=False, cases=[(case_over, True)])
    world.meeting(ends=at(TWO_YEARS - DAY, 9), due=True, meeting_type=MeetingType.SRO)  # no cases left
    theme = world.meeting(ends=at(datetime.date(2010, 3, 1), 12), due=False, meeting_type=MeetingType.THEME)
    world.pdf(theme, due=False)
    assert m_recent.ends_at > at(TWO_YEARS)
    # Medical file of a current employee: just over / just under 20 years.
    world.consultation(stay, changed=at(TWENTY_YEARS) - SECOND, due=True)
    world.consultation(stay, changed=at(TWENTY_YEARS), due=False)
    # Last change includes releasing the conclusions.
    world.consultation(stay, changed=at(TWENTY_YEARS) - 400 * DAY, due=False, released=at(TWENTY_YEARS))
    world.note(stay, changed=at(TWENTY_YEARS) - SECOND, due=True, case=case_over)
    world.note(stay, changed=at(TWENTY_YEARS), due=False, case=case_over)
    world.authorise_physician(stay, due=False)
    # Employees who left: just over / just under 2 years.
    left_over = world.employee(left=TWO_YEARS - DAY, due=True, name="Lotte Overtijd")
    world.mark(CorrectionRequest.objects.create(employee=left_over, text="Adres"), True)
    world.authorise_physician(left_over, due=True)
    world.employee(left=TWO_YEARS, due=False, name="Luuk Optijd")
    # Left long ago, but a case is still kept (ended on the cutoff day).
    left_case_kept = world.employee(left=datetime.date(2020, 1, 1), due=False, name="Karin Casus")
    world.case(left_case_kept, ended=TWO_YEARS, due=False, first_day=datetime.date(2019, 1, 1))
    # Left long ago with an open case (data error): the case keeps them.
    left_open = world.employee(left=datetime.date(2020, 1, 1), due=False, name="Otto Openstaand")
    world.case(left_open, ended=None, due=False, first_day=datetime.date(2019, 6, 1))
    # Left long ago; the medical file is younger than 20 years: the employee row stays.
    left_medical = world.employee(left=datetime.date(2020, 1, 1), due=False, name="Mira Medisch")
    world.case(left_medical, ended=datetime.date(2019, 12, 31), due=True, full=True)
    world.consultation(left_medical, changed=at(TWENTY_YEARS), due=False)
    world.authorise_physician(left_medical, due=False)
    # Left long ago; the medical file is older than 20 years too: all goes.
    left_all = world.employee(left=datetime.date(2000, 1, 1), due=True, name="Gerrit Geheel")
    world.case(left_all, ended=datetime.date(1999, 12, 1), due=True, full=True)
    world.consultation(left_all, changed=at(TWENTY_YEARS) - DAY, due=True)
    world.note(left_all, changed=at(TWENTY_YEARS) - DAY, due=True)
    world.authorise_physician(left_all, due=True)
    # Access log: just over / just under 5 years.
    world.log_entry(world.organisation, when=at(FIVE_YEARS) - SECOND, due=True)
    world.log_entry(stay, when=at(FIVE_YEARS), due=False)
    return world


def make_world(**org) -> World:
    return World(organisation=OrganisationFactory(**org), user=UserFactory())


@pytest.fixture
def world() -> World:
    return build_standard(make_world(slug="zorg"))


@pytest.fixture
def elsewhere() -> World:
    """Another organisation with the same old data, all of it due there."""
    return build_standard(make_world(slug="elders"))


def assert_purged_exactly(world: World) -> None:
    wrongly_kept = [f"{label(o)}#{o.pk}" for o in world.due if exists(o)]
    wrongly_destroyed = [f"{label(o)}#{o.pk}" for o in world.kept if not exists(o)]
    assert (wrongly_kept, wrongly_destroyed) == ([], [])


def assert_untouched(world: World) -> None:
    gone = [f"{label(o)}#{o.pk}" for o in world.due + world.kept if not exists(o)]
    assert gone == []


# --- the rules ------------------------------------------------------------------


def test_R15_preview_lists_exactly_what_is_due(world, elsewhere):
    plan = retention.preview(world.organisation, TODAY)
    assert plan.counts == world.expected_counts()
    for obj in world.due:
        assert obj.pk in plan.ids[label(obj)]
    for obj in world.kept + elsewhere.due + elsewhere.kept:
        assert obj.pk not in plan.ids.get(label(obj), ())
    assert_untouched(world)


def test_R15_purge_destroys_exactly_what_is_due_and_nothing_else(world, elsewhere):
    log_before = set(LogEntry.objects.values_list("pk", flat=True))

    run = retention.purge(world.organisation, TODAY)

    assert_purged_exactly(world)
    assert_untouched(elsewhere)
    assert run.counts == world.expected_counts()
    assert not run.dry_run and run.finished_at >= run.started_at
    # The purge writes no audit entries of its own: only the run records it.
    assert set(LogEntry.objects.values_list("pk", flat=True)) <= log_before


def test_R15_purge_in_small_batches_gives_the_same_result(world, elsewhere):
    run = retention.purge(world.organisation, TODAY, batch_size=1)
    assert_purged_exactly(world)
    assert_untouched(elsewhere)
    assert run.counts == world.expected_counts()


def test_R15_purge_is_idempotent(world):
    retention.purge(world.organisation, TODAY)
    again = retention.purge(world.organisation, TODAY)
    assert again.counts == {}
    assert_purged_exactly(world)


def test_R15_a_day_earlier_the_boundary_rows_are_kept():
    world = make_world()
    stay = world.employee()
    case = world.case(stay, ended=TWO_YEARS - DAY, due=True)
    left = world.employee(left=TWO_YEARS - DAY, due=True)
    consultation = world.consultation(stay, changed=at(TWENTY_YEARS) - SECOND, due=True)
    entry = world.log_entry(world.organisation, when=at(FIVE_YEARS) - SECOND, due=True)

    plan = retention.preview(world.organisation, TODAY - DAY)
    for obj in (case, left, consultation, entry):
        assert obj.pk not in plan.ids.get(label(obj), ())
    assert plan.counts == {}
    assert retention.preview(world.organisation, TODAY).counts == world.expected_counts()


def test_R15_eigenrisicodrager_keeps_the_reintegration_file_five_years():
    world = make_world(eigenrisicodrager_zw=True)
    assert world.organisation.effective_reintegration_retention_years == 5
    employee = world.employee()
    over = world.case(employee, ended=FIVE_YEARS - DAY, due=True, full=True)
    world.case(employee, ended=FIVE_YEARS, due=False, full=True)
    two_years = world.case(employee, ended=TWO_YEARS - DAY, due=False)  # due after 2 years elsewhere
    world.pdf(world.meeting(ends=at(FIVE_YEARS - 30 * DAY, 11), due=True, cases=[(over, True)]), due=True)
    world.pdf(
        world.meeting(ends=at(TWO_YEARS - 30 * DAY, 11), due=False, cases=[(two_years, False)]), due=False
    )
    world.meeting(ends=at(FIVE_YEARS - DAY, 11), due=True)  # a case meeting, its cases gone
    world.meeting(ends=at(FIVE_YEARS, 11), due=False)
    # An employee who left more than 2 years ago, whose case is kept for 5.
    left = world.employee(left=TWO_YEARS - DAY, due=False)
    world.case(left, ended=FIVE_YEARS, due=False)

    run = retention.purge(world.organisation, TODAY)

    assert_purged_exactly(world)
    assert run.counts == world.expected_counts()


def test_R15_a_setting_above_the_minimum_is_honoured():
    world = make_world(retention_reintegration_years=3, retention_access_log_years=7)
    employee = world.employee()
    world.case(employee, ended=datetime.date(2023, 6, 14), due=True)
    world.case(employee, ended=datetime.date(2023, 6, 15), due=False)
    world.log_entry(world.organisation, when=at(datetime.date(2019, 6, 15)) - SECOND, due=True)
    world.log_entry(world.organisation, when=at(datetime.date(2019, 6, 15)), due=False)

    retention.purge(world.organisation, TODAY)

    assert_purged_exactly(world)


def test_R15_employee_kept_for_the_medical_file_goes_once_that_is_due(world):
    retention.purge(world.organisation, TODAY)
    mira = next(o for o in world.kept if getattr(o, "full_name", "") == "Mira Medisch")
    assert exists(mira)
    assert not AbsenceCase.objects.filter(employee=mira).exists()

    # Its last medical record changed on 15-06-2006: due twenty years and a day later.
    retention.purge(world.organisation, datetime.date(2026, 6, 16))
    assert not exists(mira)
    assert not Consultation.records.filter(employee_id=mira.pk).exists()


# --- mechanics --------------------------------------------------------------------


def test_R15_dry_run_deletes_nothing_and_records_the_counts(world):
    run = retention.purge(world.organisation, TODAY, dry_run=True)

    assert_untouched(world)
    assert run.dry_run
    assert run.counts == world.expected_counts()
    assert RetentionRun.objects.get(pk=run.pk).counts == world.expected_counts()


def test_R15_purge_with_the_preview_plan_destroys_it(world):
    plan = retention.preview(world.organisation, TODAY)
    run = retention.purge(world.organisation, plan=plan)
    assert run.counts == plan.counts
    assert_purged_exactly(world)


@pytest.mark.parametrize("change", ["new_due_case", "reopened", "new_child"])
def test_R15_a_changed_plan_refuses_and_deletes_nothing(world, change):
    plan = retention.preview(world.organisation, TODAY)
    case = next(o for o in world.due if isinstance(o, AbsenceCase))
    if change == "new_due_case":
        world.case(world.employee(), ended=datetime.date(2010, 1, 1), due=True)
    elif change == "reopened":
        AbsenceCase.objects.filter(pk=case.pk).update(end_date=None, closed_reason="")
    else:
        AbsencePercentage.objects.create(case=case, valid_from=case.first_day + DAY, percentage=50)

    with pytest.raises(retention.PlanChanged):
        retention.purge(world.organisation, TODAY, plan=plan)

    assert_untouched(world)
    assert not RetentionRun.objects.exists()


def test_R15_a_plan_of_another_organisation_is_refused(world, elsewhere):
    plan = retention.preview(elsewhere.organisation, TODAY)
    with pytest.raises(retention.PlanChanged):
        retention.purge(world.organisation, TODAY, plan=plan)
    assert_untouched(world)
    assert_untouched(elsewhere)


def test_R15_the_run_holds_counts_only_no_names_or_content(world):
    run = retention.purge(world.organisation, TODAY)
    stored = RetentionRun.objects.filter(pk=run.pk).values().get()
    text = json.dumps(stored, default=str)
    assert world.names and all(name not in text for name in world.names)
    for word in (CANARY, "Stijn", "Mantelzorg", "plan.pdf", "verslag", "Gesprek plannen"):
        assert word not in text
    assert all(isinstance(n, int) for n in run.counts.values())
    assert set(run.counts) <= {label(o) for o in world.due}


def test_R15_files_of_destroyed_documents_and_pdfs_leave_the_storage(
    world, django_capture_on_commit_callbacks
):
    files = {
        obj.file.name: obj in world.due
        for obj in world.due + world.kept
        if isinstance(obj, (CaseDocument, MinutesPdf))
    }
    storage = CaseDocument._meta.get_field("file").storage
    assert len(files) >= 6 and all(storage.exists(name) for name in files)

    with django_capture_on_commit_callbacks(execute=True):
        retention.purge(world.organisation, TODAY)

    assert {name: not storage.exists(name) for name in files} == files


def test_R15_nothing_is_deleted_from_storage_before_commit(world, django_capture_on_commit_callbacks):
    document = next(o for o in world.due if isinstance(o, CaseDocument))
    with django_capture_on_commit_callbacks(execute=False):
        retention.purge(world.organisation, TODAY)
    assert document.file.storage.exists(document.file.name)


def test_R15_a_file_that_cannot_be_removed_is_counted_not_named(
    world, monkeypatch, django_capture_on_commit_callbacks
):
    storage = CaseDocument._meta.get_field("file").storage

    def broken(self, name):
        raise PermissionError(name)

    monkeypatch.setattr(type(storage), "delete", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run = retention.purge(world.organisation, TODAY)

    stored = RetentionRun.objects.get(pk=run.pk).counts
    files = sum(isinstance(o, (CaseDocument, MinutesPdf)) for o in world.due)
    assert stored[retention.UNDELETED_FILES] == files
    assert ".pdf" not in json.dumps(stored) and "verslagen/" not in json.dumps(stored)
    assert_purged_exactly(world)


# --- entry points -----------------------------------------------------------------


def build_today_world() -> World:
    """A small world relative to the real today, for the command and task."""
    today = timezone.localdate()
    world = make_world(slug="nu")
    employee = world.employee(name="Nina Nu")
    world.case(employee, ended=retention.years_before(today, 2) - DAY, due=True, full=True)
    world.case(employee, ended=retention.years_before(today, 2), due=False)
    world.employee(left=retention.years_before(today, 2) - DAY, due=True, name="Vera Vertrokken")
    return world


def test_R15_command_dry_run_prints_dutch_counts_and_deletes_nothing():
    world = build_today_world()
    out = StringIO()
    call_command("purge_retention", "--dry-run", "--organisation", "nu", stdout=out)
    text = out.getvalue()
    assert "proefdraaien" in text
    assert "Organisatie nu:" in text
    assert "verzuimgevallen: 1" in text
    assert "medewerkers: 1" in text
    assert "toestemmingen: 2" in text
    assert f"totaal te verwijderen: {len(world.due)}" in text
    assert all(name not in text for name in world.names)
    assert_untouched(world)


def test_R15_command_purges_and_prints_what_was_destroyed():
    world = build_today_world()
    other = make_world(slug="anders")
    other.case(other.employee(), ended=datetime.date(2000, 1, 1), due=False)
    out = StringIO()
    call_command("purge_retention", "--organisation", "nu", stdout=out)
    assert "verzuimgevallen: 1" in out.getvalue()
    assert f"totaal verwijderd: {len(world.due)}" in out.getvalue()
    assert_purged_exactly(world)
    assert_untouched(other)


def test_R15_command_refuses_an_unknown_organisation():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="bestaat niet"):
        call_command("purge_retention", "--organisation", "bestaat-niet", stdout=StringIO())


def test_R15_the_scheduled_task_purges_every_organisation():
    world = build_today_world()
    other = make_world(slug="anders")
    other.case(other.employee(), ended=datetime.date(2000, 1, 1), due=True)

    result = purge_all.apply().get()

    assert_purged_exactly(world)
    assert_purged_exactly(other)
    assert result[str(world.organisation.pk)] == world.expected_counts()
    assert RetentionRun.objects.filter(dry_run=False).count() == 2
