"""The visit handout: both sides of one sheet for the patient in front of you.

Front: who it is for, the care team's notes, the three main points for this combination of
conditions, *My plan* (the clinician's own instructions in fixed slots) and how the
conditions are linked. Back: cautions for the medicines the patient takes (combination
cautions first), the one painkiller-day rule with a calendar that counts (when the
calendar is cut to fit, the rule keeps its row of counting boxes where there is room,
else says how to count where there is room for that),
when to get help (the three tiers, in short), lines for questions, where the full version
is, and the key sources. A medicine's caution the plan's template says already
(``covers``) is said once, in the plan.

What prints is chosen by data: a key point's ``priority``, a caution's ``visit`` rank, a red
flag's ``short`` words. The two sides are one flow over two pages (four in large print):
the back's first parts start on the front when it has room, and "When to get help" is
kept on one page until that is the cut left. When the renderer finds it too long, the
pipeline asks again with more cuts (``cuts``): the lowest-priority items are left out,
never a red flag, a combination caution (nor a medicine's caution for a condition the
patient has), the painkiller-day rule or a plan field; last of all, a caution about two
medicines the patient takes (``with``) and methotrexate's once a week (visit rank 0).
The back always says where the full version is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, fields, replace
from itertools import combinations

from handouts.content import language, medicine_finder, text
from handouts.content.brand import Brand
from handouts.content.model import (
    AFTER_HOURS,
    EVIDENCE_WORDS,
    TIERS,
    AttackPlan,
    Claim,
    CombinationRule,
    Library,
    Medicine,
    PainkillerDays,
    PlanFields,
    Review,
)
from handouts.content.model import Caution as Warning_
from handouts.content.words import N_, Words, words
from handouts.document.assemble import (
    CONTINUED,
    capital,
    charset,
    citation,
    cited_in,
    clinic_fields,
    condition_title,
    dated,
    fill_context,
    fixed_words,
    in_scope,
    join_names,
    medicine_title,
    mentions,
    online_address,
    provenance,
    red_flags_for,
    urgency_rank,
    with_patient,
)
from handouts.document.document import (
    Block,
    Bullets,
    Calendar,
    Caution,
    Document,
    Item,
    Numbered,
    Online,
    Para,
    Personal,
    Picture,
    Point,
    Section,
    Slots,
    SourceList,
    Tier,
    Tiers,
    WriteIn,
)
from handouts.document.request import Request
from handouts.errors import internal

ELSEWHERE = N_("What to watch for with {medicines} is in the full version: ask us for it.")
ELSEWHERE_EACH = N_(
    "The full version says what to watch for with each of these: {medicines}. Ask us for it."
)
"""Of two medicines or more, set apart by semicolons (red team: 'NSAIDs such as ibuprofen,
hydroxychloroquine and methotrexate' read as if all three were NSAIDs)."""
SIGNS = {
    "emergency": N_("A warning triangle."),
    "call_today": N_("A telephone."),
    "next_visit": N_("A note and a pencil."),
}
"""Words for each tier's drawn sign, for a screen reader."""
MAIN_POINTS = 3
"""The main points on the front: the key points with the lowest priority numbers."""
KEY_SOURCES = 4
"""The sources printed on the back (the full version lists them all)."""
QUESTION_LINES = 3


def assemble_visit(
    lib: Library,
    req: Request,
    brand: Brand,
    cuts: int = 0,
    tries: Assembly | None = None,
    keep: frozenset[str] = frozenset(),
) -> Document:
    """The visit handout for ``req`` with its first ``cuts`` cuts made (:func:`cut_order`;
    ``Document.visit_order`` lists them), but those in ``keep`` (put back where they fit:
    :data:`PUT_BACK`). Ids must exist (the caller checked). ``tries``: the same handout's
    tries so far, whose sections this one reuses where it can."""
    if tries is not None and tries.visit is not None:
        visit = tries.visit
        if (visit.lib, visit.req, visit.brand) != (lib, req, brand):
            raise internal("one handout's tries were asked for another")
        visit.start(cuts, keep)
        return visit.document()
    tag = language.canonical(req.language) if req.language else None
    tag = tag or language.canonical(brand.spec.language) or brand.spec.language
    visit = _Visit(lib, req, brand, words(tag), cuts, tag, tries, keep)
    if tries is not None:
        tries.visit = visit
    return visit.document()


def patient_free(doc: Document) -> Document:
    """A visit handout without its patient's part: who it is for, the date, the notes and
    the plan slots the clinician typed (left blank, in a plan section still private).
    What is left is content, and may be remembered and given another patient's part
    (:func:`for_patient`), only where the clinician typed no title (the caller makes sure
    of that)."""
    sections = tuple(_typed_rows(s, _blank) if s.private else s for s in doc.sections)
    return replace(doc, personal=Personal(), front=(), printed_date=None, sections=sections)


def for_patient(doc: Document, req: Request) -> Document:
    """``doc``, a visit handout without its patient's part (:func:`patient_free`), with
    ``req``'s, as :func:`assemble_visit` gives it: the plan slots it typed fill the rows
    left blank, each the row of the same slot (else an internal error: never a plan with
    one slot's words under another's label)."""
    _ = words(doc.language)
    typed = iter(_typed(req.plan))

    def filled(heading: str, label: str) -> str:
        """What was typed in the next slot, which must be the one under ``heading`` and
        ``label`` (as printed)."""
        slot = next(typed, None)
        if slot is None or (_(slot[0]), _(slot[1])) != (heading, label):
            raise internal(_DIFFER)
        return slot[2]

    sections = tuple(_typed_rows(s, filled) if s.private else s for s in doc.sections)
    if next(typed, None) is not None:
        raise internal(_DIFFER)
    return with_patient(replace(doc, sections=sections), req, _)


def _typed(plan: PlanFields) -> list[tuple[str, str, str]]:
    """The plan slots the clinician typed, in the order their rows print (``_plan``): each
    its part's heading and its label (message ids), and what was typed."""
    own = [(heading, label, _given(getattr(getattr(plan, part), name)))
           for part, heading, slots in PLAN_SLOTS for name, label in slots]  # fmt: skip
    visit = (NEXT_VISIT, WHEN, _given(plan.next_visit))
    return [(heading, label, v) for heading, label, v in (*own, visit) if v]


def _typed_rows(section: Section, value: Callable[[str, str], str]) -> Section:
    """A private plan section with each typed row's words given by ``value``, from its
    part's heading and its label, in the order the rows print."""
    blocks: list[Block] = []
    for b in section.blocks:
        if isinstance(b, Slots):
            if len(b.typed) != len(b.rows):
                raise internal("a plan part does not say which rows are typed")
            rows = tuple((label, value(b.heading, label) if mine else given)
                         for (label, given), mine in zip(b.rows, b.typed, strict=True))  # fmt: skip
            b = replace(b, rows=rows)
        blocks.append(b)
    return replace(section, blocks=tuple(blocks))


def _blank(heading: str, label: str) -> str:
    return ""


_DIFFER = "a plan's typed slots and its rows differ"


def help_kept_whole(doc: Document) -> Document | None:
    """``doc`` with "When to get help" kept on one page again, where a cut let its tiers
    fall on both sides; None where it is kept whole already. Letting it split is meant to
    save room, but a split can take more pages than moving the section whole to the next
    page (large print, the section near the foot of a page): the caller tries this too, so
    that a cut never makes a handout longer."""
    sections, changed = [], False
    for section in doc.sections:
        if section.id == "get-help" and not section.whole:
            blocks = tuple(replace(b, may_split=False) if isinstance(b, Tiers) else b
                           for b in section.blocks)  # fmt: skip
            section, changed = replace(section, blocks=blocks, whole=True), True
        sections.append(section)
    return replace(doc, sections=tuple(sections)) if changed else None


@dataclass(frozen=True)
class _Chosen:
    """A section as one try chose it: the cuts it asked about (with the answers), the
    sources it cited and the reviews of what it prints, in order."""

    asked: tuple[tuple[str, bool], ...]
    section: Section | None
    cited: tuple[str, ...]
    reviews: tuple[tuple[str, Review], ...]


class Assembly:
    """One visit handout's tries at fitting, as assembled: each section as a try chose
    it, so that a later try, asking the same cuts the same way, takes the same section
    (and cites and reviews what it did) without choosing it again. It belongs to the
    one call that makes the handout and is forgotten with it (a plan may hold patient
    text)."""

    def __init__(self) -> None:
        self.visit: _Visit | None = None
        self.chosen: dict[str, list[_Chosen]] = {}


@dataclass(frozen=True)
class Applies:
    """What a clinician checks before printing (the web page's "What applies")."""

    links: list[str]
    """How the conditions are linked: each link's key point."""
    combos: list[str]
    """The headings of the combination cautions that print."""
    from_plan: list[str]
    """Those of :attr:`combos` that print only for a medicine the plan names (its template,
    or a slot the clinician typed: :func:`with_plan_medicines`)."""
    plan_medicines: list[str]
    """The names of the medicines the plan adds, whose cautions print too."""


def applies(lib: Library, req: Request, brand: Brand, *more: Library) -> Applies:
    """What a clinician checks before printing: how the conditions are linked, the
    combination cautions that print for them, and what of that the plan brings (a caution
    for a medicine the clinician did not tick, which they may wonder at). ``more``, as
    for :func:`with_plan_medicines`: the content in the handout's language, whose
    medicine names the plan's slots are read in too, as the handout reads them."""
    tag = language.canonical(req.language) if req.language else None
    tag = tag or language.canonical(brand.spec.language) or brand.spec.language
    full = with_plan_medicines(lib, req, *more)
    v = _Visit(lib, full, brand, words(tag), 0, tag)
    own = v if full is req else _Visit(lib, req, brand, words(tag), 0, tag)
    added = [lib.medicines[m].name for m in full.medicines[len(req.medicines) :]]
    return Applies(
        [v.claim(lk.key_point) for lk in v.links],
        [v.rule_heading(r) for r in v.rules],
        [v.rule_heading(r) for r in v.rules if r not in own.rules],
        added,
    )


def cut_order(lib: Library, req: Request) -> tuple[str, ...]:
    """What is left out to fit, first to last: in large print, a caution's lines after its
    first set under its first line's words (``hang``) and the tidy breaks of "When to
    get help" (``help-breaks``: two of a tier's rows on each side of a page break, and its
    heading with the first tier), a card's name said again where its cautions go on at a
    page's top (``continued``), in large print with a plan a plan part's heading said
    again where its slots go on at a page's top (``plan-again``: "In an attack,
    continued"); these take no one else's room, and are put back last,
    wherever there is room (:data:`PUT_BACK_LAST`); then each medicine's second-rank
    cautions (the last medicine's first; ``more:<id>``: a card left with no caution is
    left out too, and named with where to read it), the key sources, the stroke picture, links after
    the first, the question lines, the third main point, the calendar's month, the words
    that say how to count without the boxes (``how-to-count``, where the rule has such
    words: they print only once put back, so that no cut lengthens the handout), the line
    under each medicine's name that says what it is for anyone (``uses``; kept on a card
    with no cautions to print), the boxes that count painkiller days (which the
    painkiller-day rule keeps once the month is cut: ``counting``, where the rule prints;
    what :data:`PUT_BACK` names is put back after the fewest cuts are found, wherever it
    still fits), the subtitle under the title (no words the patient acts on: it goes
    before the links), the links, keeping "When to get help" on one page (its tiers may
    then fall on both sides, each tier whole), the second main point,
    the body's lines set a little closer (``snug``: the type stays 12 pt, 18 pt in large
    print), the lines that say a medicine is for one of the patient's conditions
    (``own-uses``: why they take it, above all where its cautions are for another use), each
    medicine's second-rank cautions for one of the patient's conditions (``theirs:<id>``:
    opioids for migraine only as a last resort), then each medicine's first-rank cautions
    (named, with where to read them; ``must:<id>``): a caution for a medicine the patient
    takes outranks a general point and the lines' usual spacing; then each medicine's
    first-rank cautions about a medicine the patient takes too (``with:<id>``: steroid
    tablets with an NSAID), and last its cautions of rank 0 (``top:<id>``: methotrexate
    once a week, never daily), made only where nothing else is left to cut. Never the first main
    point, the notes, the plan, a combination caution, a medicine's first-rank caution for
    a condition the patient has, the painkiller-day rule or a red flag. Ids must exist."""
    meds = [lib.medicines[m] for m in dict.fromkeys(req.medicines)]
    return _order(meds, covered(lib, req), _counts(lib, req), frozenset(req.conditions),
                  _how_to_count(lib), req.large_print, _planned(req))  # fmt: skip


def _planned(req: Request) -> bool:
    """Whether the handout has a plan part of more than one slot that may go on over a
    page: a template, or a slot the clinician typed but the next visit (a part of one
    row, never split)."""
    return bool(req.plan_template) or any(req.plan.filled()[:-1])


def _theirs(use: Claim, conditions: frozenset[str]) -> bool:
    """Whether a medicine's use is for one of the patient's ``conditions`` (not for
    anyone: those have no ``for``)."""
    return bool(use.for_) and not conditions.isdisjoint(use.for_)


def _counts(lib: Library, req: Request) -> bool:
    """Whether the painkiller-day rule prints (and so may keep its counting boxes)."""
    rule = lib.painkiller_days is not None
    return rule and any(lib.conditions[c].painkiller_days for c in req.conditions)


def _how_to_count(lib: Library) -> bool:
    """Whether the painkiller-day rule has words that say how to count, for where its
    counting boxes are cut (only with its visit words: else it prints its full text, which
    says how)."""
    rule = lib.painkiller_days
    return bool(rule and rule.short and rule.how_to_count)


def with_plan_medicines(lib: Library, req: Request, *more: Library) -> Request:
    """``req`` as its visit handout prints it: with the medicines its plan tells the
    patient to take after those the clinician named, each once: its template's
    (``medicines:``), then those the clinician typed as its attack or daily medicine
    (:func:`plan_named`). A plan that says "take a triptan" gives the triptans' cautions
    and warning signs even when no medicine was named. An unknown template adds none (the
    caller says so). ``more``: libraries whose medicine names are read too (the English
    one, for a handout in another language)."""
    template = lib.plans.get(req.plan_template) if req.plan_template else None
    told = (*(template.medicines if template else ()), *plan_named(req.plan, lib, *more))
    more_ids = [m for m in dict.fromkeys(told) if m not in req.medicines and m in lib.medicines]
    return replace(req, medicines=(*req.medicines, *more_ids)) if more_ids else req


def plan_named(plan: PlanFields, *libs: Library) -> tuple[str, ...]:
    """The medicines the clinician typed as the plan's attack medicine and daily medicine
    (:mod:`handouts.content.medicine_finder`; read in each of ``libs``' names, never kept).
    Not what to add: that is also where what not to take is written."""
    each = {id(one): one for one in libs}.values()  # (the English library given twice: once)
    slots = (plan.attack.medicine, plan.every_day.medicine)
    return medicine_finder.named(slots, [one.medicine_finder for one in each])


def covered(lib: Library, req: Request) -> dict[str, frozenset[str]]:
    """The medicines' caution parts the plan says already (by medicine id): its
    template's ``covers``, while every attack slot the template fills prints the
    template's words (a slot the clinician typed over may say something else)."""
    if not req.plan_template:
        return {}
    template = lib.plans[req.plan_template]
    mine, theirs = req.plan.attack, template.plan.attack
    for f in fields(AttackPlan):
        if _given(getattr(theirs, f.name)) and _given(getattr(mine, f.name)):
            return {}
    return {c.medicine: frozenset(c.parts) for c in template.covers}


PUT_BACK = ("own-uses", "counting", "uses", "how-to-count")
"""Cuts tried again after the fewest cuts that fit are found, and put back where the
handout still fits: all together, else each in this order (with those put back before
it): the lines that say a medicine is for one of the patient's conditions (a cut after
them, a medicine's own cautions, can leave room), the painkiller-day rule's counting
boxes, the reader's tool for its limit, the lines that say what each medicine is for
anyone, then the words that say how to count without the boxes (added only where they
take no room from anything else). Where they rank keeps them from pushing out anything
that outranks them; putting them back adds them wherever the room left holds them, and
pushes nothing out."""
PUT_BACK_LAST = ("plan-again", "continued", "help-breaks", "hang")
"""Cuts tried again after :data:`PUT_BACK` (with all of them first, where everything
fits), each in this order in the room they left (with those put back before it): a
plan part's heading said again where its slots go on at a page's top (large print with
a plan: ``plan-again``; a red team found "No more than:" at page 2's top under no
heading: on 80 random large-print handouts with a plan template, 32 pages began so; 24
now say it, and 8 are too full for the line), then a card's name said again where its
cautions go on at a page's top, then "When to get
help" broken over a page only where it reads well (large print: ``help-breaks``), then
a caution's lines after its first under its first line's words, not under its "⚠"
(large print: ``hang``; 11.9 points narrower). They are the first cuts made (the last
made first), so they never cost the handout anything else; put back, each is kept
wherever there is room for it (on 400 random visit handouts, a page starts with a
caution under no name in 60 English and 65 Spanish ones, against about half before it
was said)."""
STANDS_IN = {"how-to-count": "counting"}
"""A put-back that prints only while another cut is made, and so is tried only then: the
words that say how to count, while the counting boxes are left out."""


def own_cuts(order: tuple[str, ...]) -> int:
    """How many of the first cuts in ``order`` are the medicines' own (their second-rank
    cautions): the rest are the same for every set of medicines."""
    return sum(1 for cut in order if cut.startswith("more:"))


def _order(
    meds: list[Medicine], covered: dict[str, frozenset[str]], counts: bool,
    conditions: frozenset[str], how_to_count: bool, large: bool, planned: bool,
) -> tuple[str, ...]:  # fmt: skip
    last_first = list(reversed(meds))
    taken = frozenset(m.id for m in meds)
    tied = [any(_theirs(u, conditions) for u in m.used_for) for m in meds if m.used_for]
    more = [f"more:{m.id}" for m in last_first if _points(m, 2, covered, taken)]
    theirs = [f"theirs:{m.id}" for m in last_first if _for_theirs(m, 2, conditions)]
    must = [f"must:{m.id}" for m in last_first if _points(m, 1, covered, taken)]
    along = [f"with:{m.id}" for m in last_first if _along(m, taken, covered)]
    top = [f"top:{m.id}" for m in last_first if _top(m, covered)]
    return (*(["hang", "help-breaks"] if large else []), *(["continued"] if meds else []),
            *(["plan-again"] if large and planned else []), *more,
            "sources", "stroke-picture", "links-after-first", "questions",
            "third-point", "calendar", *(["how-to-count"] if counts and how_to_count else []),
            *(["uses"] if not all(tied) else []), *(["counting"] if counts else []), "subtitle",
            "links", "help-may-split", "second-point", "snug",
            *(["own-uses"] if any(tied) else []), *theirs, *must, *along, *top)  # fmt: skip


def _for_theirs(med: Medicine, rank: int, conditions: frozenset[str]) -> list[tuple[str, Warning_]]:
    """The medicine's cautions of visit rank ``rank`` for one of the patient's
    ``conditions`` (each with its lead): of rank 1 (estrogen with migraine aura, NSAIDs
    with IBD), combination cautions in all but name, so never cut (:func:`_kept`); of
    rank 2 (opioids for migraine: a last resort), cut after every general item
    (``theirs:<id>``), before any medicine's first-rank cautions. (Advice for a
    condition without a visit rank is in the full version.)"""
    return [(lead, ct) for _part, lead, ct in med.points()
            if ct.for_ and ct.visit == rank and in_scope(ct.for_, conditions)]  # fmt: skip


def _points(
    med: Medicine, rank: int, covered: dict[str, frozenset[str]], taken: frozenset[str]
) -> list[tuple[str, Warning_]]:
    """The medicine's cautions of visit rank ``rank`` that hold for everyone, but the
    parts the plan says already (``covered``) and those about a medicine the patient
    takes too (``with``: :func:`_along`)."""
    said = covered.get(med.id, frozenset())
    return [(lead, ct) for part, lead, ct in med.points()
            if ct.visit == rank and not ct.for_ and part not in said
            and taken.isdisjoint(ct.with_)]  # fmt: skip


def _kept(med: Medicine, conditions: frozenset[str]) -> list[tuple[str, Warning_]]:
    """The medicine's cautions that a visit handout never leaves out: those of visit rank
    0 or 1 for one of the patient's ``conditions`` (estrogen with migraine aura), each a
    combination caution in all but name."""
    return [(lead, ct) for _part, lead, ct in med.points()
            if ct.for_ and ct.visit in (0, 1) and in_scope(ct.for_, conditions)]  # fmt: skip


def _top(med: Medicine, covered: dict[str, frozenset[str]]) -> list[tuple[str, Warning_]]:
    """The medicine's cautions of visit rank 0 for everyone (a mistake that kills:
    methotrexate taken daily), but the parts the plan says already (``covered``): the
    very last cut (``top:<id>``), made only where the handout fits no other way."""
    said = covered.get(med.id, frozenset())
    return [(lead, ct) for part, lead, ct in med.points()
            if ct.visit == 0 and not ct.for_ and part not in said]  # fmt: skip


def _along(
    med: Medicine, taken: frozenset[str], covered: dict[str, frozenset[str]]
) -> list[tuple[str, Warning_]]:
    """The medicine's first-rank cautions for everyone about a medicine the patient takes
    too (``with``: steroid tablets' stomach bleeding with NSAIDs), but the parts the plan
    says already (``covered``): the last cut made (``with:<id>``), after every other."""
    said = covered.get(med.id, frozenset())
    return [(lead, ct) for part, lead, ct in med.points()
            if ct.visit == 1 and not ct.for_ and part not in said
            and not taken.isdisjoint(ct.with_)]  # fmt: skip


class _Visit:
    """One visit handout being chosen: the content in play, the sources cited and the
    reviews of what is printed."""

    def __init__(self, lib: Library, req: Request, brand: Brand, _: Words, cuts: int,
                 tag: str, tries: Assembly | None = None,
                 keep: frozenset[str] = frozenset()):  # fmt: skip
        self.lib, self.req, self.brand, self._ = lib, req, brand, _
        # the tries' sections (not the Assembly: it holds this, and a loop would keep the
        # patient's plan alive until the garbage collector ran)
        self.earlier = tries.chosen if tries is not None else None
        self.tag = tag  # the document's language tag (the request's, else the brand's)
        self.conds = [lib.conditions[c] for c in req.conditions]
        self.ids = frozenset(req.conditions)
        pairs = [frozenset(p) for p in combinations(req.conditions, 2)]
        self.links = [lib.links[p] for p in pairs if p in lib.links]
        self.meds = [lib.medicines[m] for m in dict.fromkeys(req.medicines)]
        self.taken = frozenset(m.id for m in self.meds)
        self.rules = [r for r in lib.rules if r.when.holds(self.ids, self.taken)]
        ctx = fill_context(lib, brand, self.meds, _)
        self.fill: Callable[[str], str] = lambda s: text.fill(s, ctx)
        reviews = [(f"condition:{c.id}", c.review) for c in self.conds]
        # the numbers a patient acts on print through placeholders anywhere (the limits)
        numbers = [(f"number:{n.id}", n.review) for n in lib.numbers.values() if n.review]
        self.first_reviews = (*reviews, *numbers[:1])
        self.covered = covered(lib, req)
        self.counts = _counts(lib, req)  # the painkiller-day rule prints
        self.order = _order(self.meds, self.covered, self.counts, self.ids, _how_to_count(lib),
                            req.large_print, _planned(req))  # fmt: skip
        self.start(cuts, keep)

    def start(self, cuts: int, keep: frozenset[str] = frozenset()) -> None:
        """Begin a try with the first ``cuts`` cuts made but those in ``keep``: nothing
        cited or printed yet."""
        self.made = frozenset(self.order[:cuts]) - keep
        self.cites: dict[str, None] = {}
        self.reviews: list[tuple[str, Review]] = list(self.first_reviews)
        self.asked: list[tuple[str, bool]] | None = None  # while a section is chosen
        self.cited: list[str] | None = None

    # -- what is cited and checked

    def claim(self, c: Claim) -> str:
        self.cite(c.sources)
        return self.fill(c.text)

    def cite(self, sources: tuple[str, ...]) -> None:
        if self.cited is not None:
            self.cited += sources
        self.cites.update(dict.fromkeys(sources))

    def covers(self, for_: tuple[str, ...]) -> bool:
        return in_scope(for_, self.ids)

    def cut(self, name: str) -> bool:
        """Whether the cut ``name`` is made on this try."""
        made = name in self.made
        if self.asked is not None:
            self.asked.append((name, made))
        return made

    def chosen(self, choose: Callable[[], Section | None]) -> Section | None:
        """The section ``choose`` makes, as an earlier try of the same handout chose it
        when every cut it asked about is answered the same way now (with what it cited
        and the reviews of what it printed), else chosen now."""
        if self.earlier is None:
            return choose()
        earlier = self.earlier.setdefault(choose.__name__, [])
        for c in earlier:
            if all((name in self.made) == made for name, made in c.asked):
                self.cite(c.cited)
                self.reviews += c.reviews
                return c.section
        self.asked, self.cited, before = [], [], len(self.reviews)
        try:
            section = choose()
            earlier.append(_Chosen(tuple(self.asked), section, tuple(self.cited),
                                   tuple(self.reviews[before:])))  # fmt: skip
        finally:
            self.asked = self.cited = None
        return section

    def _kept(self, med: Medicine) -> list[tuple[str, Warning_]]:
        """The medicine's cautions that outlast its other first-rank ones, in the card's
        order: those never left out (:func:`_kept`), and unless cut, the last cuts: those
        of rank 0 (:func:`_top`), and those about a medicine the patient takes too
        (:func:`_along`)."""
        top = [] if self.cut(f"top:{med.id}") else _top(med, self.covered)
        along = [] if self.cut(f"with:{med.id}") else _along(med, self.taken, self.covered)
        chosen = {id(ct) for _lead, ct in (*_kept(med, self.ids), *top, *along)}
        return [(lead, ct) for _part, lead, ct in med.points() if id(ct) in chosen]

    def _theirs(self, med: Medicine) -> list[tuple[str, Warning_]]:
        """The medicine's second-rank cautions for a condition the patient has
        (:func:`_for_theirs`)."""
        return _for_theirs(med, 2, self.ids)

    def _points(self, med: Medicine, rank: int) -> list[tuple[str, Warning_]]:
        """The medicine's cautions of visit rank ``rank`` for everyone (:func:`_points`)."""
        return _points(med, rank, self.covered, self.taken)

    # -- the document

    def document(self) -> Document:
        _, spec = self._, self.brand.spec
        chosen = [self.chosen(f) for f in (
            self._main_points, self._plan, self._linked, self._medicines, self._calendar,
            self._help, self._stroke_picture, self._questions, self._ask_for_full)]  # fmt: skip
        sections = [s for s in chosen if s]
        if not self.cut("sources") and self.cites:
            entries = tuple(citation(self.lib, k, _) for k in list(self.cites)[:KEY_SOURCES])
            listed = SourceList(entries, cited_in(self.lib))
            sections.append(Section("sources", _("Key sources"), (listed,)))
        drafts, reviewed, next_review = dated(self.reviews, sections, _)
        made = Document(
            title=self.req.title or condition_title(self.conds, _),
            # a handout with no plan has none to speak of (a red team)
            subtitle=_("Your plan, and what to watch for")
            if any(s.id == "my-plan" for s in sections)
            else _("What to watch for"),
            subtitle_shown=not self.cut("subtitle"),
            snug=self.cut("snug"),
            sections=tuple(sections),
            personal=Personal(),  # the patient's part: with_patient, below
            **clinic_fields(self.brand, _),
            reviewed=reviewed,
            next_review=next_review,
            draft=drafts,
            subject=_(
                "Visit handout: {conditions}",
                conditions=join_names([c.name for c in self.conds], _),
            ),
            keywords=tuple(code for c in self.conds for code in c.icd10),
            provenance=provenance(self.reviews),
            # the full version's QR code and short address, at the top of the front
            online=online_address(self.lib, spec.online, self.conds),
            language=self.tag,
            wording=fixed_words(_, reviewed, next_review, spec.clinic_name),
            visit=True,
            visit_order=self.order,
            charset=charset(self.lib, self.brand, _),
        )
        return with_patient(made, self.req, _)

    def _main_points(self) -> Section:
        """The three key points with the lowest priority numbers among the conditions' (on
        a tie, the most urgent first, then in the order the conditions are given); key
        points without a priority only when there are not three with one."""
        _ = self._
        ranked = [
            (kp.priority or 99, urgency_rank(kp), n, i, kp)
            for n, c in enumerate(self.conds)
            for i, kp in enumerate(c.key_points)
            if self.covers(kp.for_)
        ]
        ranked.sort(key=lambda r: r[:4])
        count = MAIN_POINTS - self.cut("third-point") - self.cut("second-point")
        points = tuple(Item(self.claim(kp)) for *_r, kp in ranked[:count])
        return Section("main-points", _("The main points"), (Bullets(points),), boxed=True)

    def _plan(self) -> Section | None:
        """My plan: the patient's own fields as written, the template's (content) where
        the patient's are blank; a blank slot is not printed at all."""
        _, lib, req = self._, self.lib, self.req
        own, template = req.plan, None
        if req.plan_template:
            chosen = lib.plans[req.plan_template]
            template = chosen.plan
            self.reviews.append((f"plan:{chosen.id}", chosen.review))

        def pick(part: str, name: str) -> tuple[str, bool] | None:
            """The slot's words, and whether the clinician typed them (else the template's)."""
            mine = getattr(getattr(own, part), name)
            if mine and mine.strip():
                return mine.strip(), True
            theirs = getattr(getattr(template, part), name) if template else None
            return (self.fill(theirs.strip()), False) if theirs and theirs.strip() else None

        blocks: list[Block] = []
        # a part's heading said again where its slots go on at a page's top (a red team:
        # "No more than:" began page 2 of a large-print handout under no "In an attack")
        goes_on = "plan-again" in self.order and not self.cut("plan-again")
        for part, heading, slots in PLAN_SLOTS:
            picked = [(_(label), v) for name, label in slots if (v := pick(part, name))]
            if picked:
                rows = tuple((label, value) for label, (value, _typed) in picked)
                typed = tuple(mine for _label, (_value, mine) in picked)
                again = _(CONTINUED, name=_(heading)) if goes_on else ""
                blocks.append(Slots(_(heading), rows, typed, continued=again))
        calming = _given(own.calming) or (_given(template.calming) if template else None)
        if calming and calming in lib.practices:
            practice = lib.practices[calming]
            self.cite(practice.sources)
            if practice.review:
                self.reviews.append((f"practice:{practice.id}", practice.review))
            said = (
                N_("{practice}, {how_often}:")
                if practice.name.endswith(")")
                else N_("{practice} ({how_often}):")
            )  # not two pairs of brackets in a row
            lead = _(said, practice=practice.name, how_often=practice.how_often)
            steps = tuple(self.fill(s) for s in practice.steps)
            blocks.append(Numbered(steps, lead, _("To calm body and mind")))
        own_visit = _given(own.next_visit)
        visit = own_visit or (_given(template.next_visit) if template else None)
        if visit:
            when = ((_(WHEN), visit),)
            blocks.append(Slots(_(NEXT_VISIT), when, (own_visit is not None,)))
        if not blocks:
            return None
        labels = tuple(label for b in blocks if isinstance(b, Slots) for label, _v in b.rows)
        blocks = [replace(b, aligned=labels) if isinstance(b, Slots) else b for b in blocks]
        # what the clinician typed is patient data; a template and a practice are content.
        # A typed row is kept out of the caches by its section being private: so any typed
        # row makes it so, whichever slots typed() lists
        typed_rows = (typed for b in blocks if isinstance(b, Slots) for typed in b.typed)
        private = any(typed_rows) or any(own.filled())
        return Section("my-plan", _("My plan"), tuple(blocks), private=private)

    def _linked(self) -> Section | None:
        """How the conditions are linked: each link's key point, in a few sentences."""
        _ = self._
        if not self.links or self.cut("links"):
            return None
        links = self.links[:1] if self.cut("links-after-first") else self.links
        blocks = []
        for lk in links:
            self.reviews.append((f"link:{lk.id}", lk.review))
            sure = _(EVIDENCE_WORDS[lk.evidence])
            blocks.append(Para(f"{self.claim(lk.key_point)} ({sure})"))
        names = [c.label for c in self.conds]
        title = _("How {conditions} are linked", conditions=join_names(names, _))
        return Section("links", capital(title), tuple(blocks))

    def _medicines(self) -> Section | None:
        """Cautions for the medicines the patient takes: combination cautions first, then
        the painkiller-day rule, then each medicine's (what it is for, and its cautions
        by rank)."""
        _, lib = self._, self.lib
        what_to_do = _("What to do:")
        hang = not self.cut("hang")
        blocks: list[Block] = []
        for r in self.rules:
            self.cite(r.sources)
            if r.review:
                self.reviews.append((f"rule:{r.id}", r.review))
            heading = self.rule_heading(r)
            point = self._point(r, r.evidence)
            blocks.append(Caution(heading, None, (point,), what_to_do, hang=hang))
        rule = lib.painkiller_days if self.counts else None
        if rule:
            self.cite(rule.sources)
            self.reviews.append(("painkiller-days", rule.review))
            point = self._point(rule, rule.evidence)
            boxes = not self.cut("counting")  # alone, or in the whole calendar
            if (
                rule.how_to_count
                and "how-to-count" in self.order
                and not boxes
                and not self.cut("how-to-count")
            ):  # no boxes: say how to count
                point = replace(point, risk=f"{point.risk} {self.fill(rule.how_to_count)}")
            blocks.append(Caution(self.fill(rule.title), None, (point,), what_to_do, hang=hang))
            if self.cut("calendar") and not self.cut("counting"):  # the rule keeps its boxes
                blocks.append(self._counting(month=False))
        elsewhere = [m for m in self.meds if self.cut(f"must:{m.id}")]
        goes_on = not self.cut("continued")
        for med in self.meds:
            self.reviews.append((f"medicine:{med.id}", med.review))
            chosen = self._kept(med)  # (found once: it asks about two cuts)
            if med in elsewhere and not chosen:
                continue
            # what it is for: for one of their conditions first, then what it is for anyone
            uses = sorted(
                (u for u in med.used_for if self.covers(u.for_)), key=lambda u: not u.for_
            )
            use = (uses or list(med.used_for))[:1]
            used = " ".join(self.claim(u) for u in use)
            why = "own-uses" if use and _theirs(use[0], self.ids) else "uses"
            chosen += [] if self.cut(f"theirs:{med.id}") else self._theirs(med)
            chosen += [] if self.cut(f"must:{med.id}") else self._points(med, 1)
            if not self.cut(f"more:{med.id}"):
                chosen += self._points(med, 2)
            points = []
            for lead, ct in chosen:
                self.cite(ct.sources)
                points.append(replace(self._point(ct, ct.evidence), lead=_(lead)))
            if med not in elsewhere and self._bare(med, points):
                elsewhere.append(med)  # every caution it had left out: a card that says
                continue  # only what it is for reads as if it had none (review)
            title = medicine_title(med, 3, _)
            if med in elsewhere or (points and self.cut(why)):  # no room for why (a card
                used = ""  # with no cautions keeps it: else it would say nothing)
            again = _(CONTINUED, name=med.name) if goes_on else ""
            blocks.append(Caution(title, used or None, tuple(points), what_to_do, False, again,
                                  hang))  # fmt: skip
        if elsewhere:  # left out to fit: named, with where to read about them
            names = [m.label for m in self.meds if m in elsewhere]  # mid-sentence: short
            if len(names) == 1:
                blocks.append(Para(_(ELSEWHERE, medicines=names[0])))
            else:
                blocks.append(Para(_(ELSEWHERE_EACH, medicines=_("; ").join(names))))
        if not blocks:
            return None
        return Section("medicines", _("Your medicines: what to watch for"), tuple(blocks))

    def _bare(self, med: Medicine, points: list[Point]) -> bool:
        """Whether ``med``'s card prints no caution (``points``) because every one it had
        was left out to fit: its second-rank ones (a medicine with no first-rank caution
        for everyone, such as birth control with estrogen without lupus or migraine), or
        its last cuts (a card whose only ranked cautions are of rank 0 or ``with``). A
        card with none because the plan says them is not bare."""
        return not points and bool(
            (self.cut(f"more:{med.id}") and self._points(med, 2))
            or (self.cut(f"theirs:{med.id}") and self._theirs(med))
            or (self.cut(f"with:{med.id}") and _along(med, self.taken, self.covered))
            or (self.cut(f"top:{med.id}") and _top(med, self.covered))
        )

    def rule_heading(self, r: CombinationRule) -> str:
        """A combination caution's heading: its title, else the medicines (or conditions)
        it is about."""
        involved = [m.name for m in self.meds if mentions(r.when, m.id)]
        involved = involved or [c.label for c in self.conds if mentions(r.when, c.id)]
        return self.fill(r.title) if r.title else capital(join_names(involved, self._))

    def _point(self, item: Warning_ | CombinationRule | PainkillerDays, evidence: str) -> Point:
        """A caution as the visit handout prints it: its short words (the risk and what to
        do) when it has them, else its text and action; and how sure we are."""
        note = self._(EVIDENCE_WORDS[evidence])
        if item.short and item.short.strip():
            return Point(self.fill(item.short), "", note)
        return Point(self.fill(item.text), self.fill(item.action), note)

    def _calendar(self) -> Section | None:
        """A month to tick painkiller days, and boxes that count them up to the limit."""
        if not self.counts or self.cut("calendar"):
            return None
        cal = self._counting(month=True)
        return Section("painkiller-calendar", self._("Count your painkiller days"), (cal,),
                       whole=True)  # fmt: skip

    def _counting(self, month: bool) -> Calendar:
        """The boxes that count painkiller days up to the limit, with a month to tick
        beside them (``month``) or alone: the tool that spares the reader counting days,
        so it stays with the painkiller-day rule when the month is cut."""
        _ = self._
        limit = int(self.fill("{{ painkillers.limit }}"))
        if month:
            how = _(
                "Each day you take a painkiller, tick the day. Then fill in the next box. If "
                "you fill box {limit} in a month, tell us at your next visit.",
                limit=limit,
            )
            alt = _(
                "A month calendar with days 1 to 31 to tick, and a row of {limit} boxes to "
                "fill in, one for each painkiller day. A thick line marks box {limit}: tell us "
                "at your next visit if you get there.",
                limit=limit,
            )
        else:
            how = _("Each day you take a painkiller this month, fill in a box.")
            alt = _(
                "A row of {limit} boxes to fill in, one for each painkiller day. A thick line "
                "marks box {limit}: tell us at your next visit if you get there.",
                limit=limit,
            )
        return Calendar(limit, how, _("Tell us"), alt, month)

    def _help(self) -> Section:
        """When to get help: every red flag of the conditions and medicines, in its tier,
        in a few words each (the full text is in the full version)."""
        _, lib, spec = self._, self.lib, self.brand.spec
        chosen = red_flags_for(lib, self.conds, self.meds)
        tiers = []
        for key, heading, symbol in TIERS:
            signs = []
            for flag in chosen:
                if flag.tier == key:
                    self.cite(flag.sources)
                    if flag.review:
                        self.reviews.append((f"flag:{flag.id}", flag.review))
                    signs.append(self.fill(flag.short or flag.text))
            note = self.fill(_(AFTER_HOURS)) if key == "call_today" else None
            if signs:
                sign = _(SIGNS[key])
                tiers.append(Tier(key, self.fill(_(heading)), symbol, tuple(signs), note, sign))
        contact = _("Call {clinic} on {phone}.", clinic=spec.clinic_name,
                    phone=spec.contact.phone)  # fmt: skip
        split = self.cut("help-may-split")
        tidy = not self.cut("help-breaks")
        signs = (Tiers(tuple(tiers), contact, may_split=split, tidy_breaks=tidy),)
        return Section("get-help", _("When to get help"), signs, whole=not split)

    def _stroke_picture(self) -> Section | None:
        _ = self._
        if self.cut("stroke-picture"):
            return None
        number = self.brand.spec.contact.emergency_number
        labels = (
            _("Face droops"),
            _("Arm is weak"),
            _("Speech is slurred"),
            _("Time to call {number}", number=number),
        )
        alt = _(
            "Signs of a stroke: one side of the face droops, one arm is weak, speech is "
            "slurred or strange. Time to call {number}.",
            number=number,
        )
        picture = Picture("stroke-signs", labels, alt)
        return Section("stroke-signs", _("Stroke signs: act fast"), (picture,))

    def _questions(self) -> Section | None:
        _ = self._
        if self.cut("questions"):
            return None
        ask = WriteIn((_("My questions for next time:"),), QUESTION_LINES)
        return Section("my-questions", _("My questions"), (ask,))

    def _ask_for_full(self) -> Section | None:
        """Where the full version is, when the clinic has no online address (else its QR
        code and short address are at the top of the front)."""
        _ = self._
        if self.brand.spec.online:
            return None
        said = _(
            "This sheet is the short version. Ask us for the full version: it has more about "
            "your conditions and each medicine, and all its sources."
        )
        return Section("full-version", _("Want to know more?"), (Online(said),))


NEXT_VISIT, WHEN = N_("My next appointment"), N_("When:")
"""The heading and label of the next appointment's slot, after :data:`PLAN_SLOTS`."""
PLAN_SLOTS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    (
        "attack",
        N_("In an attack"),
        (
            ("medicine", N_("Take:")),
            ("when", N_("When:")),
            ("repeat", N_("A second dose:")),
            ("limit", N_("No more than:")),
            ("add", N_("Also:")),
        ),
    ),
    ("every_day", N_("Every day"), (("medicine", N_("Take:")), ("how", N_("How:")))),
    (
        "movement",
        N_("Moving more"),
        (
            ("what", N_("What:")),
            ("how_long", N_("How long:")),
            ("how_often", N_("How often:")),
            ("build_up", N_("Building up:")),
        ),
    ),
)
"""The plan's slots in print order: (part, heading, ((field, label), ...))."""


def _given(value: str | None) -> str | None:
    return value.strip() if value and value.strip() else None
