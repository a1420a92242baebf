"""The pipeline: a :class:`~handouts.document.request.Request` in, a PDF's bytes out.

load (content, brand) → assemble (document) → check review dates and sign-off → render.
It writes nothing: the command line, a batch or (later) a web page decides where the
bytes go (:mod:`handouts.delivery`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import astuple, dataclass, replace
from pathlib import Path

from handouts.content import language
from handouts.content.brand import TRANSLATED, Brand, load_brand
from handouts.content.library import load_library
from handouts.content.model import Library, Pack
from handouts.content.words import words
from handouts.document.assemble import assemble
from handouts.document.document import Document, Personal, Provenance
from handouts.document.request import FORMATS, FULL, Allow, Request
from handouts.document.visit import (
    PUT_BACK,
    PUT_BACK_LAST,
    STANDS_IN,
    Assembly,
    assemble_visit,
    cut_order,
    for_patient,
    help_kept_whole,
    own_cuts,
    patient_free,
    with_plan_medicines,
)
from handouts.errors import (
    ContentError,
    HandoutsError,
    Problem,
    ProblemsError,
    UsageError,
    did_you_mean,
    internal,
)
from handouts.memo import Caches, MemoTable, table, using
from handouts.pdf.printer import PDF
from handouts.pdf.render import (
    VISIT_PAGES,
    VISIT_PAGES_AT_MOST,
    Laid,
    Tries,
    fits_visit,
    front_shape,
    lay_out_visit,
    plan_room,
    render,
    render_pack,
)

PRINTER = PDF
"""What the checks ask "can this be printed?": the PDF renderer's fonts and picture reader."""


@dataclass(frozen=True)
class Rendered:
    """One handout's or pack's PDF, in memory: its bytes, pages, and what it printed only
    because it was allowed (content past review, drafts)."""

    pdf: bytes
    pages: int
    allowed: tuple[Problem, ...] = ()


def load_inputs(content: Path, brand_file: Path | None) -> tuple[Library, Brand]:
    """Content and brand, checked together so every problem is reported at once."""
    problems: list[Problem] = []
    lib = brand = None
    try:
        lib = load_library(content, PRINTER)
    except ProblemsError as exc:
        problems += exc.problems
    try:
        brand = load_brand(brand_file, PRINTER)
    except ProblemsError as exc:
        problems += exc.problems
    if problems or lib is None or brand is None:
        raise ProblemsError(problems)
    return lib, brand


def find_pack(lib: Library, name: str) -> Pack:
    if name not in lib.packs:
        hint = did_you_mean(name, lib.packs)
        have = ", ".join(sorted(lib.packs)) or "none"
        raise UsageError(f"unknown pack '{name}'{hint}; packs: {have}")
    return lib.packs[name]


class Renderer:
    """The owner of everything remembered while handouts are made: every memo table
    (:class:`handouts.memo.Caches`: laid-out sections, broken lines, font subsets,
    compressed pages, assembled documents).

    Lifetime: as long as whoever makes it keeps it: the command line for one run, a batch
    worker for its rows, a web server's worker for its life. Dropping it, or
    :meth:`clear`, forgets everything; a new one makes the same bytes as a warm one.
    Size: every table has a bound (together a few hundred MB at the very most, far less
    in practice: a clinic's whole list stays near 200 MB a process). Nothing about a
    patient is ever kept (names, notes and details bypass every table,
    :mod:`handouts.pdf.private`). One thread at a time: a second thread calling
    :meth:`make` waits; a server gives each worker thread its own.
    """

    def __init__(self) -> None:
        self.caches = Caches()
        self._lock = threading.RLock()  # one thread at a time; the same one may re-enter

    def make(self, lib: Library, brand: Brand, req: Request) -> Rendered:
        """The PDF for ``req`` (see :func:`make`), made with this renderer's tables."""
        with self._lock, using(self.caches):
            return _make(lib, brand, req)

    def clear(self) -> None:
        """Forget everything remembered, as a new renderer would."""
        with self._lock:
            self.caches.clear()


