"""Clinical-safety rules for ``handouts check``: the kinds of error a clinical review found.

Each rule reads the loaded library and yields ``(file, line, message)`` for what it finds;
``check`` reports them as errors (rule ``safety``). The rules:

- **flag twins**: two red flags whose words nearly match (one sign, said twice, perhaps in
  two tiers);
- **flag tiers**: a red flag whose words include a ``minimum_tiers`` phrase (stroke signs,
  pregnancy headache, self-harm …) but sits in a less urgent tier;
- **flags required**: content that mentions what a red flag is ``required_when`` (infection,
  mood, a chronic pain condition) but does not list that flag;
- **numbers by hand**: a figure written just before a phrase that belongs to a number of
  ``numbers.yaml`` ("10 days a month") instead of its placeholder;
- **named conditions**: a text that names a condition but can print in a handout that does not
  cover it (a medicine card's point without ``for:``, a combination rule whose ``when`` does not
  need it, a step or a red flag listed for another condition);
- **drafts**: a review that says it needs sign-off but is not marked ``draft: true``, and any
  draft (a warning: builds refuse it without ``--allow-draft``).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from itertools import combinations

from handouts.content import text
from handouts.content.load import Key
from handouts.content.medicine_finder import NOT, bracket_parts, fold
from handouts.content.model import AREAS, PARTS, TIER_RANK, Caution, Claim, Library, Medicine

Found = tuple[str, int | None, str]
"""(file, line, message)."""

TWIN_RATIO = 0.7
"""Two red flags whose sets of meaningful words overlap this much say the same sign."""
SMALL_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "do",
        "for",
        "from",
        "has",
        "have",
        "if",
        "in",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "the",
        "to",
        "with",
        "you",
        "your",
        "this",
        "that",
    ]
)
_NOT_SIGNED = (
    r"(?:needs?|requires?|awaiting|waiting for|pending|without|before)\s+"
    r"(?:a |clinical |medical |clinician |clinician's )*(?:sign[- ]?off|review|check)"
    r"|sign[- ]?off (?:pending|needed|required)|not (?:yet )?(?:reviewed|signed off|checked)"
    r"|unreviewed|\btodo\b"
)
SIGN_OFF = re.compile(rf"{_NOT_SIGNED}|\bdraft\b", re.I)
"""Words in ``reviewed_by`` that say the content is not yet signed off."""
SIGN_OFF_NOTE = re.compile(_NOT_SIGNED, re.I)
"""The same in a source's title, where "Draft guideline ..." can be the real title."""


def findings(lib: Library) -> Iterator[Found]:
    yield from flag_twins(lib)
    yield from flag_tiers(lib)
    yield from flags_required(lib)
    yield from numbers_by_hand(lib)
    yield from named_conditions(lib)
    yield from name_brackets(lib)


_REMARK = frozenset(
    {
        *("if", "as", "when", "needed", "required", "only", "daily", "per", "prn", "for"),
        *("with", "take", "use", "si", "cuando", "necesario", "necesita", "hace", "falta"),
        *("solo", "diario", "para", "con", "tome"),
    }
)
"""Words of a remark ("if needed", "si hace falta"), not of a name."""


def name_brackets(lib: Library) -> Iterator[Found]:
    """A bracket in a medicine's name holds another name for it: a clinician typing either
    side in a plan names the medicine (:mod:`handouts.content.medicine_finder`), so a
    remark there ("if needed") would bring its cards for everyday words. In each language."""
    for med in lib.medicines.values():
        inside = bracket_parts(med.name)[1:]
        words = set(fold(inside[0])[0].split()) if inside else set()
        if inside and (len(words) > 3 or NOT.search(fold(inside[0])[0]) or words & _REMARK):
            file = lib.files[f"medicine:{med.id}"]
            yield (
                file,
                _line(lib, file, ("name",)),
                f"name: '{med.name}' ends in a bracket that is not another name for the "
                "medicine (at most 3 words, none saying not, if or when): typed in a plan, "
                "each side of it names the medicine; put a remark elsewhere",
            )


def _line(lib: Library, file: str, path: Key) -> int | None:
    return lib.docs[file].line(path)


def _flag_at(lib: Library, flag_id: str) -> tuple[str, int | None]:
    file = lib.files[f"flag:{flag_id}"]
    return file, lib.docs[file].item_line("flags", flag_id)


