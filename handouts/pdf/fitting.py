"""A visit handout's tries at fitting, added up from heights measured once.

A try asks where each section ends (:func:`handouts.pdf.render.fits_visit`). A section
that goes on from the one before and fits on the rest of its page ends its height lower
down, whatever comes before it: so its height is measured once (:func:`run_of`) and a
try adds heights up instead of laying the section out again at each place it starts.
A section's height is its heading's and its blocks' (:func:`_block`), each measured
once per block, type and width and shared by every set of conditions and medicines that
prints it (the same cautions and signs recur in every set); between two blocks the frame
keeps the larger of the space after one and the space before the next, as ReportLab does.

Arithmetic decides only when it is sure: a section that ends far enough above the foot
of its page (:data:`EPSILON`), and not so close to where the next section's start
rounds to another line of the grid that it could round the other way (:data:`GRID`).
Otherwise the section is laid out as before (tests compare every verdict with the
layout's).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

from reportlab.platypus import Flowable, KeepTogether, Spacer

from handouts.document.document import Block, Section
from handouts.memo import memo
from handouts.pdf import fonts
from handouts.pdf.flowables import BLOCKS, Styles, section_flowables
from handouts.pdf.pages import Geometry, PdfCanvas, Recording, layout
from handouts.pdf.paragraph import HeadingParagraph
from handouts.pdf.pdffile import Page
from handouts.pdf.tagging import Node

TALL = 10_000.0
"""Height of the frame a run is measured in: more than any section takes."""
EPSILON = 1e-3
"""Points of room arithmetic keeps from the foot of the page (heights added up in
another order than the frame adds them differ by far less)."""
GRID = 1e-7
"""How near (in grid steps) an end may come to where the next start rounds to another
step before arithmetic leaves it to the layout."""
BLANK = Page(())
"""A measured page: tries count pages, and never draw them."""


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


def fitted(
    section: Section, st: Styles, g: Geometry, seed: str, top: float, quantum: float
) -> Recording | None:
    """``section`` measured from ``top`` (going on from the part above) by adding up its
    height, when it fits on the rest of the page and where the next section starts is
    not in doubt; None when the section must be laid out to know."""
    run = run_of(section, st, g, seed)
    if run is None:
        return None
    end = top - run.height
    if end < g.bottom + EPSILON:
        return None
    steps = (g.frame_top - end) / quantum - 1e-6  # as render._start rounds it
    if abs(steps - round(steps)) < GRID:
        return None
    return Recording((BLANK,), end, top)


def overflows(section: Section, st: Styles, g: Geometry, seed: str, top: float) -> bool:
    """Whether ``section``, from ``top``, surely runs past the foot of its page (its last
    flowable ends below it even with nothing moved to the next page)."""
    run = run_of(section, st, g, seed)
    return run is not None and top - run.height + run.after < g.bottom - EPSILON


def run_of(section: Section, st: Styles, g: Geometry, seed: str) -> Run | None:
    """The section's height laid out on from the part above, with nothing breaking: its
    heading's and its blocks' added up (a boxed section's measured whole). None for a
    section holding patient text, which is measured for its handout only."""
    if section.private:
        return None
    if section.boxed or not section.blocks:
        return _whole(section, st, g, seed)
    runs = [_heading(section.title, section.id, st, g, seed)]
    for n, block in enumerate(section.blocks):
        last = n == len(section.blocks) - 1
        runs.append(_block(block, st, g, seed, last))
    if any(r is None for r in runs):
        return None
    return _joined([r for r in runs if r is not None])


def _joined(runs: list[Run]) -> Run:
    """Runs one under another: where one's space after meets the next one's space before,
    the frame keeps the larger (a run measured alone kept its space before whole)."""
    height = runs[0].height
    for above, below in itertools.pairwise(runs):
        height += below.height - min(below.before, above.after)
    return Run(height, runs[0].before, runs[-1].after)


@memo(256)
def _whole(section: Section, st: Styles, g: Geometry, seed: str) -> Run | None:
    return _measure(section_flowables(section, st, g.width), g, seed)


@memo(512)
def _heading(title: str, key: str, st: Styles, g: Geometry, seed: str) -> Run | None:
    head = HeadingParagraph(fonts.markup(title, True), st.h1, key, 1, title, Node("Sect"))
    return _measure([head], g, seed)


@memo(4096)
def _block(block: Block, st: Styles, g: Geometry, seed: str, last: bool) -> Run | None:
    """A block's flowables measured alone; the last block of a section without the space
    it ends with (a section drops it). None when that leaves nothing."""
    flows = BLOCKS[type(block)](block, st, g.width, "fit", Node("Sect"))
    while last and flows and isinstance(flows[-1], Spacer):
        flows.pop()
    return _measure(flows, g, seed) if flows else None


def _measure(flows: list[Flowable], g: Geometry, seed: str) -> Run | None:
    """``flows`` laid out (not drawn) on from something above, in a frame taller than
    any page; None when they take more than one (or move space along, which adding up
    does not follow)."""
    if any(_moves_space(f) for f in (_first(flows), _last(flows))):
        return None
    top = g.bottom + TALL
    rec = layout(flows, g, _canvas(g, seed), top, True)
    if len(rec.pages) != 1 or not math.isfinite(rec.end_y):
        return None
    return Run(top - rec.end_y, _first(flows).getSpaceBefore(), _last(flows).getSpaceAfter())


@memo(4)
def _canvas(g: Geometry, seed: str) -> PdfCanvas:
    """A canvas to measure on (nothing is drawn on it)."""
    return PdfCanvas(g, seed)


def _first(flows: list[Flowable]) -> Flowable:
    f = flows[0]
    return _first(f._content) if isinstance(f, KeepTogether) else f


def _last(flows: list[Flowable]) -> Flowable:
    f = flows[-1]
    return _last(f._content) if isinstance(f, KeepTogether) else f


def _moves_space(f: Flowable) -> bool:
    return bool(getattr(f, "_SPACETRANSFER", False) or getattr(f, "_ZEROSIZE", False))