def make(lib: Library, brand: Brand, req: Request) -> Rendered:
    """The PDF for ``req``: its pack, or one handout. Content past its review date or
    still a draft is refused unless ``req.allow`` allows it. Made with the active
    renderer's tables (a :class:`Renderer`'s inside its :meth:`Renderer.make`), else the
    current thread's own."""
    return _make(lib, brand, req)


def in_language(lib: Library, brand: Brand, req: Request) -> Library:
    """The content in the request's language (its own, else the brand's): ``lib`` when it
    is already in it, else its translations, read once and kept by ``lib``. A language
    whose translations are missing a unit, or have one made from English since changed,
    is refused with every such unit named (:mod:`handouts.content.translations`)."""
    tag = req.language or brand.spec.language or lib.language
    base = language.base(tag)
    if base == lib.language or lib.root is None:
        return lib
    if base not in lib.others:
        lib.others[base] = load_library(lib.root, PRINTER, base)
    return lib.others[base]


def brand_in(brand: Brand, req: Request) -> Brand:
    """The brand with its own words (after-hours line, crisis line, footer) in the
    request's language; refused, naming them, when the brand has none in it."""
    tag = req.language or brand.spec.language
    hit = _BRANDS.recall((id(brand), tag))
    if hit is not None and hit[0] is brand:  # one brand object a language: tables key on it
        return hit[1]
    try:
        spec = brand.spec.words_in(tag)
    except KeyError as exc:
        raise ContentError([Problem(brand.file, None, "translations",
            f"no words in '{exc.args[0]}' for {', '.join(TRANSLATED[:3])}: add them under "
            f"translations (language: {exc.args[0]}) so a handout in that language does "
            "not print the brand's English")]) from None  # fmt: skip
    made = brand if spec is brand.spec else replace(brand, spec=spec)
    _BRANDS[id(brand), tag] = (brand, made)
    return made


_BRANDS: MemoTable[tuple[int, str | None], tuple[Brand, Brand]] = table(
    "pipeline._BRANDS", 16, OrderedDict
)
"""The brand in each language asked for, made once, so that it is one object (the visit
handout's guesses and fitted cuts key on it): by the brand's id and the language tag,
with the brand itself (held, so that its id is not reused while the entry lives)."""


def _make(lib: Library, brand: Brand, req: Request) -> Rendered:
    language.check(req.language)
    english, (lib, brand) = lib, (in_language(lib, brand, req), brand_in(brand, req))
    _check(lib, req)
    if req.pack:
        return _pack(lib, brand, req, find_pack(lib, req.pack))
    if req.format == "visit":  # (a medicine the plan names in English is named too)
        return _visit(lib, brand, with_plan_medicines(lib, req, english))
    doc = assemble(lib, req, brand)
    late = _current(lib, doc, req.allow)
    pdf, pages = render(doc, brand, req.paper, req.large_print)
    return Rendered(pdf, pages, late)


def assembled(lib: Library, brand: Brand, req: Request) -> tuple[Document, tuple[Problem, ...]]:
    """The full version's document for ``req`` (for a web page), checked as :func:`make`
    checks: and what it uses only because it was allowed."""
    language.check(req.language)
    lib, brand = in_language(lib, brand, req), brand_in(brand, req)
    _check(lib, req)
    doc = assemble(lib, replace(req, format=FULL), brand)
    return doc, _current(lib, doc, req.allow)


