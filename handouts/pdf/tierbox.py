"""A tier's box in a visit handout's "When to get help", drawn from parts found once.

A tier is a box: a coloured heading row (its drawn sign and heading), its warning signs
in two balanced columns (one sign: across the box), and perhaps a note. ReportLab's
table would lay all of it out, cell by cell, every time a tier appears, and a diverse
clinic list has a new tier in nearly every handout, made of the same few dozen signs
under the same three headings.
A :class:`TierBox` is laid out by arithmetic from the sizes of its parts, each found
once (the heading and the note by :func:`size` and :func:`draw`, each sign by
:mod:`handouts.pdf.columns`), and drawn by putting back each part's drawing, recorded
the first time, under new structure elements of its own. The box looks as the table
did (a test compares the two, character by character and line by line): the same
paddings, heading fill and border.

A tier that may run over a page splits between its signs (both columns where they
reach the page's foot), its heading drawn again on the next page for the eye only.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from reportlab.lib.colors import Color
from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from handouts.memo import MemoTable, table
from handouts.pdf import columns, fonts
from handouts.pdf.pages import PdfCanvas
from handouts.pdf.paragraph import DRAW_STATE
from handouts.pdf.private import is_private
from handouts.pdf.tagging import ARTIFACT_NODE, Node, Open

LEFT, RIGHT = 8.0, 6.0
"""The cells' side paddings (the table's: 8 set, 6 ReportLab's own on the right)."""
BIG = 0x7FFFFFFF - 1


@dataclass(frozen=True)
class Part:
    """A flowable drawn the same wherever it is put (a tier's heading, its note): made by
    ``make`` under a parent element, found once by ``key``; ``text``, the words it shows
    (recorded only when every character has a fixed code in the font seed)."""

    key: tuple[Any, ...]
    make: Callable[[Node], Flowable]
    text: str


class TierBox(Flowable):
    """One tier: ``head`` (its heading row; ``again``, drawn for the eye only where a
    tier split over pages goes on), its signs ``texts`` (list items of ``items``, in
    ``style``) split into two columns after the ``split``-th, and ``note``,
    in a box ``border`` points wide in ``ink``, its heading row filled with ``fill``.
    ``parent``: the element the heading and note belong to. ``repeated``: the rest of
    a tier split over pages, its heading drawn for the eye only."""

    spaceBefore = spaceAfter = 0.0  # the spaces around a tier are the Spacers between

    def __init__(self, head: Part, again: Part, texts: Sequence[str], split: int,
                 style: ParagraphStyle, items: Node, note: Part | None, parent: Node,
                 fill: Color, border: float, ink: Color, pad: float,
                 repeated: bool = False):  # fmt: skip
        super().__init__()
        self.head, self.again, self.note, self.parent = head, again, note, parent
        self.texts, self.split_at, self.item_style, self.items = tuple(texts), split, style, items
        self.fill, self.border, self.ink, self.pad = fill, border, ink, pad
        self.repeated = repeated
        self._columns: tuple[columns.ItemColumn, ...] = ()
        self._rows: tuple[float, float, float] = (0.0, 0.0, 0.0)

    def _cols(self) -> tuple[columns.ItemColumn, ...]:
        """The left column and the right (either may be empty where a split tier goes on),
        or one column: none for a note alone."""
        k = self.split_at
        parts = (self.texts[:k], self.texts[k:]) if k < len(self.texts) else (self.texts,)
        if not self.texts:
            parts = ()
        return tuple(columns.ItemColumn(p, "•", self.item_style, self.items) for p in parts)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The box's rows: the heading's, the signs' (the taller column) and the note's,
        each with its cells' top and bottom padding."""
        self.width = availWidth
        pads = self.pad + self.pad + 1
        shown = self.again if self.repeated else self.head
        head = size(shown, availWidth - LEFT - RIGHT)[1] + pads
        self._columns = self._cols()
        # a tier of one sign takes the box's width (in half of it, "…for any" | "pain."
        # left the other half empty)
        one = len(self.texts) == 1 and not self.repeated
        column = availWidth - LEFT - RIGHT if one else availWidth / 2 - LEFT - RIGHT
        signs = max((c.wrap(column, BIG)[1] for c in self._columns), default=None)
        note = None if self.note is None else size(self.note, availWidth - LEFT - RIGHT)[1]
        self._rows = (head, 0.0 if signs is None else signs + pads,
                      0.0 if note is None else note + pads)  # fmt: skip
        self.height = sum(self._rows)
        return self.width, self.height

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        """The tier in two where it reaches ``availHeight``: its heading and, in each
        column, the signs that fit in the room left (less the row's top and bottom
        padding, so the first part always fits and its box is closed at the foot), then
        the rest under its heading again; none when not even the heading and a first sign
        in each column fit. A note is never split: it goes on whole."""
        self.wrap(availWidth, availHeight)
        head, signs, _ = self._rows
        room = availHeight - head - (self.pad + self.pad + 1)
        if head + signs <= availHeight:  # the signs fit: the note goes on
            if self.note is None or not self.texts:
                return []
            return [self._copy(self.texts, self.split_at, None, self.repeated),
                    self._copy((), 0, self.note, True)]  # fmt: skip
        if not self._columns:  # a note alone does not split
            return []
        firsts: list[tuple[str, ...]] = []
        rests: list[tuple[str, ...]] = []
        for col in self._columns:
            parts = col.split(col.avail, room) if col.texts else [col, col]
            if not parts:
                return []
            first, rest = parts
            firsts.append(first.texts)
            rests.append(rest.texts)
        rest_texts = tuple(t for texts in rests for t in texts)
        if not rest_texts and self.note is None:
            return []
        return [
            self._copy(tuple(t for texts in firsts for t in texts), len(firsts[0]), None,
                       self.repeated),
            self._copy(rest_texts, len(rests[0]), self.note, True),
        ]  # fmt: skip

    def _copy(self, texts: Sequence[str], split: int, note: Part | None,
              repeated: bool) -> TierBox:  # fmt: skip
        return TierBox(self.head, self.again, texts, split, self.item_style, self.items, note,
                       self.parent, self.fill, self.border, self.ink, self.pad,
                       repeated)  # fmt: skip

    def draw(self) -> None:
        canv, w, h = self.canv, self.width, self.height
        head, signs, _note = self._rows
        canv.saveState()
        canv.setFillColor(self.fill)
        canv.rect(0, h - head, w, head, stroke=0, fill=1)
        canv.restoreState()
        shown = self.again if self.repeated else self.head
        draw(canv, shown, self.parent, LEFT, h - head + self.pad + 1, w - LEFT - RIGHT)
        for n, col in enumerate(self._columns):
            if not col.texts:
                continue
            x = n * w / 2 + LEFT
            y = h - head - self.pad + col.sizes[0][2]
            for text, (_, vh, sb, sa) in zip(col.texts, col.sizes, strict=True):
                y -= sb
                y -= vh
                columns.draw_item(canv, col, text, col.avail, x, y)
                y -= sa
        if self.note is not None:
            nh = size(self.note, w - LEFT - RIGHT)[1]
            draw(canv, self.note, self.parent, LEFT, h - head - signs - self.pad - nh,
                 w - LEFT - RIGHT)  # fmt: skip
        canv.saveState()  # the box's sides, as a table draws its BOX
        canv.setLineCap(1)
        canv.setLineJoin(1)
        canv.setStrokeColor(self.ink)
        canv.setLineWidth(self.border)
        canv.lines([(0, h, w, h), (0, 0, w, 0), (0, 0, 0, h), (w, 0, w, h)])
        canv.restoreState()


