"""The medicines a clinician's own words name: "Sumatriptan 50 mg" as a plan's attack
medicine names the triptans, "Propranolol 80 mg" as its daily medicine the beta-blockers.

A visit handout prints cautions only for the medicines the patient takes, and a plan that
tells the patient which medicine to take says so. So the plan's two slots that say which
medicine (the attack medicine, the daily medicine) are read for the names a clinician may
type (:attr:`handouts.content.model.Library.medicine_terms`: an id, a name, another name,
a brand), as whole words, whatever the case and accents ("sumatriptán" is "sumatriptan"),
one or many ("a triptan", "SNRIs", "betabloqueador"), with a space for a hyphen ("beta
blockers"). A brand is taken only where it is written with a capital, as brands are:
"Rayos" (a prednisone) is a brand, "rayos" a word. A slot is read up to its first word
that says not (:data:`NOT`: "no", "not", "never", "avoid", "instead", "sin", "nunca" …):
"Rizatriptan 10 mg; never with ergotamine, DHE or ibuprofen" names the triptans only, and
"None for now" or "Do not stop propranolol" nothing. So a medicine named after such a
word is missed, as one typed anywhere was before ("Paracetamol; if no relief, sumatriptan"
names paracetamol only), but is never taken for one the patient takes when the clinician
says not to take it (a review found a rule by each part of the sentence wrong both ways,
and a wrong card pushes out what the patient needs). Other slots are not read:
"what to add" is where a clinician writes what not to take. Low-dose aspirin ("aspirin
81 mg", "baby aspirin") names nothing (:func:`low_dose_aspirin`). The words are read,
never kept: what comes out is medicine ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SLOT_MOST = 300
"""The most characters of a slot read (a plan slot holds at most this many)."""
NOT = re.compile(
    r"(?<!\w)(?:no|not|non|none|nor|never|avoid|avoiding|without|instead|rather|except"
    r"|but|skip|skipping|unless|cannot|can['\u2019\u00b4`\u02bc]?t|don['\u2019\u00b4`\u02bc]?t"
    r"|doesn['\u2019\u00b4`\u02bc]?t|shouldn['\u2019\u00b4`\u02bc]?t|allergic|contraindicated"
    r"|ni|sin|nunca|ningun|ninguno|ninguna|nada|evite|evitar|evitese|tampoco|alergico"
    r"|excepto|salvo"
    r"|contraindicado|en vez|en lugar)(?!\w)"
)
"""Words (folded: :func:`fold`) that say not, in English and Spanish: a slot is read up to
the first of them."""
LOW_DOSE_MOST_MG = 162
"""The most milligrams of aspirin that is low-dose aspirin (75 to 162 mg, taken each day
to prevent clots, or in pregnancy to prevent pre-eclampsia), not a painkiller (300 mg
and more)."""
_ASPIRIN = (
    r"(?:aspirin|aspirina|asa|aas|ecotrin|bufferin"
    r"|acetylsalicylic\s+acid|[aá]cido\s+acetilsalic[ií]lico)"
)
"""Aspirin by its names (and the brands that are aspirin alone), in English and Spanish."""
ASPIRIN = re.compile(rf"(?<!\w){_ASPIRIN}(?!\w)", re.IGNORECASE)
"""Aspirin by name, of no dose (in a record that names low-dose aspirin, its codes' other
names: "aspirin" beside "aspirin 81 MG Oral Tablet")."""
_FORM = (
    r"(?:ec|e\.c\.|enteric[-\s]*coated|coated|chewable|dispersible|soluble|delayed[-\s]+"
    r"release|oral|tablets?|tabs?|masticable|gastrorresistente|comprimidos?|efervescente"
    r"|\(\s*[aá]cido\s+acetilsalic[ií]lico\s*\)|\(\s*acetylsalicylic\s+acid\s*\))"
)
"""Words for a tablet's form that may come between aspirin's name and its dose ("Aspirin
EC 81 mg", "aspirin 81 MG Delayed Release Oral Tablet"): nothing else may, so that a
dose is never another medicine's ("Aspirin + codeine 30 mg", a review)."""
_DOSE = (
    r"(?:(?P<{0}_low>\d{{2,3}})[ \t]*[-–][ \t]*)?(?P<{0}>\d{{2,3}})[ \t]*mgs?"
    r"(?![ \t]*(?:[x×*]|[-–]|(?:to|or|and|a|o|y|hasta)\b)[ \t]*\d)"
)
"""A dose in milligrams ("81 mg", "81mgs"; of a range, "75-150 mg", each end), not one
times a number of tablets ("81 mg x 4"), nor the first of two ("81 mg or 325 mg", "75 mg
- 300 mg")."""
_END = (
    r"(?=[ \t]*(?:$|[;\n)+]|/(?![ \t]*\d)|,(?![ \t]*\d)|(?:daily|once|od|qd|each|every"
    r"|a[ \t]+day|per[ \t]+day|po|oral|al[ \t]+d[ií]a|diari[ao]|cada|ec|chewable"
    r"|masticable)\b))"
)
"""What may follow a dose that is aspirin's only where it ends the item: the item's end,
or words of how often or how it is taken ("ASA 81 daily"), never another number, unit or
medicine ("aspirin, 50 mg sumatriptan", a review: the dose was sumatriptan's)."""
_BARE = r"(?P<bare>75|80|81|100|150|162)"
"""A low dose written without its unit ("ASA 81 daily"): only the strengths low-dose
aspirin comes in, and only where it ends the item (:data:`_END`): not a count of days or
tablets, nor the first of two numbers ("aspirin 100 days", "aspirina 100 a 500 mg")."""
_LOW_DOSE = re.compile(
    rf"(?<!\w)(?:(?:low|lower)[-\s]*dose\s+{_ASPIRIN}|baby\s+{_ASPIRIN}"
    rf"|{_ASPIRIN}\s+(?:a\s+)?(?:dosis\s+bajas?|infantil|low[-\s]*dose)"
    # its dose right after it, or in brackets ("Aspirin (81 mg)"); after a comma, or with
    # no unit, only where the dose ends the item
    rf"|{_ASPIRIN}(?:[ \t]+{_FORM})*(?:(?P<comma>[ \t]*,)|[ \t]*\()?[ \t]*"
    rf"(?:{_DOSE.format('mg')}(?(comma){_END}|[ \t]*\)?)|{_BARE}[ \t]*\)?{_END})"
    # a dose before the name only where an item starts (a review: "Sumatriptan 50 mg /
    # Aspirin 900 mg" took sumatriptan's dose), and not where aspirin has its own after
    rf"|(?<![^\n;,+(/])[ \t]*{_DOSE.format('first')}(?:[ \t]+{_FORM})*[ \t]+"
    rf"(?:of[ \t]+|de[ \t]+)?{_ASPIRIN}(?![ \t]*\d))(?!\w)",
    re.IGNORECASE,
)
_ONLY = re.compile(
    r"(?:[\W\d_]|\b(?:mg|daily|a|day|once|od|each|every|morning|night|at|in|the|tablets?"
    r"|al|d[ií]a|diaria|diario|cada|por|la|ma[nñ]ana|noche|una|vez)\b)*",
    re.IGNORECASE,
)
"""What may be left of a medicine's name once low-dose aspirin is taken out of it, for
the name to be low-dose aspirin alone ("Low dose aspirin 75 mg daily"): numbers,
marks, and words of how often."""


def only_low_dose_aspirin(text: str) -> bool:
    """Whether ``text`` (a listed medicine) is low-dose aspirin and nothing else."""
    spans = low_dose_aspirin(text)
    return bool(spans) and bool(_ONLY.fullmatch(_blanked(text, spans)))


def low_dose_aspirin(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names low-dose aspirin ("low-dose aspirin", "baby aspirin", "Aspirin
    81 MG Oral Tablet", "81 mg aspirin", "Ecotrin 81 mg", "aspirina 100 mg", "AAS a dosis
    bajas"): the spans. It is no painkiller: the NSAIDs' card and the painkiller days are
    about aspirin for pain, and a review found a patient with lupus on daily aspirin told
    to take it on fewer than 15 days a month. A dose over :data:`LOW_DOSE_MOST_MG` mg is a
    painkiller's; "aspirin" alone, of no dose, is an NSAID; so is aspirin with a dose that
    comes after other words ("Aspirin + codeine 30 mg": it may be another medicine's), and
    low-dose aspirin with a painkiller's dose or use after it (:func:`_for_pain_after`)."""
    spans = []
    for m in _LOW_DOSE.finditer(text):
        doses = [int(d) for d in (m["mg"], m["mg_low"], m["first"], m["first_low"], m["bare"])
                 if d is not None]  # fmt: skip
        if all(0 < d <= LOW_DOSE_MOST_MG for d in doses) and not _for_pain_after(text, m.end()):
            spans.append(m.span())
    return spans


_AFTER = re.compile(
    r"(?P<number>\d+(?:[.,]\d+)?)[ \t]*(?P<unit>mgs?|gm?s?|grams?|gramos?)?(?![^\W\d_])"
    r"(?P<count>[ \t]*(?:tabs?|tablets?|comprimidos?|caps?|capsules?|c[aá]psulas?|pills?)\b)?"
    r"|(?P<word>[^\W\d_]+)|(?P<times>[x×*])[ \t]*(?P<many>\d+)",
    re.IGNORECASE,
)
_AFTER_WORDS = frozenset((
    "mg", "mgs", "daily", "once", "twice", "a", "day", "days", "per", "each", "every", "od",
    "qd", "bd", "bid", "po", "oral", "orally", "ec", "enteric", "coated", "delayed", "release",
    "chewable", "dispersible", "soluble", "effervescent", "morning", "night", "evening", "at",
    "in", "the", "with", "food", "and", "or", "plus", "y", "o", "mas", "to", "then", "after",
    "before", "tab", "tabs", "tablet", "tablets", "al", "dia", "diario", "diaria", "diarios",
    "diarias", "cada", "por", "la", "el", "de", "del", "manana", "noche", "una", "vez",
    "veces", "comprimido", "comprimidos", "con", "comida", "masticable", "gastrorresistente",
    "low", "dose", "dosis", "baja", "bajas", "for", "para", "si", "as", "if", "when", "cuando",
))  # fmt: skip
"""Words that may follow low-dose aspirin's dose in its own item: how often, how and
when it is taken, its form (folded: no accents)."""
_PAIN_WORDS = frozenset((
    "prn", "needed", "need", "necesario", "necesidad", "headache", "headaches", "migraine",
    "migraines", "pain", "painful", "ache", "aches", "dolor", "dolores", "cefalea", "cefaleas",
    "migrana", "migranas", "fever", "fiebre", "hour", "hours", "hr", "hrs", "h", "hora",
    "horas",
))  # fmt: skip
"""Words after aspirin's dose that say it is taken for pain ("as needed", "every 4
hours", "for headache", "si dolor"), not daily against clots."""


def _for_pain_after(text: str, at: int) -> bool:
    """Whether what follows a low-dose aspirin's name from ``at``, up to the first word
    that is neither how nor how often it is taken (the next medicine's name, or other
    words), says it is aspirin for pain after all: a dose over
    :data:`LOW_DOSE_MOST_MG` mg or a number as high with no unit ("ASA 81 daily + 900 mg
    prn", a review), three tablets or more at a time, or a word of pain or as-needed
    use ("ASA 81 every 4 hours as needed for headache")."""
    for m in _AFTER.finditer(text, at):
        if m["word"] is not None:
            word = fold(m["word"])[0]
            if word in _PAIN_WORDS:
                return True
            if word not in _AFTER_WORDS:
                return False
        elif m["times"] is not None:
            if int(m["many"]) > 2:
                return True
        else:
            raw = m["number"]  # "1,000" and "1.000" are a thousand; "1.5" and "1,5" not
            thousands = len(raw) > 4 and raw[-4] in ",." and raw[:-4].isdigit()
            value = float(raw[:-4] + raw[-3:] if thousands else raw.replace(",", "."))
            unit = (m["unit"] or "").lower()
            if unit.startswith("g"):
                value *= 1000
            if m["count"] is not None and not unit:
                if value > 2:
                    return True
            elif value > LOW_DOSE_MOST_MG:
                return True
    return False


def without_low_dose_aspirin(text: str) -> str:
    """``text`` with each name of low-dose aspirin blanked out (as long as it was)."""
    return _blanked(text, low_dose_aspirin(text))


def _blanked(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


@dataclass(frozen=True)
class Finder:
    """The names of one library's medicines, to be found in typed words."""

    pattern: re.Pattern[str] | None
    """Every name, folded (:func:`fold`), longest first, as whole words apart by any
    spacing; None for none."""
    ids: Mapping[str, tuple[str, ...]]
    """Each folded name and the medicines it names."""
    brands: frozenset[str]
    """The folded names that are only brands (found only where written with a capital)."""
    capitals: frozenset[str] = frozenset()
    """The folded names that are only a class's letters (found only written in capitals or
    all in small letters: "AINE" or "aine", not "Aine", a name)."""
    upper: frozenset[str] = frozenset()
    """The folded brands written all in capitals (ASA, APAP): found only so written, not
    "Asa", a name (a review)."""


def finder_for(
    terms: Mapping[str, tuple[str, ...]], brands: Iterable[str], capitals: Iterable[str] = (),
    upper: Iterable[str] = (),
) -> Finder:  # fmt: skip
    """A finder for ``terms`` (a name in lower case and the medicines it names), of which
    ``brands`` are brand names only (taken as written; the others also one or many, and
    with a space for a hyphen), ``capitals`` a class's letters only, and ``upper`` the
    brands written all in capitals."""
    brands, capitals = set(brands), set(capitals)
    ids: dict[str, tuple[str, ...]] = {}
    only: set[str] = set()
    letters: set[str] = set()
    generic: set[str] = set()
    for term, named in terms.items():
        key = " ".join(fold(term)[0].split())
        if not key:
            continue
        keys = [key] if term in brands else _variants(key)
        (only if term in brands else letters if term in capitals else generic).update(keys)
        for k in keys:
            ids[k] = (*ids.get(k, ()), *(m for m in named if m not in ids.get(k, ())))
    names = sorted(ids, key=lambda k: (-len(k), k))
    # a name's words apart by any spacing, as typed ("valproic  acid", a line break)
    alts = (r"\s+".join(map(re.escape, name.split(" "))) for name in names)
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(alts) + r")(?!\w)") if names else None
    # a name that is a brand, or letters, and another's name too is a name: found as typed
    caps = {" ".join(fold(u)[0].split()) for u in upper} & only
    return Finder(pattern, ids, frozenset(only - generic), frozenset(letters - generic),
                  frozenset(caps - generic))  # fmt: skip


_BRACKETED = re.compile(r"(?P<before>[^()]*[^()\s])\s*\((?P<inside>[^()]+)\)")
_LETTERS = re.compile(r"(?<![^\W\d_])[A-Z]{3,}s?(?![^\W\d_])")


def name_parts(name: str) -> list[str]:
    """What a medicine's name also says on its own, as a clinician may type it: each side of
    a bracket ("Steroid tablets (corticosteroids)": "Steroid tablets", "corticosteroids";
    "Analgésicos antiinflamatorios (AINE)": "AINE"), and a class's letters
    (:func:`class_letters`)."""
    return list(dict.fromkeys([*bracket_parts(name), *class_letters(name)]))


def bracket_parts(name: str) -> list[str]:
    """A name ending in a bracket, as the words before it and the words in it (a content
    check sees that a bracket holds a name, not a remark); else none."""
    whole = _BRACKETED.fullmatch(name.strip())
    return [whole["before"], whole["inside"].strip()] if whole else []


def class_letters(name: str) -> list[str]:
    """The words of three or more capitals in a medicine's name, a class's letters ("SNRI
    medicines": "SNRI"; "Medicamentos anti-CGRP": "CGRP"; "NSAIDs")."""
    return [m.group() for m in _LETTERS.finditer(name)]


def _as_letters(typed: str) -> bool:
    """Whether ``typed`` is written as a class's letters are: in capitals, but for a
    plural's s ("AINEs"), or all in small letters ("cgrp"); not as a name is ("Aine")."""
    letters = "".join(ch for ch in typed if ch.isalpha())
    return letters.removesuffix("s").isupper() or letters.islower()


def _variants(name: str) -> list[str]:
    """``name`` as typed for one or many, in English or Spanish ("triptans", "triptan";
    "betabloqueadores", "betabloqueador"; "patch", "patches"), and with a space for a
    hyphen ("beta blockers")."""
    forms = {name}
    if name.endswith("s") and len(name) > 4:
        forms |= {name[:-1], name[:-2]} if name.endswith("es") and len(name) > 5 else {name[:-1]}
    else:
        forms |= {name + "s", name + "es"}
    return sorted(forms | {f.replace("-", " ") for f in forms})


def fold(text: str) -> tuple[str, list[int]]:
    """``text`` in lower case without accents, and where in ``text`` each of its characters
    comes from (so that a name found is found at its place in what was typed)."""
    if text.isascii():  # (most typed words: no accents to take off)
        return text.lower(), list(range(len(text)))
    out: list[str] = []
    at: list[int] = []
    for n, ch in enumerate(text):
        bare = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
        low = bare.lower()
        out.append(low)
        at.extend([n] * len(low))
    return "".join(out), at


def named(slots: Iterable[str | None], finders: Sequence[Finder]) -> tuple[str, ...]:
    """The medicines ``slots`` name (each slot read up to :data:`SLOT_MOST` characters), in
    the order they are first named, each once; names from every finder (a library in the
    handout's language, and the English one)."""
    found: list[str] = []
    for slot in slots:
        if not slot:
            continue
        typed = slot[:SLOT_MOST]
        folded, at = fold(typed)
        folded = without_low_dose_aspirin(folded)
        refused = NOT.search(folded)
        end = len(folded) if refused is None else refused.start()
        hits: list[tuple[int, tuple[str, ...]]] = []
        for f in finders:
            for m in f.pattern.finditer(folded, 0, end) if f.pattern is not None else ():
                name = " ".join(m.group().split())
                if name in f.brands and not typed[at[m.start()]].isupper():
                    continue
                if name in f.upper and not typed[at[m.start()] : at[m.end() - 1] + 1].isupper():
                    continue
                if name in f.capitals and not _as_letters(
                    typed[at[m.start()] : at[m.end() - 1] + 1]
                ):
                    continue
                hits.append((m.start(), f.ids[name]))
        for _, ids in sorted(hits, key=lambda hit: hit[0]):
            found += [i for i in ids if i not in found]
    return tuple(found)
