"""A QR code encoded as ReportLab's encoder encodes it (level M), module for module, faster.

ReportLab's encoder makes the code words with polynomial objects (building the generator
polynomial again for every code), lays the code out with each of the eight masks, keeps
the one its penalty score (``QRUtil.getLostPoint``) finds best, and lays that one out
again. Here the code words are ReportLab's (:func:`code_words`, as ``QRCode.createData``
makes them) with their error correction found by the usual table-driven division; each
mask's layout is made from bit patterns (:func:`masked`): the function patterns, made
once per version and mask, and the data bits, placed once, each row's masked by
exclusive-or with the mask's bit pattern where the data sits. :func:`lost_point` gives
ReportLab's score from the rows as bit patterns (runs, blocks and dark modules worked
out on whole rows at once; the finder-like pattern found in each row's text), and the
chosen mask's final layout (:func:`code_rows`) is made the same way. Tests compare the
code words in every version, and each layout, each score and every module of the chosen
code over many addresses, with ReportLab's.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

from reportlab.graphics.barcode import qrencoder

from handouts.memo import memo

_FINDER = "10111010000"
"""The finder-like pattern ReportLab's score looks for (along rows only: down the
columns it compares a tuple with a list, which never matches)."""


def code_rows(data: str) -> tuple[int, list[int]]:
    """``data`` as a QR code at error correction level M, its mask chosen as
    ``QRCode.make`` chooses it (the first of the lowest penalty), every module as
    ``QRCode.make`` lays it out: the code's size in modules, and its rows as bit patterns
    (the leftmost module the highest bit)."""
    qr = qrencoder.QRCode(None, qrencoder.QRErrorCorrectLevel.M)
    qr.addData(data)
    qr.version = qr.calculate_version()
    n = qr.version * 4 + 17
    layouts = _trials(qr)
    best = min(range(8), key=lambda mask: _lost_point(layouts[mask], n))
    return n, _laid(qr, _function_rows(qr.version, best, False), best)


def masked(qr: qrencoder.QRCode) -> list[list[str]]:
    """The code's trial layouts (``makeImpl(True, mask)``) for each of the eight masks, as
    rows of ``0`` and ``1``: a trial's function patterns, then the data modules with
    each mask. Level M only (the level :func:`code_rows` makes)."""
    n = qr.version * 4 + 17
    return [[format(r, f"0{n}b") for r in rows] for rows in _trials(qr)]


def _trials(qr: qrencoder.QRCode) -> list[list[int]]:
    """:func:`masked`, each row a bit pattern."""
    if qr.errorCorrectLevel != qrencoder.QRErrorCorrectLevel.M:
        raise ValueError("handouts.pdf.qr encodes QR codes at error correction level M only")
    trial = _function_rows(qr.version, 0, True)  # a trial's type bits are all light
    return [_laid(qr, trial, mask) for mask in range(8)]


def _laid(qr: qrencoder.QRCode, function: tuple[int, ...], mask: int) -> list[int]:
    """Rows of the code with ``mask``: its function patterns where no data goes, and its
    data bits, masked, where they go (``mapData`` writes them last)."""
    if qr.dataCache is None:
        qr.dataCache = code_words(qr.version, qr.dataList)
    bits = _placed(qr.version, tuple(qr.dataCache))
    data, flips = _data_rows(qr.version), _mask_rows(qr.version * 4 + 17)[mask]
    rows = zip(function, bits, flips, data, strict=True)
    return [(f & ~d) | ((b ^ m) & d) for f, b, m, d in rows]


def code_words(version: int, data: list[Any]) -> list[int]:
    """The code words of ``data`` (ReportLab's segments) in a code of ``version`` at level
    M: the data padded as ``QRCode.createData`` pads it, then each block's error
    correction, interleaved as ``QRCode.createBytes`` does."""
    blocks = qrencoder.QRRSBlock.getRSBlocks(version, qrencoder.QRErrorCorrectLevel.M)
    buffer = _Bits()
    for segment in data:
        segment.write(buffer, version)
    room = 8 * sum(block.dataCount for block in blocks)
    if buffer.length > room:
        raise ValueError(f"code length overflow. ({buffer.length} > {room})")
    if buffer.length + 4 <= room:
        buffer.put(0, 4)
    buffer.put(0, -buffer.length % 8)
    written = list(buffer.value.to_bytes(buffer.length // 8, "big"))
    pads = itertools.cycle((qrencoder.QRCode.PAD0, qrencoder.QRCode.PAD1))
    words = written + [next(pads) for _ in range(room // 8 - len(written))]
    data_blocks, correction, at = [], [], 0
    for block in blocks:
        part = words[at : at + block.dataCount]
        at += block.dataCount
        data_blocks.append(part)
        correction.append(_remainder(part, _generator(block.totalCount - block.dataCount)))
    return [w for column in itertools.chain(itertools.zip_longest(*data_blocks),
                                            itertools.zip_longest(*correction))
            for w in column if w is not None]  # fmt: skip


class _Bits:
    """ReportLab's ``QRBitBuffer`` as far as a segment writes to it, its bits kept in one
    number rather than put one at a time (ReportLab's calls a method for every bit)."""

    __slots__ = ("length", "value")

    def __init__(self) -> None:
        self.value = self.length = 0

    def put(self, num: int, length: int) -> None:
        """The last ``length`` bits of ``num``, the highest first (the only method a
        segment's ``write`` calls)."""
        self.value = (self.value << length) | (num & ((1 << length) - 1))
        self.length += length


_EXP, _LOG = qrencoder.EXP_TABLE, qrencoder.LOG_TABLE


@memo(40, shared=True)
def _generator(count: int) -> tuple[int, ...]:
    """The error-correction generator polynomial of ``count`` code words (highest power
    first, as ``QRUtil.getErrorCorrectPolynomial``), its coefficients after the first
    as logarithms."""
    poly = [1]
    for i in range(count):  # times (x + a^i)
        root, out = _EXP[i], [*poly, 0]
        for j, coef in enumerate(poly):
            if coef:
                out[j + 1] ^= _EXP[(_LOG[coef] + _LOG[root]) % 255]
        poly = out
    return tuple(_LOG[c] for c in poly[1:])


def _remainder(words: list[int], generator: tuple[int, ...]) -> list[int]:
    """``words`` times x^n modulo the generator (``n`` its degree): the error-correction
    code words, as ``QRPolynomial.mod`` finds them."""
    rest = [*words, *([0] * len(generator))]
    for i in range(len(words)):
        if rest[i]:
            lead = _LOG[rest[i]]
            for j, g in enumerate(generator, i + 1):
                rest[j] ^= _EXP[(lead + g) % 255]
    return rest[len(words) :]


@memo(8)
def _placed(version: int, words: tuple[int, ...]) -> tuple[int, ...]:
    """The code words' bits, unmasked, as rows of bit patterns where ``mapData`` puts
    them (the modules past the last bit light)."""
    n = version * 4 + 17
    rows = [0] * n
    positions = _positions(version)
    bits = ((word >> shift) & 1 for word in words for shift in range(7, -1, -1))
    for (col, row), bit in zip(positions, bits):  # noqa: B905 - more modules than bits
        if bit:
            rows[row] |= 1 << (n - 1 - col)
    return tuple(rows)


@memo(40, shared=True)
def _positions(version: int) -> tuple[tuple[int, int], ...]:
    """Where ReportLab's encoder puts each data bit in turn, as (column, row)."""
    code = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    code.moduleCount = version * 4 + 17
    return tuple(code._dataPosIterator())


@memo(360, shared=True)
def _function_rows(version: int, mask: int, test: bool) -> tuple[int, ...]:
    """The finder, alignment and timing patterns and the type bits of a code of
    ``version`` at level M, rows of bit patterns, as ``makeImpl(test, mask)`` sets them
    before the data (a trial's, ``test``, with its type bits light). At most 351: 39
    versions, each with a trial's and each mask's."""
    code = qrencoder.QRCode(version, qrencoder.QRErrorCorrectLevel.M)
    n = code.moduleCount = version * 4 + 17
    code.modules = [[False] * n for _ in range(n)]
    code.setupPositionProbePattern(0, 0)
    code.setupPositionProbePattern(n - 7, 0)
    code.setupPositionProbePattern(0, n - 7)
    code.setupPositionAdjustPattern()
    code.setupTimingPattern()
    code.setupTypeInfo(test, mask)
    if version >= 7:
        code.setupTypeNumber(test)
    return tuple(int("".join("1" if v else "0" for v in row), 2) for row in code.modules)


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
    rows = [int("".join("1" if v else "0" for v in row), 2) for row in modules]
    return _lost_point(rows, len(modules))


def _lost_point(rows: Sequence[int], n: int) -> int:
    """:func:`lost_point` of ``rows``, bit patterns ``n`` modules wide (the leftmost module
    the highest bit), worked out on whole rows at once."""
    lost = 0
    pairs = (1 << (n - 1)) - 1  # each module with the next along the row, but the last
    for r in rows:  # a run of L >= 5 alike along a row costs L - 2:
        alike = ~(r ^ (r >> 1)) & pairs  # L - 1 pairs alike,
        five = alike & (alike >> 1) & (alike >> 2) & (alike >> 3)  # L - 4 fives,
        lost += five.bit_count() + 2 * (five & ~(five >> 1)).bit_count()  # and 2 a run
    full = (1 << n) - 1
    down = [~(a ^ b) & full for a, b in itertools.pairwise(rows)]  # alike with the one below
    fives = [a & b & c & d for a, b, c, d in zip(down, down[1:], down[2:], down[3:], strict=False)]
    for five, below in itertools.zip_longest(fives, fives[1:], fillvalue=0):  # (the same,
        lost += five.bit_count() + 2 * (five & ~below).bit_count()  # down the columns)
    last = n - len(_FINDER)  # ReportLab looks no further than just before here
    for r in rows:
        row = format(r, f"0{n}b")
        at = row.find(_FINDER)
        while 0 <= at < last:
            lost += 40
            at = row.find(_FINDER, at + len(_FINDER))
    for above, below in itertools.pairwise(rows):
        same = ~(above ^ below)  # alike down the column, then alike with the next column
        lost += 3 * (same & (same >> 1) & ~(below ^ (below >> 1)) & pairs).bit_count()
    dark = sum(r.bit_count() for r in rows)
    lost += 10 * (abs(100 * dark // (n * n) - 50) // 5)
    return lost
