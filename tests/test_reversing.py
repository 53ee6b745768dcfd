"""smo.reversing.url_for_each: the same URL as reverse(), one reverse() for
all rows (issue 8)."""

import pytest
from django.urls import reverse

from smo.reversing import url_for_each


@pytest.mark.parametrize(
    "name", ["agenda_remove", "item_open", "item_close", "case_detail", "meeting_detail"]
)
def test_the_same_url_as_reverse_for_every_pk(name):
    url_of = url_for_each(name)
    for pk in (1, 7, 42, 2147483647, 10**12):
        assert url_of(pk) == reverse(name, args=[pk])


def test_only_integer_pks():
    with pytest.raises(ValueError):
        url_for_each("case_detail")("1/../x")