def size(part: Part, width: float) -> tuple[float, float]:
    """``part``'s width and height, laid out ``width`` wide (found once)."""
    key = (part.key, width)
    found = _SIZES.get(key)
    if found is None:
        f = part.make(Node("Sect"))
        found = _SIZES[key] = f.wrap(width, BIG)
    return found  # type: ignore[no-any-return]


def draw(canv: Any, part: Part, parent: Node, x: float, y: float, width: float) -> None:
    """``part`` drawn at (``x``, ``y``) under ``parent``: its drawing recorded once put
    back with new elements (each under its new parent, as the recorded ones were), else
    drawn (and recorded when it can be put back: it drew nothing but code, with the
    fonts' codes as they were)."""
    # patient text is never kept; a replay opens its own tags, so none may be open
    recordable = isinstance(canv, PdfCanvas) and canv.tagging and canv._open is None
    key = None
    if recordable and not is_private() and fonts.seeded(part.text, canv.seed_chars):
        state = tuple(getattr(canv, a) for a in DRAW_STATE)
        key = (part.key, width, state, canv.seed)
        hit = _DRAWN.recall(key)
        if hit is not None:
            at, code, root = hit
            canv._code += _renewed(code, at, f"{fp_str(1, 0, 0, 1, x, y)} cm", root, parent)
            return
    f = part.make(parent)
    f.wrapOn(canv, width, BIG)
    if key is None:
        f.drawOn(canv, x, y)
        return
    code = columns.drawn_code(canv, f, x, y)
    if code is None:
        return
    move = f"{fp_str(1, 0, 0, 1, x, y)} cm"
    at = next((n for n, item in enumerate(code) if item == move), None)
    if at is not None:
        _DRAWN[key] = (at, tuple(code), parent)


def _renewed(code: Sequence[Any], at: int, move: str, root: Node, parent: Node) -> list[Any]:
    """Recorded ``code`` with its move to where it is drawn (item ``at``) made ``move``,
    and each element it opens made anew: under ``parent`` where it was under ``root``."""
    made: dict[int, Node] = {id(root): parent}
    out = list(code)
    out[at] = move
    for n, item in enumerate(out):
        if isinstance(item, Open):
            body = None if item.body is None else _new(item.body, made)
            out[n] = Open(_new(item.node, made), body)
    return out


def _new(node: Node, made: dict[int, Node]) -> Node:
    """``node`` made anew (its parents first), once per drawing (``made``); the artifact
    node is the artifact node. A module function, not a closure calling itself: that
    would be a reference loop left for the garbage collector at every drawing."""
    if node is ARTIFACT_NODE:
        return node
    found = made.get(id(node))
    if found is None:
        parent = None if node.parent is None else _new(node.parent, made)
        found = made[id(node)] = Node(node.role, parent, node.alt, node.scope)
    return found


PARTS = 1024
_SIZES: MemoTable[tuple[Any, ...], tuple[float, float]] = table("tierbox._SIZES", PARTS)
_DRAWN: MemoTable[tuple[Any, ...], tuple[Any, ...]] = table("tierbox._DRAWN", PARTS, OrderedDict)
