"""Writing a checked absence file: the organisation's existing spells are read
once, then every new, changed or unchanged row is sorted out in Python and
written with a constant number of bulk queries, whatever the number of rows."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.db import connection
from django.utils import timezone

from casefiles.models import AbsenceCase, AbsencePercentage, Organisation

from .. import stats_cache
from .validation import Row, RowError

BATCH_SIZE = 2000
AUDIT_WHAT = "absence_import"
CASE_FIELDS = ["end_date", "closed_reason", "contract_hours"]


@dataclass
class ImportResult:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    dry_run: bool = True
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


def existing_spells(organisation: Organisation) -> tuple[dict, dict]:
    """(employee id, first day) -> the case's stored values, and case id ->
    its percentage changes in date order."""
    cases = {
        (c["employee_id"], c["first_day"]): c
        for c in AbsenceCase.objects.filter(employee__organisation=organisation).values(
            "pk", "employee_id", "first_day", "end_date", "closed_reason", "contract_hours"
        )
    }
    percentages: dict[int, list[tuple[datetime.date, int]]] = defaultdict(list)
    for case_id, day, number in (
        AbsencePercentage.objects.filter(case__employee__organisation=organisation)
        .order_by("case_id", "valid_from")
        .values_list("case_id", "valid_from", "percentage")
    ):
        percentages[case_id].append((day, number))
    return cases, percentages


def write_spells(
    rows: list[Row],
    existing: dict,
    percentages: dict,
    result: ImportResult,
    *,
    hours_given: bool,
    write: bool,
) -> None:
    """Count (and unless ``write`` is False, write) the new, updated and
    unchanged spells. Without a ``contracturen`` column (``hours_given``
    False) the stored contract hours of existing spells are kept."""
    new_cases, new_rows, closed, open_, changed_percentages = [], [], [], [], []
    for row in rows:
        case = existing.get((row.employee_id, row.first_day))
        if case is None:
            new_rows.append(row)
            new_cases.append(
                {
                    "employee_id": row.employee_id,
                    "first_day": row.first_day,
                    "end_date": row.end_date,
                    "closed_reason": AbsenceCase.ClosedReason.OTHER if row.end_date else "",
                    "contract_hours": row.contract_hours,
                }
            )
            continue
        hours = row.contract_hours if hours_given else case["contract_hours"]
        same_end = case["end_date"] == row.end_date
        same_hours = case["contract_hours"] == hours
        same_percentages = percentages.get(case["pk"], []) == row.percentages
        if same_end and same_hours and same_percentages:
            result.unchanged += 1
            continue
        result.updated += 1
        if not same_percentages:
            changed_percentages.append((case["pk"], row))
        if same_end and same_hours:
            continue
        if same_end:
            reason = case["closed_reason"]
        else:
            reason = (case["closed_reason"] or AbsenceCase.ClosedReason.OTHER) if row.end_date else ""
        update = AbsenceCase(pk=case["pk"], end_date=row.end_date, closed_reason=reason, contract_hours=hours)
        (closed if row.end_date else open_).append(update)
    result.created = len(new_cases)
    if not write:
        return
    # Closed spells first: one ongoing case per employee at every moment.
    for batch in (closed, open_):
        AbsenceCase.objects.bulk_update(batch, CASE_FIELDS, batch_size=BATCH_SIZE)
    _insert(AbsenceCase, new_cases, key=("employee_id", "first_day"))
    with disable_auditlog():  # one summary entry (audit) instead of one per row
        AbsencePercentage.objects.filter(case_id__in=[pk for pk, _row in changed_percentages]).delete()
    pairs = changed_percentages + [(case["id"], row) for case, row in zip(new_cases, new_rows, strict=True)]
    _insert(
        AbsencePercentage,
        [
            {"case_id": pk, "valid_from": day, "percentage": number}
            for pk, row in pairs
            for day, number in row.percentages
        ],
    )


def _insert(model, rows: list[dict], key: tuple[str, ...] = ()) -> None:
    """Bulk insert of ``rows`` (field attname -> value; other fields get
    their default); with ``key``, each row gets its new ``"id"``.

    On PostgreSQL one ``INSERT ... SELECT FROM unnest(arrays)`` per table,
    without a model instance per row: ``bulk_create`` spends most of a
    100,000-row import building instances and preparing values field by
    field. The new keys come back with their natural key, so nothing depends
    on the order of ``RETURNING``. Other databases use ``bulk_create``."""
    if not rows:
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        objects = model.objects.bulk_create([model(**row) for row in rows], batch_size=BATCH_SIZE)
        for row, obj in zip(rows, objects, strict=True):
            row["id"] = obj.pk
        return
    now = timezone.now()
    columns, arrays = [], []
    for f in fields:
        columns.append(connection.ops.quote_name(f.column))
        if getattr(f, "auto_now_add", False) or getattr(f, "auto_now", False):
            arrays.append([now] * len(rows))
        elif f.attname in rows[0]:
            arrays.append([row[f.attname] for row in rows])
        else:
            arrays.append([f.get_default()] * len(rows))
    casts = ", ".join(f"%s::{f.db_type(connection)}[]" for f in fields)
    table = connection.ops.quote_name(model._meta.db_table)
    returning = ", ".join(
        connection.ops.quote_name(f.column)
        for f in (model._meta.pk, *(model._meta.get_field(k) for k in key))
    )
    sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({casts})"  # noqa: S608  (names from the model)
    with connection.cursor() as cursor:
        if not key:
            cursor.execute(sql, arrays)
            return
        cursor.execute(f"{sql} RETURNING {returning}", arrays)
        ids = {tuple(found): pk for pk, *found in cursor.fetchall()}
    for row in rows:
        row["id"] = ids[tuple(row[k] for k in key)]


def audit(organisation: Organisation, actor, result: ImportResult) -> None:
    """R13: one entry per import (bulk writes bypass the per-row trail).
    The bulk writes send no signals either: drop the cached statistics."""
    stats_cache.bump(organisation.pk)
    summary = f"{result.created} nieuw, {result.updated} bijgewerkt, {result.unchanged} ongewijzigd"
    LogEntry.objects.log_create(
        organisation,
        force_log=True,
        action=LogEntry.Action.UPDATE,
        changes={AUDIT_WHAT: ["", summary]},
        actor=actor,
        additional_data={**organisation.get_additional_data(), "what": AUDIT_WHAT},
    )
