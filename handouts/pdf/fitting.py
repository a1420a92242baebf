"""A visit handout's tries at fitting, added up from heights measured once.

A try asks where each section ends (:func:`handouts.pdf.render.fits_visit`). A section
that goes on from the one before and fits on the rest of its page ends its height lower
down, whatever comes before it: so its height is its pieces' (its heading's and each
block's, :mod:`handouts.pdf.stacking`), each laid out once per block, type and width and
shared by every set of conditions and medicines that prints it (the same cautions and
signs recur in every set), and a try adds heights up instead of laying the section out
again at each place it starts. The handout that fits is drawn from the same pieces
(:func:`placed`), so the try and the drawing agree.

Arithmetic decides only when it is sure: a section that ends far enough above the foot
of its page (:data:`handouts.pdf.stacking.EPSILON`), and not so close to where the next
section's start rounds to another line of the grid that it could round the other way
(:data:`GRID`).
Otherwise the section is laid out as before (tests compare every verdict with the
layout's).
"""

from __future__ import annotations

from handouts.document.document import Section
from handouts.pdf import stacking
from handouts.pdf.flowables import Styles
from handouts.pdf.pages import BLANK, Geometry, Recording

GRID = 1e-7
"""How near (in grid steps) an end may come to where the next start rounds to another
step before arithmetic leaves it to the layout."""


def fitted(
    section: Section, st: Styles, g: Geometry, seed: str, top: float, quantum: float
) -> Recording | None:
    """``section`` measured from ``top`` (going on from the part above) by adding up its
    height, when it fits on the rest of the page and where the next section starts is
    not in doubt; None when the section must be laid out to know."""
    end = _end(section, st, g, seed, top, quantum)
    return None if end is None else Recording((BLANK,), end, top)


def placed(
    section: Section, st: Styles, g: Geometry, seed: str, top: float, quantum: float
) -> Recording | None:
    """``section`` drawn from ``top`` by stacking its pieces, where :func:`fitted` adds
    its height up (so it ends where the try said); None where it does not."""
    end = _end(section, st, g, seed, top, quantum)
    return None if end is None else stacking.stacked(section, st, g, seed, top)


def fitted_on_new_page(
    section: Section, st: Styles, g: Geometry, seed: str, quantum: float
) -> Recording | None:
    """``section`` measured at the top of a new page by adding up its height (as
    :func:`fitted`, from :func:`page_top`); None when it must be laid out to know."""
    top = page_top(section, st, g, seed)
    end = None if top is None else _end(section, st, g, seed, top, quantum)
    return None if end is None else Recording((BLANK,), end, None)


def placed_on_new_page(
    section: Section, st: Styles, g: Geometry, seed: str, quantum: float
) -> Recording | None:
    """``section`` drawn at the top of a new page by stacking its pieces, where
    :func:`fitted_on_new_page` adds its height up; None where it does not."""
    top = page_top(section, st, g, seed)
    if top is None or _end(section, st, g, seed, top, quantum) is None:
        return None
    rec = stacking.stacked(section, st, g, seed, top)
    return None if rec is None else Recording(rec.pages, rec.end_y, None)


def page_top(section: Section, st: Styles, g: Geometry, seed: str) -> float | None:
    """Where ``section``'s pieces stack from when it starts a new page: the top of the
    frame, up by its first piece's space before (a frame drops the space before what
    comes first on a page; each piece was recorded with it, going on from something
    above); None when it has no pieces."""
    pieces = stacking.pieces_of(section, st, g, seed)
    return None if pieces is None else g.frame_top + pieces[0][0].run.before


def starts_next_page(section: Section, st: Styles, g: Geometry, seed: str, top: float) -> bool:
    """Whether ``section``, kept whole, surely starts the next page from ``top``: it is
    surely taller than the rest of the page and surely fits on a page of its own (a point
    either way, far more than heights added up in another order differ by)."""
    run = stacking.run_of(section, st, g, seed)
    if not section.whole or run is None:
        return False
    inner = run.height - run.before - run.after  # as the frame measures a group it keeps
    return inner > top - g.bottom + 1 and run.height + 1 < g.frame_top - g.bottom


def split_at_foot(
    section: Section,
    st: Styles,
    g: Geometry,
    seed: str,
    top: float,
    quantum: float,
    measure: bool,
) -> Recording | None:
    """``section`` from ``top`` when it runs past the foot of its page: the pieces that
    fit stacked and the rest laid out (:func:`handouts.pdf.stacking.split_at_foot`), measured
    for a try or drawn; None when it must be laid out whole."""
    rec = stacking.split_at_foot(section, st, g, seed, top, measure)
    # (on the next page too: where the rest ends may be added up, not laid out)
    if rec is not None and _doubtful(rec.end_y, g, quantum):
        return None
    return rec


def _end(
    section: Section, st: Styles, g: Geometry, seed: str, top: float, quantum: float
) -> float | None:
    run = stacking.run_of(section, st, g, seed)
    if run is None:
        return None
    end = top - run.height
    if end < g.bottom + stacking.EPSILON or _doubtful(end, g, quantum):
        return None
    return end


def _doubtful(end: float, g: Geometry, quantum: float) -> bool:
    """Whether where the next section starts after ``end`` could round the other way."""
    steps = (g.frame_top - end) / quantum - 1e-6  # as render._start rounds it
    return abs(steps - round(steps)) < GRID


def overflows(section: Section, st: Styles, g: Geometry, seed: str, top: float) -> bool:
    """Whether ``section``, from ``top``, surely runs past the foot of its page (its last
    flowable ends below it even with nothing moved to the next page)."""
    run = stacking.run_of(section, st, g, seed)
    return run is not None and top - run.height + run.after < g.bottom - stacking.EPSILON
