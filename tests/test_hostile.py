"""Property tests (issue 13): whatever a clinician types or a clinic list holds, in any
script, the command either prints it as written or reports a located problem: never a
traceback, and never the value itself in a message."""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import re
import subprocess
import tempfile
import unicodedata
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from .conftest import main, pdf_text

ANY_SCRIPT = st.characters(codec="utf-8", exclude_categories=("Cs",))
"""Any character at all: letters of every script, marks, emoji, controls, direction marks."""
PRINTABLE = st.characters(
    whitelist_categories=("Lu", "Ll", "Nd"),
    max_codepoint=0x04FF,  # Latin, Greek and Cyrillic: letters every bundled font set has
)
SETTINGS = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples on every run: CI passes or fails for a reason
    suppress_health_check=[HealthCheck.too_slow],
)


def run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    return code, out.getvalue(), err.getvalue()


@functools.cache
def ours() -> str:
    """Our own words in the messages about a name and notes that cannot print."""
    with tempfile.TemporaryDirectory() as folder:
        out = str(Path(folder) / "one.pdf")
        return run(["build", "--conditions", "lupus", "--patient=\x08", "--notes=\x08\x7f",
                    "--out", out])[2]  # fmt: skip


def shown(value: str) -> bool:
    """Whether a message could give ``value`` away (long enough to be more than chance)."""
    return len(value.strip()) >= 4


@SETTINGS
@given(name=st.text(ANY_SCRIPT, min_size=1, max_size=30), notes=st.text(ANY_SCRIPT, max_size=300))
def test_any_name_and_notes_print_or_give_a_located_error_that_hides_them(name, notes):
    if "\x00" in name + notes:
        return  # a command-line argument cannot hold NUL: the system refuses it first
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "one.pdf"
        # --notes=TEXT: a note that starts with '-' is a note, not an option
        code, _, err = run(["build", "--conditions", "lupus", f"--patient={name}",
                            f"--notes={notes}", "--out", str(out)])  # fmt: skip
    assert "Traceback" not in err
    assert code in (0, 1), err
    if code:
        assert err.startswith("handouts: error: ")
        assert "--patient:" in err or "--notes:" in err
        for value in (name, notes):
            if shown(value) and value.strip() not in ours():  # "font" is our own word
                assert value.strip() not in err


@SETTINGS
@given(name=st.text(PRINTABLE, min_size=1, max_size=30))
def test_a_name_in_any_of_the_bundled_scripts_prints_as_written(name):
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "one.pdf"
        code, _, err = run(["build", "--conditions", "lupus", "--patient", name, "--out",
                            str(out)])  # fmt: skip
        assert code == 0, err
        text = pdf_text(out.read_bytes())
    assert f"For: {unicodedata.normalize('NFC', name)}" in text


@SETTINGS
@given(cells=st.lists(st.text(ANY_SCRIPT, max_size=40), min_size=3, max_size=3))
@example(cells=["", "", "\x00"])  # the whole file refused, by its line (found at random)
@example(cells=["a\nb", "", "\x00"])  # on the line after a line break in a cell
def test_any_clinic_list_cell_is_printed_or_reported_on_its_row_without_its_text(cells):
    name, clinician, notes = cells
    with tempfile.TemporaryDirectory() as folder:
        listed = Path(folder) / "list.csv"
        with listed.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["id", "name", "clinician", "notes", "conditions"])
            writer.writerow(["R1", name, clinician, notes, "lupus"])
        code, out, err = run(["batch", str(listed), "--out", str(Path(folder) / "out"),
                              "--jobs", "1", "--skip-invalid"])  # fmt: skip
    assert "Traceback" not in err
    assert code in (0, 1), err
    for value in cells:
        if shown(value):
            assert value.strip() not in err + out
    if code:
        if "\x00" in "".join(cells):  # the whole file refused, by the line the NUL is on
            assert "a NUL character (byte 0x00) on line " in err, err
        else:
            assert "row 1" in err or "not UTF-8" in err or "cannot read this row" in err, err


RIGHT_TO_LEFT = st.characters(
    whitelist_categories=("Lo",),
    min_codepoint=0x05D0,
    max_codepoint=0x06FF,  # Hebrew and Arabic letters
)


@SETTINGS
@given(latin=st.text(PRINTABLE, max_size=10), rtl=st.text(RIGHT_TO_LEFT, min_size=1, max_size=12))
@example(latin="", rtl="ڢؠ")  # ڢ's joined forms read as nothing (found at random)
@example(latin="Ana", rtl="سڵاو")  # so did ڵا, one glyph (found in review)
def test_a_name_with_right_to_left_letters_prints_in_reading_order_or_is_refused(latin, rtl):
    """A name with Arabic or Hebrew letters prints, and reads back in the order it was
    typed; a letter no bundled font has is refused, without being shown."""
    name = f"{latin} {rtl}"
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "one.pdf"
        code, _, err = run(["build", "--conditions", "lupus", "--patient", name, "--out",
                            str(out)])  # fmt: skip
        if code == 1:
            assert not out.exists()
            assert "--patient: " in err and "no bundled font can print" in err, err
            assert rtl not in err
            return
        assert code == 0, err
        read = read_back(out)
    said = " ".join(unicodedata.normalize("NFC", name).split())
    assert f"For: {said}" in read


def read_back(pdf: Path) -> str:
    """The first page's text as poppler reads it (right-to-left runs in reading order),
    without the direction marks it adds around them."""
    text = subprocess.run(["pdftotext", "-l", "1", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout  # fmt: skip
    return " ".join(re.sub("[\u200e\u200f\u202a-\u202e]", " ", text).split())


@SETTINGS
@given(
    cells=st.fixed_dictionaries(
        {c: st.text(ANY_SCRIPT, max_size=30) for c in ("date", "paper", "large_print", "language")}
    ),
    header=st.booleans(),
)
def test_any_date_paper_or_language_cell_or_a_missing_header_gives_a_located_error(cells, header):
    """The cells a message may show (cut short and escaped) and the list's shape: any
    value gives a handout or a problem on its row, never a traceback; a list with no
    header row is reported without showing that row."""
    with tempfile.TemporaryDirectory() as folder:
        listed = Path(folder) / "list.csv"
        with listed.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            if header:
                writer.writerow(["id", "conditions", "name", *cells])
            writer.writerow(["R1", "lupus", "Private Person", *cells.values()])
        code, out, err = run(["batch", str(listed), "--out", str(Path(folder) / "out"),
                              "--jobs", "1", "--skip-invalid"])  # fmt: skip
    assert "Traceback" not in err
    assert code in (0, 1), err
    assert "Private Person" not in err + out
    if code:
        assert "list.csv:" in err or "not UTF-8" in err, err
    if not header and not any("\x00" in c for c in cells.values()):
        assert code == 1 and "the first row is not a header" in err, err
