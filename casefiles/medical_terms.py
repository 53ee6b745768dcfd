"""R7a: the employer side never stores health data. One shared check flags
medical terms in employer-side free text (reintegration file, plan van aanpak,
agreements, and later the meeting minutes) so the writer can rephrase in
functional terms ("kan niet lang staan" instead of a diagnosis).

Matching is on whole words, case-insensitive, after normalising accents, so
"rug" flags "rug" and "rugklachten" (listed stems match word starts) but not
"terug". The list is deliberately conservative and extendable per
organisation (Organisation.extra_medical_terms, one term per line).
"""

from __future__ import annotations

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# Stems: a word that *starts with* one of these is flagged.
# fmt: off
STEMS = (
    # diagnoses and conditions
    "burn-out", "burnout", "depressi", "angststoorn", "paniekaanv", "ptss", "psychose", "psychiat",
    "kanker", "tumor", "chemo", "bestraling", "diabet", "suikerziek", "hernia", "artros", "reuma",
    "fibromyalg", "migraine", "epilep", "astma", "copd", "hartinfarct", "hartaanval", "herseninfarct",
    "beroerte", "zwanger", "miskraam", "overspannen", "verslav", "alcoholis", "adhd", "autisme",
    "bipolair", "schizofren", "dementie", "parkinson", "longcovid", "long-covid", "covid", "corona",
    "griep", "infectie", "ontsteking", "fractuur", "gebroken", "kneuzing", "whiplash", "slijtage",
    "tinnitus", "hoofdpijn", "rugpijn", "rugklacht", "nekklacht",
    # treatments and care
    "operatie", "geopereerd", "ziekenhuis", "fysiotherap", "psycholo", "psychotherap", "therapie",
    "revalid", "huisarts", "specialist", "neuroloog", "cardioloog", "oncolo", "orthoped", "chirurg",
    "ggz", "diagnose", "gediagnosticeerd",
    # medication
    "medicijn", "medicatie", "antidepress", "pijnstill", "oxazepam", "paracetamol", "ibuprofen",
    "insuline", "morfine", "slaapmiddel",
    # body parts
    "rug", "nek", "knie", "heup", "schouder", "elleboog", "pols", "hart", "long", "nier", "hersen",
    "darm", "maag", "borst", "baarmoeder", "prostaat",
)
# Exact words only. Left out on purpose, as everyday work language: "hand"
# ("aan de hand van"), "oog" ("met het oog op"), "hoofd" ("hoofd van de
# afdeling"), "arm" (poor), "enkel" (only), "behandel*" ("we behandelen je
# verzoek"), "opname"/"opgenomen" ("verlof opgenomen"), "verwijz*".
WORDS = frozenset({"been", "benen", "voet", "voeten", "ogen", "buik", "lever", "enkels", "cva"})
# Words starting with a stem that are ordinary Dutch, not medical.
NOT_MEDICAL = frozenset({
    "rugzak", "ruggespraak", "ruggensteun", "hartelijk", "hartelijke", "hartelijks", "hartstikke",
    "hartje", "longlist", "nekken", "kniesoor", "polsen", "borstel", "specialistisch",
})
# fmt: on

WORD_RE = re.compile(r"[\w-]+", re.UNICODE)


def _normal(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _organisation_terms(organisation) -> list[str]:
    if organisation is None:
        return []
    return [_normal(t.strip()) for t in organisation.extra_medical_terms.splitlines() if t.strip()]


def find_medical_terms(text: str, organisation=None) -> list[str]:
    """The words in ``text`` that look medical, in order, without repeats."""
    stems = tuple(_normal(s) for s in STEMS if not s.startswith("behandel")) + tuple(
        _organisation_terms(organisation)
    )
    found: list[str] = []
    for match in WORD_RE.finditer(text or ""):
        word = match.group(0)
        normal = _normal(word)
        if normal in NOT_MEDICAL:
            continue
        if (normal in WORDS or normal.startswith(stems)) and word not in found:
            found.append(word)
    return found


def check_no_medical_terms(text: str, organisation=None) -> None:
    """Raise a Dutch ValidationError naming the flagged words (R7a)."""
    found = find_medical_terms(text, organisation)
    if found:
        raise ValidationError(
            _(
                "Deze tekst lijkt medische informatie te bevatten (%(words)s). Aan werkgeverszijde "
                "mogen geen gezondheidsgegevens worden vastgelegd (R7a). Beschrijf het in functionele "
                "termen: wat kan de medewerker wel of niet, en welke afspraken zijn er?"
            )
            % {"words": ", ".join(f"“{w}”" for w in found)},
            code="medical_terms",
        )


class NoMedicalTermsFormMixin:
    """For forms with employer-side free text: list the fields in
    ``employer_text_fields``; each is checked with the organisation's terms.
    The form needs ``self.organisation`` (set it in __init__)."""

    employer_text_fields: tuple[str, ...] = ()
    organisation = None

    def clean(self):
        cleaned = super().clean()
        for name in self.employer_text_fields:
            value = cleaned.get(name)
            if value:
                try:
                    check_no_medical_terms(value, self.organisation)
                except ValidationError as error:
                    self.add_error(name, error)
        return cleaned
