"""Words in other scripts shaped with HarfBuzz, one run at a time.

ReportLab shapes a paragraph word by word when its style asks (``shaping=1``), but each
word whole, in the font of its first part and in the direction HarfBuzz guesses for all
of it: ``Hương`` (Atkinson and DejaVu) crashed it, ``ד"ר`` printed an empty box, and the
digits of ``الجرعة ١٢٥`` printed as ٥٢١. :func:`shape_word` takes its place (ReportLab's
paragraph module calls it by name) and shapes each run of a word apart: a run is one
face and one direction, so an Arabic word, its digits and the full stop after it are
three runs, each shaped in its own font and direction. The runs stay in the order they
were typed; :mod:`handouts.pdf.bidi` puts them in the order they are seen, line by line.

Each glyph keeps the letters it stands for (``said`` on its shape data), so a word whose
glyphs are not its letters one for one can say what it says (``/ActualText``).
"""

from __future__ import annotations

import threading
import unicodedata
from typing import Any

import uharfbuzz
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import ShapeData, ShapedFragWord, ShapedStr, makeShapedFragWord
from reportlab.platypus import paragraph as _rl_paragraph

from handouts.memo import memo

FEATURES = {"kern": True, "liga": True}
"""What HarfBuzz is asked for besides each script's required forms: kerning and the usual
ligatures, not discretionary ones (with which Noto Sans Arabic prints the name محمد as
one honorific sign)."""

_SPACES = frozenset(" \t\n\r\u00a0")


def install(script_faces: frozenset[str]) -> None:
    """Make ReportLab's paragraphs shape words with :func:`shape_word` (its module looks
    the function up by name when it breaks lines), for the faces of other scripts."""
    global _FACES
    _FACES = script_faces
    _rl_paragraph.shapeFragWord = shape_word  # type: ignore[attr-defined]


_FACES: frozenset[str] = frozenset()


def shape_word(word: Any, features: Any = None, force: bool = False) -> Any:
    """A ReportLab word (its width, then its parts: each a fragment and its text) with
    each part in a script face shaped, run by run; other parts as they were."""
    if isinstance(word, ShapedFragWord):
        return word
    parts = []
    width = 0.0
    changed = False
    for f, text in word[1:]:
        if hasattr(f, "cbDefn") or not text or f.fontName not in _FACES:
            parts.append((f, text))
            if text and not hasattr(f, "cbDefn"):
                width += pdfmetrics.stringWidth(text, f.fontName, f.fontSize)
            continue
        for run, rtl in runs(text):
            shaped, run_width = shape_run(run, f.fontName, f.fontSize, rtl)
            parts.append((f, shaped))
            width += run_width
            changed = True
    if not changed:
        return word
    out = makeShapedFragWord(word)(parts)
    out.insert(0, width)
    return out


def runs(text: str) -> list[tuple[str, bool]]:
    """``text`` (one word, one face) cut where its direction changes: letters of a
    right-to-left script run right to left; digits, and everything else, left to right.
    Marks and joiners stay with the run they are in."""
    out: list[tuple[str, bool]] = []
    for ch in text:
        kind = unicodedata.bidirectional(ch)
        if kind in ("NSM", "BN") and out:  # a mark or a joiner: part of the run it is in
            out[-1] = (out[-1][0] + ch, out[-1][1])
            continue
        rtl = kind in ("R", "AL")
        if out and out[-1][1] == rtl and (rtl or _digit(out[-1][0][-1]) == _digit(ch)):
            out[-1] = (out[-1][0] + ch, rtl)
        else:
            out.append((ch, rtl))
    return out


def _digit(ch: str) -> bool:
    return unicodedata.bidirectional(ch) in ("EN", "AN")


_PRIVATE = threading.Lock()
"""ReportLab keeps a shaped font's private codes (a glyph with no character of its own)
in the font every thread shares: its HarfBuzz face is made on first use, and a new glyph
takes the next code. Both happen under this lock, so two threads never give two glyphs
one code."""


def harfbuzz_font(font: Any, size: float | None = None) -> Any:
    """``font``'s HarfBuzz font (at ``size``, else its own units), made under the lock the
    first time (ReportLab then also sets up the font's private codes)."""
    with _PRIVATE:
        return font.hbFont() if size is None else font.hbFont(size)


