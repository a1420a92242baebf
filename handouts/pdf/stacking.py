"""A shared section drawn from pieces recorded once: its heading and each of its blocks.

Most of a visit handout is blocks that recur across sets of conditions and medicines (a
medicine's cautions, a picture, a calendar) but in a section of their own set, starting
at a height of their own: laid out whole, a section would be laid out anew for nearly
every handout of a diverse clinic list. Instead each piece (the section's heading, each
block) is laid out and drawn once per type and width, from the top of a page's frame
(so its numbers are written as precisely as a section laid out there), and a section
that fits on the rest of its page is those pieces stacked: each piece's drawing moved
down to where the frame would have put it.

Where the frame puts each piece is worked out as the frame does: one under another,
keeping the larger of the space after one and the space before the next
(:func:`_joined`). A drawn flowable's operators are relative to its own origin
(ReportLab draws each one after moving to it), so a piece's drawing moved as a whole
draws as the laid-out section would; its links move with it. The structure tree is the
section's: each piece was recorded under a section element of its own, and stacked they
are one ``Sect`` again (:func:`handouts.pdf.tagging.plan_structure`'s ``alias``).

A section that runs past the foot of its page is split (:func:`split_at_foot`): the pieces
that surely fit are stacked, and only the rest is laid out, from where the frame would
start it with the same space before it, so it breaks where the whole section would. A
try needs only where the rest ends: where the page surely breaks before a flowable that
is never split (a caution's point), the rest is added up on the next page from where the
frame placed each of the piece's flowables when it was recorded (:class:`Unit`). There
the drawing needs no layout either: each of the piece's flowables was recorded with its
own part of the drawing (:attr:`Piece.drawings`), so the ones above the break are drawn
where they fall on this page, and the rest from the top of the next, the pieces after
them stacked under them (:func:`_rest_stacked`).

A piece that cannot be moved this way is none (it moves space along, takes more than one
page, or draws a character the font seed lacks): its section is laid out whole.
:mod:`handouts.pdf.fitting` adds the same pieces' heights up for a visit handout's tries.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import cast

from reportlab.lib.rl_accel import fp_str
from reportlab.platypus import Flowable, KeepTogether, Spacer
from reportlab.platypus.doctemplate import ActionFlowable

from handouts.document.document import Block, Section, Tiers
from handouts.memo import memo
from handouts.pdf import fonts
from handouts.pdf.flowables import BLOCKS, Styles, kept_with_groups, section_flowables
from handouts.pdf.pages import (
    BLANK,
    Drawn,
    Geometry,
    Placing,
    Recording,
    layout,
    planned,
    replayable,
    scratch,
)
from handouts.pdf.paragraph import GoesOn, HeadingParagraph, WholeParagraph
from handouts.pdf.pdffile import Mark, Page
from handouts.pdf.tagging import Node, Unsplit, plan_structure, split_code

EPSILON = 1e-3
"""Points of room kept from the foot of the page where heights are added up (added up in
another order than the frame adds them, they differ by far less)."""
KEY = "piece"
"""The bookmark key a block's sub-heading is recorded with; stacked, it is the key the
section gives it (``<section>-<n>``)."""


_Rect = tuple[float, float, float, float]


@dataclass(frozen=True)
class Run:
    """Flowables laid out one under another, on from something above them."""

    height: float
    """From where they start to where the next thing starts (their last space after
    included)."""
    before: float
    """The space before the first of them."""
    after: float
    """The space after the last of them."""


@dataclass(frozen=True)
class Unit:
    """One of a piece's flowables as the frame placed it (on the page it was recorded
    on), or a group kept together: what a page break inside the piece needs."""

    top: float
    """Where its first flowable's top is (under its space before)."""
    bottom: float
    """Where its last flowable's bottom is (above its space after)."""
    after: float
    """The space after it."""
    whole: bool
    """It is never split: a page break moves it whole to the next page."""
    keep: bool
    """It keeps with the next (a page never breaks after it)."""
    again: bool = False
    """Where it starts a page, it says its card's title again above itself
    (:class:`~handouts.pdf.paragraph.GoesOn`: :attr:`Piece.again` holds the title)."""


