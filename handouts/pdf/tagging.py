"""Tagged PDF: the logical structure a screen reader follows, and the marks that tie it
to what each page draws.

ReportLab does no tagging, so this is the one layer that does. Its interface is small:

- A :class:`Node` is an element of the structure tree (``P``, ``H2``, ``L``, ``LI``,
  ``Table``, ``Figure`` …), made when the story is built, with its parent.
- A flowable that draws content carries ``tag``, an :class:`Open`; every paragraph
  does (:class:`Tagged`), and :func:`leaf` wraps any other flowable (a logo, a QR code).
  What it draws becomes one marked-content sequence of that node.
- :class:`DataTable` tags a real table's rows and cells (header cells with their scope).
- :func:`artifact` marks a paragraph that is for the eye only (a blank page's note).
- :func:`in_language` marks words in another language inside a paragraph (an English
  source title before "Sin fecha."); a whole element in another language is a
  :class:`Node` with ``lang``.
- Everything drawn outside a tagged flowable (rules, tints, box borders, footers) is an
  artifact, which a screen reader skips. Text drawn outside a tagged flowable is a bug,
  caught when the page is recorded (:func:`split_code`), so a new flowable cannot
  forget to tag its words.

Marked-content ids are given when the file is written (:mod:`handouts.pdf.pdffile`), so
recorded pages stay shareable between handouts.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from reportlab.platypus import Flowable, Table
from reportlab.platypus import paragraph as rl_paragraph

from handouts.errors import InternalError


@dataclass(eq=False)
class Node:
    """A structure element. Identity matters: each node is one element of the tree."""

    role: str
    parent: Node | None = None
    """None: a top-level element of its part (the handout, or a pack's part)."""
    alt: str | None = None
    """Alternative text (figures)."""
    scope: str | None = None
    """For a table header cell: Column or Row."""
    lang: str | None = None
    """Its language, where it is not the document's (/Lang: a screen reader reads it in
    that language's voice)."""


@dataclass(frozen=True, eq=False)
class Open:
    """Start of a tagged flowable's drawing. A list item's mark is its label: ``node`` is
    the ``Lbl`` and ``body`` the ``LBody`` that follows :data:`LABEL_END`."""

    node: Node
    body: Node | None = None


@dataclass(frozen=True, eq=False)
class Marked:
    """A tagged flowable's drawing on a recorded page, as (element, drawing) pairs: a list
    item's label and body, or one element's drawing."""

    pairs: tuple[tuple[Node, str], ...]


def _marked(tag: Open, pieces: list[str]) -> Marked:
    if len(pieces) == 2 and tag.body is not None:
        return Marked(((tag.node, pieces[0]), (tag.body, pieces[1])))
    return Marked((((tag.body or tag.node), "\n".join(pieces)),))


class _Token(str):
    """A marker in recorded drawing code, told apart by identity (never written out)."""


LABEL_END = _Token("% label end")
"""Inside a list item's drawing: where its label (the bullet) ends."""
ARTIFACT = "/Artifact BMC"
FOOTER = "/Artifact <</Type /Pagination /Subtype /Footer>> BDC"
PAGINATION = "/Artifact <</Type /Pagination>> BDC"
TEXT_SHOWING = (" Tj", " TJ", "Tj\n", "TJ\n")


class Tagged:
    """A flowable whose drawing is one marked-content sequence of ``tag``."""

    tag: Open | None = None

    def drawOn(self, canvas: Any, x: float, y: float, _sW: float = 0) -> None:
        opened = self.tag is not None and getattr(canvas, "tagging", False)
        if opened:
            opened = canvas.open_tag(self.tag)
        super().drawOn(canvas, x, y, _sW)  # type: ignore[misc]
        if opened:
            canvas.close_tag()


class _Leaf(Tagged, Flowable):
    """Any flowable drawn as one tagged piece (a picture, a QR code)."""

    def __init__(self, inner: Flowable, node: Node):
        super().__init__()
        self.inner = inner
        self.tag = Open(node)

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        self.width, self.height = self.inner.wrapOn(self.canv, availWidth, availHeight)
        return self.width, self.height

    def draw(self) -> None:
        self.inner.drawOn(self.canv, 0, 0)


def leaf(inner: Flowable, role: str, parent: Node | None, alt: str | None = None) -> Flowable:
    return _Leaf(inner, Node(role, parent, alt))


def tag(flowable: Any, role: str, parent: Node | None) -> Any:
    """Give ``flowable`` (a paragraph) a new element of ``role`` under ``parent``."""
    flowable.tag = Open(Node(role, parent))
    return flowable


def artifact(flowable: Any) -> Any:
    """Mark a paragraph as an artifact: printed for the eye, skipped by a screen reader
    (a note that a page is blank on purpose)."""
    flowable.tag = Open(ARTIFACT_NODE)
    return flowable


ARTIFACT_NODE = Node("Artifact")


def list_item(flowable: Any, parent: Node, lang: str | None = None) -> Any:
    """Tag a paragraph with a hanging mark as a list item: the mark is its label (``lang``:
    its body's language, where it is not the document's; the mark is read in the
    document's: "1." is "uno" in Spanish)."""
    item = Node("LI", parent)
    flowable.tag = Open(Node("Lbl", item), Node("LBody", item, lang=lang))
    return flowable


ACTUAL_OPEN, ACTUAL_CLOSE = "handouts_actual_open", "handouts_actual_close"
"""The canvas callbacks that open and close a run's ``/ActualText``."""


def unspoken(markup: str) -> str:
    """Paragraph markup for a mark that is seen and not read: a "When to get help" tier's
    symbol (!, ☎, ✎) before its heading, which says what the symbol shows. It is drawn
    in a sequence whose ``/ActualText`` is empty (ISO 32000-1, 14.9.4), so a screen
    reader reads the heading alone, not "exclamation mark" or "black telephone" first
    (the web page hides it the same way, ``aria-hidden``). For a mark on one line only
    (the start of a heading): its sequence is never cut by a page break."""
    return (f'<onDraw name="{ACTUAL_OPEN}" label=""/>{markup}'
            f'<onDraw name="{ACTUAL_CLOSE}" label=""/>')  # fmt: skip


def open_actual(canvas: Any, kind: str, label: str) -> None:
    """ReportLab's callback where words read as ``label`` start (:func:`unspoken`, and
    :mod:`handouts.pdf.bidi` for a shaped word)."""
    tx = canvas._curr_tx_info["tx"]
    tx._code.append(f"/Span << /ActualText {pdf_text(label)} >> BDC")


def close_actual(canvas: Any, kind: str, label: str) -> None:
    """ReportLab's callback where they end."""
    canvas._curr_tx_info["tx"]._code.append("EMC")


LANG_OPEN, LANG_CLOSE = "handouts_lang_open", "handouts_lang_close"
"""The canvas callbacks (ReportLab's ``<onDraw>``) around words in another language."""


def in_language(markup: str, lang: str) -> str:
    """Paragraph markup for words in ``lang`` inside a paragraph in the document's
    language (an English title before "Sin fecha."): their drawing is a marked-content
    sequence with its /Lang, inside the paragraph's own (ISO 32000-1, 14.9.2), so a
    screen reader reads them in that language's voice and the rest in the document's.
    Not nested: a paragraph's words are in one language at a time."""
    if not _LANGUAGE_TAG.fullmatch(lang):
        raise ValueError(f"not a language tag: {lang!r}")
    return (f'<onDraw name="{LANG_OPEN}" label="{lang}"/>{markup}'
            f'<onDraw name="{LANG_CLOSE}" label="{lang}"/>')  # fmt: skip


_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*")


def open_lang(canvas: Any, kind: str, lang: str) -> None:
    """ReportLab's callback where words in ``lang`` start (:func:`in_language`)."""
    start_language(canvas._curr_tx_info["tx"], lang)


def close_lang(canvas: Any, kind: str, lang: str) -> None:
    """ReportLab's callback where words in ``lang`` end."""
    tx = canvas._curr_tx_info["tx"]
    if getattr(tx, "_handouts_lang", False):
        tx._code.append("EMC")
        tx._handouts_lang = False


def start_language(tx: Any, lang: str) -> None:
    """Start words in ``lang`` in the text object ``tx``: where a paragraph's callback
    says, or at the start of a split paragraph's part that begins inside them
    (:func:`language_after`). A text object that ends before they do (the paragraph runs
    onto the next page) ends them before its end: marked content never crosses a text
    object's bounds (ISO 32000-1, 14.6)."""
    tx._code.append(f"/Span << /Lang {pdf_text(lang)} >> BDC")
    if not hasattr(tx, "_handouts_lang"):
        finish = tx.getCode

        def code() -> str:
            if tx._handouts_lang:
                tx._code.append("EMC")
                tx._handouts_lang = False
            del tx.getCode  # called once: no loop left for the garbage collector
            return finish()  # type: ignore[no-any-return]

        tx.getCode = code
    tx._handouts_lang = True


def language_after(lines: Sequence[Any], lang: str | None) -> str | None:
    """The language of the words open at the end of ``lines`` (ReportLab's broken lines)
    that begin with ``lang``'s open (None: the paragraph's own)."""
    for line in lines:
        for frag in getattr(line, "words", ()):
            name = getattr(getattr(frag, "cbDefn", None), "name", None)
            if name == LANG_OPEN:
                lang = frag.cbDefn.label
            elif name == LANG_CLOSE:
                lang = None
    return lang


class DataTable(Table):
    """A table read as a table: rows, header cells (with their scope) and data cells.

    A header row repeated on a later page is drawn as an artifact: it is read once.
    """

    def __init__(self, data: Any, *args: Any, **kwargs: Any):
        kwargs.setdefault("renderCB", _cell_tags)
        super().__init__(data, *args, **kwargs)
        self.cells: list[list[Node | None]] | None = None

    def tag_cells(self, parent: Node, head_rows: int = 1) -> DataTable:
        table = Node("Table", parent)
        self.cells = []
        for n, row in enumerate(self._cellvalues):
            tr = Node("TR", table)
            head = n < head_rows
            self.cells.append(
                [Node("TH", tr, scope="Column") if head else Node("TD", tr) for _ in row]
            )
        return self

    def split(self, availWidth: float, availHeight: float) -> list[Flowable]:
        parts = super().split(availWidth, availHeight)
        cells = self.cells
        if cells is not None and len(parts) == 2:
            first, rest = parts
            n = len(first._cellvalues)
            repeated = len(rest._cellvalues) - (len(cells) - n)
            first.cells = cells[:n]
            rest.cells = [[None] * len(cells[0])] * repeated + cells[n:]
        return parts


def _cell_tags(table: Any, event: str, *args: Any) -> None:
    """ReportLab's per-cell callback: each cell's drawing is tagged with its cell."""
    canvas = table.canv
    cells = getattr(table, "cells", None)
    if cells is None or not getattr(canvas, "tagging", False):
        return
    if event == "startCell":
        node = cells[args[0]][args[1]]  # an empty cell is a cell too (to write in)
        # a header row repeated on a later page is an artifact: it is read once
        table._cell_open = canvas.open_tag(Open(node if node is not None else ARTIFACT_NODE))
    elif event == "endCell" and getattr(table, "_cell_open", False):
        canvas.close_tag()
        table._cell_open = False


class Unsplit(InternalError):
    """A drawing :func:`split_code` cannot split into artifacts and tagged pieces: a bug
    in a page being written; in a piece's drawing cut in two (``stacking``), the sign
    that the cut falls inside a tagged flowable."""


def split_code(code: Sequence[Any]) -> tuple[str | Marked, ...]:
    """A recorded page's drawing as artifacts and tagged pieces, ready to write.

    Raises :class:`Unsplit` when text was drawn outside a tagged flowable, or a tagged
    flowable's drawing does not end.
    """
    out: list[str | Marked] = []
    run: list[str] = []
    opened: Open | None = None
    pieces: list[str] = []
    for item in code:
        if type(item) is str:  # most of it: drawing (the markers are a str of their own)
            run.append(item)
        elif item is CLOSE:
            assert opened is not None
            pieces.append("\n".join(run))
            run.clear()
            if opened.node is ARTIFACT_NODE:
                out.append(f"{PAGINATION}\n" + "\n".join(pieces) + "\nEMC")
            else:
                out.append(_marked(opened, pieces))
            opened = None
        elif isinstance(item, Open):
            if run:
                _artifact(run, out)
            opened, pieces = item, []
        elif item is LABEL_END:
            if opened is not None and opened.body is not None:
                pieces.append("\n".join(run))
                run.clear()
        else:
            run.append(item)
    if opened is not None:
        raise Unsplit("a tagged flowable's drawing did not end on its page")
    if run:
        _artifact(run, out)
    return tuple(out)


_SHOWS_TEXT = re.compile("|".join(map(re.escape, TEXT_SHOWING)))


def _artifact(run: list[str], out: list[str | Marked]) -> None:
    """The drawing in ``run``, outside any tagged flowable, added to ``out`` as an
    artifact (none when it draws nothing); ``run`` is emptied."""
    text = "\n".join(run)
    run.clear()
    if not text.strip():
        return
    if _SHOWS_TEXT.search(text):
        raise Unsplit("text was drawn outside a tagged flowable")
    out.append(f"{ARTIFACT}\n{text}\nEMC")


@dataclass(frozen=True, eq=False)
class Plan:
    """How a recorded page adds to the structure tree, worked out once per recording.

    The elements of a recording are numbered 0… in the order they first appear. A page
    makes elements ``first``… (``starts``: the start of each one's dictionary; ``parents``:
    each one's parent, -1 for a top-level element), then its marked content ids and
    links belong to ``owners`` and ``link_owners`` (-1: the document). ``total`` is the
    recording's number of elements."""

    first: int
    starts: tuple[str, ...]
    parents: tuple[int, ...]
    owners: tuple[int, ...]
    link_owners: tuple[int, ...]
    total: int


def plan_structure(pages: Sequence[Any], alias: dict[Node, Node] | None = None) -> list[Plan]:
    """The structure plan of each of a recording's pages (with ``code`` and ``links``).
    ``alias``: elements that are one element of the tree (pieces recorded apart, each
    under a section element of its own, stacked into one section)."""
    index: dict[Node, int] = {}
    plans = []
    alias = alias or {}
    for page in pages:
        first, starts, parents = len(index), [], []
        new = (alias, index, starts, parents)
        owners = [_element(n, *new) for item in page.code if type(item) is not str
                  for n, _ in item.pairs]  # fmt: skip
        links = [-1 if ln.owner is None else _element(ln.owner, *new) for ln in page.links]
        plans.append((first, starts, parents, owners, links))
    total = len(index)
    return [Plan(f, tuple(s), tuple(p), tuple(o), tuple(ln), total) for f, s, p, o, ln in plans]


def _element(node: Node, alias: dict[Node, Node], index: dict[Node, int], starts: list[str],
             parents: list[int]) -> int:  # fmt: skip
    """``node``'s element number in the tree (``alias`` first), numbered when first met,
    its parents before it, with the start of its dictionary and its parent's number."""
    node = alias.get(node, node)
    i = index.get(node)
    if i is None:
        parent = -1 if node.parent is None else _element(node.parent, alias, index, starts,
                                                         parents)  # fmt: skip
        i = index[node] = len(index)
        starts.append(element_start(node))
        parents.append(parent)
    return i


def element_start(node: Node) -> str:
    """The start of ``node``'s element dictionary, up to its parent's reference."""
    extra = f" /Alt {pdf_text(node.alt)}" if node.alt is not None else ""
    if node.scope is not None:
        extra += f" /A << /O /Table /Scope /{node.scope} >>"
    if node.lang is not None:
        extra += f" /Lang {pdf_text(node.lang)}"
    return f"<< /Type /StructElem /S /{node.role}{extra} /P "


def pdf_text(value: str) -> str:
    """A PDF text string: plain ASCII as a literal, anything else as UTF-16 with its mark."""
    if value.isascii() and value.isprintable():
        quoted = value.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        return f"({quoted})"
    return "<FEFF" + value.encode("utf-16-be").hex().upper() + ">"


CLOSE = _Token("% tag end")
"""Ends a tagged flowable's drawing in recorded code."""


def label_end(
    canvas: Any, offset: float, cur_y: float, bulletText: Any, style: Any, rtl: Any
) -> float:
    """ReportLab's list-mark drawing, followed by the end of the label's marked content
    (and where and how the mark was drawn, for :mod:`handouts.pdf.paragraph` to draw another)."""
    tagging = getattr(canvas, "tagging", False)
    if tagging:
        canvas._bullet = (len(canvas._code), offset, cur_y, rtl)
    out = _DRAW_BULLET(canvas, offset, cur_y, bulletText, style, rtl)
    if tagging:
        canvas._code.append(LABEL_END)
    return out  # type: ignore[no-any-return]


_DRAW_BULLET = rl_paragraph._drawBullet


_PATCH = threading.Lock()
_DRAWING = [0, None]
"""How many of our paragraphs draw now (in any thread), and what the function was before."""


@contextmanager
def label_ends() -> Iterator[None]:
    """ReportLab draws a list mark with a module function; while one of our paragraphs
    draws (and only then, never for the whole process), that function is :func:`label_end`.
    Threads drawing at once share the switch: the first in sets it, the last out puts
    ReportLab's back (:func:`label_end` draws as ReportLab does on any other canvas)."""
    with _PATCH:
        if _DRAWING[0] == 0:
            _DRAWING[1], rl_paragraph._drawBullet = rl_paragraph._drawBullet, label_end
        _DRAWING[0] += 1
    try:
        yield
    finally:
        with _PATCH:
            _DRAWING[0] -= 1
            if _DRAWING[0] == 0:
                rl_paragraph._drawBullet = _DRAWING[1]
