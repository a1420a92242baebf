"""Right-to-left words in reading order, on lines ReportLab has already broken.

ReportLab breaks a paragraph into lines in the order the text is written (its logical
order) and shapes each word with HarfBuzz, which gives an Arabic or Hebrew word its
glyphs left to right as they are seen. What ReportLab cannot do here (its ``rlbidi``
package is not installable) is put the *words* of a right-to-left run in the order they
are seen: "For: محمد الأحمد" must show الأحمد to the left of محمد. :func:`visual` does that
for each line with the Unicode bidi algorithm (UAX #9, from ``python-bidi``): each word
and space gets the level the algorithm gives it, and the words are reordered as its rule
L2 says. Digits in a right-to-left run stay left to right.

Text is read back from a PDF as PDF readers read every right-to-left run: the glyphs of
a line, left to right, each read as its letters (Arabic's joined forms as the letters
they join, :mod:`handouts.pdf.pdffile`), then the right-to-left run turned round. Where
a left-to-right word's glyphs are not its letters one for one, in order (a Devanagari
conjunct has no letter of its own; the vowel sign of अनिल is drawn before the letter it
follows), the drawn word is marked with the word it stands for
(``/ActualText``), so a screen reader, a search or a copy gives the name back as typed.
"""

from __future__ import annotations

import copy
import re
import unicodedata
from collections.abc import Sequence
from html import unescape
from typing import Any

from bidi import get_base_level, get_display
from reportlab.lib.abag import ABag

from handouts.pdf.shaping import said
from handouts.pdf.tagging import ACTUAL_CLOSE, ACTUAL_OPEN


def plain(markup: str) -> str:
    """The text of a paragraph's markup, as the reader reads it (tags dropped, line
    breaks kept, entities read)."""
    return unescape(re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", "\n", markup)))


def base_rtl(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strong letter does (UAX #9 P2)."""
    return bool(get_base_level(text))


def levels(classes: str, rtl: bool) -> list[int]:
    """The embedding level of each character of ``classes`` (a stand-in string, one
    character per word, run, space or mark of punctuation) in a paragraph of the given
    direction, from python-bidi's implementation of UAX #9 (with its bracket pairs, N0).

    python-bidi gives its levels only in its debugging report, one per byte of UTF-8; the
    report is read here (the version is pinned in the lock file, and the tests would
    notice a change in it)."""
    if not classes:
        return []
    report = get_display(classes, base_dir="R" if rtl else "L", debug=True)
    found = report[report.index("levels: [") : report.index("paragraphs:")]
    per_byte = [int(n) for n in re.findall(r"Level\(\s*(\d+),\s*\)", found)]
    out, at = [], 0
    for ch in classes:
        out.append(per_byte[at])
        at += len(ch.encode("utf-8"))
    return out


def reorder(levels_: Sequence[int]) -> list[int]:
    """Indices in the order they are seen (UAX #9 L2): from the highest level down to the
    lowest odd one, reverse every run at that level or higher."""
    order = list(range(len(levels_)))
    if not levels_:
        return order
    top = max(levels_)
    lowest_odd = min((lv for lv in levels_ if lv % 2), default=top + 1)
    for level in range(top, lowest_odd - 1, -1):
        n = 0
        while n < len(order):
            if levels_[order[n]] >= level:
                end = n
                while end < len(order) and levels_[order[end]] >= level:
                    end += 1
                order[n:end] = order[n:end][::-1]
                n = end
            else:
                n += 1
    return order


def visual(bl: Any, rtl: bool) -> Any:
    """A copy of broken lines (``bl``, ReportLab's kind 1) with each line's words and
    runs in the order they are seen, in a paragraph that reads right to left or not."""
    new = copy.copy(bl)
    new.lines = []
    for line in bl.lines:
        own = copy.copy(line)
        own.words = _seen(line.words, rtl)
        new.lines.append(own)
    return new


def _seen(frags: Sequence[Any], rtl: bool) -> list[Any]:
    """One line's fragments in the order seen: each word and space a piece of its own."""
    tokens = _tokens(frags)
    lv = levels("".join(_class_char(f, text) for f, text in tokens), rtl)
    for n in range(len(lv) - 1, -1, -1):  # trailing spaces at the paragraph's level (L1)
        if tokens[n][1].strip():
            break
        lv[n] = 1 if rtl else 0
    out: list[Any] = []
    for i in reorder(lv):
        f, text = tokens[i]
        typed = said(text)
        if lv[i] % 2 and typed is None:  # plain text in a right-to-left run: turned round
            text = "".join(MIRRORED.get(ch, ch) for ch in reversed(str(text)))
        if lv[i] % 2 == 0 and typed is not None and typed != str(text):
            out += [_callback(f, ACTUAL_OPEN, typed), _piece(f, text)]
            out.append(_callback(f, ACTUAL_CLOSE, ""))
        else:
            out.append(_piece(f, text))
    return out


MIRRORED = {"(": ")", ")": "(", "[": "]", "]": "[", "{": "}", "}": "{", "<": ">", ">": "<",
            "«": "»", "»": "«"}  # fmt: skip
"""Brackets drawn facing the other way in a right-to-left run (UAX #9 L4); a run HarfBuzz
shaped right to left is turned round and mirrored by HarfBuzz."""


def _tokens(frags: Sequence[Any]) -> list[tuple[Any, str]]:
    """Each word (or run of one) and each space of a line, with the fragment (font, size,
    colour) it is in; a lone bracket or mark of punctuation is a token of its own."""
    out = []
    for f in frags:
        if hasattr(f, "cbDefn"):
            out.append((f, ""))
            continue
        text = f.text
        pattern = _PLAIN if said(text) is None else _WORDS
        for m in pattern.finditer(str(text)):
            out.append((f, text[m.start() : m.end()]))
    return out


_WORDS = re.compile(r" +|[^ ]+")
_PLAIN = re.compile(r" +|[^\W_]+|[^\w ]")
"""Plain text's words, and each mark of punctuation alone (a bracket's direction is its
own, UAX #9 N0)."""


def _class_char(f: Any, text: str) -> str:
    """One character with the bidi class of a token for the algorithm: that of the first
    letter or digit it stands for; a space; a neutral for punctuation and callbacks."""
    if not text.strip():
        return " " if text else "!"
    letters = said(text) or str(text)
    for ch in letters:
        if unicodedata.bidirectional(ch) in ("L", "R", "AL", "EN", "AN"):
            return ch
    return letters[0]  # punctuation, a symbol: itself (a bracket pairs with its match)


def _piece(f: Any, text: str) -> Any:
    if hasattr(f, "cbDefn") and not text:
        return f
    piece = f.clone()
    piece.text = text
    return piece


def _callback(like: Any, name: str, label: str) -> Any:
    f = like.clone()
    f.text = ""
    f.cbDefn = ABag(kind="onDraw", name=name, label=label)
    return f
