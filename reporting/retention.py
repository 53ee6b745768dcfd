"""Retention purge (R15), after pretix's data shredder: first a preview of
exactly what will be destroyed (:func:`preview`), then destruction only if
nothing changed since that preview (:func:`purge`).

What is due on a day ("today"), per organisation's settings:

- **reintegration file**: an absence case that ended (``end_date``) more than
  ``effective_reintegration_retention_years`` ago, with everything about it:
  percentages, plan van aanpak with agreements and evaluations, documents
  (and their files), correction requests, R6 notifications, consents and
  their items, agenda items about it with their decisions and action points,
  follow-up obligations, object permissions (casemanager/expert). An open
  case is never due. Stored PDF minutes of a meeting that is kept but had
  the case on its agenda are deleted too: they still print the destroyed
  decisions (they are derived output; regenerate from what remains).
- **administrative absence data**: an employee whose ``employment_end`` is
  more than ``retention_absence_admin_years`` ago and who has no case kept by
  the rule above is destroyed with what remains of them (correction requests,
  consents, PDF extracts, object permissions). Medical records hang on the
  employee with CASCADE, so an employee who still has a medical record that
  is *not* due is kept: the row stays (the medical file needs it) and only
  their due cases and due medical records go. The row goes in a later run,
  once the last medical record is due.
- **medical file**: a consultation (with its conclusions and FML limitations)
  or physician note whose last change is more than
  ``retention_medical_years`` ago. The last change of a consultation is its
  ``updated_at`` or the release of its conclusions, whichever is later.
- **access/audit log**: django-auditlog entries of the organisation
  (``additional_data.organisation_id``) older than
  ``retention_access_log_years``.
- **minutes**: a case meeting (never a beleids-/thema-SMT, whose minutes hold
  nothing traceable, R11) that ended more than the reintegration period ago
  and all of whose case items, action points and follow-ups concern cases
  that are due, with its participants, remaining items, reminders and PDFs.

"More than N years ago" means strictly before the same calendar day N years
before today (29 February counts from 28 February): a date on that day is
kept; timestamps are compared with the start of that day in local time.

How: each kind above is a *step* with a selector of due rows. Django's
deletion collector gathers everything a batch of due rows takes with it, so
the preview lists exactly what ``delete()`` will remove, per model. The
preview runs in a transaction that is rolled back (it unlinks superseded
consents, whose PROTECT link would otherwise stop the collector). The purge
recomputes the plan, refuses when it differs from the given preview, then
deletes batch by batch, each batch in its own transaction that re-checks that
its rows are still due; files are removed from storage after commit. The
only trace is a :class:`RetentionRun` with counts per kind; the audit trail
is switched off while deleting (its delete entries would repeat names).
"""

from __future__ import annotations

import datetime
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db import models, router, transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.db.models.deletion import Collector
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from casefiles.models import (
    AbsenceCase,
    Consultation,
    CorrectionRequest,
    Employee,
    Organisation,
    PhysicianNote,
)
from consent.models import Consent
from consent.types import MeetingType
from meetings.models import ActionPoint, AgendaItem, FollowUpObligation, Meeting

from . import stats_cache
from .models_retention import RetentionRun

UNDELETED_FILES = "storage.undeleted_files"
# Dutch names of kinds whose model has no Dutch verbose name of its own.
KIND_LABELS = {
    "auditlog.logentry": _("regels audit- en toegangslog"),
    "guardian.userobjectpermission": _("autorisaties van gebruikers"),
    "guardian.groupobjectpermission": _("autorisaties van groepen"),
    "meetings.meeting_departments": _("koppelingen overleg-afdeling"),
    UNDELETED_FILES: _("bestanden die niet verwijderd konden worden"),
}


class PlanChanged(Exception):
    """What is due differs from the preview: nothing was destroyed."""

    def __init__(self, kinds: Sequence[str]):
        self.kinds = list(kinds)
        super().__init__(f"retention plan changed since the preview: {', '.join(self.kinds)}")


