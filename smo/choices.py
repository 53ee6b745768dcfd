"""``get_FOO_display()`` without rebuilding the field's choices on every call.

Django's ``Model._get_FIELD_display`` turns ``field.flatchoices`` into a new
dict on each call (about 28 µs); the vergadermodus and the agenda show the
status of 30 items twice each. :class:`ChoiceLabels` keeps that dict per
field. Only for fields with fixed choices (TextChoices), which is all this
project has; the labels stay lazy, so the active language still decides.
"""

from __future__ import annotations

import functools

from django.utils.encoding import force_str
from django.utils.hashable import make_hashable


@functools.cache
def _labels(field) -> dict:
    return dict(make_hashable(field.flatchoices))


class ChoiceLabels:
    """Mixin for a model (before ``models.Model`` in the bases)."""

    def _get_FIELD_display(self, field):
        value = getattr(self, field.attname)
        return force_str(_labels(field).get(make_hashable(value), value), strings_only=True)
