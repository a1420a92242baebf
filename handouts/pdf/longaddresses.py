"""A web address too long for a line, broken where a reader expects it to be.

ReportLab breaks a word wider than a whole line at whatever letter fills the line, so a
source's address printed as "… 2019. htt" and "ps://www.medscape.com/…". Here an address
is broken only where :func:`handouts.document.addresses.break_points` allows (after a
double slash, before a single slash or a full stop, and so on; no hyphen is added), each
line holding as much of it as fits up to such a point. Only a run with no such point
that is wider than a whole line is broken at a letter, as before.

ReportLab's line breaker looks its word splitters up by name and calls them only for a
word wider than a line; :func:`install` puts :func:`split_frag_word` and
:func:`split_word` in their place. Any word that is not an address, that HarfBuzz has
shaped, that runs right to left or that holds a callback (a marker drawn with it) goes
to ReportLab's own, so nothing else is broken differently.
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
    # ReportLab tells the line's state only by the room it passes: what is left after the
    # words on the line and a space, which is the line's whole width where it has none
    at_start = maxWidth == maxWidths[min(last, lineno)]
    cuts = _cuts(widths, points, maxWidth, at_start, maxWidths[min(last, lineno + 1) :],
                 scheme=_scheme(text, points))  # fmt: skip
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
    cuts = _cuts(widths, points, room, lineWidth == 0, maxWidths[min(last, lineno + 1) :],
                 empty_first=True, scheme=_scheme(text, points))  # fmt: skip
    ends = (0, *cuts, len(text))
    kinds = [_rl_paragraph._SplitWord] * len(cuts) + [_rl_paragraph._SplitWordEnd]
    return [kind(text[a:b]) for kind, (a, b) in zip(kinds, itertools.pairwise(ends), strict=True)]


def _scheme(text: str, points: Sequence[int]) -> int | None:
    """The point right after an address's "://", if it is one."""
    return points[0] if text[points[0] - 2 : points[0]] == "//" else None


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
    scheme: int | None = None,
) -> tuple[int, ...]:
    """Where each line's piece of a word ends (each the number of characters before it),
    for a word whose characters are ``widths`` wide and which may be broken at ``points``.

    The word starts with ``room`` left on its line (all of it, ``at_start``); each next
    line is as wide as ``next_widths`` says (the last for any after). Each piece runs to
    the last point that fits on its line, or, where the run after that point is too wide
    for any line (it is broken at a letter anyway), or no point fits on a whole line, to
    the last letter that fits. After words on a line, the word's first piece is more
    than its ``scheme`` (the point after "://": "https://" alone ends no line); where not
    even that fits, the word
    starts the next line: its first piece is cut for that line, and ReportLab moves it
    there as it moves any word that does not fit, or, where ReportLab would keep the first
    piece on this line whatever its width (``empty_first``), the first piece is empty.
    """
    total = len(widths)
    cuts: list[int] = []
    start, line = 0, -1  # line -1: the rest of the line the word starts on
    while True:
        wide = next_widths[min(max(line, 0), len(next_widths) - 1)]
        end = _fits(widths, start, (room if line < 0 else wide) - _EPSILON)
        if end >= total:
            break  # the rest fits on this line (or a last letter is wider than any line)
        after_words = line < 0 and not at_start
        fit = [p for p in points if start < p <= end and not (after_words and p == scheme)]
        best = fit[-1] if fit else None
        if best is not None:
            rest = next((p for p in points if p > best), total)
            longest = max(next_widths[min(line + 1, len(next_widths) - 1) :])
            if sum(widths[best:rest]) > longest:
                best = None  # the run after it is broken at a letter anyway: fill the line
        if best is None and after_words and not fit:
            if empty_first:
                cuts.append(start)  # an empty piece ends this line
            line = 0  # the first piece starts the next line
            continue
        if best is None:
            best = max(end, start + 1)  # at the last letter that fits (at least one)
        if best >= total:
            break
        cuts.append(best)
        start, line = best, line + 1
    return tuple(cuts)


def _fits(widths: Sequence[float], start: int, room: float) -> int:
    """How far from ``start`` the characters fit in ``room``: the first that does not."""
    width = 0.0
    for end in range(start, len(widths)):
        width += widths[end]
        if width > room:
            return end
    return len(widths)
