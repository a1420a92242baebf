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

from bidi.algorithm import (
    PARAGRAPH_LEVELS,
    explicit_embed_and_overrides,
    get_base_level,
    get_embedding_levels,
    get_empty_storage,
    resolve_implicit_levels,
    resolve_neutral_types,
    resolve_weak_types,
)
from reportlab.lib.abag import ABag

from handouts.pdf.tagging import pdf_text

ACTUAL_OPEN, ACTUAL_CLOSE = "handouts_actual_open", "handouts_actual_close"
"""The canvas callbacks that open and close a run's ``/ActualText``."""


def plain(markup: str) -> str:
    """The text of a paragraph's markup, as the reader reads it (tags dropped, line
    breaks kept, entities read)."""
    return unescape(re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", "\n", markup)))


def base_rtl(text: str) -> bool:
    """Whether a paragraph reads right to left: its first strong letter does (UAX #9 P2)."""
    return get_base_level(text) == 1


def levels(classes: str, rtl: bool) -> list[int]:
    """The embedding level of each character of ``classes`` (a stand-in string, one
    character per word or space) in a paragraph of the given direction."""
    storage = get_empty_storage()
    storage["base_level"] = PARAGRAPH_LEVELS["R" if rtl else "L"]
    storage["base_dir"] = "R" if rtl else "L"
    get_embedding_levels(classes, storage)
    explicit_embed_and_overrides(storage)
    resolve_weak_types(storage)
    resolve_neutral_types(storage, False)
    resolve_implicit_levels(storage, False)
    return [ch["level"] for ch in storage["chars"]]


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


def visual(bl: Any, rtl: bool, words: Sequence[str], rtl_faces: frozenset[str]) -> Any:
    """A copy of broken lines (``bl``, ReportLab's kind 1) with each line's words in the
    order they are seen. ``words``: the paragraph's words in reading order (to mark the
    drawn words with); ``rtl_faces``: the faces of right-to-left scripts."""
    new = copy.copy(bl)
    new.lines = []
    if not _aligned(bl.lines, words):  # the drawn words are not the typed ones, one for one:
        words = ()  # no word is marked rather than a wrong one
    seen = 0  # words on earlier lines
    for line in bl.lines:
        own = copy.copy(line)
        own.words, seen = _seen(line.words, rtl, words, rtl_faces, seen)
        new.lines.append(own)
    return new


def _seen(
    frags: Sequence[Any], rtl: bool, words: Sequence[str], rtl_faces: frozenset[str], seen: int
) -> tuple[list[Any], int]:
    """One line's fragments in the order seen, and the words read so far."""
    tokens = _tokens(frags)
    lv = levels("".join(_class_char(f, text, rtl_faces) for f, text in tokens), rtl)
    for n in range(len(lv) - 1, -1, -1):  # trailing spaces at the paragraph's level (L1)
        if tokens[n][1].strip():
            break
        lv[n] = 1 if rtl else 0
    logical: list[int | None] = []  # each token's word, in reading order (None: a space)
    for _, text in tokens:
        logical.append(seen if text.strip() else None)
        seen += 1 if text.strip() else 0
    out: list[Any] = []
    for i in reorder(lv):
        f, text = tokens[i]
        n = logical[i]
        if lv[i] % 2 == 0 and n is not None and n < len(words) and text != words[n]:
            out += [_callback(f, ACTUAL_OPEN, words[n]), _piece(f, text)]
            out.append(_callback(f, ACTUAL_CLOSE, ""))
        else:
            out.append(_piece(f, text))
    return out, seen


def _aligned(lines: Sequence[Any], words: Sequence[str]) -> bool:
    """Whether the drawn words are the typed ``words``, one for one: as many, and each
    drawn as its own letters wherever its glyphs are letters (no private code)."""
    drawn = [text for line in lines for _, text in _tokens(line.words) if text.strip()]
    if len(drawn) != len(words):
        return False
    return all(
        text == word or any(0xE000 <= ord(ch) <= 0xF8FF or ch != ch for ch in text)
        for text, word in zip(drawn, words, strict=True)
        if not any(ord(ch) > 0x58F for ch in word)
    )


def _tokens(frags: Sequence[Any]) -> list[tuple[Any, str]]:
    """Each word and each space of a line, with the fragment (font, size, colour) it is in."""
    out = []
    for f in frags:
        if hasattr(f, "cbDefn"):
            out.append((f, ""))
            continue
        text = f.text
        for m in re.finditer(r" +|[^ ]+", str(text)):
            out.append((f, text[m.start() : m.end()]))
    return out


def _class_char(f: Any, text: str, rtl_faces: frozenset[str]) -> str:
    """One character with the bidi class of a word (or space) for the algorithm."""
    if not text.strip():
        return " " if text else "!"  # a callback: a neutral
    if getattr(f, "fontName", "") in rtl_faces:
        if all(unicodedata.digit(ch, None) is not None for ch in text):
            return "\u0661" if any(ord(ch) > 127 for ch in text) else "1"
        return "\u05d0"  # a letter of a right-to-left script (glyphs may be private codes)
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("L", "R", "AL", "EN", "AN"):
            return {"L": "a", "R": "\u05d0", "AL": "\u0627", "EN": "1", "AN": "\u0661"}[kind]
    return "!"  # punctuation, symbols: neutral


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


def open_actual(canvas: Any, kind: str, label: str) -> None:
    tx = canvas._curr_tx_info["tx"]
    tx._code.append(f"/Span << /ActualText {pdf_text(label)} >> BDC")


def close_actual(canvas: Any, kind: str, label: str) -> None:
    canvas._curr_tx_info["tx"]._code.append("EMC")