def _visit(lib: Library, brand: Brand, req: Request) -> Rendered:
    """A visit handout on both sides of one sheet, with as few items left out as it takes to
    fit. Each cut leaves out the next lowest-priority item and shortens it (words that
    stand in for an item left out print only once put back: :data:`STANDS_IN`), so fitting
    is monotonic and the fewest cuts are found by halving (about five tries), written once
    (nearly monotonic: in large print, a shorter part can let a part kept whole move to the
    next page, where it needs more room, so k cuts fit, k + 1 do not, k + 2 do, rarely; the
    put-backs restore the same handout from either). A guess from handouts made before
    saves most tries (:func:`_like`): the number of cuts of the last one with the same
    content, paper and filled plan slots (whoever it was for), else the cuts after the
    medicines' own, on average, of those with the same conditions and as many medicines,
    else of as many conditions and medicines (on the diverse list of ``bench/visit.py``
    the mean is exact less often than the last one's number, but more often one cut short,
    which costs no more tries, and three or more out less often: fewer tries in all). When
    the guess fits and one fewer cut does not, it is the fewest: two tries; when it does
    not fit and one more does, two tries too. Where even every cut does not fit (what is
    never left out takes more than the sheet), the handout goes on to both sides of the
    next sheet, and the fewest cuts are found for its pages (:func:`_one_more_sheet`;
    never on a guess from them). Then the cuts
    :data:`~handouts.document.visit.PUT_BACK` names, where made, are tried again: all
    together, else each in turn, put back where it still fits (a try each, and a second
    kept whole where a split does not fit; only for the handouts that cut them, and words
    that stand in for an item only while it is left out). Then, last, the cuts
    :data:`~handouts.document.visit.PUT_BACK_LAST` names (a card's name said again over a
    page; in large print, the tidy breaks of "When to get help"; the first cuts made):
    with the others in the first try, where everything fits, else each in turn in the room
    they left, so they take none of theirs. A handout like one made before
    (:func:`_exact`, and a front of the same shape: :func:`handouts.pdf.render.front_shape`)
    is drawn with that one's cuts, without tries (where that one's lines were set closer
    to fit, only if its front's shape with closer lines is the same too), from the
    handouts that one was assembled as, given this patient's part (:data:`_DOCS`). The
    plan slots the clinician typed are part of the patient's part: a handout is known by
    which slots were typed and how tall the plan's section is (not what it says), where
    that section is on page 1 from the lowest start any try gives it (:func:`plan_room`:
    it is then laid out the same from every start, only moved), and they are left blank in
    the handouts remembered, and filled in with this patient's."""
    tries = Tries()  # this handout's: its patient text laid out once, then forgotten
    assembly = Assembly()  # and its sections chosen once for the cuts they ask about

    docs: dict[tuple[int, frozenset[str]], Document] = {}  # and each set of cuts once
    content = _exact(lib, brand, req)  # (None: the clinician typed the title)
    typed = any(req.plan.filled())

    def assembled(cuts: int, keep: frozenset[str] = frozenset()) -> Document:
        if (cuts, keep) not in docs:
            before = None if content is None else _DOCS.recall((*content, cuts, keep))
            if before is not None and before[0] is lib and before[1] is brand:
                docs[cuts, keep] = for_patient(before[2], req)
            else:
                docs[cuts, keep] = assemble_visit(lib, req, brand, cuts, assembly, keep)
        return docs[cuts, keep]

    pages = VISIT_PAGES[req.large_print]  # one sheet; one more only where it must

    def tried(cuts: int, most: int | None = None) -> tuple[Document, bool]:  # not drawn
        return _tried(assembled(cuts), brand, req, tries, pages if most is None else most)

    same, near, shape = _like(lib, brand, req)
    order = cut_order(lib, req)
    first = own_cuts(order)
    guess = None
    if (seen := _CUTS.get(same, _CUTS.get(near, _CUTS.get(shape)))) is not None:
        total, count = seen
        beyond = round(total / count)  # the mean: a new set is seldom far from it
        guess = beyond if same in _CUTS else min(max(first + beyond, 0), len(order))
    exact = None  # the content, and the front's shape: its patient part laid out under
    # the tall masthead (a try or the drawing that starts it there reuses it)
    if content is not None:
        start = assembled(0 if guess is None else guess)
        front = front_shape(start, brand, req.paper, req.large_print, tries)
        exact = None if front is None else (*content, front)
    known = None if exact is None else _FITTED.recall(exact)
    if known is not None and known[0] is lib and known[1] is brand:
        fitted = assembled(known[2], known[3])
        same_closer = known[4] is None or known[4] == front_shape(
            fitted, brand, req.paper, req.large_print, tries, snug=True
        )
        laid = _drawn(fitted, brand, req, tries, known[5]) if same_closer else None
        if laid is not None:
            return Rendered(*laid.finish(), _current(lib, laid.doc, req.allow))
    try:
        doc, _fits, cuts = _fewest_cuts(tried, guess)
    except TooLong:  # what is never left out does not fit: both sides of one more sheet
        pages = _one_more_sheet(lambda most: tried(len(order), most)[1], req.large_print)
        doc, _fits, cuts = _fewest_cuts(tried, len(order))
    made = [c for c in PUT_BACK if {c, STANDS_IN.get(c, c)} <= set(order[:cuts])]
    last = [c for c in PUT_BACK_LAST if c in order[:cuts]]
    keep: frozenset[str] = frozenset()
    every = _printed(frozenset(made))
    together = every | set(last) if last and made else None
    if together is not None:  # everything put back, the last too, if it all fits
        back, fits = _tried(assembled(cuts, together), brand, req, tries, pages)
        if fits:
            doc, keep, made, last = back, together, [], []
    if len(made) > 1:  # all put back, if they fit (a page break can fit two, not one)
        back, fits = _tried(assembled(cuts, every), brand, req, tries, pages)
        doc, keep, made = (back, every, []) if fits else (doc, keep, made)
    for cut in made:  # else each in turn, if it still fits with those put back before
        if (len(made) > 1 and _printed(keep | {cut}) == every) or STANDS_IN.get(cut) in keep:
            continue  # tried above, or it would print nothing
        back, fits = _tried(assembled(cuts, keep | {cut}), brand, req, tries, pages)
        doc, keep = (back, keep | {cut}) if fits else (doc, keep)
    for cut in last:  # then alone, in the room the others left (it takes none of theirs)
        if keep | {cut} == together or set(order[:cuts]) <= keep | {cut}:
            continue  # tried above, or the handout with fewer cuts, which did not fit
        back, fits = _tried(assembled(cuts, keep | {cut}), brand, req, tries, pages)
        doc, keep = (back, keep | {cut}) if fits else (doc, keep)
    laid = lay_out_visit(doc, brand, req.paper, req.large_print, tries, most=pages)  # drawn once
    if laid is None:
        raise internal("a visit handout measured to fit and drawn did not")
    closer = None  # with its lines closer, it is known by that front's shape too
    if exact is not None and doc.snug:
        closer = front_shape(doc, brand, req.paper, req.large_print, tries, snug=True)
    remember = exact is not None and (closer is not None or not doc.snug)
    if remember and typed:
        # a typed plan is known by its height only where it has room from the lowest
        # start: under the parts above it with none of the cuts made
        lowest = assembled(0)
        shapes = ((front, False), (closer, True))
        remember = all(plan_room(doc, lowest, s, brand, req.paper, req.large_print, tries,
                                 snug) for s, snug in shapes if s is not None)  # fmt: skip
    if remember and exact is not None:
        _FITTED[exact] = (lib, brand, cuts, keep, closer, pages)
    if content is not None:  # the handouts one like it starts from and is drawn with
        sets = [(cuts, frozenset()), (cuts, keep)]
        _DOCS.update({(*content, *c): (lib, brand, patient_free(docs[c])) for c in sets})
    if pages == VISIT_PAGES[req.large_print]:  # (one on more pages guides no other)
        hints = {same: (cuts, 1)}  # the like ones' cuts after their medicines' own, added up
        for key in (near, shape):
            total, count = _CUTS.get(key, (0, 0))
            hints[key] = (total + cuts - first, count + 1)
        _CUTS.update(hints)
    return Rendered(*laid.finish(), _current(lib, doc, req.allow))


