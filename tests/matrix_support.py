"""Building blocks of the permission matrix (tests/test_permission_matrix.py)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .conftest import MATRIX_ROLES

SIGNED_IN = tuple(r for r in MATRIX_ROLES if r != "anonymous")


def statuses(default: int, **overrides: int) -> dict[str, int]:
    unknown = set(overrides) - set(MATRIX_ROLES)
    assert not unknown, unknown
    return {role: overrides.get(role, default) for role in MATRIX_ROLES}


def logged_in(status: int, anonymous: int = 302, **overrides: int) -> dict[str, int]:
    """``status`` for every signed-in role, a login redirect for anonymous."""
    return statuses(status, anonymous=anonymous, **overrides)


def only(roles: tuple[str, ...], status: int = 200, others: int = 403) -> dict[str, int]:
    return statuses(others, anonymous=302, **dict.fromkeys(roles, status))


@dataclass
class Entry:
    url: Callable[[object], str]  # cast -> concrete URL
    expected: dict[str, int]
    method: str = "get"
    data: dict = field(default_factory=dict)
