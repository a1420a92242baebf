"""A shared section drawn from pieces recorded once: its heading and each of its blocks.

Most of a visit handout is blocks that recur across sets of conditions and medicines (a
medicine's cautions, a picture, a calendar) but in a section of their own set, starting
at a height of their own: laid out whole, a section would be laid out anew for nearly
every handout of a diverse clinic list. Instead each piece (the section's heading, each
block) is laid out and drawn once per type and width, from the top of a frame taller
than any page (:data:`TALL`), and a section that fits on the rest of its page is those
pieces stacked: each piece's drawing moved down to where the frame would have put it.

Where the frame puts each piece is worked out as the frame does: one under another,
keeping the larger of the space after one and the space before the next
(:func:`_joined`). A drawn flowable's operators are relative to its own origin
(ReportLab draws each one after moving to it), so a piece's drawing moved as a whole
draws as the laid-out section would; its links move with it. The structure tree is the
section's: each piece was recorded under a section element of its own, and stacked they
are one ``Sect`` again (:func:`handouts.pdf.tagging.plan_structure`'s ``alias``).

A piece that cannot be moved this way is none (it moves space along, takes more than one
page, or draws a character the font seed lacks): its section is laid out whole.
:mod:`handouts.pdf.fitting` adds the same pieces' heights up for a visit handout's tries.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from reportlab.lib.rl_accel import fp_str
from reportlab.platypus import Flowable, KeepTogether, Spacer

from handouts.document.document import Block, Section, Tiers
from handouts.memo import memo
from handouts.pdf import fonts
from handouts.pdf.flowables import BLOCKS, Styles, section_flowables
from handouts.pdf.pages import Geometry, Recording, replayable
from handouts.pdf.paragraph import HeadingParagraph
from handouts.pdf.pdffile import Link, Mark, Page
from handouts.pdf.tagging import Marked, Node, plan_structure

TALL = 10_000.0
"""Height of the frame a piece is laid out in: more than any section takes."""
KEY = "piece"
"""The bookmark key a block's sub-heading is recorded with; stacked, it is the key the
section gives it (``<section>-<n>``)."""


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


@dataclass(frozen=True, eq=False)
class Piece:
    """A heading, a block or a whole section, laid out and drawn from ``TALL`` points up."""

    run: Run
    page: Page
    """Its drawing, from the top of the tall frame."""
    sect: Node
    """The section element it was recorded under."""


def run_of(section: Section, st: Styles, g: Geometry, seed: str) -> Run | None:
    """The section's height laid out on from the part above, with nothing breaking: its
    pieces' added up. None for a section holding patient text (measured for its handout
    only) or one with a piece that cannot be moved."""
    pieces = pieces_of(section, st, g, seed)
    return None if pieces is None else _joined([p.run for p, _ in pieces])


def pieces_of(
    section: Section, st: Styles, g: Geometry, seed: str
) -> tuple[tuple[Piece, str], ...] | None:
    """The section's pieces, top to bottom: its heading, then each block (a boxed
    section, or one without blocks, is one piece), each with the bookmark key its block
    has in the section. None as for :func:`run_of`."""
    if section.private:
        return None
    if section.boxed or not section.blocks:
        whole = _whole(section, st, g, seed)
        return None if whole is None else ((whole, ""),)
    found = [(_heading(section.title, section.id, st, g, seed), "")]
    for n, block in enumerate(section.blocks):
        parts = _parts(block)
        for k, part in enumerate(parts):
            last = n == len(section.blocks) - 1 and k == len(parts) - 1
            found.append((_block(part, st, g, seed, last), f"{section.id}-{n}"))
    if any(p is None for p, _ in found):
        return None
    return tuple((p, key) for p, key in found if p is not None)


def _parts(block: Block) -> tuple[Block, ...]:
    """A block as the pieces it is recorded in: most are one; the tiers are one piece a
    tier (the contact line with the first), since a set of conditions and medicines
    seldom has another's three tiers, but often one of them."""
    if isinstance(block, Tiers) and len(block.tiers) > 1:
        first, *rest = block.tiers
        return (replace(block, tiers=(first,)),
                *(replace(block, tiers=(t,), contact="") for t in rest))  # fmt: skip
    return (block,)


def stacked(section: Section, st: Styles, g: Geometry, seed: str, top: float,
            end: float) -> Recording | None:  # fmt: skip
    """``section`` drawn from ``top`` down by stacking its pieces, ending at ``end`` (the
    height its run added up gives, so a try and the drawing agree to the last digit);
    None when it has no pieces (:func:`pieces_of`) or repeats one."""
    pieces = pieces_of(section, st, g, seed)
    if pieces is None or len({id(p) for p, _ in pieces}) < len(pieces):
        return None
    code: list[str | Marked] = []
    links: list[Link] = []
    marks: list[Mark] = []
    images: list[tuple[str, Path]] = []
    start, above = top, None
    for piece, key in pieces:
        run = piece.run
        if above is not None:
            start += min(run.before, above.after)  # the larger space kept, not both
        dy = start - (g.bottom + TALL)
        code += [f"q\n1 0 0 1 0 {fp_str(dy)} cm", *piece.page.code, "Q"]
        links += [replace(ln, rect=_moved(ln.rect, dy)) for ln in piece.page.links]
        marks += [Mark(key, m.level, m.title) if m.key == KEY else m for m in piece.page.marks]
        images += piece.page.images
        start -= run.height
        above = run
    page = Page(tuple(code), tuple(links), tuple(marks), tuple(images))
    alias = {p.sect: pieces[0][0].sect for p, _ in pieces[1:]}
    (plan,) = plan_structure([page], alias)
    return Recording((replace(page, plan=plan),), end, top)


def _moved(rect: tuple[float, float, float, float], dy: float) -> tuple[float, float, float, float]:
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
    it ends with (a section drops it). None when that leaves nothing."""
    sect = Node("Sect")
    flows = BLOCKS[type(block)](block, st, g.width, KEY, sect)
    while last and flows and isinstance(flows[-1], Spacer):
        flows.pop()
    return _recorded(flows, g, seed, sect) if flows else None


def _recorded(flows: list[Flowable], g: Geometry, seed: str, sect: Node) -> Piece | None:
    """``flows`` laid out and drawn on from something above, in a frame taller than any
    page; None when they take more than one, move space along (which adding up does not
    follow) or draw what the font seed lacks."""
    if any(_moves_space(f) for f in (_first(flows), _last(flows))):
        return None
    top = g.bottom + TALL
    rec = replayable(flows, g, seed, top)
    if rec is None or len(rec.pages) != 1 or not math.isfinite(rec.end_y):
        return None
    run = Run(top - rec.end_y, _first(flows).getSpaceBefore(), _last(flows).getSpaceAfter())
    return Piece(run, rec.pages[0], sect)


def _first(flows: list[Flowable]) -> Flowable:
    f = flows[0]
    return _first(f._content) if isinstance(f, KeepTogether) else f


def _last(flows: list[Flowable]) -> Flowable:
    f = flows[-1]
    return _last(f._content) if isinstance(f, KeepTogether) else f


def _moves_space(f: Flowable) -> bool:
    return bool(getattr(f, "_SPACETRANSFER", False) or getattr(f, "_ZEROSIZE", False))