def kind_label(kind: str) -> str:
    """The Dutch plural name of a kind (``app_label.model``)."""
    if kind in KIND_LABELS:
        return str(KIND_LABELS[kind])
    try:
        return str(apps.get_model(kind)._meta.verbose_name_plural)
    except (LookupError, ValueError):
        return kind


# --- when --------------------------------------------------------------------


def years_before(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


@dataclass(frozen=True)
class Cutoffs:
    """Data dated before these days is due (strictly before)."""

    reintegration: datetime.date
    absence_admin: datetime.date
    medical: datetime.date
    access_log: datetime.date

    @classmethod
    def of(cls, organisation: Organisation, today: datetime.date) -> Cutoffs:
        return cls(
            reintegration=years_before(today, organisation.effective_reintegration_retention_years),
            absence_admin=years_before(today, organisation.retention_absence_admin_years),
            medical=years_before(today, organisation.retention_medical_years),
            access_log=years_before(today, organisation.retention_access_log_years),
        )


# --- what: selectors of due rows ---------------------------------------------


def due_cases(organisation: Organisation, cut: Cutoffs) -> QuerySet:
    """Ended before the cutoff; an open case (no end date) never matches."""
    return AbsenceCase.objects.filter(employee__organisation=organisation, end_date__lt=cut.reintegration)


def due_consultations(organisation: Organisation, cut: Cutoffs) -> QuerySet:
    since = start_of(cut.medical)
    return Consultation.records.filter(employee__organisation=organisation, updated_at__lt=since).exclude(
        conclusion__released_at__gte=since
    )


def due_physician_notes(organisation: Organisation, cut: Cutoffs) -> QuerySet:
    return PhysicianNote.records.filter(
        employee__organisation=organisation, updated_at__lt=start_of(cut.medical)
    )


def due_employees(organisation: Organisation, cut: Cutoffs) -> QuerySet:
    """Left before the cutoff, no kept case, no medical record that is kept."""
    kept_case = AbsenceCase.objects.filter(employee=OuterRef("pk")).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=cut.reintegration)
    )
    kept_consultation = Consultation.records.filter(employee=OuterRef("pk")).exclude(
        pk__in=due_consultations(organisation, cut).values("pk")
    )
    kept_note = PhysicianNote.records.filter(employee=OuterRef("pk")).exclude(
        pk__in=due_physician_notes(organisation, cut).values("pk")
    )
    return Employee.objects.filter(organisation=organisation, employment_end__lt=cut.absence_admin).filter(
        ~Exists(kept_case), ~Exists(kept_consultation), ~Exists(kept_note)
    )


def due_meetings(organisation: Organisation, cut: Cutoffs) -> QuerySet:
    before = start_of(cut.reintegration)
    purged = due_cases(organisation, cut).values("pk")

    def about_kept_case(model: type[models.Model], meeting_path: str) -> QuerySet:
        return model.objects.filter(**{meeting_path: OuterRef("pk")}, case__isnull=False).exclude(
            case__in=purged
        )

    candidates = (
        Meeting.objects.filter(organisation=organisation, starts_at__lt=before)
        .exclude(meeting_type=MeetingType.THEME)
        .filter(
            ~Exists(about_kept_case(AgendaItem, "meeting")),
            ~Exists(about_kept_case(ActionPoint, "item__meeting")),
            ~Exists(about_kept_case(FollowUpObligation, "meeting")),
        )
        .only("pk", "starts_at", "duration_minutes")
    )
    return Meeting.objects.filter(pk__in=[m.pk for m in candidates if m.ends_at < before])


def due_log_entries(organisation: Organisation, cut: Cutoffs) -> QuerySet:
    return LogEntry.objects.filter(
        additional_data__organisation_id=organisation.pk, timestamp__lt=start_of(cut.access_log)
    )


# --- what a batch of due rows takes with it ------------------------------------


def _minutes_pdfs(condition: Q) -> list[QuerySet]:
    """Stored PDF minutes matching ``condition`` (the model may not exist yet)."""
    try:
        model = apps.get_model("reporting", "MinutesPdf") if apps.is_installed("reporting") else None
    except LookupError:
        model = None
    if model is None:
        return []
    return [model._default_manager.filter(pk__in=model._default_manager.filter(condition).values("pk"))]


