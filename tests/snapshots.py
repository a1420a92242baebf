"""Readable text snapshots of the default handouts.

`make snapshots` (python -m tests.snapshots) rewrites tests/snapshots/*.txt from
the current content; `git diff tests/snapshots` then shows what a reader would
see change. test_snapshots.py fails when a handout's text no longer matches.
"""

from __future__ import annotations

import io
import sys
import tempfile
from pathlib import Path

from pypdf import PdfReader

from tests.conftest import main

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"


def snapshot_text(pdf: bytes) -> str:
    pages = PdfReader(io.BytesIO(pdf)).pages
    parts = []
    for n, page in enumerate(pages, 1):
        lines = [line.rstrip() for line in (page.extract_text() or "").splitlines()]
        parts.append(f"=== page {n} of {len(pages)} ===\n" + "\n".join(lines))
    return "\n".join(parts) + "\n"


def build_default(out: Path) -> dict[str, str]:
    if main(["--out", str(out)]) != 0:
        raise SystemExit("the default run failed")
    return {p.stem: snapshot_text(p.read_bytes()) for p in sorted(out.glob("*.pdf"))}


def regenerate() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        texts = build_default(Path(tmp))
    SNAPSHOTS.mkdir(exist_ok=True)
    for old in SNAPSHOTS.glob("*.txt"):
        old.unlink()
    for name, text in texts.items():
        (SNAPSHOTS / f"{name}.txt").write_text(text, encoding="utf-8")
        print(f"wrote {SNAPSHOTS / name}.txt", file=sys.stderr)


if __name__ == "__main__":
    regenerate()
