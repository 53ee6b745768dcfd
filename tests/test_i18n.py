"""Internationalisation: Dutch by default, English through locale/en.

The .mo files are build output (git-ignored), so this module compiles them
itself; ``make`` is not needed to run it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from asgiref.local import Local
from django.conf import settings
from django.core.management import call_command
from django.urls import reverse
from django.utils.translation import trans_real

PO_FILE = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.po"


@pytest.fixture(scope="session", autouse=True)
def compiled_messages():
    """Build the .mo files from the .po sources, then drop Django's cached
    catalogs so a catalog loaded before compiling is not reused."""
    call_command("compilemessages", ignore_patterns=[".venv"], verbosity=0)
    # What django.test.signals.language_changed does when LOCALE_PATHS changes.
    trans_real._translations = {}
    trans_real._default = None
    trans_real._active = Local()
    trans_real.translation_catalog_exists.cache_clear()


def switch_to_english(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")})
    assert response.status_code == 302


# --- the pages ---------------------------------------------------------------


def test_login_page_is_dutch_by_default(client):
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="nl"' in response.text
    assert "Inloggen" in response.text


def test_language_switch_gives_english_login_page(client):
    switch_to_english(client)
    response = client.get(reverse("login"))
    assert response.status_code == 200
    assert 'lang="en"' in response.text
    assert "Log in" in response.text
    # Case-sensitive on purpose: the URL path is /inloggen/.
    assert "Inloggen" not in response.text


def test_dutch_first_an_english_browser_still_gets_dutch_until_english_is_chosen(client):
    """Many Dutch users run an English browser; the product stays Dutch
    unless the user picks English in the language switch."""
    response = client.get(reverse("login"), headers={"accept-language": "en-US,en;q=0.9"})
    assert response.status_code == 200
    assert 'lang="nl"' in response.text
    assert "Inloggen" in response.text
    switch_to_english(client)
    response = client.get(reverse("login"), headers={"accept-language": "nl"})
    assert 'lang="en"' in response.text


def test_manager_home_page_in_english(cast):
    client = cast.client("manager")
    response = client.get(reverse("home"))
    assert "Mijn casussen" in response.text

    switch_to_english(client)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert 'lang="en"' in response.text
    assert "My cases" in response.text
    assert "Mijn casussen" not in response.text


# --- the catalog -------------------------------------------------------------


@dataclass
class Entry:
    msgctxt: str | None = None
    msgid: str = ""
    msgid_plural: str | None = None
    msgstrs: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)
    line: int = 0


_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def parse_po(path: Path) -> list[Entry]:
    """A small .po parser: entries with context, plurals, flags; obsolete
    (``#~``) entries are skipped. Enough for checking the catalog."""
    entries: list[Entry] = []
    entry = Entry()
    key: tuple[str, int | None] | None = None

    def finish():
        nonlocal entry, key
        if key is not None:
            entries.append(entry)
        entry, key = Entry(), None

    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,"):
            if key is not None and key[0] == "msgstr":
                finish()
            entry.flags.update(flag.strip() for flag in line[2:].split(","))
        elif line.startswith("#"):
            if key is not None and key[0] == "msgstr":
                finish()
        elif line.startswith('"'):
            assert key is not None, f"{path}:{number}: continuation line without a keyword"
            _append(entry, key, ast.literal_eval(line))
        else:
            match = _KEYWORD.match(line)
            assert match, f"{path}:{number}: cannot parse {raw!r}"
            keyword, index, value = match.groups()
            if keyword in ("msgctxt", "msgid") and key is not None and key[0] == "msgstr":
                finish()
            if keyword == "msgid":
                entry.line = number
            key = ("msgstr", int(index) if index else 0) if keyword.startswith("msgstr") else (keyword, None)
            _append(entry, key, ast.literal_eval(value))
    finish()
    return entries


def _append(entry: Entry, key: tuple[str, int | None], text: str) -> None:
    name, index = key
    if name == "msgstr":
        entry.msgstrs[index] = entry.msgstrs.get(index, "") + text
    else:
        setattr(entry, name, (getattr(entry, name) or "") + text)


def catalog() -> tuple[Entry, list[Entry]]:
    entries = parse_po(PO_FILE)
    header = [e for e in entries if e.msgid == "" and e.msgctxt is None]
    assert len(header) == 1, "the .po file needs exactly one header entry"
    return header[0], [e for e in entries if e is not header[0]]


def test_po_header():
    header, _ = catalog()
    assert "fuzzy" not in header.flags
    fields = dict(line.split(": ", 1) for line in header.msgstrs[0].splitlines() if ": " in line)
    assert fields["Language"] == "en"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"] == "nplurals=2; plural=(n != 1);"


def test_every_message_is_translated_and_none_is_fuzzy():
    _, entries = catalog()
    assert entries, "no messages in the catalog"
    fuzzy = [f"line {e.line}: {e.msgid!r}" for e in entries if "fuzzy" in e.flags]
    untranslated = [
        f"line {e.line}: {e.msgid!r}"
        for e in entries
        if not e.msgstrs or any(not s.strip() for s in e.msgstrs.values())
    ]
    assert not fuzzy, "fuzzy translations:\n" + "\n".join(fuzzy)
    assert not untranslated, "untranslated messages:\n" + "\n".join(untranslated)


_PLACEHOLDER = re.compile(r"%\((\w+)\)[sdif]|%[sdif]")


def _placeholders(text: str) -> set[str]:
    return {match.group(0) for match in _PLACEHOLDER.finditer(text)}


def test_translations_keep_the_placeholders():
    """msgfmt --check-format checks this too; this names the message."""
    _, entries = catalog()
    wrong = []
    for e in entries:
        if "python-format" not in e.flags:
            continue
        expected = _placeholders(e.msgid) | _placeholders(e.msgid_plural or "")
        for translation in e.msgstrs.values():
            found = _placeholders(translation)
            # A plural form may leave out the count ("one case"), never add one.
            if found - expected or (e.msgid_plural is None and found != expected):
                wrong.append(f"line {e.line}: {e.msgid!r} -> {translation!r}")
    assert not wrong, "placeholders differ:\n" + "\n".join(wrong)
