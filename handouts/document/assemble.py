"""Stage 3: choose and merge content for one handout into a :class:`Document`.

For the conditions a handout covers: their key points, a section each, the
links among them, everyday steps merged without repeats, medicine cautions
(general ones plus the combination rules that fire), the three red-flag tiers
merged, space for notes, and the sources cited.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from itertools import combinations
from typing import Any

from handouts.content import language, text
from handouts.content.brand import Brand
from handouts.content.model import (
    AFTER_HOURS,
    AREAS,
    EVIDENCE_WORDS,
    PARTS,
    TIERS,
    Claim,
    Condition,
    Library,
    Link,
    Medicine,
    Review,
)
from handouts.content.text import strings
from handouts.document.document import (
    Block,
    Bullets,
    Caution,
    Checklist,
    Diary,
    Document,
    Heading,
    Item,
    Para,
    Point,
    Provenance,
    Section,
    SourceList,
    Tier,
    Tiers,
    WriteIn,
)
from handouts.document.request import Request
from handouts.memo import table

MAX_KEY_POINTS = 8
"""A multi-condition key-points box stays short enough to read at a glance."""
DISCLAIMER = "This handout supports, and does not replace, advice from your care team."
DRAFT_TITLE = "Draft: not yet reviewed"
DRAFT_TEXT = (
    "Parts of this handout have not yet been checked by a clinician. "
    "Do not give it to a patient until they are."
)
"""Printed at the top of page 1 of a handout that uses content still needing sign-off."""


def join_names(names: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    if len(names) <= 1:
        return "".join(names)
    return f"{', '.join(names[:-1])} and {names[-1]}"


class _Cites:
    """Sources in the order the handout first cites them."""

    def __init__(self) -> None:
        self.keys: dict[str, None] = {}

    def add(self, keys: Iterable[str]) -> None:
        for k in keys:
            self.keys.setdefault(k, None)


def assemble(lib: Library, req: Request, brand: Brand) -> Document:
    """Build the document for ``req``. Ids must exist (the caller checked them).

    The shared part (everything but the personal details and notes) is built
    once per library, brand and content choice, and reused for every patient.
    """
    doc = _shared(lib, brand, req.conditions, req.title, req.medicines, req.diary)
    front = ()
    if req.notes and req.notes.strip():
        lines = tuple(Para(line) for line in req.notes.strip().splitlines() if line.strip())
        front = (Section("care-team-notes", "Notes from your care team", lines, True),)
    tag = language.canonical(req.language) if req.language else None
    return replace(doc, personal=req.personal, front=front, language=tag or doc.language)


_CHARSETS: dict[tuple[int, int], tuple[Library, Brand, str]] = table({})


def charset(lib: Library, brand: Brand) -> str:
    """The sorted characters of every string in the library, the brand and the fixed
    wording (tier headings and symbols, evidence words): see ``Document.charset``."""
    key = (id(lib), id(brand))
    hit = _CHARSETS.get(key)
    if hit is None or hit[0] is not lib or hit[1] is not brand:
        texts = [v for d in lib.docs.values() for _, v in d.walk() if isinstance(v, str)]
        fixed = (TIERS, AFTER_HOURS, PARTS, DRAFT_TITLE, DRAFT_TEXT, tuple(EVIDENCE_WORDS.values()))
        texts += list(strings((brand.spec, fixed)))
        hit = _CHARSETS[key] = (lib, brand, "".join(sorted(set().union(*texts))))
        if len(_CHARSETS) > 8:
            _CHARSETS.pop(next(iter(_CHARSETS)))
    return hit[2]


_SHARED: OrderedDict[tuple[Any, ...], tuple[Library, Brand, Document]] = table(OrderedDict())
_KEEP = 256


def _shared(
    lib: Library,
    brand: Brand,
    conditions: tuple[str, ...],
    title: str | None,
    medicines: tuple[str, ...],
    diary: bool,
) -> Document:
    key = (id(lib), id(brand), conditions, title, medicines, diary)
    hit = _SHARED.get(key)
    if hit is not None and hit[0] is lib and hit[1] is brand:  # the entry keeps both alive
        _SHARED.move_to_end(key)
        return hit[2]
    req = Request(conditions, title, medicines, diary=diary)
    doc = _build(lib, req, brand)
    _SHARED[key] = (lib, brand, doc)
    if len(_SHARED) > _KEEP:
        _SHARED.popitem(last=False)
    return doc


def _build(lib: Library, req: Request, brand: Brand) -> Document:
    spec = brand.spec
    conds = [lib.conditions[c] for c in req.conditions]
    ids = frozenset(req.conditions)
    links = [
        lib.links[frozenset(pair)]
        for pair in combinations(req.conditions, 2)
        if frozenset(pair) in lib.links
    ]
    # Medicines in play: the patient's own list when given, else those common for the conditions.
    in_play = list(dict.fromkeys(req.medicines or [m for c in conds for m in c.medicines]))
    meds = [lib.medicines[m] for m in in_play]
    rules = [r for r in lib.rules if r.when.holds(ids, frozenset(in_play))]
    ctx = _context(lib, brand, meds)

    def fill(s: str) -> str:
        return text.fill(s, ctx)

    def covers(for_: tuple[str, ...]) -> bool:
        """A text scoped to conditions (``for:``) prints only where one of them is covered."""
        return not for_ or not ids.isdisjoint(for_)

    cites = _Cites()
    reviews: list[tuple[str, Review]] = [(f"condition:{c.id}", c.review) for c in conds]
    reviews += [(f"link:{lk.id}", lk.review) for lk in links]
    # the numbers a patient acts on print through placeholders anywhere in the handout
    reviews += [(f"number:{n.id}", n.review) for n in lib.numbers.values() if n.review][:1]

    def claim(c: Claim) -> str:
        cites.add(c.sources)
        return fill(c.text)

    names = [c.label for c in conds]
    title = req.title or _title(conds)
    sections: list[Section] = []

    points = [Item(claim(c)) for c in _key_points(links, conds) if covers(c.for_)]
    sections.append(Section("key-points", "The main points", (Bullets(tuple(points)),), True))

    for n, c in enumerate(conds):
        blocks: list[Block] = [Para(claim(s)) for s in c.summary if covers(s.for_)]
        if c.other_names:
            blocks.append(Para(", ".join(c.other_names) + ".", lead="Other names:"))
        # Page 1 is the summary: who it is for, the care team's notes and the main points;
        # the details start page 2 (and are then laid out alike for every patient).
        about = Section(f"about-{c.id}", f"About {c.label}", tuple(blocks), after_summary=n == 0)
        sections.append(about)

    if links:
        blocks = []
        for lk in links:
            a, b = (lib.conditions[x].label for x in lk.conditions)
            blocks += [
                Heading(_capital(f"{a} and {b}")),
                Para(claim(lk.known), lead="What we know:"),
                Para(EVIDENCE_WORDS[lk.evidence] + ".", lead="How sure are we?"),
                Para(claim(lk.why), lead="Why it may happen:"),
                Para(claim(lk.what_it_means), lead="What this means for you:"),
            ]
        sections.append(Section("links", f"How {join_names(names)} are linked", tuple(blocks)))

    steps, step_reviews = _steps(lib, conds, cites, fill)
    reviews += step_reviews
    if steps:
        sections.append(Section("everyday-steps", "Everyday steps that can help", tuple(steps)))

    med_blocks: list[Block] = []
    rule = lib.painkiller_days
    if rule and any(c.painkiller_days for c in conds):
        # One painkiller-day rule, worded for this handout's painkillers, the same everywhere.
        cites.add(rule.sources)
        reviews.append(("painkiller-days", rule.review))
        point = Point(fill(rule.text), fill(rule.action), EVIDENCE_WORDS[rule.evidence])
        med_blocks.append(Caution(fill(rule.title), None, (point,)))
    if rules:
        med_blocks.append(Heading("Because of your mix of conditions and medicines"))
        for r in rules:
            cites.add(r.sources)
            involved = [lib.medicines[m].name for m in in_play if _mentions(r.when, m)]
            involved = involved or [
                lib.conditions[c].label for c in req.conditions if _mentions(r.when, c)
            ]
            point = Point(fill(r.text), fill(r.action), EVIDENCE_WORDS[r.evidence])
            heading = fill(r.title) if r.title else _capital(join_names(involved))
            med_blocks.append(Caution(heading, None, (point,)))
            if r.review:
                reviews.append((f"rule:{r.id}", r.review))
    if meds:
        med_blocks.append(Heading("Your medicines" if req.medicines else "Each medicine"))
        for med in meds:
            reviews.append((f"medicine:{med.id}", med.review))
            # what it is for always prints: its main use when none is about these conditions
            uses = [u for u in med.used_for if covers(u.for_)] or list(med.used_for[:1])
            used = " ".join(claim(u) for u in uses)
            pts = []
            for _, lead, ct in med.points():
                if covers(ct.for_):
                    cites.add(ct.sources)
                    note = EVIDENCE_WORDS[ct.evidence]
                    pts.append(Point(fill(ct.text), fill(ct.action), note, lead))
            title_m = med.name + (f" ({', '.join(med.also_called[:4])})" if med.also_called else "")
            med_blocks.append(Caution(title_m, used or None, tuple(pts)))
    if med_blocks:
        sections.append(Section("medicines", "Medicines: what to watch for", tuple(med_blocks)))

    flags = [f.id for f in lib.red_flags.values() if f.always]
    flags += [f for c in conds for f in c.red_flags] + [f for m in meds for f in m.red_flags]
    chosen = [lib.red_flags[f] for f in dict.fromkeys(flags)]
    tiers = []
    for key, heading, symbol in TIERS:
        signs = []
        for flag in chosen:
            if flag.tier == key:
                cites.add(flag.sources)
                if flag.review:
                    reviews.append((f"flag:{flag.id}", flag.review))
                signs.append(fill(flag.text))
        note = fill(AFTER_HOURS) if key == "call_today" else None
        if signs:
            tiers.append(Tier(key, fill(heading), symbol, tuple(signs), note))
    contact = f"Call {spec.clinic_name} on {spec.contact.phone}."
    # A page of its own: the three tiers read together, and the page can be kept by the phone.
    tiers_block = Tiers(tuple(tiers), contact)
    sections.append(Section("get-help", "When to get help", (tiers_block,), new_page=True))

    words = _words_to_know(lib, sections)
    if words:
        sections.append(Section("words-to-know", "Words to know", tuple(words)))
    sections.append(
        Section(
            "my-notes",
            "My notes and questions for my next visit",
            (WriteIn(("What I want to ask:", "What I noticed since my last visit:"), 8),),
        )
    )
    if req.diary and lib.diary:
        d = lib.diary
        reviews.append(("diary", d.review))
        intro = tuple(claim(c) for c in d.intro if covers(c.for_))
        diary = (Diary(intro, d.columns, total=fill(d.total) if d.total else None),)
        sections.append(Section("diary", "My headache and pain diary", diary, new_page=True))
    entries = tuple(_citation(lib, k) for k in cites.keys)
    sections.append(Section("sources", "Where this information comes from", (SourceList(entries),)))

    contact_lines = tuple(
        x for x in (f"Phone {spec.contact.phone}", spec.contact.address, spec.contact.web) if x
    )
    drafts = {key for key, r in reviews if r.draft}
    if drafts:
        draft = Section("draft", DRAFT_TITLE, (Para(DRAFT_TEXT),), boxed=True)
        sections.insert(0, draft)
    checked = [r for key, r in reviews if key not in drafts] or [r for _, r in reviews]
    return Document(
        title=title,
        subtitle=_subtitle(conds, links),
        sections=tuple(sections),
        personal=req.personal,
        clinic=spec.clinic_name,
        contact_lines=contact_lines,
        web=spec.contact.web,
        footer=spec.footer,
        reviewed=min(r.last_reviewed for r in checked),
        next_review=min(r.next_review for r in checked),
        draft=bool(drafts),
        subject=f"Patient information: {join_names([c.name for c in conds])}",
        keywords=tuple(code for c in conds for code in c.icd10),
        provenance=tuple(
            Provenance(key, r.last_reviewed, r.next_review, r.draft)
            for key, r in dict(reviews).items()
        ),
        online=f"{spec.online}{_slug(conds)}" if spec.online else None,
        language=language.canonical(spec.language) or spec.language,
        charset=charset(lib, brand),
    )


def _context(lib: Library, brand: Brand, meds: list[Medicine]) -> text.Context:
    """What the placeholders of one handout are filled with."""
    spec = brand.spec
    contact = spec.contact
    clinic = {
        "name": spec.clinic_name,
        "phone": contact.phone,
        "address": contact.address or "",
        "web": contact.web or "",
        "after_hours": contact.after_hours,
        "emergency_number": contact.emergency_number,
        "crisis_line": contact.crisis_line,
    }
    numbers = {n.id: n.value for n in lib.numbers.values()}
    painkillers = {"limit": "", "names": ""}
    rule = lib.painkiller_days
    if rule:
        kinds = [m for m in meds if m.painkiller]
        # One simple painkiller alone has the higher limit; any other kind, or any mix, the lower.
        alone = len(kinds) == 1 and kinds[0].painkiller == "simple"
        painkillers = {
            "limit": numbers[rule.limit_one_simple if alone else rule.limit],
            "names": join_names([m.label for m in kinds]) or rule.any_painkiller,
        }
    return {"clinic": clinic, "numbers": numbers, "painkillers": painkillers}


def _slug(conds: list[Condition]) -> str:
    """The online version's name: each condition's first ICD-10 code, e.g. ``g43-m32``
    (short enough to type from the printed page)."""
    return "-".join(c.icd10[0].lower().replace(".", "") if c.icd10 else c.id for c in conds)


def _words_to_know(lib: Library, sections: list[Section]) -> list[Block]:
    """Each glossary word the handout uses, with its plain meaning, A to Z."""
    used = " ".join(strings(sections))
    terms = [t for t in lib.glossary if any(text.mentions(used, f) for f in t.forms)]
    return [
        Para(t.plain, lead=f"{_capital(t.term)}:")
        for t in sorted(terms, key=lambda t: t.term.lower())
    ]


def _key_points(links: list[Link], conds: list[Condition]) -> list[Claim]:
    """Links' points first, then each condition's in turn, most important first, up to the cap."""
    chosen = [lk.key_point for lk in links]
    depth = max(len(c.key_points) for c in conds)
    for i in range(depth):
        chosen += [c.key_points[i] for c in conds if i < len(c.key_points)]
    return chosen[: max(MAX_KEY_POINTS, len(links) + 1)] if len(conds) > 1 else chosen


def _steps(
    lib: Library, conds: list[Condition], cites: _Cites, fill: Any
) -> tuple[list[Block], list[tuple[str, Review]]]:
    """Checklists by area; a step shared by several conditions prints once."""
    blocks: list[Block] = []
    reviews: list[tuple[str, Review]] = []
    printed: set[str] = {sid for c in conds for sid in c.not_for}  # steps that do not suit
    for area, heading in AREAS:
        items: list[Item] = []
        for c in conds:
            for sid in getattr(c.lifestyle, area):
                if sid in printed:
                    continue
                printed.add(sid)
                step = lib.steps[sid]
                cites.add(step.sources)
                if step.review:
                    reviews.append((f"step:{sid}", step.review))
                items.append(Item(fill(step.text), EVIDENCE_WORDS[step.evidence]))
        if items:
            blocks += [Heading(heading), Checklist(tuple(items))]
    return blocks, reviews


def _mentions(when: Any, item: str) -> bool:
    return any(
        item in group
        for group in (
            when.conditions_all,
            when.conditions_any,
            when.medicines_all,
            when.medicines_any,
        )
    )


def _citation(lib: Library, key: str) -> tuple[str, str | None]:
    src = lib.sources[key]
    year = f" {src.year}." if src.year and str(src.year) not in src.title else ""
    year = " Undated." if src.undated and not src.year else year
    return f"{src.title}.{year}", src.url


def _title(conds: list[Condition]) -> str:
    names = [c.label for c in conds]
    return _capital(join_names(names))


def _subtitle(conds: list[Condition], links: list[Link]) -> str:
    if links:
        return "How they are linked and what you can do"
    return "What you can do" if len(conds) == 1 else "What you can do about each"


def _capital(s: str) -> str:
    return s[:1].upper() + s[1:]


def _norm(s: str) -> str:
    return " ".join(s.lower().split()).rstrip(".")
