"""Pictures a handout draws itself, as vector drawings: the painkiller-day calendar and the
stroke signs. Each is one figure with words for a screen reader (the caller tags it); the
words printed inside a drawing are in the bundled face, like every word in a handout."""

from __future__ import annotations

import copy
from typing import Any

from reportlab.graphics.shapes import Circle, Drawing, Group, Line, Polygon, Rect, String
from reportlab.lib import colors

from handouts.memo import memo
from handouts.pdf import fonts

INK = colors.HexColor("#1A1A1A")
FAINT = colors.HexColor("#555555")


def calendar(limit: int, at_limit: str, width: float, large: bool, month: bool = True) -> Drawing:
    """A month of days 1 to 31 to tick (seven to a row), and beside it ``limit`` boxes to
    fill, one per painkiller day, with a thick line around the last and ``at_limit``
    written beside it: the reader never has to count. ``month=False``: the boxes alone,
    from the left edge (the painkiller-day rule's own, where the month is left out)."""
    cell, size = _counting_sizes(large)
    grid_w, rows = 7 * cell, 5
    label_w = _label_width(at_limit, large) + 8
    left = grid_w + cell if month else 0.0
    per_row = max(1, int((width - left - label_w) // cell))
    if not month:
        rows = -(-limit // per_row)
    height = rows * cell + 2
    d = Drawing(width, height, initialFontName=fonts.BODY, initialFontSize=10)
    for day in range(31 if month else 0):
        r, c = divmod(day, 7)
        x, y = c * cell, height - (r + 1) * cell - 1
        d.add(Rect(x, y, cell, cell, strokeColor=FAINT, strokeWidth=0.75, fillColor=None))
        d.add(String(x + 2, y + cell - size - 1, str(day + 1), fontName=fonts.BODY,
                     fontSize=size, fillColor=INK))  # fmt: skip
    # the counting boxes, in rows that fit beside the month, the limit's box ringed
    for n in range(limit):
        r, c = divmod(n, per_row)
        x, y = left + c * cell, height - (r + 1) * cell - 1
        last = n == limit - 1
        d.add(Rect(x, y, cell, cell, strokeColor=INK, strokeWidth=3 if last else 0.75,
                   fillColor=None))  # fmt: skip
        d.add(String(x + cell / 2, y + (cell - size) / 2, str(n + 1), fontName=fonts.BODY,
                     fontSize=size, fillColor=FAINT, textAnchor="middle"))  # fmt: skip
        if last:
            d.add(Line(x + cell + 2, y + cell / 2, x + cell + 8, y + cell / 2,
                       strokeColor=INK, strokeWidth=2))  # fmt: skip
            d.add(String(x + cell + 10, y + (cell - size) / 2, at_limit, fontName=fonts.BOLD,
                         fontSize=_label_size(large), fillColor=INK))  # fmt: skip
    return d


def counting_width(limit: int, at_limit: str, large: bool) -> float:
    """How wide the boxes alone are drawn in one row (:func:`calendar` with
    ``month=False`` at this width): the boxes, the line and ``at_limit``."""
    cell, _size = _counting_sizes(large)
    return limit * cell + _label_width(at_limit, large) + 10


def _counting_sizes(large: bool) -> tuple[float, float]:
    """A calendar's box (a day or a count) and the size of the numbers in it: in large
    print as large as its reading text (red team: 11 pt)."""
    return (36.0, 18.0) if large else (19.0, 8.0)


def _label_size(large: bool) -> float:
    """The size of the words at the limit's box: no smaller than reading text."""
    return 18.0 if large else 12.0


def _label_width(at_limit: str, large: bool) -> float:
    """How wide the words at the limit's box are drawn."""
    return _width(at_limit, fonts.BOLD, _label_size(large))


def stroke_signs(labels: tuple[str, ...], width: float, large: bool) -> Drawing:
    """Four simple panels, one per sign (face, arm, speech, time), each with its label
    under it, as large as reading text (red team: 9.5 pt, and 13 in large print)."""
    size = 18.0 if large else 12.0
    panel = width / 4
    art = 44.0 if large else 34.0
    lines = [_wrap(label, fonts.BOLD, size, panel - 8) for label in labels]
    text_h = max(len(x) for x in lines) * (size + 2)
    height = art + 6 + text_h
    d = Drawing(width, height, initialFontName=fonts.BODY, initialFontSize=10)
    for n, (draw, words) in enumerate(zip(_PANELS, lines, strict=False)):
        cx, top = panel * n + panel / 2, height
        g = draw(art)
        g.translate(cx - art / 2, top - art)
        d.add(g)
        for k, line in enumerate(words):
            y = top - art - 4 - (k + 1) * (size + 1)
            d.add(String(cx, y, line, fontName=fonts.BOLD, fontSize=size, fillColor=INK,
                         textAnchor="middle"))  # fmt: skip
    return d


def _face(s: float) -> Group:
    """A face whose mouth droops on one side."""
    g = Group()
    g.add(Circle(s / 2, s / 2, s / 2 - 1, strokeColor=INK, strokeWidth=1.5, fillColor=None))
    g.add(Circle(s * 0.35, s * 0.62, s * 0.05, fillColor=INK, strokeColor=None))
    g.add(Circle(s * 0.65, s * 0.6, s * 0.05, fillColor=INK, strokeColor=None))
    g.add(Line(s * 0.3, s * 0.34, s * 0.5, s * 0.34, strokeColor=INK, strokeWidth=1.5))
    g.add(Line(s * 0.5, s * 0.34, s * 0.7, s * 0.24, strokeColor=INK, strokeWidth=1.5))
    return g


def _arm(s: float) -> Group:
    """A person with one arm raised and the other fallen."""
    g = Group()
    width = {"strokeColor": INK, "strokeWidth": 1.5}
    g.add(Circle(s / 2, s * 0.86, s * 0.12, fillColor=None, **width))
    g.add(Line(s / 2, s * 0.74, s / 2, s * 0.3, **width))
    g.add(Line(s / 2, s * 0.3, s * 0.36, 1, **width))
    g.add(Line(s / 2, s * 0.3, s * 0.64, 1, **width))
    g.add(Line(s / 2, s * 0.64, s * 0.22, s * 0.8, **width))  # raised
    g.add(Line(s / 2, s * 0.64, s * 0.72, s * 0.36, **width))  # fallen
    return g


def _speech(s: float) -> Group:
    """A speech bubble with a broken line in it."""
    g = Group()
    g.add(Rect(1, s * 0.3, s - 2, s * 0.62, rx=6, ry=6, strokeColor=INK, strokeWidth=1.5,
               fillColor=None))  # fmt: skip
    g.add(Polygon([s * 0.2, s * 0.3, s * 0.16, 1, s * 0.4, s * 0.3], strokeColor=INK,
                  strokeWidth=1.5, fillColor=colors.white))  # fmt: skip
    y = s * 0.61
    for x0, x1, dy in ((0.16, 0.3, 0.06), (0.36, 0.52, -0.06), (0.58, 0.84, 0.04)):
        g.add(Line(s * x0, y, s * x1, y + s * dy, strokeColor=INK, strokeWidth=1.5))
    return g


def _time(s: float) -> Group:
    """A clock."""
    g = Group()
    g.add(Circle(s / 2, s / 2, s / 2 - 1, strokeColor=INK, strokeWidth=1.5, fillColor=None))
    g.add(Line(s / 2, s / 2, s / 2, s * 0.82, strokeColor=INK, strokeWidth=1.5))
    g.add(Line(s / 2, s / 2, s * 0.72, s / 2, strokeColor=INK, strokeWidth=1.5))
    return g


_PANELS = (_face, _arm, _speech, _time)


def _width(text: str, face: str, size: float) -> float:
    from reportlab.pdfbase.pdfmetrics import stringWidth

    return float(stringWidth(text, face, size))


def _wrap(text: str, face: str, size: float, width: float) -> list[str]:
    """``text`` in lines no wider than ``width`` (a word longer than that has its own)."""
    lines: list[str] = []
    for word in text.split():
        if lines and _width(f"{lines[-1]} {word}", face, size) <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return lines or [""]


def tier_sign(key: str, size: float, ink: colors.Color, paper: colors.Color) -> Drawing:
    """The sign of a "When to get help" tier, ``size`` points square, in ``paper`` on the
    tier's ``ink`` heading: a warning triangle with "!" (emergency now), a telephone (call
    us today), a note and pencil (tell us at your next visit). Made once per tier, size
    and colours, and drawn once (:class:`_Drawn`): each use is a copy of its own, for
    its own place in the structure tree."""
    return copy.copy(_tier_sign(key, size, ink, paper))


class _Drawn(Drawing):
    """A drawing without text whose page operators are worked out the first time it is
    drawn and repeated after that, by it and by its copies (they share ``ops``; its
    operators are relative to where it is placed, and draw no text, so are the same
    wherever it is drawn)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.__dict__["ops"] = []  # the same list in every (shallow) copy

    def draw(self, showBoundary: Any = None) -> None:
        ops: list[str] = self.__dict__["ops"]
        if ops:
            self.canv._code.extend(ops)
            return
        start = len(self.canv._code)
        super().draw()
        ops.extend(self.canv._code[start:])


@memo(16)
def _tier_sign(key: str, size: float, ink: colors.Color, paper: colors.Color) -> Drawing:
    d = _Drawn(size, size, initialFontName=fonts.BODY, initialFontSize=10)
    s = size
    if key == "emergency":
        d.add(Polygon([s * 0.5, s * 0.97, s * 0.02, s * 0.06, s * 0.98, s * 0.06],
                      fillColor=paper, strokeColor=paper, strokeWidth=1))  # fmt: skip
        d.add(Rect(s * 0.44, s * 0.36, s * 0.12, s * 0.38, fillColor=ink, strokeColor=None))
        d.add(Circle(s * 0.5, s * 0.2, s * 0.07, fillColor=ink, strokeColor=None))
    elif key == "call_today":  # a handset: two ear pieces joined by a handle
        width = max(1.5, s * 0.16)
        d.add(Line(s * 0.22, s * 0.78, s * 0.78, s * 0.78, strokeColor=paper,
                   strokeWidth=width, strokeLineCap=1))  # fmt: skip
        d.add(Rect(s * 0.06, s * 0.5, s * 0.28, s * 0.36, rx=s * 0.06, ry=s * 0.06,
                   fillColor=paper, strokeColor=None))  # fmt: skip
        d.add(Rect(s * 0.66, s * 0.5, s * 0.28, s * 0.36, rx=s * 0.06, ry=s * 0.06,
                   fillColor=paper, strokeColor=None))  # fmt: skip
        d.add(Rect(s * 0.18, s * 0.04, s * 0.64, s * 0.4, rx=s * 0.08, ry=s * 0.08,
                   fillColor=paper, strokeColor=None))  # fmt: skip
        for n in range(3):  # the keys
            d.add(Circle(s * (0.34 + 0.16 * n), s * 0.24, s * 0.05, fillColor=ink,
                         strokeColor=None))  # fmt: skip
    else:  # a note with lines, and a pencil across it
        d.add(Rect(s * 0.08, s * 0.04, s * 0.62, s * 0.9, fillColor=paper, strokeColor=ink,
                   strokeWidth=1))  # fmt: skip
        for n in range(3):
            y = s * (0.7 - 0.2 * n)
            d.add(Line(s * 0.18, y, s * 0.58, y, strokeColor=ink, strokeWidth=0.8))
        d.add(Polygon([s * 0.55, s * 0.2, s * 0.9, s * 0.72, s * 0.98, s * 0.64, s * 0.63,
                       s * 0.12, s * 0.5, s * 0.06], fillColor=ink, strokeColor=None))  # fmt: skip
    return d
