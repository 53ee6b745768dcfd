"""Form helpers shared by the views of every app."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, field_map: dict[str, str] | None = None) -> None:
    """Put a service's ValidationError onto the form: on the field it names
    (renamed through ``field_map`` where the service and form differ), else
    as a form-wide error."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            name = (field_map or {}).get(field, field)
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, error)


class _FetchedChoiceIterator(forms.models.ModelChoiceIterator):
    """The choices in one ordinary query: ModelChoiceIterator reads them
    with .iterator(), on PostgreSQL a server-side cursor (DECLARE, FETCH and
    CLOSE: three round trips), meant for long lists."""

    def __iter__(self):
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)


class ShortListChoiceField(forms.ModelChoiceField):
    """A ModelChoiceField for a short list (a dozen departments) on a page
    that is opened often: its choices cost one plain query."""

    iterator = _FetchedChoiceIterator
