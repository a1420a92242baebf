"""Where a space goes at the end of a paragraph's lines, for the tagged text.

ReportLab draws each line of a paragraph without the space that broke it from the next,
so a reader that goes by the structure read the last word of one line and the first of
the next as one ("onethat"). A tagged PDF's text should hold the spaces a plain text
would (ISO 32000-1, 14.8.2.5), so :mod:`handouts.pdf.paragraph` draws a space past the
end of each line that ends a word, where it moves nothing.

Which lines end a word is read from the paragraph's text: its lines hold its
characters in order, less the spaces they broke at (and soft hyphens, which ReportLab
leaves out, or draws as a hyphen where it breaks a line at one). A line that ends inside
a word (a long web address split to fit, a word broken at a soft hyphen) gets no space,
nor one that already ends with a space or is followed by a line that starts with one.
Where the lines do not hold the text's characters (a shaped word split to fit, whose
pieces are glyphs), nothing is added: the text reads as ReportLab left it.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

_SPACES = re.compile(r"[ \t\n\r\f\v]+")
"""What ReportLab breaks lines at (not a no-break space)."""
SOFT_HYPHEN = "\u00ad"
_UNCOUNTED = re.compile(r"[ \t\n\r\f\v\u00ad]+")
_COUNTED = re.compile(r"[^ \t\n\r\f\v\u00ad]")


def word_breaks(
    source: str, lines: Sequence[str], goes_on: bool = False, hard: Sequence[bool] = ()
) -> tuple[bool, ...] | None:
    """For each of a paragraph's broken ``lines`` (each line's text), whether a space is
    drawn after it: a word ends there by its ``source`` text, or the line ends at a
    ``<br/>`` (``hard``, line by line); and the text drawn so far does not end with a
    space, nor does the next line that is not empty start with one. After the text's
    last character, a space is drawn only where the paragraph ``goes_on`` after a space
    on the next page (a split's first half). None when the lines do not hold the
    source's characters (nothing is then added)."""
    bounds, total = _bounds(source)
    ends_at = _ends_at(source, lines, total)
    if ends_at is None:
        return None
    out: list[bool] = []
    afters, after = [], ""  # the first character drawn after each line
    for line in reversed(lines):
        afters.append(after)
        after = line[:1] or after
    afters.reverse()
    spaced = True  # whether the text drawn so far ends with a space (nothing: as if)
    for n, (line, (at, hyphen)) in enumerate(zip(lines, ends_at, strict=True)):
        if _UNCOUNTED.sub("", line):
            spaced = False
        if _SPACES.fullmatch(line[-1:]):
            spaced = True
        ends = (at in bounds or (n < len(hard) and hard[n])) if at < total else goes_on
        space = ends and not hyphen and not spaced and not _SPACES.fullmatch(afters[n])
        out.append(space)
        spaced = spaced or space
    return tuple(out)


def halves(source: str, lines: Sequence[str], n: int) -> tuple[str, str, bool] | None:
    """A paragraph split after its first ``n`` broken ``lines``: each half's text (for
    its own line ends: ReportLab hands each half its words in forms that lose their
    spaces; a soft hyphen at the cut stays with the first), and whether the first half's
    last line is followed by a space (its paragraph goes on after one, and the next line
    drawn does not start with one). None when the lines do not hold the source's
    characters (nothing is then added on either half)."""
    ends_at = _ends_at(source, lines, _bounds(source)[1])
    if ends_at is None:
        return None
    count = ends_at[n - 1][0] if n else 0
    end = 0
    for m in _COUNTED.finditer(source) if count else ():
        count -= 1
        if count == 0:
            end = m.end()
            break
    while source[end : end + 1] == SOFT_HYPHEN:
        end += 1
    after = next((line[:1] for line in lines[n:] if line), "")
    goes_on = bool(_SPACES.match(source, end)) and not _SPACES.fullmatch(after)
    return source[:end], source[end:], goes_on


def _bounds(source: str) -> tuple[set[int], int]:
    """Where each word of ``source`` ends, and its length, counted in the characters its
    lines hold (not spaces, not soft hyphens)."""
    bounds, at = set(), 0
    for word in _SPACES.split(source):
        at += len(word.replace(SOFT_HYPHEN, ""))
        bounds.add(at)
    return bounds, at


def _soft_hyphens(source: str) -> set[int]:
    """Where a soft hyphen sits in ``source``, after how many counted characters."""
    out, at = set(), 0
    for piece in _SPACES.split(source):
        parts = piece.split(SOFT_HYPHEN)
        for part in parts[:-1]:
            at += len(part)
            out.add(at)
        at += len(parts[-1])
    return out


def _ends_at(source: str, lines: Sequence[str], total: int) -> list[tuple[int, bool]] | None:
    """Where each line ends in ``source`` (counted characters, ``total`` of them), and
    whether it ends with a hyphen drawn where a soft hyphen broke a word; None when the
    lines do not hold the source's characters."""
    soft = _soft_hyphens(source) if SOFT_HYPHEN in source else set()
    out, at = [], 0
    for line in lines:
        count = len(_UNCOUNTED.sub("", line))
        hyphen = bool(soft) and line.rstrip().endswith("-") and at + count - 1 in soft
        at += count - hyphen
        out.append((at, hyphen))
    return out if at == total else None
