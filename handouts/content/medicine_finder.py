"""The medicines a clinician's own words name: "Sumatriptan 50 mg" as a plan's attack
medicine names the triptans, "Propranolol 80 mg" as its daily medicine the beta-blockers.

A visit handout prints cautions only for the medicines the patient takes, and a plan that
tells the patient which medicine to take says so. So the plan's two slots that say which
medicine (the attack medicine, the daily medicine) are read for the names a clinician may
type (:attr:`handouts.content.model.Library.medicine_terms`: an id, a name, another name,
a brand), as whole words, whatever the case and accents ("sumatriptán" is "sumatriptan"),
one or many ("a triptan", "SNRIs", "betabloqueador"), with a space for a hyphen ("beta
blockers"). A brand is taken only where it is written with a capital, as brands are:
"Rayos" (a prednisone) is a brand, "rayos" a word. A name after a word that says not to
take it, in the same part of the sentence ("Rizatriptan 10 mg; not within 24 hours of an
ergot", "none, stop propranolol", "sin ibuprofeno"), is not taken (:data:`NOT`). Other slots are
not read: "what to add" is where a clinician writes what not to take. The words are
read, never kept: what comes out is medicine ids.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

SLOT_MOST = 300
"""The most characters of a slot read (a plan slot holds at most this many)."""
NOT = re.compile(
    r"(?<!\w)(?:no|not|non|none|nor|never|avoid|avoiding|stop|stopped|stopping|hold|held"
    r"|without|instead|don['\u2019]?t|doesn['\u2019]?t|ni|sin|nunca|ningun|ninguno|ninguna|evite|evitar"
    r"|suspenda|suspender|suspendido|deje|dejar|pare|parar|en vez)(?!\w)"
    r"(?!\s+(?:more|mas|later|sooner|earlier|before|antes|despues)(?!\w))"
)
"""Words (folded: :func:`fold`) that say not to take what follows them in the same part
of a sentence, in English and Spanish; not a limit ("no more than 2 sumatriptan a
day", "no más de 2")."""
CLAUSE = re.compile(r"[;:,.()\[\]\n\u2013\u2014]|\s-\s")
"""What ends a part of a sentence: a name after one of these is not negated by a word
before it ("Sumatriptan 50 mg; no NSAIDs" takes sumatriptan, not the NSAIDs)."""


@dataclass(frozen=True)
class Finder:
    """The names of one library's medicines, to be found in typed words."""

    pattern: re.Pattern[str] | None
    """Every name, folded (:func:`fold`), longest first, as a whole word; None for none."""
    ids: Mapping[str, tuple[str, ...]]
    """Each folded name and the medicines it names."""
    brands: frozenset[str]
    """The folded names that are only brands (found only where written with a capital)."""


def finder_for(terms: Mapping[str, tuple[str, ...]], brands: Iterable[str]) -> Finder:
    """A finder for ``terms`` (a name in lower case and the medicines it names), of which
    ``brands`` are brand names only (taken as written; the others also one or many, and
    with a space for a hyphen)."""
    brands = set(brands)
    ids: dict[str, tuple[str, ...]] = {}
    only: set[str] = set()
    for term, named in terms.items():
        key = fold(term)[0].strip()
        if not key:
            continue
        keys = [key] if term in brands else _variants(key)
        for k in keys:
            ids[k] = (*ids.get(k, ()), *(m for m in named if m not in ids.get(k, ())))
        if term in brands:
            only.add(key)
    names = sorted(ids, key=lambda k: (-len(k), k))
    pattern = (
        re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)") if names else None
    )
    # a name that is a brand and another's name too is a name: found as typed
    generic = {k for t in terms if t not in brands for k in _variants(fold(t)[0].strip())}
    return Finder(pattern, ids, frozenset(only - generic))


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
        hits: list[tuple[int, tuple[str, ...]]] = []
        for f in finders:
            for m in f.pattern.finditer(folded) if f.pattern is not None else ():
                if m.group() in f.brands and not typed[at[m.start()]].isupper():
                    continue
                if _negated(folded, m.start()):
                    continue
                hits.append((m.start(), f.ids[m.group()]))
        for _, ids in sorted(hits, key=lambda hit: hit[0]):
            found += [i for i in ids if i not in found]
    return tuple(found)


def _negated(folded: str, start: int) -> bool:
    """Whether a word before ``start``, in the same part of the sentence, says not to take
    what is named there (:data:`NOT`, :data:`CLAUSE`)."""
    before = folded[:start]
    ends = [m.end() for m in CLAUSE.finditer(before)]
    return NOT.search(before, ends[-1] if ends else 0) is not None
