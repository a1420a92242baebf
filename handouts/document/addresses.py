"""Where a line may end inside a web address, for every renderer.

A long address is broken as the Chicago Manual of Style (17th ed., 6.76 and 14.18)
advises: after a double slash or a colon; before a single slash, a tilde, a full stop, a
comma, a hyphen, an underscore, a question mark, a number sign or a percent sign; before
or after an equals sign or an ampersand; and after a plus sign, which stands for a space
in a query ("?term=lupus+migraine"). Never between two of those characters, so no line
ends with a hyphen or a full stop ("Medicine--pregnancy" breaks before its first
hyphen). No hyphen is added, as one could be read as part of the address; a line that
starts with a full stop or a slash shows that the address goes on from the line before.
The PDF breaks an address too long for a line only there (but for a run with none that
is too long for any line: :mod:`handouts.pdf.longaddresses`); the web page offers the
same points (``<wbr>``).
"""

from __future__ import annotations

import itertools
import re

_ADDRESS = re.compile(
    r"""[(\[<"'\u201c\u2018]*  # any opening bracket or quotation mark, then
    (?: [a-z][a-z0-9+.-]*://                          # a scheme and "://",
      | www\.                                         # or "www.",
      | (?=(?:[a-z0-9-]+\.)+[a-z]{2,}(?::[0-9]+)?/)   # or a host and a path: nhs.uk/…
    )""",
    re.I | re.X,
)
"""An address, at a word's start: what no line ends inside of."""
_PATH = re.compile(r"[/?=#&+]")
"""A word with a path or a query in it: the rest of an address cut by a page break
("/08/steroid-emergency-card…", "lupus+migraine+aura"), or words joined by slashes;
broken the same way."""
_PUNCTUATION = frozenset("/~.,-_?#%=&+:")
"""The characters a line may end before or after in an address: never between two of
them, so no line ends with a hyphen or a full stop ("Medicine-" | "-pregnancy")."""
_BEFORE = frozenset("/~.,-_?#%=&")
"""Characters a line may start with (a single slash only: see :func:`break_points`)."""
_AFTER = frozenset("=&+:")
"""Characters a line may end with, besides a double slash (a plus sign stands for a
space in an address's query, so a line may end after it as after a word)."""


def break_points(text: str) -> tuple[int, ...]:
    """Where a line may end inside the address ``text`` (each point the number of
    characters before it), or none when ``text`` is not an address nor has a path or a
    query in it (a slash, "?", "=", "#", "&" or "+"). No line ends inside
    its scheme and "://" (or "www."), between two punctuation characters, inside a number
    ("12.5mg", "17,5"), or before a last character (which would stand alone on the next
    line)."""
    m = _ADDRESS.match(text)
    if m is None and not _PATH.search(text):
        return ()
    points = []
    for i in range(max(m.end() if m else 0, 1), len(text) - 1):
        before, after = text[i - 1], text[i]
        if after == "/":  # before a single slash, not inside or before a double one
            if before not in _PUNCTUATION and text[i + 1] != "/":
                points.append(i)
        elif before == "/":  # after a double slash only
            if text[i - 2 : i] == "//" and after not in _PUNCTUATION:
                points.append(i)
        elif before in _PUNCTUATION and after in _PUNCTUATION:
            continue  # inside a run: "--", "..", "?=" (a line would end with one)
        elif after in ".," and before.isdigit() and text[i + 1].isdigit():
            continue  # a number: "12" | ".5mg" could be read as 12 mg
        elif after in _BEFORE or before in _AFTER:
            points.append(i)
    return tuple(points)


def pieces(text: str) -> tuple[str, ...]:
    """``text`` cut at every point a line may end in it (itself alone if none)."""
    cuts = (0, *break_points(text), len(text))
    return tuple(text[a:b] for a, b in itertools.pairwise(cuts))
