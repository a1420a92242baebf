"""A web address too long for a line, broken where a reader expects it to be.

ReportLab breaks a word wider than a whole line at whatever letter fills the line, so a
source's address printed as "… 2019. htt" and "ps://www.medscape.com/…". Here an address
is broken where :func:`handouts.document.addresses.break_points` allows (after a double
slash, before a single slash or a full stop, and so on; no hyphen is added), each line
holding as much of it as fits up to such a point. A run with no such point that is too
long for any line is broken at a letter, as before, starting on the line it reaches.

After words on a line, an address whose first line can hold no more than "https://"
starts the next line. The rest of an address that a page break cut (the paragraph's part
on the next page is broken into lines anew) is broken at the points of the whole
address, which its link holds; with no link (a care team's note), at its own points, if
it has a path or query mark in it (:func:`handouts.document.addresses.break_points`).

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
    points, scheme = _points(text, _link(w))
    if not points:
        return _SPLIT_FRAG_WORD(w, maxWidth, maxWidths, lineno)
    widths = [stringWidth(c, f.fontName, f.fontSize) for f, c in letters]
    # ReportLab tells the line's state only by the room it passes: what is left after the
    # words on the line and a space, which is the line's whole width where it has none
    at_start = maxWidth == maxWidths[min(len(maxWidths) - 1, lineno)]
    cuts = _cuts(widths, points, scheme, maxWidth, at_start, _later(maxWidths, lineno))
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
        if not own:  # an empty first piece ends the line: no link box, no underline
            own = [(letters[0][0].clone(text="", link=[], us_lines=[]), "")]
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
    points, scheme = _points(text, None)
    if not points or _rl_paragraph.isBidiStr(w):
        return _SPLIT_WORD(w, lineWidth, maxWidths, lineno, fontName, fontSize, encoding)  # type: ignore[no-any-return]
    widths = [stringWidth(c, fontName, fontSize, encoding) for c in text]
    room = maxWidths[min(len(maxWidths) - 1, lineno)] - lineWidth
    cuts = _cuts(widths, points, scheme, room, lineWidth == 0, _later(maxWidths, lineno))
    ends = (0, *cuts, len(text))
    kinds = [_rl_paragraph._SplitWord] * len(cuts) + [_rl_paragraph._SplitWordEnd]
    return [kind(text[a:b]) for kind, (a, b) in zip(kinds, itertools.pairwise(ends), strict=True)]


def _link(w: Any) -> str | None:
    """The address of the one link every part of the word ``w`` is in, if it is."""
    links = {tuple(getattr(f, "link", None) or ()) for f, _ in w[1:]}
    if len(links) != 1:
        return None
    (link,) = links
    return str(link[0][1]) if len(link) == 1 else None


def _points(text: str, link: str | None) -> tuple[tuple[int, ...], int | None]:
    """Where a line may end in ``text``, and the point right after its "://" (or None).
    A word that is the end of its ``link``'s address (the rest of an address a page break
    cut) has the points of the whole address, so its lines end there too."""
    at = len(link) - len(text) if link and link.endswith(text) else 0
    whole = link if at else text
    points = tuple(p - at for p in break_points(whole) if p > at)
    scheme = points[0] if points and whole[points[0] + at - 2 : points[0] + at] == "//" else None
    return points, scheme


def _later(maxWidths: Sequence[float], lineno: int) -> Sequence[float]:
    """The widths of the lines after line ``lineno`` (the last one is every later one's)."""
    return maxWidths[min(len(maxWidths) - 1, lineno + 1) :]


_EPSILON = 1e-6
"""How much room a piece leaves at the end of a line, so that ReportLab (which adds the
widths in its own order) never finds it a hair too wide."""


def _cuts(
    widths: Sequence[float],
    points: Sequence[int],
    scheme: int | None,
    room: float,
    at_start: bool,
    next_widths: Sequence[float],
) -> tuple[int, ...]:
    """Where each line's piece of a word ends (each the number of characters before it),
    for a word whose characters are ``widths`` wide and which may be broken at ``points``
    (``scheme``: the point right after its "://", if any).

    The word starts with ``room`` left on its line (all of it where ``at_start``); each
    next line is as wide as ``next_widths`` says (the last for any after). Each piece runs
    to the last point that fits on its line; or to the last letter that fits, where no
    point fits on a whole line, or where the run after the last point that fits is too
    long for any line (it is broken at a letter anyway, and starts on this line).

    After words on a line, a first piece no longer than "https://" is not taken. Where
    nothing else fits there, the first piece is empty: it ends the line (ReportLab puts a
    word's first piece on the line it started on), and the word starts the next.
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
        if after_words and not fit:
            cuts.append(start)  # an empty first piece: the word starts the next line
            line = 0
            continue
        best = fit[-1] if fit else max(end, start + 1)  # a point, or else a letter
        if fit:
            rest = next((p for p in points if p > best), total)
            if sum(widths[best:rest]) > max(next_widths):
                best = max(end, start + 1)  # broken at a letter anyway: fill this line
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
