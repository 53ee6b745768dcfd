"""Template helpers for accessibility (issue #8, item 4)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def described_widget(field):
    """Render ``field``'s widget with an ``aria-describedby`` that names its
    help text and its errors too.

    Django names them itself ("<id>_helptext", "<id>_error", the ids that
    templates/includes/field.html gives them) unless the form set its own
    ``aria-describedby`` on the widget (the R7a notice beside employer-side
    free text, a help panel): then it leaves them out, and a screen reader
    would not hear the error of the field it is on (WCAG 1.3.1, 3.3.1).
    """
    own = field.field.widget.attrs.get("aria-describedby")
    if not own or not field.auto_id or field.is_hidden or field.field.show_hidden_initial:
        return str(field)
    ids = own.split()
    for suffix, present in (("_helptext", field.help_text), ("_error", field.errors)):
        extra = f"{field.auto_id}{suffix}"
        if present and extra not in ids:
            ids.append(extra)
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)})