def _object_permissions(model: type[models.Model], ids: Sequence[int]) -> list[QuerySet]:
    content_type = ContentType.objects.get_for_model(model)
    object_pks = [str(pk) for pk in ids]
    return [
        perms._default_manager.filter(content_type=content_type, object_pk__in=object_pks)
        for perms in (get_user_obj_perms_model(), get_group_obj_perms_model())
    ]


def _unlink_superseded_consents(**lookup) -> None:
    """A consent that superseded another is PROTECTed by it; both go."""
    Consent.objects.filter(**lookup, superseded_by__isnull=False).update(superseded_by=None)


def _case_roots(ids: Sequence[int]) -> list[QuerySet]:
    return [
        # SET_NULL would turn these into employee-level requests: they go with the case.
        CorrectionRequest.objects.filter(case_id__in=ids),
        *_minutes_pdfs(Q(meeting__items__case_id__in=ids) | Q(meeting__follow_ups__case_id__in=ids)),
        *_object_permissions(AbsenceCase, ids),
        AbsenceCase.objects.filter(pk__in=ids),
    ]


def _meeting_roots(ids: Sequence[int]) -> list[QuerySet]:
    return [*_minutes_pdfs(Q(meeting_id__in=ids)), Meeting.objects.filter(pk__in=ids)]


def _employee_roots(ids: Sequence[int]) -> list[QuerySet]:
    return [
        *_minutes_pdfs(Q(employee_id__in=ids)),
        *_object_permissions(Employee, ids),
        Employee.objects.filter(pk__in=ids),
    ]


@dataclass(frozen=True)
class Step:
    model: type[models.Model]
    due: Callable[[Organisation, Cutoffs], QuerySet]
    roots: Callable[[Sequence[int]], list[QuerySet]]
    prepare: Callable[[Sequence[int]], None] | None = None


# In this order: medical records before the employees they cascade from;
# cases before the meetings and employees that are due only once they are gone.
STEPS = (
    Step(Consultation, due_consultations, lambda ids: [Consultation.records.filter(pk__in=ids)]),
    Step(PhysicianNote, due_physician_notes, lambda ids: [PhysicianNote.records.filter(pk__in=ids)]),
    Step(AbsenceCase, due_cases, _case_roots, lambda ids: _unlink_superseded_consents(case_id__in=ids)),
    Step(Meeting, due_meetings, _meeting_roots),
    Step(
        Employee, due_employees, _employee_roots, lambda ids: _unlink_superseded_consents(employee_id__in=ids)
    ),
    Step(LogEntry, due_log_entries, lambda ids: [LogEntry.objects.filter(pk__in=ids)]),
)