def _printed(keep: frozenset[str]) -> frozenset[str]:
    """The put-backs in ``keep`` that print: not words that stand in for an item put back
    too (:data:`~handouts.document.visit.STANDS_IN`)."""
    return frozenset(c for c in keep if STANDS_IN.get(c) not in keep)


def _exact(lib: Library, brand: Brand, req: Request) -> tuple[object, ...] | None:
    """Everything that decides a visit handout but its patient's part (who, when, the
    notes: :func:`~handouts.document.visit.patient_free`), and so, with where that part
    ends (:func:`handouts.pdf.render.front_shape`), which cuts it fits with: the key of
    the handouts remembered (:data:`_DOCS`) and of their cuts (:data:`_FITTED`). A
    request field that changes what :func:`~handouts.document.visit.assemble_visit` makes
    must be in it: its content, paper, print size and language, plan template, calming
    practice (ids) and which plan slots the clinician typed (not what: a typed plan's
    section is known by its height, in the front's shape). None when the clinician typed
    the title: text laid out in the masthead. Numbers, flags and ids only: no patient
    text is ever in it."""
    if req.title is not None:
        return None
    calming = (req.plan.calming or "").strip()  # an id; anything else is not kept
    chosen = (calming if calming in lib.practices else "?") if calming else None
    typed = req.plan.filled()
    return (id(lib), id(brand), req.conditions, req.medicines, req.paper, req.large_print,
            req.language, req.plan_template, chosen, typed)  # fmt: skip


