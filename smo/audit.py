"""Audit trail helpers (R13), on top of django-auditlog.

Free text that may hold private details is masked *completely* in the diff
(auditlog's default masks only half of a string), so the audit trail can be
read by the privacy officer without exposing content.
"""

from auditlog.models import LogEntry

MASK = "••••"


def mask_fully(value: str) -> str:
    """mask_callable for auditlog.register: hide the whole value."""
    return MASK if value not in ("", "None", None) else value


def log_access(instance, *, actor, what: str) -> LogEntry:
    """Record a read (NEN 7513 'read') of ``instance`` by ``actor``.

    ``what`` names the kind of item read; never content.
    """
    extra = {"what": what}
    get_additional = getattr(instance, "get_additional_data", None)
    if callable(get_additional):
        extra = {**get_additional(), **extra}
    return LogEntry.objects.log_create(
        instance,
        force_log=True,
        action=LogEntry.Action.ACCESS,
        changes=None,
        actor=actor,
        additional_data=extra,
    )
