"""Permission-matrix entries of the security pages (filled in with their views)."""

from __future__ import annotations

from .matrix_support import Entry

ENTRIES: dict[str, Entry] = {}