def _chunks(ids: Sequence[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(ids), size):
        yield list(ids[start : start + size])


def _using() -> str:
    return router.db_for_write(RetentionRun)


def _collect(step: Step, ids: Sequence[int]) -> Collector:
    if step.prepare is not None:
        step.prepare(ids)
    collector = Collector(using=_using())
    for queryset in step.roots(ids):
        collector.collect(queryset)
    return collector


def _collected_ids(collector: Collector) -> dict[str, set[int]]:
    found: dict[str, set[int]] = defaultdict(set)
    for model, instances in collector.data.items():
        found[model._meta.label_lower].update(obj.pk for obj in instances)
    for queryset in collector.fast_deletes:
        found[queryset.model._meta.label_lower].update(queryset.values_list("pk", flat=True))
    return found


def _collected_files(collector: Collector) -> list[tuple[object, str]]:
    """(storage, name) of every file held by a row the collector will delete."""
    files = []

    def file_fields(model):
        return [f for f in model._meta.concrete_fields if isinstance(f, models.FileField)]

    for model, instances in collector.data.items():
        for field in file_fields(model):
            files += [(field.storage, name) for obj in instances if (name := getattr(obj, field.name).name)]
    for queryset in collector.fast_deletes:
        for field in file_fields(queryset.model):
            files += [
                (field.storage, name) for name in queryset.values_list(field.attname, flat=True) if name
            ]
    return files


# --- preview -----------------------------------------------------------------


@dataclass(frozen=True)
class Plan:
    """What is due for one organisation on one day: the ids per kind
    (``app_label.model``) of every row that would be destroyed."""

    organisation_id: int
    today: datetime.date
    ids: dict[str, tuple[int, ...]]

    @property
    def counts(self) -> dict[str, int]:
        return {kind: len(pks) for kind, pks in self.ids.items()}

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def differences(self, other: Plan) -> list[str]:
        if (self.organisation_id, self.today) != (other.organisation_id, other.today):
            return ["organisation/today"]
        return sorted(k for k in self.ids.keys() | other.ids.keys() if self.ids.get(k) != other.ids.get(k))


def preview(organisation: Organisation, today: datetime.date | None = None, *, batch_size: int = 500) -> Plan:
    """Everything that is due, without destroying anything."""
    today = today or timezone.localdate()
    cut = Cutoffs.of(organisation, today)
    found: dict[str, set[int]] = defaultdict(set)
    with transaction.atomic(using=_using()):
        for step in STEPS:
            ids = list(step.due(organisation, cut).order_by("pk").values_list("pk", flat=True))
            for chunk in _chunks(ids, batch_size):
                for kind, pks in _collected_ids(_collect(step, chunk)).items():
                    found[kind] |= pks
        # Only the consent unlinking was written; undo it.
        transaction.set_rollback(True, using=_using())
    return Plan(
        organisation_id=organisation.pk,
        today=today,
        ids={kind: tuple(sorted(pks)) for kind, pks in sorted(found.items()) if pks},
    )


# --- purge -------------------------------------------------------------------


def _delete_files(run_pk: int, counts: Counter, files: list[tuple[object, str]]) -> None:
    """After commit: the rows are gone, now their files. A file that cannot be
    removed is counted (never named: file names may say whom they concern)."""
    failed = 0
    for storage, name in files:
        try:
            storage.delete(name)
        except OSError:
            failed += 1
    if failed:
        counts[UNDELETED_FILES] += failed
        RetentionRun.objects.filter(pk=run_pk).update(counts=dict(counts))


def _destroy_batch(
    step: Step, organisation: Organisation, cut: Cutoffs, chunk: list[int], run: RetentionRun, counts: Counter
) -> None:
    with transaction.atomic(using=_using()):
        ids = list(step.due(organisation, cut).filter(pk__in=chunk).values_list("pk", flat=True))
        if not ids:
            return
        collector = _collect(step, ids)
        files = _collected_files(collector)
        _total, per_model = collector.delete()
        stats_cache.bump(organisation.pk)  # R18/R19: statistics of destroyed data are not reused
        batch = Counter({label.lower(): n for label, n in per_model.items() if n})
        RetentionRun.objects.filter(pk=run.pk).update(counts=dict(counts + batch))
        counts.update(batch)
        if files:
            transaction.on_commit(partial(_delete_files, run.pk, counts, files), using=_using())


def purge(
    organisation: Organisation,
    today: datetime.date | None = None,
    plan: Plan | None = None,
    dry_run: bool = False,
    batch_size: int = 500,
) -> RetentionRun:
    """Destroy what is due (R15) and record how much of each kind.

    With ``plan`` (from :func:`preview`), refuses with :class:`PlanChanged`
    (destroying nothing) unless exactly that is still due; ``today``
    defaults to the plan's day. A dry run records the counts and deletes
    nothing.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    if today is None:
        today = plan.today if plan is not None else timezone.localdate()
    current = preview(organisation, today, batch_size=batch_size)
    if plan is not None and plan != current:
        raise PlanChanged(plan.differences(current))
    run = RetentionRun.objects.create(organisation=organisation, dry_run=dry_run)
    if dry_run:
        run.counts = current.counts
    else:
        cut = Cutoffs.of(organisation, today)
        counts: Counter = Counter()
        with disable_auditlog():
            for step in STEPS:
                for chunk in _chunks(current.ids.get(step.model._meta.label_lower, ()), batch_size):
                    _destroy_batch(step, organisation, cut, chunk, run, counts)
        run.refresh_from_db(fields=["counts"])
    run.finished_at = timezone.now()
    run.save(update_fields=["counts", "finished_at"])
    return run