def shape_run(text: str, font_name: str, size: float, rtl: bool) -> tuple[ShapedStr, float]:
    """One run shaped by HarfBuzz in its direction: its glyphs, left to right as seen,
    as ReportLab draws them (one character a glyph, with its advance and offsets), and
    its width in points."""
    font = pdfmetrics.getFont(font_name)
    hb_font = harfbuzz_font(font, size)  # also gives the font its private codes for glyphs
    buf = uharfbuzz.Buffer()
    buf.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
    buf.add_str(text)
    buf.guess_segment_properties()
    buf.direction = "rtl" if rtl else "ltr"
    uharfbuzz.shape(hb_font, buf, FEATURES)
    infos, positions = buf.glyph_infos, buf.glyph_positions
    starts = sorted({info.cluster for info in infos})
    ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
    face = font.face
    chars, data = [], []
    width = 0.0
    said: set[int] = set()
    for info, pos in zip(infos, positions, strict=True):
        gid, cluster = info.codepoint, info.cluster
        own = text[cluster]
        if face.charToGlyph.get(ord(own)) == gid and own not in _SPACES:
            uchar = ord(own)
        else:
            with _PRIVATE:  # looked up and, if new, added at once
                known = [c for c in face.glyphToChar.get(gid, ()) if chr(c) not in _SPACES]
                name = hb_font.glyph_to_string(gid)
                uchar = known[0] if known else font.hbAddPrivate(name, gid, pos.x_advance)
        x_advance = font.pdfScale(pos.x_advance)
        width += x_advance * size / 1000
        d = ShapeData(cluster, x_advance, font.pdfScale(pos.y_advance),
                      font.pdfScale(pos.x_offset), font.pdfScale(pos.y_offset),
                      face.charWidths[uchar])  # fmt: skip
        if cluster not in said:  # the letters this cluster stands for, on its first glyph
            said.add(cluster)
            d.said = text[cluster : ends[cluster]]  # type: ignore[attr-defined]
        chars.append(chr(uchar))
        data.append(d)
    return ShapedStr("".join(chars), shapeData=data), width


def said(text: Any) -> str | None:
    """The letters a shaped run stands for, in the order typed (None for plain text)."""
    data = getattr(text, "__shapeData__", None)
    if not data:
        return None
    found = sorted(((d.cluster, d.said) for d in data if hasattr(d, "said")), key=lambda c: c[0])
    return "".join(s for _, s in found) if found else None


PRIVATE_CODES = range(0xE000, 0xF900)
"""The private-use codes ReportLab gives glyphs HarfBuzz made that have no character."""
_ZWJ = "\u200d"


@memo(None, shared=True)
def joined_letters(font: Any) -> dict[int, str]:
    """The glyphs of ``font``'s Arabic letters' joined forms, and of its ligatures of a
    lam with an alef, that have no character of their own, each with the letters it is,
    in the order typed (``fehDotMovedbelowar.init``: ڢ; ``lamVabove_alefar.fina``: ڵا).
    Found from the font alone, by shaping each letter between joiners and each lam with
    each alef, so a handout reads the same whatever a process printed before; a glyph
    that stands for two different things is left out."""
    with _PRIVATE:  # (a copy: shaping elsewhere adds private codes)
        chars = dict(font.face.charToGlyph)
    own = {gid for cp, gid in chars.items() if cp not in PRIVATE_CODES}
    letters = [chr(cp) for cp in sorted(chars) if cp < 0xFB50 and _arabic_letter(chr(cp))]
    lams = [c for c in letters if "LAM" in unicodedata.name(c, "").split()]
    alefs = [c for c in letters if "ALEF" in unicodedata.name(c, "").split()]
    hb_font = harfbuzz_font(font)
    seen: dict[int, set[str]] = {}
    tries = [(t, 1) for c in letters for t in (c + _ZWJ, _ZWJ + c + _ZWJ, _ZWJ + c)]
    tries += [(t, 2) for lam in lams for alef in alefs for t in (lam + alef, _ZWJ + lam + alef)]
    for text, size in tries:
        buf = uharfbuzz.Buffer()
        buf.cluster_level = uharfbuzz.BufferClusterLevel.MONOTONE_CHARACTERS
        buf.add_str(text)
        buf.guess_segment_properties()
        uharfbuzz.shape(hb_font, buf, FEATURES)
        first = 1 if text[0] == _ZWJ else 0
        clusters = {info.cluster for info in buf.glyph_infos}
        if size == 2 and first + 1 in clusters:
            continue  # the lam and the alef are glyphs of their own: no ligature
        for info in buf.glyph_infos:
            if info.cluster == first and info.codepoint not in own:
                seen.setdefault(info.codepoint, set()).add(text[first : first + size])
    return {gid: min(s) for gid, s in seen.items() if len(s) == 1}


def _arabic_letter(ch: str) -> bool:
    return unicodedata.bidirectional(ch) == "AL" and unicodedata.category(ch)[0] == "L"