def _drawn(doc: Document, brand: Brand, req: Request, tries: Tries, most: int) -> Laid | None:
    """The visit handout ``doc`` drawn as :func:`_tried` would have chosen it (kept whole
    where that fits and the split does not), when it fits on ``most`` pages; else None."""
    laid = lay_out_visit(doc, brand, req.paper, req.large_print, tries, most=most)
    whole = help_kept_whole(doc) if laid is None else None
    if whole is not None:
        laid = lay_out_visit(whole, brand, req.paper, req.large_print, tries, most=most)
    return laid


def _tried(
    doc: Document, brand: Brand, req: Request, tries: Tries, most: int | None = None
) -> tuple[Document, bool]:
    """The visit handout ``doc`` (with some cuts made), and whether it fits on ``most``
    pages (by default one sheet; measured, not drawn). Where a cut let "When to get help"
    split over pages and that does not fit, it is tried kept whole too: a split can take
    more pages than moving the section to the next page, and a cut must never make a
    handout longer (the search for the fewest cuts relies on it)."""
    if fits_visit(doc, brand, req.paper, req.large_print, tries, most=most):
        return doc, True
    whole = help_kept_whole(doc)
    if whole is not None and fits_visit(whole, brand, req.paper, req.large_print, tries, most=most):
        return whole, True
    return doc, False


def _one_more_sheet(fits: Callable[[int], bool], large_print: bool) -> int:
    """The pages of one more sheet than :data:`VISIT_PAGES`
    (:data:`VISIT_PAGES_AT_MOST`), where a visit handout with every cut made fits on them
    (``fits``): where what is never left out takes more than a sheet, the handout goes on
    to the next, rather than leave out a red flag, a combination caution, a first-rank
    caution for the patient's conditions or the plan, or print nothing. Both of its
    sides, not the fewest pages: a side left blank would be paper given with cautions
    left out (review). More than that is :data:`TOO_LONG`."""
    pages = VISIT_PAGES_AT_MOST[large_print]
    if fits(pages):
        return pages
    raise TooLong(TOO_LONG)