def _tokens(s: str) -> list[str]:
    """The meaningful words of ``s``, placeholders and small words left out, so "numbness
    of an arm or a leg" and "numbness in an arm or leg" read alike."""
    words = re.findall(r"[a-z0-9']+", text.PLACEHOLDER.sub(" ", s).lower())
    return [w for w in words if w not in SMALL_WORDS]


def _words(s: str) -> frozenset[str]:
    return frozenset(_tokens(s))


LOOSE_FROM = 3
"""A phrase of this many meaningful words or more also matches with other small words in
it; a shorter one ("after birth", "worst headache") only as written, or it would match too
much ("after the birth of your baby", "your worst headaches come more often")."""


def _says(flag_text: str, phrase: str) -> bool:
    """Whether a flag says ``phrase``: as written, or (a long phrase) with other small words
    in it, within one clause (a comma or full stop ends the match)."""
    if text.mentions(flag_text, phrase):
        return True
    want = _tokens(phrase)
    if len(want) < LOOSE_FROM:
        return False
    for clause in re.split(r"[,.;:!?]", flag_text):
        have = _tokens(clause)
        if any(have[i : i + len(want)] == want for i in range(len(have) - len(want) + 1)):
            return True
    return False


def flag_twins(lib: Library) -> Iterator[Found]:
    """Two red flags that say nearly the same thing: one sign, defined once."""
    words = {f.id: _words(f.text) for f in lib.red_flags.values()}
    for a, b in combinations(lib.red_flags.values(), 2):
        wa, wb = words[a.id], words[b.id]
        if not wa or not wb:
            continue
        overlap = len(wa & wb) / min(len(wa), len(wb))
        if overlap >= TWIN_RATIO:
            file, line = _flag_at(lib, b.id)
            where, at = _flag_at(lib, a.id)
            yield (
                file,
                line,
                f"red flag '{b.id}' ({b.tier}) nearly repeats '{a.id}' ({a.tier}, {where}:{at}): "
                "say a sign once, in one tier, and list its id wherever it applies",
            )


def flag_tiers(lib: Library) -> Iterator[Found]:
    """A sign the catalogue's ``minimum_tiers`` say is more urgent than its tier."""
    for flag in lib.red_flags.values():
        for rule in lib.minimum_tiers:
            if TIER_RANK[flag.tier] <= TIER_RANK[rule.tier]:
                continue
            worded = [flag.text, flag.short or ""]  # the visit handout's words too
            said = next((p for p in rule.phrases for w in worded if _says(w, p)), None)
            if said:
                file, line = _flag_at(lib, flag.id)
                yield (
                    file,
                    line,
                    f"red flag '{flag.id}' is in '{flag.tier}' but mentions '{said}': it belongs "
                    f"in '{rule.tier}' ({rule.why})",
                )


def _prose(lib: Library, key: str) -> str:
    """The reader's words of one condition or medicine file."""
    doc = lib.docs[lib.files[key]]
    return " ".join(
        v
        for path, v in doc.walk()
        if isinstance(v, str) and path and path[-1] in ("text", "action")
    )


PRINTED = ("text", "action", "total", "short", "how_to_count")
"""Content fields a reader sees (``short``: the visit handout's words for a caution, a
rule or a red flag), where a number must come from its placeholder."""


def flags_required(lib: Library) -> Iterator[Found]:
    """Content that mentions what a red flag is required for lists that flag."""
    items = [(f"condition:{c.id}", c.red_flags, c.chronic_pain) for c in lib.conditions.values()]
    items += [(f"medicine:{m.id}", m.red_flags, False) for m in lib.medicines.values()]
    prose = {key: _prose(lib, key) for key, _, _ in items}  # read each file's words once
    for flag in lib.red_flags.values():
        need = flag.required_when
        if need is None:
            continue
        for key, listed, chronic_pain in items:
            if flag.id in listed:
                continue
            said = next((p for p in need.mentions if text.mentions(prose[key], p)), None)
            why = f"mentions '{said}'" if said else "is a chronic pain condition"
            if said or (need.chronic_pain and chronic_pain):
                file = lib.files[key]
                yield (
                    file,
                    _line(lib, file, ("red_flags",)),
                    f"{key.split(':')[1]} {why} but does not list the red flag '{flag.id}' "
                    f"({flag.tier}): add it to red_flags",
                )


