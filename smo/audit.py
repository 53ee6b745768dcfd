"""Audit trail helpers (R13), on top of django-auditlog.

Free text that may hold private details is masked *completely* in the diff
(auditlog's default masks only half of a string), so the audit trail can be
read by the privacy officer without exposing content. Every entry carries the
organisation (and where relevant the employee) in ``additional_data``, so the
privacy officer's view is scoped to their own organisations.
"""

from auditlog.models import LogEntry

MASK = "••••"


def mask_fully(value: str) -> str:
    """mask_callable for auditlog.register: hide the whole value."""
    return MASK if value not in ("", "None", None) else value


def _record(instance, *, actor, action: int, what: str, changes=None) -> LogEntry:
    extra = {"what": what}
    get_additional = getattr(instance, "get_additional_data", None)
    if callable(get_additional):
        extra = {**get_additional(), **extra}
    return LogEntry.objects.log_create(
        instance, force_log=True, action=action, changes=changes, actor=actor, additional_data=extra
    )


def log_access(instance, *, actor, what: str) -> LogEntry:
    """Record a read (NEN 7513 'read') of ``instance`` by ``actor``.

    ``what`` names the kind of item read; never content.
    """
    return _record(instance, actor=actor, action=LogEntry.Action.ACCESS, what=what)


def log_authorisation(instance, *, actor, what: str, granted_to, granted: bool) -> LogEntry:
    """Record that ``granted_to`` got (or lost) an authorisation on ``instance``
    (e.g. a physician for an employee's medical file)."""
    name = granted_to.get_username()
    return _record(
        instance,
        actor=actor,
        action=LogEntry.Action.UPDATE,
        what=what,
        changes={what: ["", name] if granted else [name, ""]},
    )
