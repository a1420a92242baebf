"""A web address too long for a line, broken where a reader expects it to be.

ReportLab breaks a word wider than a whole line at whatever letter fills the line, so a
source's address printed as "… 2019. htt" and "ps://www.medscape.com/…". Here an address
is broken only where :func:`handouts.document.addresses.break_points` allows (after a
double slash, before a single slash or a full stop, and so on; no hyphen is added), each
line holding as much of it as fits up to such a point. Only a run with no such point
that is wider than a whole line is broken at a letter, as before.

ReportLab's line breaker looks its word splitters up by name and calls them only for a
word wider than a line; :func:`install` puts :func:`split_frag_word` and
:func:`split_word` in their place. Any word that is not an address, or that HarfBuzz has
shaped, goes to ReportLab's own, so nothing else is broken differently.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfbase.ttfonts import ShapedFragWord
from reportlab.platypus import paragraph as _rl_paragraph

from handouts.document.addresses import break_points

_SPLIT_FRAG_WORD = _rl_paragraph._splitFragWord
_SPLIT_WORD = _rl_paragraph._splitWord


def install() -> None:
    """Make ReportLab's paragraphs break a too-long web address with
    :func:`split_frag_word` and :func:`split_word` (its module looks them up by name)."""
    _rl_paragraph._splitFragWord = split_frag_word
    _rl_paragraph._splitWord = split_word


def split_frag_word(w: Any, maxWidth: float, maxWidths: Sequence[float], lineno: int) -> Any:
    """ReportLab's ``_splitFragWord`` for an address: the word ``w`` (its width, then its
    parts, each a fragment and its text) in pieces, the first to fit in ``maxWidth``
    (what is left of the line), each next one in the next line's width."""
    if isinstance(w, ShapedFragWord) or any(hasattr(f, "cbDefn") for f, _ in w[1:]):
        return _SPLIT_FRAG_WORD(w, maxWidth, maxWidths, lineno)
    letters = [(f, c) for f, text in w[1:] for c in text]
    text = "".join(c for _, c in letters)
    points = break_points(text)
    if not points:
        return _SPLIT_FRAG_WORD(w, maxWidth, maxWidths, lineno)
    widths = [stringWidth(c, f.fontName, f.fontSize) for f, c in letters]
    last = len(maxWidths) - 1
    at_start = maxWidth == maxWidths[min(last, lineno)]
    cuts = _cuts(widths, points, maxWidth, at_start, maxWidths[min(last, lineno + 1) :])
    pieces = []
    for n, (start, end) in enumerate(itertools.pairwise((0, *cuts, len(text)))):
        width = 0.0
        parts: list[tuple[Any, str]] = []
        for (f, c), cw in zip(letters[start:end], widths[start:end], strict=True):
            width += cw
            if parts and parts[-1][0] is f:
                parts[-1] = (f, parts[-1][1] + c)
            else:
                parts.append((f, c))
        own = []
        for f, s in parts:  # each piece's fragments are its own, as ReportLab's are
            g = f.clone()
            if hasattr(g, "text"):
                g.text = s
            own.append((g, s))
        if n < len(cuts):
            kind = _rl_paragraph._SplitFrag
        elif isinstance(w, _rl_paragraph._HSFrag):
            kind = _rl_paragraph._SplitFragHS
        else:
            kind = _rl_paragraph._SplitFragH
        pieces.append(kind([width, *own]))
    return pieces


def split_word(
    w: str,
    lineWidth: float,
    maxWidths: Sequence[float],
    lineno: int,
    fontName: str,
    fontSize: float,
    encoding: str = "utf8",
) -> list[Any]:
    """ReportLab's ``_splitWord`` (a paragraph of one fragment) for an address: the word
    ``w`` in pieces, the first to fit after ``lineWidth`` on line ``lineno``."""
    text = w.decode(encoding) if isinstance(w, bytes) else w
    points = break_points(text)
    if not points or _rl_paragraph.isBidiStr(w):
        return _SPLIT_WORD(w, lineWidth, maxWidths, lineno, fontName, fontSize, encoding)  # type: ignore[no-any-return]
    widths = [stringWidth(c, fontName, fontSize, encoding) for c in text]
    last = len(maxWidths) - 1
    room = maxWidths[min(last, lineno)] - lineWidth
    cuts = _cuts(widths, points, room, lineWidth == 0, maxWidths[min(last, lineno + 1) :], True)
    ends = (0, *cuts, len(text))
    kinds = [_rl_paragraph._SplitWord] * len(cuts) + [_rl_paragraph._SplitWordEnd]
    return [kind(text[a:b]) for kind, (a, b) in zip(kinds, itertools.pairwise(ends), strict=True)]


_EPSILON = 1e-6
"""How much room a piece leaves at the end of a line, so that ReportLab (which adds the
widths in its own order) never finds it a hair too wide."""


def _cuts(
    widths: Sequence[float],
    points: Sequence[int],
    room: float,
    at_start: bool,
    next_widths: Sequence[float],
    empty_first: bool = False,
) -> tuple[int, ...]:
    """Where each line's piece of a word ends (each the number of characters before it),
    for a word of characters ``widths`` that may be broken at ``points``. The first piece
    fills ``room`` (the rest of the line) up to the last point that fits; where none fits
    and the line has words on it (not ``at_start``), the word starts on the next line (its
    first piece is cut for that line, so ReportLab moves it there as it moves any word
    that does not fit; or, where ReportLab would keep it on this line, ``empty_first``,
    the first piece is empty). Each next line, as wide as ``next_widths`` says (the last for
    any after), holds as much as fits up to a point, or, where no point fits, as many
    characters as fit (at least one)."""
    total = len(widths)
    cuts: list[int] = []
    start, line = 0, -1
    while True:
        if line >= 0:
            room = next_widths[min(line, len(next_widths) - 1)] - _EPSILON
        else:
            room -= _EPSILON
        width, end, best = 0.0, start, None
        for end in range(start, total):
            width += widths[end]
            if width > room:
                break
        else:
            break  # the rest fits on this line
        # characters start..end-1 fit; the last point in (start, end] that fits
        for p in reversed(points):
            if start < p <= end:
                best = p
                break
        if best is None and line < 0 and not at_start:  # nothing fits after the words
            if empty_first:
                cuts.append(start)  # an empty piece ends this line
            line = 0  # the first piece starts the next line
            continue
        if best is None:
            best = max(end, start + 1)  # no point fits a whole line: at a letter
        cuts.append(best)
        start, line = best, line + 1
    return tuple(cuts)