def numbers_by_hand(lib: Library) -> Iterator[Found]:
    """A figure written by hand where a number of numbers.yaml belongs."""
    by_phrase: dict[str, list[str]] = {}
    for number in lib.numbers.values():
        for phrase in number.written_near:
            by_phrase.setdefault(" ".join(phrase.lower().split()), []).append(number.id)
    if not by_phrase:
        return
    listed = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in sorted(by_phrase, key=len)[::-1])
    figure = rf"\d[\d,.]*\+?|{'|'.join(FIGURE_WORDS)}"
    pattern = re.compile(rf"\b({figure})\s+(?:[a-z]+\s+){{0,3}}?({listed})\b", re.I)
    rule = lib.painkiller_days
    limits = {rule.limit, rule.limit_one_simple} if rule else set()
    about = {n.id: _about(lib, n.about) for n in lib.numbers.values()}
    card_of = {lib.files[f"medicine:{m.id}"]: m for m in lib.medicines.values()}
    for file, doc in lib.docs.items():
        # on a medicine's card, "take them on fewer than..." is about that medicine
        card = " ".join(_names_of(card_of[file])) if file in card_of else ""
        for path, value in doc.walk():
            if not (isinstance(value, str) and path and path[-1] in PRINTED):
                continue
            for m in pattern.finditer(value):
                said = f"{_sentence_at(value, m.start())} {card}"
                ids = [
                    i
                    for i in by_phrase[" ".join(m.group(2).lower().split())]
                    if not about[i] or any(text.mentions(said, w) for w in about[i])
                ]
                if not ids:
                    continue
                use = " or ".join(f"{{{{ numbers.{i} }}}} ({lib.numbers[i].value})" for i in ids)
                yield (
                    file,
                    doc.line(path),
                    f"'{m.group(0)}' writes a number by hand; it is defined once in "
                    f"numbers.yaml: write {use}"
                    + (", or {{ painkillers.limit }}" if limits & set(ids) else ""),
                )


def _names_of(med: Medicine) -> list[str]:
    plain = re.sub(r"\s*\(.*?\)", "", med.name)
    return [
        med.id,
        med.name,
        plain,
        *([med.short_name] if med.short_name else []),
        *med.also_called,
    ]


def _about(lib: Library, words: tuple[str, ...]) -> list[str]:
    """A number's ``about`` words, a medicine id standing for all that medicine's names."""
    found: list[str] = []
    for w in words:
        med = lib.medicines.get(w)
        found += _names_of(med) if med else [w]
    return found


FIGURE_WORDS = (
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
    "twenty",
    "thirty",
)
"""Figures written as words, which count as figures written by hand."""


def _sentence_at(s: str, at: int) -> str:
    start = max(s.rfind(". ", 0, at), s.rfind("? ", 0, at), s.rfind("! ", 0, at)) + 1
    ends = [i for i in (s.find(". ", at), s.find("? ", at), s.find("! ", at)) if i >= 0]
    return s[start : min(ends) + 1 if ends else len(s)]


def _names(lib: Library) -> dict[str, tuple[str, ...]]:
    """Each condition's names as a reader meets them."""
    return {
        c.id: tuple(dict.fromkeys((c.label, c.name, *c.other_names)))
        for c in lib.conditions.values()
    }


def _named(texts: Iterable[str], names: dict[str, tuple[str, ...]]) -> dict[str, str]:
    """The conditions ``texts`` name, each with the form found. An abbreviation (``AS``,
    ``MS``) counts only in capitals, so the word "as" does not name a condition."""
    joined = " ".join(texts)
    found: dict[str, str] = {}
    for cid, forms in names.items():
        for form in forms:
            if form.isupper():
                hit = re.search(rf"(?<![\w/]){re.escape(form)}(?![\w/])", joined) is not None
            else:
                hit = text.mentions(joined, form)
            if hit:
                found[cid] = form
                break
    return found


