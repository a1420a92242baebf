"""Write composed pages as one tagged PDF (PDF/UA-1): pages, fonts, links, bookmarks,
the structure tree, and the metadata a screen reader announces.

ReportLab lays the pages out (:mod:`handouts.pdf.pages`); this module writes the file
itself, because ReportLab cannot tag, and because a handout's pages are mostly
replayed from content laid out once: writing them straight from their recorded
drawing is several times faster than rebuilding ReportLab's objects. The same
input gives the same bytes; the file id is a hash of the pages' content and the title.
"""

from __future__ import annotations

import collections
import hashlib
import itertools
import operator
import re
import struct
import threading
import unicodedata
import urllib.parse
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase.ttfonts import TTFont

from handouts.memo import MemoTable, file_stamp, memo, table
from handouts.pdf.logo import printed_pixels
from handouts.pdf.shaping import PRIVATE_CODES, harfbuzz_font, joined_letters
from handouts.pdf.tagging import Marked, Node, Plan, element_start, pdf_text


@dataclass(frozen=True)
class Link:
    url: str
    rect: tuple[float, float, float, float]
    """In page coordinates."""
    owner: Node | None = None
    """The element whose text the link is on."""


@dataclass(frozen=True)
class Mark:
    """A bookmark (outline entry) on a page."""

    key: str
    level: int
    title: str


@dataclass(frozen=True, eq=False)
class Page:
    """What one page draws, ready to write: artifacts, and tagged pieces
    (:func:`handouts.pdf.tagging.split_code`)."""

    code: tuple[str | Marked, ...]
    links: tuple[Link, ...] = ()
    marks: tuple[Mark, ...] = ()
    images: tuple[tuple[str, Path], ...] = ()
    """Pictures the page shows (a PNG logo), by resource name."""
    plan: Plan | None = None
    """How the page adds to the structure tree (set when its recording is complete)."""
    private: bool = False
    """It carries patient text (:mod:`handouts.pdf.private`): its content is not memoised."""


@dataclass(frozen=True)
class Meta:
    title: str
    author: str = ""
    subject: str = ""
    keywords: str = ""
    creator: str = "handouts"
    lang: str | None = None
    link_words: str = "{address}"
    """What a screen reader says of a link (``Web page: {address}``, in the language)."""


@dataclass(frozen=True)
class Part:
    """A recorded page (or the part of one) placed on a sheet.

    ``scope`` tells apart two uses of the same recording in one file (a section two
    handouts of a pack share); top-level elements go under ``group`` (a pack's part)."""

    page: Page
    scope: int
    group: Node | None = None


@dataclass(frozen=True)
class Sheet:
    """One page of the file: its parts, top to bottom, and its footer's drawing."""

    parts: tuple[Part, ...]
    footer: str = ""


@dataclass(frozen=True)
class FontUse:
    resource: str
    """The name page content uses, e.g. ``F1+0``."""
    font: TTFont
    index: int
    subset: tuple[int, ...]
    """Code points by character code."""


def write(
    size: tuple[float, float],
    sheets: Sequence[Sheet],
    fonts: Sequence[FontUse],
    images: dict[str, Path],
    meta: Meta,
    preamble: str = "",
) -> bytes:
    """The PDF file's bytes."""
    return _Writer(size, meta).write(sheets, fonts, images, preamble)


_LINK = element_start(Node("Link"))
REF, START, PARENT, KIDS, PAGE = range(5)
"""A structure element outside a recording (the document, a pack's part, a link) is a
list: its reference, the start of its dictionary, its parent's reference, its kids
(written out) and the page of its content."""


class _Block:
    """The elements of one recording in one file, numbered from ``base`` in the order of
    its plan (:class:`handouts.pdf.tagging.Plan`)."""

    __slots__ = ("kids", "pages", "parents", "refs", "starts", "top")

    def __init__(self, base: int, total: int, top: list[Any]):
        self.refs = [f"{n} 0 R" for n in range(base, base + total)]
        self.kids: list[list[str]] = [[] for _ in range(total)]
        self.pages: list[str | None] = [None] * total
        self.parents: list[str] = [""] * total
        self.starts: list[str] = [""] * total
        self.top = top


