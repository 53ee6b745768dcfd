"""A cache of the statistics' aggregated input (R18, R19): the totals per
department (own employees only) of an organisation for a list of periods, as
computed by :func:`reporting.statistics.period_figures`, so that the page,
the presentation, the handout PDF and the CSV of the same report -- and every
user's scope of it -- are computed from the database once.

What is cached is only what disclosure control starts from: additive totals
per department (numbers of employees, spells, days, weighted days), never a
row of an employee or a spell, and never what is shown: every report still
applies its user's scope and the disclosure rules (R19) to these totals when
it is built, so a cached value cannot change what is shown or suppressed.

Invalidation: every key carries the organisation's *data version*, a random
token in the same cache that :func:`bump` replaces whenever absence data of
the organisation changes -- saves and deletes of Organisation, Department,
Employee, AbsenceCase and AbsencePercentage (receivers in
:mod:`reporting.signals`), and explicit calls in the bulk paths that send no
signals (the absence import, the retention purge). A change whose
organisation cannot be told without a query (a percentage row without its
case loaded) bumps the *global* version, part of every key, instead. A bump
happens at once and again when the transaction commits, so a report computed
by another process from the data before the commit is not kept under the
new version.

Entries also expire after :data:`TIMEOUT` seconds: that bounds what the
version cannot see (data changed outside Django, a restored backup) and,
with the local-memory cache of a set-up without ``REDIS_URL``, the caches
of the other processes, which a bump in one process does not reach.

The cache is an optimisation only: when it fails (Redis down), the figures
are computed from the database as if nothing was cached.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Any

from django.core.cache import cache
from django.db import connection, transaction

logger = logging.getLogger(__name__)

TIMEOUT = 300  # seconds
PREFIX = "smo:statistics:v1"
GLOBAL = "all"


def _database() -> str:
    """The database the figures come from: a cache (Redis) shared by several
    installations or test runs never mixes their organisations."""
    db = connection.settings_dict
    return hashlib.sha256(f"{db.get('HOST')}:{db.get('PORT')}:{db.get('NAME')}".encode()).hexdigest()[:12]


def _version_key(scope: int | str) -> str:
    return f"{PREFIX}:{_database()}:version:{scope}"


def _new_version(scope: int | str) -> None:
    try:
        cache.set(_version_key(scope), uuid.uuid4().hex, None)
    except Exception:  # the cache is an optimisation; entries still expire (TIMEOUT)
        logger.warning("statistics cache: version of %s not bumped", scope, exc_info=True)


def bump(organisation_id: int | None) -> None:
    """Absence data of the organisation changed (None: of an organisation
    not known here): its cached statistics are no longer used."""
    scope = GLOBAL if organisation_id is None else organisation_id
    _new_version(scope)
    pending = getattr(transaction.get_connection(), "run_on_commit", ())
    if any(getattr(entry[1], "statistics_scope", None) == scope for entry in pending):
        return  # one bump at commit per organisation is enough (a cascade, a batch)

    def at_commit() -> None:
        _new_version(scope)

    at_commit.statistics_scope = scope
    transaction.on_commit(at_commit, robust=True)


def _versions(organisation_ids: list[int]) -> tuple[str, dict[int, str]]:
    """The global data version and that of each organisation (one read)."""
    keys = {scope: _version_key(scope) for scope in [GLOBAL, *organisation_ids]}
    found = cache.get_many(list(keys.values()))
    missing = [key for key in keys.values() if key not in found]
    for key in missing:
        cache.add(key, uuid.uuid4().hex, None)
    if missing:
        found = cache.get_many(list(keys.values()))
    return found[keys[GLOBAL]], {oid: found[keys[oid]] for oid in organisation_ids}


def cached_many(
    organisation_ids: list[int], name: str, parts: tuple, compute: Callable[[list[int]], dict[int, Any]]
) -> dict[int, Any]:
    """Per organisation, its value stored earlier for the same data version,
    ``name`` and ``parts`` (e.g. the periods); ``compute(ids)`` gives the
    values of those not stored, all at once (one query for them all)."""
    ids = list(dict.fromkeys(organisation_ids))
    try:
        global_version, versions = _versions(ids)
    except Exception:
        logger.warning("statistics cache unavailable", exc_info=True)
        return compute(ids) if ids else {}
    digest = hashlib.sha256(repr(parts).encode()).hexdigest()[:32]
    prefix = f"{PREFIX}:{_database()}:{name}"
    keys = {oid: f"{prefix}:{oid}:{global_version}:{versions[oid]}:{digest}" for oid in ids}
    try:
        stored = cache.get_many(list(keys.values()))
    except Exception:
        logger.warning("statistics cache unavailable", exc_info=True)
        stored = {}
    values = {}
    for oid, key in keys.items():
        entry = stored.get(key)
        if entry is not None and entry[0] == parts:
            values[oid] = entry[1]
    missing = [oid for oid in ids if oid not in values]
    if missing:
        computed = compute(missing)
        values.update(computed)
        for oid in missing:
            try:
                cache.set(keys[oid], (parts, computed[oid]), TIMEOUT)
            except Exception:
                logger.warning("statistics cache: not stored", exc_info=True)
    return values


def cached(organisation_id: int, name: str, parts: tuple, compute: Callable[[], Any]) -> Any:
    """``compute()``, or its result stored earlier for the same organisation,
    data version, ``name`` and ``parts`` (e.g. the periods)."""
    return cached_many([organisation_id], name, parts, lambda _ids: {organisation_id: compute()})[
        organisation_id
    ]