def named_conditions(lib: Library) -> Iterator[Found]:
    """A text that names a condition prints only in handouts that cover it."""
    names = _names(lib)
    for med in lib.medicines.values():
        file = lib.files[f"medicine:{med.id}"]
        parts: list[tuple[Key, Claim | Caution]] = [
            (("used_for", i), c) for i, c in enumerate(med.used_for)
        ]
        for part, _ in PARTS:
            parts += [((part, i), p) for i, p in enumerate(getattr(med, part))]
        for path, item in parts:
            texts = (
                [item.text, item.action, item.short or ""]
                if isinstance(item, Caution)
                else [item.text]
            )
            for cid, form in _named(texts, names).items():
                if cid not in item.for_:
                    yield (
                        file,
                        _line(lib, file, path),
                        f"names {form!r} but would print in any handout listing {med.id}: "
                        f"add 'for: [{cid}]'",
                    )
                elif len(item.for_) > 1:
                    others = ", ".join(f for f in item.for_ if f != cid)
                    yield (
                        file,
                        _line(lib, file, path),
                        f"names {form!r} but would also print in handouts that cover only "
                        f"{others} (its 'for' lists each): word it without the name, or give "
                        "each condition its own point",
                    )
    for rule in lib.rules:
        file = lib.files[f"rule:{rule.id}"]
        # a condition the rule names must be covered wherever it prints: one it needs
        # (conditions_all), or the only one of conditions_any
        any_ = set(rule.when.conditions_any)
        needed = {*rule.when.conditions_all, *(any_ if len(any_) == 1 else ())}
        worded = [rule.title or "", rule.text, rule.action, rule.short or ""]
        for cid, form in _named(worded, names).items():
            if cid not in needed:
                yield (
                    file,
                    lib.docs[file].item_line("rules", rule.id),
                    f"rule '{rule.id}' names {form!r}, which its 'when' does not need: "
                    "it would print in handouts that do not cover it",
                )
    listed_by: dict[str, set[str]] = {}
    for c in lib.conditions.values():
        for area, _ in AREAS:
            for sid in getattr(c.lifestyle, area):
                listed_by.setdefault(f"step:{sid}", set()).add(c.id)
        for fid in c.red_flags:
            listed_by.setdefault(f"flag:{fid}", set()).add(c.id)
    for m in lib.medicines.values():
        for fid in m.red_flags:
            listed_by.setdefault(f"flag:{fid}", set()).add(f"medicine {m.id}")
    for flag in lib.red_flags.values():
        if flag.always:
            listed_by.setdefault(f"flag:{flag.id}", set()).add("every handout")
    items = [(f"step:{s.id}", s.text) for s in lib.steps.values()]
    items += [(f"flag:{f.id}", f.text) for f in lib.red_flags.values()]
    for key, words in items:
        for cid, form in _named([words], names).items():
            others = sorted(listed_by.get(key, set()) - {cid})
            if others:
                kind, item_id = key.split(":")
                file, line = (
                    _flag_at(lib, item_id)
                    if kind == "flag"
                    else (lib.files[key], lib.docs[lib.files[key]].item_line("steps", item_id))
                )
                what = "red flag" if kind == "flag" else "step"
                yield (
                    file,
                    line,
                    f"{what} '{item_id}' names {form!r} but prints for "
                    f"{', '.join(others)} too: word it without the name, or split it",
                )


def drafts(lib: Library) -> Iterator[tuple[str, int | None, str, bool]]:
    """Reviews that need sign-off: (file, line, message, is_error). A review note in a
    source's title would print in the handout's source list under "Content checked"."""
    file = next((n for n in lib.docs if n.endswith("sources.yaml")), "sources.yaml")
    for key, source in lib.sources.items():
        said = SIGN_OFF_NOTE.search(source.title)
        if said:
            yield (
                file,
                lib.docs[file].line((key, "title")),
                f"source '{key}' says '{said.group(0)}' in its title, which prints in "
                "handouts: take the note out, and mark the reviews of the content that cites "
                "it 'draft: true' until a clinician signs it off",
                True,
            )
    for file, doc in lib.docs.items():
        for path, value in doc.walk():
            if not (isinstance(value, dict) and "reviewed_by" in value):
                continue
            who, draft = str(value.get("reviewed_by", "")), value.get("draft") is True
            said = SIGN_OFF.search(who)
            if said and not draft:
                yield (
                    file,
                    doc.line((*path, "reviewed_by")),
                    f"reviewed_by says '{said.group(0)}' but the review is not marked "
                    "'draft: true': mark it, so builds refuse it until it is signed off, "
                    "or record who signed it off",
                    True,
                )
            elif draft:
                yield (
                    file,
                    doc.line((*path, "draft")),
                    "draft content, not yet signed off: handouts refuse it without "
                    "--allow-draft, and then mark every page as a draft",
                    False,
                )