@dataclass(frozen=True, eq=False)
class Piece:
    """A heading, a block or a whole section, laid out and drawn from the top of a page's
    frame."""

    run: Run
    page: Page
    """Its drawing, from the top of the frame."""
    sect: Node
    """The section element it was recorded under."""
    keep: bool = False
    """Its last flowable keeps with the next (a page never breaks after it)."""
    units: tuple[Unit, ...] | None = None
    """Its flowables as placed; None when they cannot be told apart."""
    drawings: tuple[Page, ...] | None = None
    """Each unit's own drawing (its part of ``page``, from the top of the frame too), so
    a page break inside the piece draws each part where it falls; None when the parts'
    drawings cannot be told apart."""
    again: tuple[float, Page] | None = None
    """A card's title said again over its points where they start a page
    (:class:`~handouts.pdf.paragraph.GoesOn`): the room it takes above the first, and its
    drawing at the top of the frame; None for a block without one."""


def run_of(section: Section, st: Styles, g: Geometry, seed: str) -> Run | None:
    """The section's height laid out on from the part above, with nothing breaking: its
    pieces' added up. None for a section holding patient text (measured for its handout
    only) or one with a piece that cannot be moved."""
    pieces = pieces_of(section, st, g, seed)
    return None if pieces is None else _run(pieces)


Pieces = tuple[tuple[Piece, str, Block | None], ...]
"""A section's pieces, each with the bookmark key its block has in the section and the
block (or the part of one) it is; None for the heading or a whole section."""


@memo(2048)
def pieces_of(section: Section, st: Styles, g: Geometry, seed: str) -> Pieces | None:
    """The section's pieces, top to bottom: its heading, then each block (a boxed
    section, or one without blocks, is one piece). None as for :func:`run_of`."""
    if section.private:
        return None
    if section.boxed or not section.blocks:
        whole = _whole(section, st, g, seed)
        return None if whole is None else ((whole, "", None),)
    head = _heading(section.title, section.id, st, g, seed)
    if head is None:
        return None
    found: list[tuple[Piece, str, Block | None]] = [(head, "", None)]
    for n, block in enumerate(section.blocks):
        parts = _parts(block)
        for k, part in enumerate(parts):
            last = n == len(section.blocks) - 1 and k == len(parts) - 1
            piece = _block(_alone(part), st, g, seed, last)
            if piece is None:
                return None
            found.append((piece, f"{section.id}-{n}", part))
    return tuple(found)


def _run(pieces: Pieces) -> Run:
    """The pieces' runs joined: the height a try adds up and the drawing ends at."""
    return _joined([p.run for p, _, _ in pieces])


def _parts(block: Block) -> tuple[Block, ...]:
    """A block as the pieces it is recorded in: most are one; the tiers are one piece a
    tier (the contact line with the first), since a set of conditions and medicines
    seldom has another's three tiers, but often one of them."""
    if isinstance(block, Tiers) and len(block.tiers) > 1:
        first, *rest = block.tiers
        return (replace(block, tiers=(first,)),
                *(replace(block, tiers=(t,), contact="") for t in rest))  # fmt: skip
    return (block,)


def _alone(block: Block) -> Block:
    """The block as its piece is recorded: whether tiers may split over pages, and where,
    changes nothing in a piece, which is laid out on one page or not at all (so the same
    tier is recorded once, not once for each)."""
    if isinstance(block, Tiers) and (block.may_split or not block.tidy_breaks):
        return replace(block, may_split=False, tidy_breaks=True)
    return block


@memo(1024)
def stacked(section: Section, st: Styles, g: Geometry, seed: str, top: float) -> Recording | None:
    """``section`` drawn from ``top`` down by stacking its pieces, ending where its run
    added up says (as a try adds it, to the last digit); None when it has no pieces
    (:func:`pieces_of`) or repeats one."""
    pieces = pieces_of(section, st, g, seed)
    if pieces is None:
        return None
    page = _stack(pieces, g, top)
    if page is None:
        return None
    (plan,) = plan_structure([page], _alias(pieces))
    return Recording((planned(page, plan),), top - _run(pieces).height, top)


