"""A column of list items, sized and drawn from each item found once.

A visit handout's "When to get help" puts each tier's warning signs in two columns of
the tier's box (:mod:`handouts.pdf.tierbox`). A diverse clinic list has a new tier in
nearly every handout, made from a few dozen signs, so each column is an
:class:`ItemColumn` holding its items' texts:

- its size is what ReportLab's table makes of a cell's list of paragraphs
  (``_listCellGeom``), added up the same way from each item's size, found once per
  text, style and width;
- it splits (a tier allowed to run over a page) where ReportLab's ``_splitCell`` splits
  such a list of items that are never split themselves;
- :func:`draw_item` draws an item from its drawing recorded the first time, put back
  under a new list item element: the same code, to the byte, as the item drawn there.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from handouts.memo import MemoTable, memo, table
from handouts.pdf import fonts
from handouts.pdf.pages import PdfCanvas
from handouts.pdf.paragraph import DRAW_STATE, WholeParagraph
from handouts.pdf.private import is_private
from handouts.pdf.tagging import CLOSE, Node, Open, list_item

_Size = tuple[float, float, float, float]
"""An item's width, height, space before and space after."""


class ItemColumn(Flowable):
    """List items of ``items`` (each ``mark`` and its text, in ``style``), one under
    another: sized and split here, drawn item by item by its box (:func:`draw_item`)."""

    spaceBefore = spaceAfter = 0.0  # its items' spaces are inside it

    def __init__(self, texts: Sequence[str], mark: str, style: ParagraphStyle, items: Node):
        super().__init__()
        self.texts = tuple(texts)
        self.mark, self.item_style, self.items = mark, style, items
        self.sizes: tuple[_Size, ...] = ()
        self.avail = 0.0

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """The items' size as ReportLab adds up a cell's list of flowables (each one's
        height and spaces, less the first one's space before and the last one's after)."""
        self.avail = availWidth
        self.sizes = tuple(size(t, self.mark, self.item_style, availWidth) for t in self.texts)
        t = w = 0.0
        for vw, vh, sb, sa in self.sizes:
            w = max(w, vw)
            t += vh + sa + sb
        height = t - self.sizes[0][2] - self.sizes[-1][3] if self.sizes else 0.0
        self.width, self.height = w, height
        return w, height

    def split(self, availWidth: float, availHeight: float) -> list[ItemColumn]:  # type: ignore[override]
        """The items that fit in ``availHeight`` and the rest, as ReportLab splits a cell's
        list of items that never split: none when the first does not fit. The items'
        sizes are those of the last wrap (ReportLab wraps a cell's content to the cell's
        width less its padding, then passes the split the cell's whole width)."""
        if not self.sizes:
            self.wrap(availWidth, availHeight)
        used, k = 0.0, 0
        for _, vh, sb, sa in self.sizes:
            if used + vh + sb > availHeight:
                break
            used += vh + sb + sa
            k += 1
        if k == 0:
            return []
        return [self._part(self.texts[:k]), self._part(self.texts[k:])]

    def _part(self, texts: Sequence[str]) -> ItemColumn:
        return ItemColumn(texts, self.mark, self.item_style, self.items)

    def draw(self) -> None:  # drawn item by item by its box, never alone
        raise NotImplementedError("an ItemColumn is drawn by its box (draw_item)")


@memo(4096)
def size(text: str, mark: str, style: ParagraphStyle, width: float) -> _Size:
    """An item's width, height, space before and space after, laid out ``width`` wide."""
    p = WholeParagraph(text, style, bulletText=mark)
    w, h = p.wrap(width, 0x7FFFFFFF - 1)
    return w, h, p.getSpaceBefore(), p.getSpaceAfter()


def _item(text: str, mark: str, style: ParagraphStyle, items: Node) -> WholeParagraph:
    return list_item(WholeParagraph(text, style, bulletText=mark), items)


def draw_item(canv: Any, column: ItemColumn, text: str, width: float, x: float, y: float) -> None:
    """One item drawn at (``x``, ``y``): its recorded drawing put back under a new list
    item element where there is one, else drawn (and recorded when it can be replayed:
    it drew nothing but code, with the fonts' codes as they were)."""
    # patient text is never kept; a replay opens its own tag, so none may be open
    recordable = isinstance(canv, PdfCanvas) and canv.tagging and canv._open is None
    key = None
    if recordable and not is_private():
        state = tuple(getattr(canv, a) for a in DRAW_STATE)
        key = (text, column.mark, column.item_style, width, state, canv.seed)
        inner = _DRAWN.recall(key)
        if inner is not None:
            li = Node("LI", column.items)
            canv._code += [Open(Node("Lbl", li), Node("LBody", li)), "q",
                           f"{fp_str(1, 0, 0, 1, x, y)} cm", *inner, "Q", CLOSE]  # fmt: skip
            return
    item = _item(text, column.mark, column.item_style, column.items)
    item.wrapOn(canv, width, 0x7FFFFFFF - 1)
    if key is None or not item._seeded(canv):
        item.drawOn(canv, x, y)
        return
    code = drawn_code(canv, item, x, y)
    same = (
        code is not None
        and len(code) >= 5
        and isinstance(code[0], Open)
        and code[1] == "q"
        and code[2] == f"{fp_str(1, 0, 0, 1, x, y)} cm"
        and code[-2] == "Q"
        and code[-1] is CLOSE
    )
    if same:
        _DRAWN[key] = tuple(code[3:-2])


def drawn_code(
    canv: PdfCanvas, f: Flowable, x: float, y: float, _sW: float = 0
) -> list[Any] | None:
    """``f`` drawn at (``x``, ``y``), and the code it drew when that can be put back
    on any canvas seeded alike: None when it gave out a font code or drew a link, a
    bookmark or a picture (which replaying code alone would lose). Only for text whose
    characters are all in the font seed: the caller checks (a code given out earlier on
    this canvas is this canvas's own, and gives out nothing new here)."""
    start, codes = len(canv._code), fonts.codes_in_use(canv._doc)
    others = (len(canv._links), len(canv._marks), len(canv._images))
    f.drawOn(canv, x, y, _sW)
    if (fonts.codes_in_use(canv._doc) != codes
            or (len(canv._links), len(canv._marks), len(canv._images)) != others):  # fmt: skip
        return None
    return canv._code[start:]


DRAWN_ITEMS = 4096
_DRAWN: MemoTable[tuple[Any, ...], tuple[Any, ...]] = table(
    "columns._DRAWN", DRAWN_ITEMS, OrderedDict
)
"""Each item's drawing from its origin, by text, mark, style, width, canvas state and seed."""
