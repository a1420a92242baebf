"""A QR code encoded as ReportLab's encoder encodes it, with its mask chosen faster.

ReportLab's encoder lays the code out with each of the eight masks and keeps the one its
penalty score (``QRUtil.getLostPoint``) finds best; scoring, in Python over lists of
booleans, is half the time a code takes, and laying it out eight times most of the rest.
Here it is laid out once (:func:`masked`): the other masks differ from it only on the
data modules, each row's found by exclusive-or with bit patterns of the masks and of
where the data sits. :func:`lost_point` gives the same score from rows and columns as
strings and bit patterns (a test compares each layout and each score with ReportLab's on
every mask of many addresses), so the code chosen, and every module of it, is the same.
"""

from __future__ import annotations

import itertools
import re

from reportlab.graphics.barcode import qrencoder

from handouts.memo import memo

_RUN = re.compile(r"0{5,}|1{5,}")
_FINDER = "10111010000"
"""The finder-like pattern ReportLab's score looks for (along rows only: down the
columns it compares a tuple with a list, which never matches)."""


def encoded(data: str) -> qrencoder.QRCode:
    """``data`` as a QR code at error correction level M, its mask chosen as
    ``QRCode.make`` chooses it."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(data)
    qr.version = qr.calculate_version()
    best, least = 0, None
    for mask, rows in enumerate(masked(qr)):
        lost = _lost_point(rows)
        if least is None or lost < least:
            best, least = mask, lost
    qr.makeImpl(False, best)
    return qr


def masked(qr: qrencoder.QRCode) -> list[list[str]]:
    """The code's trial layouts (``makeImpl(True, mask)``) for each of the eight masks, as
    rows of ``0`` and ``1``: laid out once with the first mask, then each data module's
    first mask undone and the other done."""
    qr.makeImpl(True, 0)
    n = qr.moduleCount
    first = [int("".join("1" if v else "0" for v in row), 2) for row in qr.modules]
    data = _data_rows(qr.version)
    patterns = _mask_rows(n)
    layouts = []
    for pattern in patterns:
        change = [(a ^ b) & d for a, b, d in zip(patterns[0], pattern, data, strict=True)]
        layouts.append([format(r ^ c, f"0{n}b") for r, c in zip(first, change, strict=True)])
    return layouts


@memo(40, shared=True)
def _data_rows(version: int) -> tuple[int, ...]:
    """Each row's data modules as a bit pattern (the leftmost module the highest bit), in
    a code of ``version``: where ReportLab's encoder puts the data, which only the
    version decides."""
    code = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    n = code.moduleCount = version * 4 + 17
    rows = [0] * n
    for col, row in code._dataPosIterator():
        rows[row] |= 1 << (n - 1 - col)
    return tuple(rows)


@memo(40, shared=True)
def _mask_rows(n: int) -> tuple[tuple[int, ...], ...]:
    """Each mask's modules that it darkens, row by row as bit patterns, on a code ``n``
    modules square."""
    out = []
    for mask in range(8):
        flip = qrencoder.QRUtil.getMask(mask)
        out.append(tuple(sum(1 << (n - 1 - c) for c in range(n) if flip(r, c))
                         for r in range(n)))  # fmt: skip
    return tuple(out)


def lost_point(modules: list[list[bool]]) -> int:
    """ReportLab's penalty score of a laid-out code (``QRUtil.getLostPoint``): runs of five
    or more alike along rows and columns, two-by-two blocks alike, the finder-like pattern
    along rows, and how far dark modules are from half."""
    return _lost_point(["".join("1" if v else "0" for v in row) for row in modules])


def _lost_point(rows: list[str]) -> int:
    n = len(rows)
    columns = ["".join(column) for column in zip(*rows, strict=True)]
    lost = 0
    for line in itertools.chain(rows, columns):
        lost += sum(len(run) - 2 for run in _RUN.findall(line))
    last = n - len(_FINDER)  # ReportLab looks no further than just before here
    for row in rows:
        at = row.find(_FINDER)
        while 0 <= at < last:
            lost += 40
            at = row.find(_FINDER, at + len(_FINDER))
    bits = [int(row, 2) for row in rows]
    inner = (1 << (n - 1)) - 1
    for above, below in itertools.pairwise(bits):
        same = ~(above ^ below)  # alike down the column, then alike with the next column
        lost += 3 * bin(same & (same >> 1) & ~(below ^ (below >> 1)) & inner).count("1")
    dark = sum(row.count("1") for row in rows)
    lost += 10 * (abs(100 * dark // (n * n) - 50) // 5)
    return lost