def _alias(pieces: Pieces) -> dict[Node, Node]:
    """The section elements the pieces were recorded under, each to the one they are
    stacked as (the first's)."""
    return {p.sect: pieces[0][0].sect for p, _, _ in pieces[1:]}


def _stack(pieces: Pieces, g: Geometry, top: float) -> Page | None:
    """``pieces`` drawn one under another from ``top`` (no plan yet); None when one is
    there twice (its structure elements would be one)."""
    if len({id(p) for p, _, _ in pieces}) < len(pieces):
        return None
    at = zip(pieces, _starts(pieces, top), strict=True)
    return _joined_pages([_moved((p.page,), key, start - g.frame_top) for (p, key, _), start in at])


def _starts(pieces: Pieces, top: float) -> list[float]:
    """Where each piece starts, stacked from ``top`` (its own space before under it):
    where the one above ends, up by the space before it that the frame keeps in the one
    above's space after (the larger of the two is kept, not both)."""
    out, start, above = [], top, None
    for piece, _, _ in pieces:
        if above is not None:
            start += min(piece.run.before, above.after)
        out.append(start)
        start -= piece.run.height
        above = piece.run
    return out


@memo(1024)
def split_at_foot(section: Section, st: Styles, g: Geometry, seed: str, top: float,
                  measure: bool) -> Recording | None:  # fmt: skip
    """``section`` from ``top`` when it runs past the foot of its page: the pieces that
    surely fit (ending at least :data:`EPSILON` above the foot) stacked, and the rest laid
    out from where it starts, so only the part that breaks is laid out. With ``measure``,
    the pages are blank (a try). None when it cannot be split so (the whole section fits, or
    the part that fits is no more than the heading and its first block, which the frame
    keeps together; a section kept whole; a page never breaks there)."""
    pieces = pieces_of(section, st, g, seed)
    if pieces is None or section.whole or len(pieces) < 3:
        return None
    starts = _starts(pieces, top)
    k = next((n for n, (p, _, _) in enumerate(pieces)
              if starts[n] - p.run.height < g.bottom + EPSILON), None)  # fmt: skip
    if k is None or k < 2 or pieces[k - 1][0].keep:
        return None
    start = (
        starts[k - 1]
        - pieces[k - 1][0].run.height
        + min(pieces[k][0].run.before, pieces[k - 1][0].run.after)
    )
    # the rest is blocks (the heading, the one piece without a block, is pieces[0])
    rest = tuple((cast(Block, part), key) for _, key, part in pieces[k:])
    if measure:
        added = _rest_added(pieces, k, start, g)
        if added is not None:
            return Recording((BLANK, BLANK), added, top)
        laid = _rest_measured(rest, st, g, seed, start)
        return Recording((BLANK,) * len(laid.pages), laid.end_y, top)
    stacked = _rest_stacked(pieces, k, start, g, top)
    if stacked is not None:  # the page breaks where adding up is sure: drawn from pieces
        here, there, end = stacked
        plans = plan_structure([here, there], _alias(pieces))
        return Recording((planned(here, plans[0]), planned(there, plans[1])), end, top)
    drawn = _rest_drawn(rest, st, g, seed, start)
    if drawn is None:
        return None
    first = _stack(pieces[:k], g, top)
    if first is None:
        return None
    head, *more = drawn.pages
    pages = [
        Page(first.code + head.code, first.links + head.links, first.marks + head.marks,
             first.images + head.images),
        *(Page(p.code, p.links, p.marks, p.images) for p in more),
    ]  # fmt: skip
    sect = pieces[0][0].sect
    alias = {p.sect: sect for p, _, _ in pieces[1:k]} | {_REST_SECT: sect}
    plans = plan_structure(pages, alias)
    return Recording(tuple(map(planned, pages, plans)), drawn.end_y, top)


def _rest_added(pieces: Pieces, k: int, start: float, g: Geometry) -> float | None:
    """Where a section ends on the next page when the page breaks inside piece ``k``
    (starting at ``start``, the pieces above it on this page) before a flowable that is
    never split and surely does not fit: that flowable starts the next page (without its
    space before), the rest of the piece under it as it was recorded, then the pieces
    after it stacked. None when that is not sure: the break falls on a flowable that may
    split, next to one kept with its next, within :data:`EPSILON` of the foot, or the
    rest does not surely fit on the next page."""
    found = _rest_break(pieces, k, start, g)
    return None if found is None else found[2][-1]


