"""Faster writing of ReportLab's PDF objects: the same bytes, with less Python per object.

ReportLab formats every value of every object through one general function; a
handout has about a thousand small values, mostly numbers, names, references and
the same few hundred strings. These functions take the common types first and
remember what repeats. ``install()`` puts them in place once; the output is
byte-for-byte what ReportLab writes (tests compare handouts with and without).
"""

from __future__ import annotations

from collections import OrderedDict
from functools import lru_cache
from typing import Any

from reportlab.lib.rl_accel import fp_str
from reportlab.pdfbase import pdfdoc


class Raw(pdfdoc.PDFObject):
    """A PDF value already written out: formatting it again is a copy."""

    def __init__(self, data: bytes):
        self.data = data

    def format(self, document: object) -> bytes:
        return self.data


_ORIGINAL: dict[str, Any] = {}


def uninstall() -> None:
    """Put ReportLab's own formatter back (tests compare the two)."""
    if not _ORIGINAL:
        return
    pdfdoc.PDFDictionary.format = _ORIGINAL.pop("dict")
    for attr, value in _ORIGINAL.items():
        setattr(pdfdoc, attr, value)
    _ORIGINAL.clear()


def install() -> None:
    """Replace ReportLab's general formatter with the faster one (once), and write page
    streams compressed only: ASCII85 on top makes them a quarter bigger and costs a
    third of a handout's render time, for files that are binary anyway."""
    pdfdoc.rl_config.useA85 = 0
    if _ORIGINAL:
        return
    for attr in ("PDFName", "pdfdocEnc", "format"):
        _ORIGINAL[attr] = getattr(pdfdoc, attr)
    general, encode = pdfdoc.format, pdfdoc.pdfdocEnc
    name = lru_cache(maxsize=4096)(pdfdoc.PDFName)
    text = lru_cache(maxsize=16384)(encode)

    @lru_cache(maxsize=4096)
    def key(k: str) -> bytes:
        return encode(name(k))  # type: ignore[no-any-return]

    Reference = pdfdoc.PDFObjectReference

    def pdfdoc_enc(x: object) -> object:
        return text(x) if isinstance(x, str) and len(x) < 64 else encode(x)

    @lru_cache(maxsize=4096)
    def number(x: float) -> bytes:
        return encode(fp_str(x))

    def fast(element: Any, document: Any, toplevel: int = 0) -> bytes:
        kind = type(element)
        if kind is str:
            return pdfdoc_enc(element)  # type: ignore[return-value]
        if kind is int or kind is float:
            return number(element)
        if kind is Reference:
            numbers = document.idToObjectNumberAndVersion.get(element.name)
            if numbers is not None:
                return f"{numbers[0]} {numbers[1]} R".encode("latin-1")
        if kind is bytes:
            return element  # type: ignore[no-any-return]
        return general(element, document, toplevel)  # type: ignore[no-any-return]

    def dictionary(self: Any, document: Any, IND: bytes = b"\n ") -> bytes:
        d = self.dict
        keys = list(d.keys())
        if not isinstance(d, OrderedDict):
            keys.sort()
        parts = [key(k) + b" " + fast(d[k], document) for k in keys]
        if (self.multiline and pdfdoc.rl_config.pdfMultiLine) or self.multiline == "forced":
            body = IND.join(parts)
        else:
            for i in reversed(range(6, len(parts), 6)):  # break up every 6 entries
                parts.insert(i, b"\n ")
            body = b" ".join(parts)
        return b"<<\n" + body + b"\n>>"

    _ORIGINAL["dict"] = pdfdoc.PDFDictionary.format
    pdfdoc.PDFName = name
    pdfdoc.pdfdocEnc = pdfdoc_enc
    pdfdoc.format = fast
    pdfdoc.PDFDictionary.format = dictionary
