"""A QR code encoded as ReportLab's encoder encodes it, with its mask chosen faster.

ReportLab's encoder lays the code out with each of the eight masks and keeps the one its
penalty score (``QRUtil.getLostPoint``) finds best; scoring, in Python over lists of
booleans, is half the time a code takes. :func:`lost_point` gives the same score from
rows and columns as strings and bit patterns (a test compares the two on every mask of
many addresses), so the code chosen, and every module of it, is the same.
"""

from __future__ import annotations

import itertools
import re

from reportlab.graphics.barcode import qrencoder

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
    for mask in range(8):
        qr.makeImpl(True, mask)
        lost = lost_point(qr.modules)
        if least is None or lost < least:
            best, least = mask, lost
    qr.makeImpl(False, best)
    return qr


def lost_point(modules: list[list[bool]]) -> int:
    """ReportLab's penalty score of a laid-out code (``QRUtil.getLostPoint``): runs of five
    or more alike along rows and columns, two-by-two blocks alike, the finder-like pattern
    along rows, and how far dark modules are from half."""
    n = len(modules)
    rows = ["".join("1" if v else "0" for v in row) for row in modules]
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