def _rest_break(pieces: Pieces, k: int, start: float,
                g: Geometry) -> tuple[int, float, list[float], bool] | None:  # fmt: skip
    """For :func:`_rest_added`: the flowable of piece ``k`` that starts the next page,
    how far the piece's drawing moves up for that, where each piece after it starts on
    the next page, and (last) where the section ends there; and whether the piece's
    title is said again above it (:attr:`Piece.again`); None as said there."""
    piece, _, part = pieces[k]
    units = piece.units
    if units is None or part is not _alone(part):  # recorded kept whole: it may split
        return None
    dy = start - g.frame_top  # where the piece is drawn, moved down from where recorded
    j = next((n for n, u in enumerate(units) if u.bottom + dy < g.bottom + EPSILON), None)
    if j is None:  # every flowable surely fits: the break is not in this piece
        return None
    unit = units[j]
    if not unit.whole or unit.bottom + dy > g.bottom - EPSILON or (j and units[j - 1].keep):
        return None
    room = 0.0  # a card's points that start a page go on under its title, said again
    if unit.again:
        if piece.again is None:
            return None
        room = piece.again[0]
    top = g.frame_top - room  # where the flowable that starts the next page starts
    end = top - (unit.top - (g.frame_top - piece.run.height))
    starts, above = [], piece.run
    for later, _, _ in pieces[k + 1 :]:
        starts.append(end + min(later.run.before, above.after))
        end = end - later.run.height + min(later.run.before, above.after)  # as tries add up
        above = later.run
    if end < g.bottom + EPSILON:
        return None
    return j, top - unit.top, [*starts, end], room > 0


def _rest_stacked(pieces: Pieces, k: int, start: float, g: Geometry,
                  top: float) -> tuple[Page, Page, float] | None:  # fmt: skip
    """The two pages of a section whose page breaks inside piece ``k`` where
    :func:`_rest_added` is sure, drawn from the pieces (no plan yet): this page's
    pieces stacked from ``top`` and piece ``k``'s flowables up to the break where they
    fall, then the rest of piece ``k`` from the top of the next page and the pieces after
    it stacked under it; and where the section ends. None when piece ``k``'s flowables'
    drawings cannot be told apart, the break is not sure, or a piece is there twice."""
    drawings = pieces[k][0].drawings
    found = _rest_break(pieces, k, start, g)
    if drawings is None or found is None:
        return None
    j, up, starts, again = found
    if len({id(p) for p, _, _ in pieces}) < len(pieces):  # (so none in pieces[:k] either)
        return None
    first = _stack(pieces[:k], g, top)
    assert first is not None
    key = pieces[k][1]
    here = _moved(drawings[:j], key, start - g.frame_top)
    title = pieces[k][0].again
    there = [title[1]] if again and title is not None else []  # the title, said again
    there.append(_moved(drawings[j:], key, up))
    for (piece, key, _), at in zip(pieces[k + 1 :], starts, strict=False):
        there.append(_moved((piece.page,), key, at - g.frame_top))
    return _joined_pages([first, here]), _joined_pages(there), starts[-1]


def _moved(pages: Sequence[Page], key: str, dy: float) -> Page:
    """``pages`` drawn as one, moved ``dy`` up (down when negative), the block's
    sub-heading bookmarked with ``key``."""
    code = [c for p in pages for c in p.code]
    return Page(
        (f"q\n1 0 0 1 0 {fp_str(dy)} cm", *code, "Q") if code else (),
        tuple(replace(ln, rect=_shifted(ln.rect, dy)) for p in pages for ln in p.links),
        tuple(Mark(key, m.level, m.title) if m.key == KEY else m for p in pages for m in p.marks),
        tuple(i for p in pages for i in p.images),
    )


def _joined_pages(pages: Sequence[Page]) -> Page:
    """``pages`` drawn one after another on one page."""
    return Page(*(tuple(x for p in pages for x in getattr(p, name))
                  for name in ("code", "links", "marks", "images")))  # fmt: skip