def _fewest_cuts(
    tried: Callable[[int], tuple[Document, bool]], guess: int | None = None
) -> tuple[Document, bool, int]:
    """The fewest cuts that fit (and the handout with them), trying ``guess`` and its
    neighbour first, then steps away from the guess that double each time until one fits
    (or, from a guess that fits, one does not; or every cut is made and it still does
    not), then halving between the most cuts known not to fit and the fewest known to
    fit. A guess from a handout like this one is seldom more than a few cuts out, so the
    answer is close to it; every cut is tried only when the answer is that far (a try
    with every cut made lays out a masthead and tiers that few handouts print)."""
    low, high, best, most = -1, None, None, None  # low: known not to fit; high: to fit

    def probe(k: int) -> None:
        nonlocal low, high, best, most
        doc, laid = tried(k)
        most = len(doc.visit_order)
        if not laid:
            low = max(low, k)
        elif high is None or k < high:
            high, best = k, (doc, laid, k)

    probe(0 if guess is None else guess)
    assert most is not None
    if guess is not None and guess > 0 and high == guess:
        probe(guess - 1)
    elif guess is not None and low == guess and guess < most:
        probe(guess + 1)
    down, step = high is not None and guess is not None and high < guess, 1
    while guess is not None:  # step away from the guess, doubling (down: below it fits)
        if down and high is not None:
            if high - low <= step + 1:
                break
            k = high - step
        elif high is None and low < most:  # up, at most to every cut
            k = min(low + step, most)
        else:
            break
        probe(k)
        if (down and low == k) or (not down and high == k):  # the answer lies between
            break
        step *= 2
    while (most + 1 if high is None else high) - low > 1:
        probe((low + (most + 1 if high is None else high)) // 2)
    if best is None:
        raise TooLong(TOO_LONG)
    return best


def _like(
    lib: Library, brand: Brand, req: Request
) -> tuple[tuple[object, ...], tuple[object, ...], tuple[object, ...]]:
    """What makes two visit handouts likely to need the same cuts, without anything the
    patient or clinician wrote: the same content, paper and language, and which plan
    slots and personal lines are filled (not what they say), with the same conditions
    and medicines (``same``: the same number of cuts); more loosely, the same conditions
    and as many medicines (``near``), or as many of each (``shape``): the same number of
    cuts after the medicines' own (their second-rank cautions, cut first)."""
    plan = (*req.plan.filled(), bool(req.plan.calming))
    who = tuple(bool(v) for v in astuple(req.personal))
    how = (id(lib), id(brand), req.paper, req.large_print, req.language, req.plan_template,
           req.title is None, plan, who, bool(req.notes))  # fmt: skip
    many = len(req.medicines)
    return ((*how, "same", req.conditions, req.medicines),
            (*how, "near", frozenset(req.conditions), many),
            (*how, "shape", len(req.conditions), many))  # fmt: skip


CUT_HINTS = 4096
"""How many of the hints below a renderer remembers."""
_CUTS: MemoTable[tuple[object, ...], tuple[int, int]] = table(
    "pipeline._CUTS", CUT_HINTS, OrderedDict
)
"""How many cuts a visit handout like this one took (``same``), or how many the handouts
like it took after their medicines' own, added up, and how many handouts they were
(``near``, ``shape``; :func:`_like`; numbers, never patient text)."""
FITTED = 4096
"""How many fitted handouts (below) a renderer remembers."""
_FITTED: MemoTable[
    tuple[object, ...],
    tuple[Library, Brand, int, frozenset[str], tuple[float | None, ...] | None, int],
] = table("pipeline._FITTED", FITTED, OrderedDict)
"""The fewest cuts a visit handout took and what was put back, by everything that
decides them (:func:`_exact` and the front's shape: numbers and ids), with the content
and brand it was made with (held, so that their ids are not reused while the entry
lives; a hit must be made with the same ones), and, where its lines were set closer to
fit, its front's shape with closer lines (else None), and the pages it may take
(:func:`_one_more_sheet`). A handout with the same ones, and where that one's lines were
closer the same front with closer lines, is drawn with those cuts, without tries."""
DOCS = 4096
"""How many assembled handouts (below) a renderer remembers (two a handout at most)."""
_DOCS: MemoTable[tuple[object, ...], tuple[Library, Brand, Document]] = table(
    "pipeline._DOCS", DOCS, OrderedDict
)
"""Visit handouts as assembled, without their patient's part (who, when, the notes:
:func:`~handouts.document.visit.patient_free`), by everything that decides them
(:func:`_exact`, with the cuts made and those put back): the ones a handout made with
the same content after it starts from and is drawn with, assembled once (with the
content and brand they were made with: a hit must be made with the same ones)."""


TOO_LONG_WHY = (
    "the visit handout does not fit on four pages (six in large print), even with everything "
    "that may be left out left out: shorten the notes or the plan, or print the full version"
)
TOO_LONG = f"{TOO_LONG_WHY} (--full; format full in a clinic list), which has no plan"
"""(Red team: the full version refuses a plan, so its advice says the plan is lost.)"""


class TooLong(HandoutsError):
    """A visit handout that does not fit, whatever is left out (:data:`TOO_LONG`)."""


def _check(lib: Library, req: Request) -> None:
    """A request from anywhere (later a web form or a FHIR bundle) names content there is:
    its language, pack, conditions and medicines."""
    language.check(req.language)
    if req.format not in FORMATS:
        raise UsageError(f"unknown format '{req.format}'; use {' or '.join(FORMATS)}")
    if req.plan_template and req.plan_template not in lib.plans:
        hint = did_you_mean(req.plan_template, lib.plans)
        raise UsageError(f"unknown plan template '{req.plan_template}'{hint}")
    if req.pack:
        find_pack(lib, req.pack)
    elif not req.conditions:
        raise UsageError("a handout needs at least one condition, or a pack")
    unknown = [c for c in req.conditions if c not in lib.conditions]
    unknown += [m for m in req.medicines if m not in lib.medicines]
    if unknown:
        raise UsageError(f"unknown condition or medicine id: {', '.join(unknown)}")


NEVER_LEFT_OUT = (
    "what is never left out (such as the plan, the notes, the red flags and the combination "
    "cautions) does not fit on {sheet}, even with everything else left out"
)
"""Why a visit handout takes more than its sheet (:func:`_one_more_sheet`)."""


def past_a_sheet(req: Request, pages: int) -> str | None:
    """What to tell whoever prints a visit handout that takes more pages than one sheet
    (two in large print) has (:data:`NEVER_LEFT_OUT`); None for any other handout.
    Numbers only, never who it is for."""
    sheet = VISIT_PAGES[req.large_print]
    if req.format != "visit" or req.pack or pages <= sheet:
        return None
    why = NEVER_LEFT_OUT.format(sheet="one sheet" if sheet == 2 else "two sheets")
    return (
        f"this visit handout takes {pages} pages, not {sheet}: {why}; print it on "
        f"{(pages + 1) // 2} sheets, both sides"
    )


SAID_IDS = 10
"""How many rows' ids :func:`past_a_sheet_rows` names."""


def past_a_sheet_rows(ids: Sequence[str]) -> str:
    """What to tell whoever runs a list (a batch, the web page's upload) whose rows
    ``ids`` (their ids, never who they are for) have visit handouts that take more than
    one sheet (:func:`past_a_sheet`)."""
    named = ", ".join(ids[:SAID_IDS]) + (
        f" and {len(ids) - SAID_IDS} more" if len(ids) > SAID_IDS else ""
    )
    why = NEVER_LEFT_OUT.format(sheet="one sheet (two in large print)")
    if len(ids) == 1:
        return (f"1 row ({named}): its visit handout takes more pages: {why}; the manifest "
                "gives its pages")  # fmt: skip
    return (f"{len(ids)} rows ({named}): their visit handouts take more pages: {why}; the "
            "manifest gives their pages")  # fmt: skip


def check_all(lib: Library, brand: Brand, reqs: list[Request]) -> None:
    """Refuse, all at once, the content past review or still a draft that any of ``reqs``
    would print without being allowed to (before the first of them is rendered)."""
    refused: dict[Problem, None] = {}
    for req in reqs:
        # a visit handout as it is before anything is left out: all it may print
        visit = req.format == "visit" and not req.pack
        here, its = in_language(lib, brand, req), brand_in(brand, req)
        if visit:
            doc = assemble_visit(here, with_plan_medicines(here, req, lib), its, 0)
        else:
            doc = assemble(here, req, its)
        try:
            _current(here, doc, req.allow)
        except ContentError as exc:
            refused.update(dict.fromkeys(exc.problems))
    if refused:
        raise ContentError(list(refused))


def _pack(lib: Library, brand: Brand, req: Request, pack: Pack) -> Rendered:
    """A pack's PDF: the handouts for everyone, the patient's details and notes on the cover."""
    alone = replace(req, pack=None, notes=None, personal=Personal())
    docs = [
        assemble(lib, replace(alone, conditions=h.conditions, title=h.title, diary=h.diary), brand)
        for h in pack.handouts
    ]
    first = pack.handouts[0]
    cover = assemble(
        lib,
        replace(req, pack=None, conditions=first.conditions, title=first.title, diary=False),
        brand,
    )
    cover = replace(
        cover,
        subject=words(cover.language)("Patient information pack: {title}", title=pack.title),
        keywords=tuple(dict.fromkeys(k for d in docs for k in d.keywords)),
        online=None,  # each handout in the pack has its own code; the cover has none
    )
    late: dict[Problem, None] = {}
    for doc in docs:
        late.update(dict.fromkeys(_current(lib, doc, req.allow)))
    pdf, pages = render_pack(pack.title, pack.intro, docs, cover, brand, req.paper, req.large_print)
    return Rendered(pdf, pages, tuple(late))


def drafts(lib: Library, doc: Document) -> list[Problem]:
    """Content the handout uses that still needs clinical sign-off, once per review."""
    return _per_review(
        lib,
        doc,
        "draft",
        lambda p: (
            "still needs clinical sign-off: have a clinician review it, or pass "
            "--allow-draft to print it marked as a draft"
            if p.draft
            else None
        ),
    )


def expired(lib: Library, doc: Document, allow: Allow) -> list[Problem]:
    """Content the handout uses that is past its next review date, once per review."""
    today = allow.day()
    return _per_review(
        lib,
        doc,
        "next_review",
        lambda p: (
            f"past its review date ({p.next_review:%Y-%m-%d}): have it checked, "
            "or pass --allow-expired to print it anyway"
            if p.next_review < today
            else None
        ),
    )


def _per_review(
    lib: Library, doc: Document, field: str, why: Callable[[Provenance], str | None]
) -> list[Problem]:
    """A problem for each review (file and line) of the content the handout uses that
    ``why`` finds something wrong with, at that review's ``field``."""
    found: dict[tuple[str, int | None], Problem] = {}
    for p in doc.provenance:
        said = why(p)
        if said:
            file, line = lib.review_line(p.item, field)
            found.setdefault((file, line), Problem(file, line, f"review.{field}", said))
    return list(found.values())


def _current(lib: Library, doc: Document, allow: Allow) -> tuple[Problem, ...]:
    """Expired and draft content the handout uses: refused unless allowed, else returned."""
    late, draft = expired(lib, doc, allow), drafts(lib, doc)
    refused = ([] if allow.expired else late) + ([] if allow.draft else draft)
    if refused:
        raise ContentError(refused)
    return tuple(late + draft)
