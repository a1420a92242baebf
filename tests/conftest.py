"""Shared fixtures: the default run built once, in-process CLI runs, PDF text extraction."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import types
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from handouts.cli import COMMANDS
from handouts.cli import main as real_main
from handouts.document.request import Allow

ROOT = Path(__file__).resolve().parent.parent
TODAY = "2026-12-03"
"""The day every test runs on, whatever the calendar says: content review dates are checked
against it (``--today``), so the suite does not start failing when real reviews fall due."""
ALLOW_TODAY = Allow(today=dt.date.fromisoformat(TODAY))
"""Nothing allowed, review dates checked as of TODAY: for tests that call builds directly."""


def main(argv: list[str]) -> int:
    """The command line, run on TODAY unless the test gives its own --today."""
    argv = [str(a) for a in argv]
    dated = not argv or argv[0] != "translate"  # the one command with no day to check against
    if dated and "--today" not in argv and not {"-h", "--help"} & set(argv):
        at = 1 if argv and argv[0] in COMMANDS else 0
        argv[at:at] = ["--today", TODAY]
    return real_main(argv)


CONTENT = ROOT / "content"
BRAND = ROOT / "brands" / "example" / "brand.yaml"


# A complete medicine card for tests to break or to refer to: tests/test_safety.py.
REVIEW = """review:
  last_reviewed: 2026-12-02
  next_review: 2028-11-01
  reviewed_by: {who}
"""

CARD = """id: {id}
name: Crafted medicine
used_for:
  - text: {used_for}
    sources: [NICE25]
how_to_take:
  - text: Take it each day.
    action: Take it at the same time each day.
    evidence: guideline
    sources: [NICE25]
side_effects:
  - text: {side_effect}
    action: Tell your doctor.
    evidence: label
    sources: [NICE25]
pregnancy:
  - text: Little is known about it in pregnancy.
    action: Tell your doctor if you could get pregnant.
    evidence: label
    sources: [NICE25]
interactions: []
stopping: []
"""


def card(
    folder: Path,
    med_id: str = "crafted",
    used_for: str = "It helps some people.",
    side_effect: str = "It can make you tired.",
    who: str = "Test team",
    extra: str = "",
) -> Path:
    path = folder / "medicines" / f"{med_id}.yaml"
    text = CARD.format(id=med_id, used_for=used_for, side_effect=side_effect)
    path.write_text(text + extra + REVIEW.format(who=who), encoding="utf-8")
    return path


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def cli(capsys):
    """Run the command line in-process; return exit code and what it printed."""

    def run(*args: str) -> Run:
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


def pdf_text(data: bytes) -> str:
    """All text of a PDF, pages joined, whitespace folded to single spaces."""
    reader = PdfReader(io.BytesIO(data))
    return " ".join(" ".join((p.extract_text() or "").split()) for p in reader.pages)


def text_sizes(data: bytes) -> list[tuple[str, float]]:
    """(text, font size in points) for every text run drawn in the PDF."""
    runs: list[tuple[str, float]] = []
    for page in PdfReader(io.BytesIO(data)).pages:

        def visit(text, cm, tm, font, size):
            if text.strip():
                runs.append((text.strip(), abs(size * tm[3] * cm[3]) or size))

        page.extract_text(visitor_text=visit)
    return runs


@pytest.fixture(scope="session")
def default_out(tmp_path_factory) -> Path:
    """The default run (`handouts --out DIR`), built once for the whole session."""
    out = tmp_path_factory.mktemp("default") / "out"
    assert main(["--out", str(out)]) == 0
    return out


@pytest.fixture
def content_copy(tmp_path) -> Path:
    """A writable copy of the shipped content, to break on purpose."""
    dest = tmp_path / "content"
    shutil.copytree(CONTENT, dest)
    return dest


def garbage_holding(mark: str, run: Callable[[], object]) -> list[str]:
    """The kinds of object that ``run`` leaves for the garbage collector (unreachable but
    in reference loops) and that hold ``mark`` themselves, found with the collector off:
    in a string, or bytes (UTF-8 or UTF-16), that is an attribute, item or key of theirs,
    or of what they hold that the collector does not follow (a dict of strings, an
    object's own attributes, a BytesIO's buffer). A PDF, PNG or zip held so counts too
    (a name in a PDF is drawn in font subsets' codes, not written out), and so does a
    BytesIO the collector closed (what it held is gone)."""
    import gc

    gc.collect()
    gc.disable()
    try:
        run()
        gc.set_debug(gc.DEBUG_SAVEALL)
        gc.collect()
        left = list(gc.garbage)
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    wanted = [mark.encode(), mark.encode("utf-16-be"), mark.encode("utf-16-le")]
    made = (b"%PDF-", b"\x89PNG", b"PK\x03\x04")
    kinds = set()
    for o in left:
        seen: set[int] = set()
        stack: list[object] = [o]
        while stack:
            x = stack.pop()
            if id(x) in seen:
                continue
            seen.add(id(x))
            if isinstance(x, io.BytesIO):  # closed by the collector: it may have held any
                x = x.getvalue() if not x.closed else made[0]
            if isinstance(x, memoryview):
                x = x.tobytes()
            if isinstance(x, str):
                found = mark in x
            elif isinstance(x, (bytes, bytearray)):
                found = any(w in x for w in wanted) or bytes(x[:5]).startswith(made)
            else:
                stack += (r for r in gc.get_referents(x) if not gc.is_tracked(r))
                if isinstance(x, dict):
                    stack += list(x)
                continue
            if found:
                kinds.add(_kind(o))
                break
    return sorted(kinds)


def _kind(o: object) -> str:
    """An object's type, and for a frame the file and function it runs."""
    if isinstance(o, types.FrameType):
        return f"frame of {Path(o.f_code.co_filename).name}:{o.f_code.co_name}"
    return f"{type(o).__module__}.{type(o).__qualname__}"


def footer_words(data: bytes) -> list[tuple[list[dict], list[dict]]]:
    """Each page's footer words, below the rule over it: the page-number column's (bold)
    and the rest."""
    pages = []
    with pdfplumber.open(io.BytesIO(data)) as pdf:
        for page in pdf.pages:
            rule = max(n["top"] for n in page.lines if n["x1"] - n["x0"] > page.width / 2)
            band = [w for w in page.extract_words(extra_attrs=["fontname"]) if w["top"] > rule]
            bold = {id(w) for w in band if "Bold" in w["fontname"]}
            pages.append(([w for w in band if id(w) in bold],
                          [w for w in band if id(w) not in bold]))  # fmt: skip
    return pages
