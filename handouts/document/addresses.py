"""Where a line may end inside a web address, for every renderer.

A long address is broken as the Chicago Manual of Style (17th ed., 6.76 and 14.18)
advises: after a double slash or a colon; before a single slash, a tilde, a full stop, a
comma, a hyphen, an underscore, a question mark, a number sign or a percent sign; before
or after an equals sign or an ampersand; and after a plus sign, which stands for a space
in a query ("?term=lupus+migraine"). No hyphen is added, as one could be read as part of
the address; a line that starts with a full stop or a slash shows that the address goes
on from the line before. The PDF breaks an address too long for a line only there
(:mod:`handouts.pdf.longaddresses`); the web page offers the same points (``<wbr>``).
"""

from __future__ import annotations

import itertools
import re

_ADDRESS = re.compile(r"[(\[<\"'\u201c\u2018]*(?:[a-z][a-z0-9+.-]*://|www\.)", re.I)
"""An address: a scheme and "://", or "www.", at the word's start (after any opening
bracket or quotation mark)."""
_BEFORE = frozenset("/~.,-_?#%=&")
"""Characters a line may start with (a single slash only: see :func:`break_points`)."""
_AFTER = frozenset("=&+")
"""Characters a line may end with, besides a double slash or a colon (a plus sign stands
for a space in an address's query, so a line may end after it as after a word)."""


def break_points(text: str) -> tuple[int, ...]:
    """Where a line may end inside the address ``text`` (each point the number of
    characters before it), or none when ``text`` is not an address. No line ends inside
    the scheme and its "://", nor leaves a single character alone on the next line."""
    m = _ADDRESS.match(text)
    if m is None:
        return ()
    points = []
    for i in range(m.end(), len(text) - 1):
        before, after = text[i - 1], text[i]
        if after == "/":  # before a single slash, not inside or before a double one
            if before != "/" and text[i + 1] != "/":
                points.append(i)
            continue
        if before == "/":  # after a double slash only
            if text[i - 2 : i] == "//":
                points.append(i)
            continue
        if after in _BEFORE or before in _AFTER or before == ":":
            points.append(i)
    return tuple(points)


def pieces(text: str) -> tuple[str, ...]:
    """``text`` cut at every point a line may end in it (itself alone if none)."""
    cuts = (0, *break_points(text), len(text))
    return tuple(text[a:b] for a, b in itertools.pairwise(cuts))
