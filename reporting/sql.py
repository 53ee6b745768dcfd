"""Database expressions the statistics need that Django does not provide
portably (SQLite and PostgreSQL).

* :class:`DaysBetween` — whole days from one date to another, as an integer,
  so that day counts can be multiplied by contract hours and percentages and
  summed in the database. (Django's ``F("a") - F("b")`` gives a duration,
  which cannot be multiplied by a column on both databases.)
* :class:`ListContains` — "this JSON list contains this string" as a
  condition, usable as an aggregate filter (Django's ``contains`` lookup on a
  JSONField does not exist on SQLite).
* :func:`date_value` — a date constant with its type, for Greatest/Least.
"""

from __future__ import annotations

import datetime
import json

from django.db.models import BooleanField, DateField, Func, IntegerField, Value


def date_value(day: datetime.date) -> Value:
    return Value(day, output_field=DateField())


class DaysBetween(Func):
    """``end - start`` in whole days (negative when end is before start)."""

    arity = 2
    output_field = IntegerField()

    def __init__(self, start, end, **extra):
        super().__init__(start, end, **extra)

    def as_sql(self, compiler, connection, **extra_context):
        # PostgreSQL: date - date is an integer number of days.
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return f"(({end_sql})::date - ({start_sql})::date)", (*end_params, *start_params)

    def as_sqlite(self, compiler, connection, **extra_context):
        start, end = self.source_expressions
        start_sql, start_params = compiler.compile(start)
        end_sql, end_params = compiler.compile(end)
        return (
            f"CAST(ROUND(julianday({end_sql}) - julianday({start_sql})) AS INTEGER)",
            (*end_params, *start_params),
        )


class ListContains(Func):
    """The JSON list in ``expression`` has ``element`` (a string) as an item."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, expression, element: str, **extra):
        super().__init__(expression, **extra)
        self.element = element

    def as_sql(self, compiler, connection, **extra_context):  # PostgreSQL (jsonb)
        sql, params = compiler.compile(self.source_expressions[0])
        return f"({sql} @> %s::jsonb)", (*params, json.dumps([self.element]))

    def as_sqlite(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"EXISTS (SELECT 1 FROM json_each({sql}) AS r17_item WHERE r17_item.value = %s)",  # noqa: S608 - compiled SQL, value as parameter
            (*params, self.element),
        )
