"""Audit trail helpers (R13), on top of django-auditlog.

Free text that may hold private details is masked *completely* in the diff
(auditlog's default masks only half of a string), so the audit trail can be
read by the privacy officer without exposing content. Every entry carries the
organisation (and where relevant the employee) in ``additional_data``, so the
privacy officer's view is scoped to their own organisations.
"""

from auditlog.models import LogEntry
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

MASK = "••••"

# What an entry is about: stable keys in the database, labels in the language
# of the reader.
MEDICAL_FILE_AUTHORISATION = "medical_file_authorisation"
DEPARTMENT_MANAGER = "department_manager"
CASE_EXPERT = "case_expert"
AUDIT_LOG = "audit_log"
WHAT_LABELS = {
    MEDICAL_FILE_AUTHORISATION: _("autorisatie medisch dossier"),
    DEPARTMENT_MANAGER: _("leidinggevende van afdeling"),
    CASE_EXPERT: _("casemanager/expert van casus"),
    AUDIT_LOG: _("auditlog"),
}


def describe(entry: LogEntry) -> None:
    """Attach display labels to ``entry``: what it concerns and the names of
    the changed fields, never their values. No queries."""
    what = (entry.additional_data or {}).get("what")
    entry.what_label = WHAT_LABELS.get(what, what or "")
    model = entry.content_type.model_class()
    labels = []
    for name in entry.changes_dict:
        try:
            labels.append(str(model._meta.get_field(name).verbose_name))
        except (FieldDoesNotExist, AttributeError):
            labels.append(str(WHAT_LABELS.get(name, name)))
    entry.field_labels = labels


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