_REST_SECT = Node("Sect")
"""The section element the rest of a split section is laid out under (one element with
its stacked pieces' when planned)."""


def _rest(rest: tuple[tuple[Block, str], ...], st: Styles, g: Geometry) -> list[Flowable]:
    """The flowables of a split section's rest, as the whole section has them."""
    flows: list[Flowable] = []
    for part, key in rest:
        flows += BLOCKS[type(part)](part, st, g.width, key, _REST_SECT)
    while flows and isinstance(flows[-1], Spacer):  # as section_flowables ends a section
        flows.pop()
    return kept_with_groups(flows)


@memo(1024)
def _rest_measured(rest: tuple[tuple[Block, str], ...], st: Styles, g: Geometry, seed: str,
                   start: float) -> Recording:  # fmt: skip
    return layout(_rest(rest, st, g), g, scratch(g, seed), start, True)


@memo(512)
def _rest_drawn(rest: tuple[tuple[Block, str], ...], st: Styles, g: Geometry, seed: str,
                start: float) -> Recording | None:  # fmt: skip
    return replayable(_rest(rest, st, g), g, seed, start)


def _shifted(rect: _Rect, dy: float) -> _Rect:
    x1, y1, x2, y2 = rect
    return (x1, y1 + dy, x2, y2 + dy)


def _joined(runs: Sequence[Run]) -> Run:
    """Runs one under another: where one's space after meets the next one's space before,
    the frame keeps the larger (a run laid out alone kept its space before whole)."""
    height = runs[0].height
    for above, below in itertools.pairwise(runs):
        height += below.height - min(below.before, above.after)
    return Run(height, runs[0].before, runs[-1].after)


@memo(256)
def _whole(section: Section, st: Styles, g: Geometry, seed: str) -> Piece | None:
    sect = Node("Sect")
    flows = section_flowables(section, st, g.width, sect)
    return _recorded(flows, g, seed, sect)


@memo(512)
def _heading(title: str, key: str, st: Styles, g: Geometry, seed: str) -> Piece | None:
    sect = Node("Sect")
    head = HeadingParagraph(fonts.markup(title, True), st.h1, key, 1, title, sect)
    return _recorded([head], g, seed, sect)


@memo(4096)
def _block(block: Block, st: Styles, g: Geometry, seed: str, last: bool) -> Piece | None:
    """A block laid out and drawn alone; the last block of a section without the space
    it ends with (a section drops it). None when that leaves nothing (its section is laid
    out whole)."""
    sect = Node("Sect")
    flows = BLOCKS[type(block)](block, st, g.width, KEY, sect)
    while last and flows and isinstance(flows[-1], Spacer):
        flows.pop()
    piece = _recorded(flows, g, seed, sect) if flows else None
    goes_on = next((f for f in flows if isinstance(f, GoesOn)), None)
    if piece is None or goes_on is None or goes_on.again is None:
        return piece
    title = _recorded([goes_on.again], g, seed, Node("Sect"))
    if title is None:  # (its title in letters the seed lacks: laid out where it breaks)
        return piece
    # drawn at the top of the frame, as the point draws it there (recorded under the
    # space before it, which a frame keeps on from something above)
    drawing = _moved((title.page,), KEY, title.run.before)
    return replace(piece, again=(goes_on.room(g.width, g.frame_top - g.bottom), drawing))


def _recorded(flows: list[Flowable], g: Geometry, seed: str, sect: Node) -> Piece | None:
    """``flows`` laid out and drawn on from something above, from the top of a page's
    frame; None when they take more than a page, move space along (which adding up does
    not follow) or draw what the font seed lacks."""
    if any(_moves_space(f) for f in (_first(flows), _last(flows))):
        return None
    top = g.frame_top
    placed: list[Placing] = []
    rec = replayable(flows, g, seed, top, placed)
    if rec is None or len(rec.pages) != 1 or not math.isfinite(rec.end_y):
        return None
    run = Run(top - rec.end_y, _first(flows).getSpaceBefore(), _last(flows).getSpaceAfter())
    keep = bool(flows[-1].getKeepWithNext() or _last(flows).getKeepWithNext())
    found = _units(flows, placed, top)
    if found is None:
        return Piece(run, rec.pages[0], sect, keep)
    units, ends = found
    return Piece(run, rec.pages[0], sect, keep, units, _cut(rec.pages[0], ends))