class _Entry:
    """A bookmark being written."""

    __slots__ = ("count", "kids", "level", "links", "num", "page", "parent", "title")

    def __init__(self, num: int, level: int, title: str, page: int, parent: int):
        self.num, self.level, self.title, self.page, self.parent = num, level, title, page, parent
        self.kids: list[_Entry] = []
        self.count = 0
        self.links = ""


class _Structure:
    """The structure tree being written: the document element, a pack's parts, each
    recording's block of elements, link elements, and the parent tree that maps each
    page's marked content and each link annotation back to its element."""

    def __init__(self, bodies: list[bytes | str | None], root_num: int, tree_root: int):
        self.bodies = bodies
        document = element_start(Node("Document"))
        self.root = [f"{root_num} 0 R", document, f"{tree_root} 0 R", [], None]
        self.loose: list[list[Any]] = [self.root]
        self.blocks: dict[int, _Block] = {}
        self.groups: dict[Node, list[Any]] = {}
        self.link_keys: list[str] = []

    def element(self, start: str, parent: list[Any]) -> list[Any]:
        """A new element outside any recording, the last kid of ``parent``."""
        self.bodies.append(None)
        e = [f"{len(self.bodies) - 1} 0 R", start, parent[REF], [], None]
        parent[KIDS].append(e[REF])
        self.loose.append(e)
        return e

    def _block(self, part: Part, total: int) -> _Block:
        top = self.root
        if part.group is not None:
            top = self.groups.get(part.group) or self.groups.setdefault(
                part.group, self.element(element_start(part.group), top)
            )
        found = self.blocks[part.scope] = _Block(len(self.bodies), total, top)
        self.bodies.extend([None] * total)
        return found

    def place(self, part: Part, page: str, mcids: list[str], out: list[str]) -> tuple[int, ...]:
        """Write ``part``'s drawing into ``out`` with its marked-content ids (numbered on
        from ``mcids``, the page's elements by id), making the elements it starts; the
        numbers of its link annotations, still to be written (:meth:`links`)."""
        plan = part.page.plan
        assert plan is not None
        blk = self.blocks.get(part.scope) or self._block(part, plan.total)
        refs, kids, pages, parents = blk.refs, blk.kids, blk.pages, blk.parents
        for k, parent in enumerate(plan.parents, plan.first):
            if parent < 0:
                blk.top[KIDS].append(refs[k])
                parents[k] = blk.top[REF]
            else:
                kids[parent].append(refs[k])
                parents[k] = refs[parent]
        blk.starts[plan.first : plan.first + len(plan.starts)] = plan.starts
        owners = iter(plan.owners)
        for item in part.page.code:
            if type(item) is str:
                out.append(item)
                continue
            for node, piece in item.pairs:  # type: ignore[union-attr]
                e = next(owners)
                n = len(mcids)
                mcids.append(refs[e])
                if pages[e] is None:
                    pages[e] = page
                if pages[e] == page:
                    kids[e].append(str(n))
                else:
                    kids[e].append(f"<< /Type /MCR /Pg {page} /MCID {n} >>")
                out.append(f"/{node.role} <</MCID {n}>> BDC\n{piece}\nEMC")
        return plan.link_owners

    def link(self, part: Part, owner: int, page: str, annot: int, key: int) -> None:
        """A Link element for annotation ``annot`` (parent-tree ``key``), under the
        element of ``owner`` in ``part``'s recording (-1: the document)."""
        holder = self.root
        if owner >= 0:
            blk = self.blocks[part.scope]
            holder = [blk.refs[owner], "", "", blk.kids[owner], None]
        made = self.element(_LINK, holder)
        made[PAGE] = page
        made[KIDS].append(f"<< /Type /OBJR /Obj {annot} 0 R /Pg {page} >>")
        self.link_keys.append(f"{key} {made[REF]}")

    def finish(self) -> None:
        """Write every element's dictionary."""
        bodies = self.bodies
        for blk in self.blocks.values():
            base = int(blk.refs[0][:-4]) if blk.refs else 0
            for n, start, parent, kids, pg in zip(
                range(base, base + len(blk.refs)),
                blk.starts,
                blk.parents,
                blk.kids,
                blk.pages,
                strict=True,
            ):
                bodies[n] = _element(start, parent, kids, pg)
        for ref, start, parent, kids, pg in self.loose:
            bodies[int(ref[:-4])] = _element(start, parent, kids, pg)


