"""The default handouts' text matches the committed snapshots (regenerate: make snapshots)."""

from __future__ import annotations

import pytest

from .snapshots import SNAPSHOTS, snapshot_text

NAMES = sorted(p.stem for p in SNAPSHOTS.glob("*.txt"))


def test_there_is_a_snapshot_for_every_default_handout(default_out):
    assert sorted(p.stem for p in default_out.glob("*.pdf")) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_text_matches_snapshot(default_out, name):
    expected = (SNAPSHOTS / f"{name}.txt").read_text(encoding="utf-8")
    actual = snapshot_text((default_out / f"{name}.pdf").read_bytes())
    assert actual == expected, f"{name} changed: run `make snapshots` and review the diff"