def _units(flows: list[Flowable], placed: list[Placing],
           top: float) -> tuple[tuple[Unit, ...], tuple[Drawn, ...]] | None:  # fmt: skip
    """``flows`` as the frame placed them from ``top`` (each with the frame's height and
    space after once placed), one unit each (a group kept together is one), and how far
    the page was drawn after each; None when what was placed is not ``flows`` one by
    one, or moves space along."""
    placed = [p for p in placed if not isinstance(p[0], ActionFlowable)]  # (moves nothing)
    out, ends, at, y, after = [], [], 0, top, 0.0
    for f in flows:
        members = f._content if type(f) is KeepTogether else [f]
        first_top, drawn = None, None
        for m in members:
            if at >= len(placed) or placed[at][0] is not m or _moves_space(m):
                return None
            _, y_after, space_after, drawn = placed[at]
            # the frame keeps the larger of the space after the last and the space before
            content_top = y - max(m.getSpaceBefore() - after, 0)
            first_top = content_top if first_top is None else first_top
            y, after, at = y_after, space_after, at + 1
        if first_top is None or drawn is None:
            return None
        last = members[-1]
        whole = isinstance(f, WholeParagraph) or type(f) is KeepTogether
        keep = bool(f.getKeepWithNext() or last.getKeepWithNext())
        again = isinstance(f, GoesOn) and f.again is not None
        out.append(Unit(first_top, y + after, after, whole, keep, again))
        ends.append(drawn)
    return (tuple(out), tuple(ends)) if at == len(placed) else None


def _cut(page: Page, ends: tuple[Drawn, ...]) -> tuple[Page, ...] | None:
    """``page``'s drawing cut after each unit (``ends``: how far it was drawn then), a
    page for each: drawn one after another, they draw ``page`` (an untagged run that
    two units drew in turn is two artifacts instead of one). None when a unit's drawing
    leaves the graphics state it found (ReportLab draws each flowable between saving and
    restoring the state), a tagged drawing is cut in two, or the page drew anything
    after the last unit."""
    code = ends[-1].code
    counts = (len(code), len(page.links), len(page.marks), len(page.images))
    last = ends[-1]
    if any(e.code is not code for e in ends) or (
        last.items, last.links, last.marks, last.images) != counts:  # fmt: skip
        return None
    if len(ends) == 1:
        return (page,)
    out, start = [], Drawn(code, 0, 0, 0, 0)
    try:
        for end in ends:
            raw = code[start.items : end.items]
            if not _enclosed(raw):
                return None
            out.append(Page(split_code(raw), page.links[start.links : end.links],
                            page.marks[start.marks : end.marks],
                            page.images[start.images : end.images]))  # fmt: skip
            start = end
    except Unsplit:  # a tagged flowable's drawing cut in two: not told apart
        return None
    return tuple(out)


def _enclosed(raw: Sequence[object]) -> bool:
    """Whether a unit's recorded drawing draws only between saving the graphics state and
    restoring it (each of its flowables does so), and restores all it saved: so it draws
    the same without the drawing before it. Tags are markers, not drawing."""
    depth = 0
    for item in raw:
        if type(item) is not str:
            continue
        if item == "q":
            depth += 1
        elif item == "Q":
            depth -= 1
            if depth < 0:
                return False
        elif depth == 0:
            return False
    return depth == 0


def _first(flows: list[Flowable]) -> Flowable:
    f = flows[0]
    return _first(f._content) if isinstance(f, KeepTogether) else f


def _last(flows: list[Flowable]) -> Flowable:
    f = flows[-1]
    return _last(f._content) if isinstance(f, KeepTogether) else f


def _moves_space(f: Flowable) -> bool:
    return bool(getattr(f, "_SPACETRANSFER", False) or getattr(f, "_ZEROSIZE", False))