class _Writer:
    def __init__(self, size: tuple[float, float], meta: Meta):
        self.size = size
        self.meta = meta
        self.bodies: list[bytes | str | None] = [None]

    def new(self) -> int:
        self.bodies.append(None)
        return len(self.bodies) - 1

    def put(self, num: int, body: bytes | str) -> int:
        self.bodies[num] = body
        return num

    def add(self, body: bytes | str) -> int:
        self.bodies.append(body)
        return len(self.bodies) - 1

    def write(
        self,
        sheets: Sequence[Sheet],
        fonts: Sequence[FontUse],
        images: dict[str, Path],
        preamble: str,
    ) -> bytes:
        catalog, pages_num, resources, tree_root = self.new(), self.new(), self.new(), self.new()
        tree = _Structure(self.bodies, self.new(), tree_root)
        page_nums = [self.new() for _ in sheets]
        parent_tree: list[str] = []
        marks: list[tuple[int, str, int]] = []
        contents: list[bytes] = []
        w, h = self.size
        page_head = f"<< /Type /Page /Parent {pages_num} 0 R /MediaBox [0 0 {fp_str(w)} "
        page_head += f"{fp_str(h)}] /Resources {resources} 0 R /Contents "
        for i, sheet in enumerate(sheets):
            page = f"{page_nums[i]} 0 R"
            mcids: list[str] = []
            out = [preamble] if preamble else []
            annots: list[str] = []
            for part in sheet.parts:
                owners = tree.place(part, page, mcids, out)
                for link, owner in zip(part.page.links, owners, strict=True):
                    annot, key = self.new(), len(sheets) + len(tree.link_keys)
                    tree.link(part, owner, page, annot, key)
                    words = self.meta.link_words
                    self.put(annot, _annotation(link.url, link.rect, key, words))
                    annots.append(f"{annot} 0 R")
                marks += [(m.level, m.title, page_nums[i]) for m in part.page.marks]
            if sheet.footer:
                out.append(sheet.footer)
            out.append(" ")
            keep = not any(part.page.private for part in sheet.parts)
            stream = _stream("\n".join(out).encode("latin-1"), keep=keep)
            contents.append(stream)
            parent_tree.append(f"{i} [{' '.join(mcids)}]")
            extra = f" /Annots [{' '.join(annots)}]" if annots else ""
            self.put(
                page_nums[i],
                f"{page_head}{self.add(stream)} 0 R /StructParents {i} /Tabs /S{extra} >>",
            )
        tree.finish()
        keys = parent_tree + tree.link_keys
        numbers = self.add("<< /Nums [\n" + "\n".join(keys) + "\n] >>")
        self.put(
            tree_root,
            f"<< /Type /StructTreeRoot /K {tree.root[REF]} /ParentTree {numbers} 0 R "
            f"/ParentTreeNextKey {len(keys)} >>",
        )
        kids = " ".join(f"{n} 0 R" for n in page_nums)
        self.put(pages_num, f"<< /Type /Pages /Count {len(sheets)} /Kids [{kids}] >>")
        self.put(resources, self._resources(fonts, images))
        outline = self._outline(marks)
        info = self.add(_info(self.meta))
        metadata = self.add(_xmp(self.meta))
        extra = f" /Outlines {outline} 0 R /PageMode /UseOutlines" if outline else ""
        lang = f" /Lang {_text(self.meta.lang)}" if self.meta.lang else ""
        self.put(
            catalog,
            f"<< /Type /Catalog /Pages {pages_num} 0 R{extra}{lang} /MarkInfo << /Marked true >> "
            f"/StructTreeRoot {tree_root} 0 R /Metadata {metadata} 0 R "
            "/ViewerPreferences << /DisplayDocTitle true >> >>",
        )
        return self._file(catalog, info, hashlib.md5(b"".join(contents), usedforsecurity=False))

    def _resources(self, fonts: Sequence[FontUse], images: dict[str, Path]) -> str:
        entries = []
        for use in fonts:
            font, descriptor, file, cmap = _font_objects(use.font, use.index, use.subset)
            file_num, cmap_num = self.add(file), self.add(cmap)
            desc_num = self.add(descriptor.replace(b"{file}", str(file_num).encode()))
            body = font.replace(b"{desc}", str(desc_num).encode())
            num = self.add(body.replace(b"{cmap}", str(cmap_num).encode()))
            entries.append(f"/{use.resource} {num} 0 R")
        pictures = []
        for name, path in sorted(images.items()):
            image, mask = _image_objects(path)
            extra = b""
            if mask is not None:
                extra = f" /SMask {self.add(mask)} 0 R".encode()
            pictures.append(f"/{name} {self.add(image.replace(b'{mask}', extra))} 0 R")
        xobjects = f" /XObject << {' '.join(pictures)} >>" if pictures else ""
        return (
            f"<< /Font << {' '.join(entries)} >>{xobjects} "
            "/ProcSet [/PDF /Text /ImageB /ImageC /ImageI] >>"
        )

    def _outline(self, marks: Sequence[tuple[int, str, int]]) -> int | None:
        """Bookmarks, all open, nested by level."""
        if not marks:
            return None
        top = _Entry(self.new(), -1, "", 0, 0)
        items: list[_Entry] = []
        stack = [top]
        for level, title, page in marks:
            while stack[-1].level >= level:
                stack.pop()
            item = _Entry(self.new(), level, title, page, stack[-1].num)
            stack[-1].kids.append(item)
            stack.append(item)
            items.append(item)
        for item in reversed(items):  # children come after their parent
            item.count = sum(1 + k.count for k in item.kids)
        for item in items:
            kids = item.kids
            links = f" /Parent {item.parent} 0 R"
            if kids:
                links += f" /First {kids[0].num} 0 R /Last {kids[-1].num} 0 R /Count {item.count}"
            for a, b in itertools.pairwise(kids):
                a.links += f" /Next {b.num} 0 R"
                b.links += f" /Prev {a.num} 0 R"
            item.links += links
        for a, b in itertools.pairwise(top.kids):
            a.links += f" /Next {b.num} 0 R"
            b.links += f" /Prev {a.num} 0 R"
        for item in items:
            self.put(
                item.num,
                f"<< /Title {_text(item.title)}{item.links} /Dest [{item.page} 0 R /Fit] >>",
            )
        total = sum(1 + k.count for k in top.kids)
        first, last = top.kids[0].num, top.kids[-1].num
        self.put(
            top.num, f"<< /Type /Outlines /First {first} 0 R /Last {last} 0 R /Count {total} >>"
        )
        return top.num

    def _file(self, catalog: int, info: int, digest: Any) -> bytes:
        """The file: streams as objects of their own, every other object packed into one
        compressed object stream (the structure tree is most of a handout's objects, and
        compresses tenfold), then a cross-reference stream. The file's id is a hash of its
        pages' content and its title."""
        out = [b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n"]
        at = len(out[0])
        bodies = self.bodies
        size = len(bodies) + 2
        packed_num, xref_num = size - 2, size - 1
        rows: list[bytes] = [b""] * size
        rows[0] = b"\x00\x00\x00\x00\x00\x00\x00\xff\xff"
        # (done with C-level iteration: a handout has hundreds of objects)
        numbers = range(len(bodies))
        nums = list(itertools.compress(numbers, map(isinstance, bodies, itertools.repeat(str))))
        packed = list(map(bodies.__getitem__, nums))
        sums = itertools.accumulate(map(len, packed), initial=0)
        offsets = map(operator.add, sums, range(len(packed)))  # one newline between objects
        index = (
            " ".join(map(str, itertools.chain.from_iterable(zip(nums, offsets, strict=True))))
            + "\n"
        )
        entries = map(_ROW, itertools.repeat(2), itertools.repeat(packed_num), range(len(nums)))
        collections.deque(map(rows.__setitem__, nums, entries), maxlen=0)
        for num in itertools.compress(numbers, map(isinstance, bodies, itertools.repeat(bytes))):
            body = bodies[num]
            rows[num] = _ROW(1, at, 0)
            head = b"%d 0 obj\n" % num
            out += (head, body, b"\nendobj\n")  # type: ignore[list-item]
            at += len(head) + len(body) + 8  # type: ignore[arg-type]
        data = (index + "\n".join(packed)).encode("latin-1")  # type: ignore[arg-type]
        extra = f" /Type /ObjStm /N {len(nums)} /First {len(index)}"
        obj = b"%d 0 obj\n" % packed_num + _stream(data, extra) + b"\nendobj\n"
        rows[packed_num] = _ROW(1, at, 0)
        out.append(obj)
        at += len(obj)
        rows[xref_num] = _ROW(1, at, 0)
        assert all(rows), "an object was numbered but never written"
        digest.update(self.meta.title.encode("utf-8"))
        ident = digest.hexdigest().upper()
        xref = _stream(
            b"".join(rows),
            f" /Type /XRef /Size {size} /W [1 4 4] /Root {catalog} 0 R /Info {info} 0 R "
            f"/ID [<{ident}> <{ident}>]",
        )
        out.append(b"%d 0 obj\n" % xref_num + xref + b"\nendobj\n")
        out.append(f"startxref\n{at}\n%%EOF\n".encode())
        return b"".join(out)


def _element(start: str, parent: str, kids: list[str], page: str | None) -> str:
    k = kids[0] if len(kids) == 1 else f"[{' '.join(kids)}]"
    return f"{start}{parent} /Pg {page} /K {k} >>" if page else f"{start}{parent} /K {k} >>"


_ROW = struct.Struct(">BII").pack
"""A cross-reference stream entry: type, then offset (or object stream), then index."""


def _annotation(url: str, rect: tuple[float, float, float, float], key: int, words: str) -> str:
    return f"{_link_body(url, rect, words)} /StructParent {key} >>"


@memo(4096)
def _link_body(url: str, rect: tuple[float, float, float, float], words: str) -> str:
    """A link's annotation, but for its place in the structure (source lists repeat)."""
    box = " ".join(fp_str(v) for v in rect)
    return (
        f"<< /Type /Annot /Subtype /Link /Rect [{box}] /Border [0 0 0] /F 4 "
        f"/A << /Type /Action /S /URI /URI {_text(_ascii_uri(url))} >> "
        f"/Contents {_text(words.format(address=url))}"
    )


def _ascii_uri(url: str) -> str:
    """``url`` as the 7-bit address a PDF link needs: the host in IDNA, the rest
    percent-encoded (``hände`` → ``h%C3%A4nde``)."""
    if url.isascii():
        return url
    parts = urllib.parse.urlsplit(url)
    host = parts.hostname.encode("idna").decode("ascii") if parts.hostname else ""
    netloc = host + (f":{parts.port}" if parts.port else "")
    safe = "/?#[]@!$&'()*+,;=%~:"
    rest = [urllib.parse.quote(x, safe=safe) for x in (parts.path, parts.query, parts.fragment)]
    return urllib.parse.urlunsplit((parts.scheme, netloc, *rest))


class _Flate:
    """Compression that remembers its recent larger inputs: font subsets, and pages of
    shared content, come round again and again."""

    SMALLEST = 2048
    KEEP = 512

    def __init__(self) -> None:
        self.done: MemoTable[tuple[bytes, int], bytes] = table(
            "pdffile._Flate.done", self.KEEP, collections.OrderedDict
        )

    def __call__(self, data: bytes, level: int, keep: bool = True) -> bytes:
        if len(data) < self.SMALLEST or not keep:
            return zlib.compress(data, level)
        key = (data, level)
        hit = self.done.recall(key)
        if hit is None:
            hit = self.done[key] = zlib.compress(data, level)
        return hit


_flate = _Flate()


def _stream(data: bytes, extra: str = "", level: int = 3, keep: bool = True) -> bytes:
    """A compressed stream object. Page content and the object stream are compressed fast
    (level 3: half the time of the default for 4% more bytes); fonts, made once, tightly.
    ``keep=False``: a page with patient text, compressed without being remembered."""
    packed = _flate(data, level, keep)
    head = f"<< /Filter /FlateDecode /Length {len(packed)}{extra} >>\nstream\n".encode()
    return head + packed + b"\nendstream"


_SUBSETTING = threading.Lock()
"""ReportLab subsets a font by seeking and reading in the font file object it shares
with every thread (one per face, registered for the process): two threads subsetting at
once read each other's place (seen as an ``IndexError`` in ``makeSubset``)."""


def _tag(face: bytes, index: int, subset: tuple[int, ...]) -> bytes:
    """A subset's six-letter tag, from its face, number and characters: the same subset
    always has the same tag (the same bytes each time), and different subsets in one file
    have different ones, as ISO 32000-1 (9.6.4) asks (ReportLab names each face's first
    subset AAAAAA: red team)."""
    digest = hashlib.sha256(repr((face, index, subset)).encode("latin-1")).digest()
    return bytes(65 + b % 26 for b in digest[:6])


@memo(256)
def _font_objects(
    font: TTFont, index: int, subset: tuple[int, ...]
) -> tuple[bytes, bytes, bytes, bytes]:
    """A subset's font dictionary, descriptor, font file and character map, made once.
    The dictionaries hold ``{desc}``, ``{cmap}`` and ``{file}`` for their references."""
    face = font.face
    name = (_tag(face.name, index, subset) + b"+" + face.name + face.subfontNameX).decode("latin-1")
    widths = " ".join(fp_str(face.getCharWidth(c)) for c in subset)
    body = (
        f"<< /Type /Font /Subtype /TrueType /BaseFont /{name} /FirstChar 0 "
        f"/LastChar {len(subset) - 1} /Widths [{widths}] /FontDescriptor {{desc}} 0 R "
        f"/ToUnicode {{cmap}} 0 R >>"
    )
    flags = (font.face.flags & ~32) | 4  # symbolic, as ReportLab marks its subsets
    bbox = " ".join(fp_str(v) for v in face.bbox)
    descriptor = (
        f"<< /Type /FontDescriptor /FontName /{name} /Flags {flags} /FontBBox [{bbox}] "
        f"/ItalicAngle {fp_str(face.italicAngle)} /Ascent {fp_str(face.ascent)} "
        f"/Descent {fp_str(face.descent)} /CapHeight {fp_str(face.capHeight)} "
        f"/StemV {fp_str(face.stemV)} /MissingWidth {fp_str(face.defaultWidth)} "
        f"/FontFile2 {{file}} 0 R >>"
    )
    with _SUBSETTING:
        program = face.makeSubset(list(subset))
    file = _stream(program, f" /Length1 {len(program)}", 9)
    cmap = _stream(_to_unicode(name, list(subset), font).encode("latin-1"), level=9)
    return body.encode("latin-1"), descriptor.encode("latin-1"), file, cmap


def _image_objects(path: Path) -> tuple[bytes, bytes | None]:
    """A picture (a PNG logo) as an image and, if it has transparency, its soft mask.
    The image's dictionary holds ``{mask}`` where the mask's reference goes."""
    return _image_objects_at(path, file_stamp(path))


def _to_unicode(name: str, subset: list[int], font: TTFont | None = None) -> str:
    """The ToUnicode CMap of a font subset, as ReportLab writes it, but a character beyond
    the Basic Multilingual Plane (an emoji) maps to its UTF-16 pair (``<D83DDE00>``):
    ReportLab writes ``<1F600>``, an odd-length string text extraction cannot read.

    A shaped glyph reads as the letters it shows: an Arabic joined form (a presentation
    form) as its letter, a ligature as its letters. A glyph HarfBuzz made that has no
    character (ReportLab gives it a private code, numbered in the order a process first
    met it) reads as the letters its name in the font gives (``uni066E.fina``: ٮ), or as
    the Arabic letters it is a joined form or a lam-alef ligature of
    (``fehDotMovedbelowar.init``: ڢ), else as nothing (a left-to-right word it is in
    carries its text, ``/ActualText``); never as its private number, so the same handout
    is the same bytes in any process."""
    read = []
    for i, v in enumerate(subset):
        text = _named(font, v) if v in PRIVATE_CODES else _read_as(v)
        if text:
            read.append((i, text))
    lines = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({name})",
        f"/Ordering ({name})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{name} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(read)} beginbfchar",
        *(f"<{i:02X}> <{text.encode('utf-16-be').hex().upper()}>" for i, text in read),
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(lines)


def _named(font: TTFont | None, cp: int) -> str:
    """The letters a glyph with no character of its own stands for, from its name
    (``uni0644_uni0627.fina``), in the order drawn; else, for an Arabic letter's joined
    form or a lam-alef ligature, its letters (:func:`~handouts.pdf.shaping.joined_letters`);
    else ""."""
    if font is None or not font.shapable:
        return ""
    gid = font.face.charToGlyph.get(cp)
    if gid is None:
        return ""
    name = harfbuzz_font(font).glyph_to_string(gid)
    letters = []
    for part in name.split(".")[0].split("_"):
        if re.fullmatch(r"uni[0-9A-F]{4}", part):
            letters.append(chr(int(part[3:], 16)))
        elif re.fullmatch(r"u[0-9A-F]{4,6}", part):
            letters.append(chr(int(part[1:], 16)))
        else:  # named for what it looks like (fehDotMovedbelowar.init): the letters it is
            return joined_letters(font).get(gid, "")[::-1]
    text = "".join(letters)
    return text[::-1] if any(unicodedata.bidirectional(c) in ("R", "AL") for c in text) else text


def _read_as(cp: int) -> str:
    """What a glyph's character is read as: an Arabic presentation form as its letters,
    a ligature's in the order drawn (a reader turns the right-to-left run round)."""
    ch = chr(cp)
    return unicodedata.normalize("NFKC", ch)[::-1] if 0xFB50 <= cp <= 0xFEFC else ch


@memo(16)
def _image_objects_at(path: Path, stamp: tuple[int, int]) -> tuple[bytes, bytes | None]:
    w, h, rgb, alpha = printed_pixels(path)
    mask = None
    if alpha is not None:
        mask = _stream(
            alpha,
            f" /Type /XObject /Subtype /Image /Width {w} /Height {h} "
            "/ColorSpace /DeviceGray /BitsPerComponent 8",
        )
    image = _stream(
        rgb,
        f" /Type /XObject /Subtype /Image /Width {w} /Height {h} "
        "/ColorSpace /DeviceRGB /BitsPerComponent 8{mask}",
    )
    return image, mask


def _info(meta: Meta) -> str:
    fields = (
        ("Title", meta.title),
        ("Author", meta.author),
        ("Subject", meta.subject),
        ("Keywords", meta.keywords),
        ("Creator", meta.creator),
        ("Producer", "handouts (ReportLab layout)"),
    )
    return "<< " + " ".join(f"/{k} {_text(v)}" for k, v in fields if v) + " >>"


def _xmp(meta: Meta) -> bytes:
    """XMP metadata: the title a screen reader announces, and the PDF/UA claim."""
    x = xml_escape
    lang = f"<dc:language><rdf:Bag><rdf:li>{x(meta.lang)}</rdf:li></rdf:Bag></dc:language>"
    author = f"<dc:creator><rdf:Seq><rdf:li>{x(meta.author)}</rdf:li></rdf:Seq></dc:creator>"
    subject = (
        f'<dc:description><rdf:Alt><rdf:li xml:lang="x-default">{x(meta.subject)}</rdf:li>'
        "</rdf:Alt></dc:description>"
    )
    packet = (
        '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?>\n'
        '<x:xmpmeta xmlns:x="adobe:ns:meta/">\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">\n'
        '<rdf:Description rdf:about="" xmlns:dc="http://purl.org/dc/elements/1.1/" '
        'xmlns:pdf="http://ns.adobe.com/pdf/1.3/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" '
        'xmlns:pdfuaid="http://www.aiim.org/pdfua/ns/id/">\n'
        f'<dc:title><rdf:Alt><rdf:li xml:lang="x-default">{x(meta.title)}</rdf:li></rdf:Alt>'
        "</dc:title>\n"
        + (f"{author}\n" if meta.author else "")
        + (f"{subject}\n" if meta.subject else "")
        + (f"{lang}\n" if meta.lang else "")
        + (f"<pdf:Keywords>{x(meta.keywords)}</pdf:Keywords>\n" if meta.keywords else "")
        + "<pdf:Producer>handouts (ReportLab layout)</pdf:Producer>\n"
        f"<xmp:CreatorTool>{x(meta.creator)}</xmp:CreatorTool>\n"
        "<pdfuaid:part>1</pdfuaid:part>\n"
        "</rdf:Description>\n</rdf:RDF>\n</x:xmpmeta>\n"
        '<?xpacket end="w"?>'
    ).encode("utf-8")
    head = f"<< /Type /Metadata /Subtype /XML /Length {len(packet)} >>\nstream\n".encode()
    return head + packet + b"\nendstream"


_text = memo(16384)(pdf_text)
