"""``handouts batch``: a PDF per row, a manifest, only what changed, kills and interrupts."""

from __future__ import annotations

import contextlib
import csv
import errno
import hashlib
import hmac
import io
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from pypdf import PdfReader

from handouts.delivery import batch

from .conftest import ROOT, TODAY, pdf_text

HEADER = "id,name,conditions,pack,medicines,clinician,notes,paper,date\n"
GOOD = HEADER + (
    "RHEU-1,O'Brien & <Sons>,migraine; lupus,,sumatriptan,Dr Hidden Okafor,"
    '"Secret note one.\nSecret note two.",,2026-11-21\n'
    "RHEU-2,Ana Pérez,G43.1; M06.9,,methotrexate,,,a4,\n"
    "RHEU-3,Søren Jørgensen,,back-pain-spondyloarthritis,naproxen,,Stretch each morning.,,\n"
    "RHEU-4,Zoë D'Arcy,fibromyalgia; rheumatoid-arthritis,,duloxetine,,Walk daily.,,\n"
    "RHEU-5,Margaret Lee,migraine; fibromyalgia,,,,,,\n"
    "RHEU-6,Łukasz Kowalski,chronic-back-pain; axial-spondyloarthritis,,ibuprofen,,,,\n"
)
NAMES = (
    "Secret Name",
    "O'Brien",
    "Sons",
    "Pérez",
    "Jørgensen",
    "D'Arcy",
    "Margaret",
    "Kowalski",
    "Hidden",
)
NOTES = ("Secret note", "Stretch each", "Walk daily")
IDS = [f"RHEU-{n}" for n in range(1, 7)]
TIME = re.compile(r" in \d+\.\d s \(\d+ rows/s\)")


@pytest.fixture(autouse=True)
def here(tmp_path, monkeypatch):
    """Run in tmp_path, so files are named in messages as they were given."""
    monkeypatch.chdir(tmp_path)


def clinic(text: str, name: str = "clinic.csv") -> Path:
    path = Path(name)
    path.write_text(text, encoding="utf-8")
    return path


def summary(out: str) -> str:
    """The summary lines with the time and rate, which vary, replaced by T and R."""
    return TIME.sub(" in T s (R rows/s)", out)


def manifest(out: Path = Path("out")) -> tuple[dict, list[dict[str, str]]]:
    data = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    rows = list(csv.DictReader(io.StringIO((out / "manifest.csv").read_text("utf-8-sig"))))
    return data, rows


def statuses(out: Path = Path("out")) -> dict[str, str]:
    return {row["id"]: row["status"] for row in manifest(out)[0]["rows"]}


def private(*texts: str) -> None:
    """No name, clinician or note from the list appears in any of ``texts``."""
    for text in texts:
        for secret in (*NAMES, *NOTES, "O&#x27;Brien", "O\\u0027Brien"):
            assert secret not in text


def test_a_good_list_writes_a_pdf_per_row_named_by_id_and_a_manifest(cli):
    run = cli("batch", clinic(GOOD), "--out", "out", "--jobs", "2")
    assert run.code == 0, run.err
    assert summary(run.out) == (
        "6 rows: 6 written, 0 unchanged, 0 skipped (invalid), 0 failed in T s (R rows/s)\n"
        "PDFs in out; manifest: out/manifest.csv, out/manifest.json\n"
    )
    assert run.err == ""
    assert sorted(p.name for p in Path("out").iterdir()) == [
        ".handouts-batch.key",
        ".handouts-batch.lock",  # held while a batch writes here: one batch at a time
        *(f"{i}.pdf" for i in IDS),
        "manifest.csv",
        "manifest.json",
    ]
    data, rows = manifest()
    assert {k: v for k, v in data.items() if k != "rows"} == {
        "list": "clinic.csv",
        "rows_total": 6,
        "written": 6,
        "unchanged": 0,
        "skipped": 0,
        "failed": 0,
        "pending": 0,
    }
    assert [{k: str(v) for k, v in r.items()} for r in data["rows"]] == rows
    assert [(r["id"], r["file"], r["conditions"], r["pack"], r["medicines"]) for r in rows] == [
        ("RHEU-1", "RHEU-1.pdf", "migraine;lupus", "", "triptans"),
        ("RHEU-2", "RHEU-2.pdf", "migraine;rheumatoid-arthritis", "", "methotrexate"),
        ("RHEU-3", "RHEU-3.pdf", "", "back-pain-spondyloarthritis", "nsaids"),
        ("RHEU-4", "RHEU-4.pdf", "fibromyalgia;rheumatoid-arthritis", "", "snri"),
        ("RHEU-5", "RHEU-5.pdf", "migraine;fibromyalgia", "", ""),
        ("RHEU-6", "RHEU-6.pdf", "chronic-back-pain;axial-spondyloarthritis", "", "nsaids"),
    ]
    for row in data["rows"]:
        pdf = (Path("out") / row["file"]).read_bytes()
        assert row["status"] == "written"
        assert row["pages"] == len(PdfReader(io.BytesIO(pdf)).pages)
        key = bytes.fromhex(Path("out/.handouts-batch.key").read_text().strip())
        digest = hmac.new(key, pdf, "sha256").hexdigest()
        assert (row["bytes"], row["content_hash"]) == (len(pdf), digest)
        assert digest != hashlib.sha256(pdf).hexdigest()
        assert re.fullmatch(r"[0-9a-f]{64}", row["input"])
    assert len({row["input"] for row in data["rows"]}) == 6
    first = (Path("out") / "RHEU-1.pdf").read_bytes()
    assert "For: O'Brien & <Sons>" in pdf_text(first)
    assert "Secret note one. Secret note two." in pdf_text(first)
    a4, letter = (PdfReader(f"out/RHEU-{n}.pdf").pages[0].mediabox for n in (2, 1))
    assert (round(a4.width), round(letter.width)) == (595, 612)
    assert data["rows"][2]["pages"] > 15  # the pack: a cover and three handouts
    private(run.out, run.err, *(p.read_text("utf-8") for p in Path("out").glob("manifest.*")))


def test_a_bad_row_stops_the_batch_with_every_problem_and_nothing_is_written(cli):
    text = GOOD + "RHEU-7,Jo Bloggs,migrane,,,,,letter,\nRHEU-8,Jo Bloggs,,,ibuprofn,,,,\n"
    run = cli("batch", clinic(text), "--out", "out")
    assert run.code == 1
    assert run.out == ""
    assert run.err == (
        "handouts: error: 3 problems in the patient details; nothing was written:\n"
        "  clinic.csv:9: row 7: conditions: unknown condition 'migrane' (did you mean 'migraine'?)\n"
        "  clinic.csv:10: row 8: conditions: give conditions (ids or ICD-10 codes) or a pack; found neither\n"
        "  clinic.csv:10: row 8: medicines: unknown medicine 'ibuprofn' (did you mean 'ibuprofen'?)\n"
    )
    assert not Path("out").exists()


def test_skip_invalid_writes_the_good_rows_and_lists_the_bad_as_skipped(cli):
    text = HEADER + (
        "A1,Jo Bloggs,migraine; lupus,,,,,,\n"
        "A2,Jo Bloggs,migrane,,,,,,\n"
        ",Jo Bloggs,lupus,,,,,,\n"
        "A4,Jo Bloggs,migraine; fibromyalgia,,,,,,\n"
    )
    run = cli("batch", clinic(text), "--out", "out", "--skip-invalid", "--jobs", "1")
    assert run.code == 1
    assert summary(run.out).splitlines()[0] == (
        "4 rows: 2 written, 0 unchanged, 2 skipped (invalid), 0 failed in T s (R rows/s)"
    )
    assert run.err == (
        "handouts: 2 rows skipped (invalid):\n"
        "  clinic.csv:3: row 2: conditions: unknown condition 'migrane' (did you mean 'migraine'?)\n"
        "  clinic.csv:4: row 3: id: the id is blank; every row needs the clinic's reference\n"
    )
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == ["A1.pdf", "A4.pdf"]
    data, rows = manifest()
    assert [(r["id"], r["file"], r["status"], r["pages"]) for r in data["rows"]] == [
        ("A1", "A1.pdf", "written", data["rows"][0]["pages"]),
        ("A2", "", "skipped", None),
        ("", "", "skipped", None),
        ("A4", "A4.pdf", "written", data["rows"][3]["pages"]),
    ]
    assert [(r["id"], r["status"], r["pages"]) for r in rows][1] == ("A2", "skipped", "")
    assert (data["written"], data["skipped"]) == (2, 2)
    # A row that was built before and is invalid now leaves no old handout behind.
    text = text.replace("A1,Jo Bloggs,migraine; lupus", "A1,Jo Bloggs,migraine; lupas")
    run = cli("batch", clinic(text), "--out", "out", "--skip-invalid", "--jobs", "1")
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == ["A4.pdf"]


def test_a_row_that_shifted_leaves_no_old_handout_behind(cli):
    """Review: a shifted row's id is not trusted where its cells may have moved it, and its
    old handout stayed to be printed; now each of its cells that is an earlier row's id,
    and no good row's, loses its old handout."""
    cli("batch", clinic("name,id,conditions\nBo,A1,migraine\nCy,B2,lupus\n"), "--out", "out")
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == ["A1.pdf", "B2.pdf"]
    shifted = clinic("name,id,conditions\nBo,A1,migraine\nCy,B2,lupus,extra\n")
    run = cli("batch", shifted, "--out", "out", "--skip-invalid")
    assert run.code == 1
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == ["A1.pdf"]
    data, _ = manifest()
    assert [(r["id"], r["status"]) for r in data["rows"]] == [("A1", "unchanged"), ("", "skipped")]


NAME_LIKE = (
    "this id looks like a name (it has a word of the row's name of 3 letters or more, or is "
    "words with no digit); an id names the file and is listed in the manifest, so use the "
    "clinic's reference (are the id and name columns swapped?)"
)


def test_an_id_that_reads_as_a_name_names_no_file_and_is_not_in_the_manifest(cli):
    """Red team: a header with name and id swapped wrote Jo_Smith.pdf, and the manifest
    listed the name as its id; an id made of the name does the same."""
    listed = clinic(
        "name,id,conditions\nA1,Jo Smith,migraine\nA2,Ana Ruiz,lupus\n"
        "Jo Smith,SMITH-0201,migraine\nSam Lee,B7,lupus\n"
    )
    run = cli("batch", listed, "--out", "out")
    assert run.code == 1
    assert run.err == (
        "handouts: error: 3 problems in the patient details; nothing was written:\n"
        f"  clinic.csv:2: row 1: id: {NAME_LIKE}\n"
        f"  clinic.csv:3: row 2: id: {NAME_LIKE}\n"
        f"  clinic.csv:4: row 3: id: {NAME_LIKE}\n"
    )
    assert not Path("out").exists()
    run = cli("batch", listed, "--out", "out", "--skip-invalid")
    assert run.code == 1
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == ["B7.pdf"]
    data, rows = manifest()
    assert [(r["id"], r["status"]) for r in data["rows"]] == [
        ("", "skipped"), ("", "skipped"), ("", "skipped"), ("B7", "written")
    ]  # fmt: skip
    for text in (run.out, run.err, *(p.read_text("utf-8") for p in Path("out").glob("manifest.*"))):
        assert not re.search("(?i)smith|ruiz", text)
    assert [r["id"] for r in rows] == ["", "", "", "B7"]


def test_ids_that_would_share_a_file_stop_the_batch(cli):
    text = HEADER + "A/1,Jo,migraine,,,,,,\nA:1,Jo,lupus,,,,,,\n"
    run = cli("batch", clinic(text), "--out", "out")
    assert run.code == 1
    assert run.err == (
        "handouts: error: 2 problems in the patient details; nothing was written:\n"
        "  clinic.csv:2: row 1: id: id 'A/1' would be written to the same file (A_1.pdf) as row 2 (id 'A:1')\n"
        "  clinic.csv:3: row 2: id: id 'A:1' would be written to the same file (A_1.pdf) as row 1 (id 'A/1')\n"
    )
    assert not Path("out").exists()


def test_an_id_that_climbs_out_of_the_folder_lands_inside_it(cli, tmp_path):
    (tmp_path / "deep" / "er").mkdir(parents=True)
    os.chdir(tmp_path / "deep" / "er")
    run = cli("batch", clinic(HEADER + "../../evil,Jo,migraine,,,,,,\n"), "--out", "out")
    assert run.code == 0, run.err
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == ["evil.pdf"]
    assert [r["file"] for r in manifest()[0]["rows"]] == ["evil.pdf"]
    assert sorted(p.name for p in tmp_path.rglob("*.pdf")) == ["evil.pdf"]


def test_a_list_with_no_rows_writes_nothing(cli):
    run = cli("batch", clinic(HEADER), "--out", "out")
    assert (run.code, run.out, run.err) == (0, "no rows in clinic.csv\n", "")
    assert not Path("out").exists()


def test_a_rerun_renders_only_the_rows_whose_inputs_or_files_changed(cli):
    assert cli("batch", clinic(GOOD), "--out", "out", "--jobs", "1").code == 0
    pdfs = sorted(Path("out").glob("*.pdf"))
    before = {p.name: p.stat().st_mtime_ns for p in pdfs}
    time.sleep(0.01)

    run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1")
    assert run.code == 0, run.err
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 0 written, 6 unchanged, 0 skipped (invalid), 0 failed in T s (R rows/s)"
    )
    assert {p.name: p.stat().st_mtime_ns for p in pdfs} == before
    assert set(statuses().values()) == {"unchanged"}
    assert not Path("out/.handouts-batch.jsonl").exists()

    clinic(GOOD.replace("Walk daily.", "Walk daily and slowly."))
    run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1")
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 1 written, 5 unchanged, 0 skipped (invalid), 0 failed in T s (R rows/s)"
    )
    assert [i for i, s in statuses().items() if s == "written"] == ["RHEU-4"]
    assert "Walk daily and slowly." in pdf_text(Path("out/RHEU-4.pdf").read_bytes())
    changed = {p.name for p in pdfs if p.stat().st_mtime_ns != before[p.name]}
    assert changed == {"RHEU-4.pdf"}

    Path("out/RHEU-2.pdf").unlink()
    Path("out/RHEU-5.pdf").write_bytes(b"%PDF-1.4 damaged")
    run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1")
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 2 written, 4 unchanged, 0 skipped (invalid), 0 failed in T s (R rows/s)"
    )
    assert sorted(i for i, s in statuses().items() if s == "written") == ["RHEU-2", "RHEU-5"]
    assert len(PdfReader("out/RHEU-5.pdf").pages) == manifest()[0]["rows"][4]["pages"]

    run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1", "--date", "2026-12-01")
    assert summary(run.out).splitlines()[0] == (  # RHEU-1 has its own date
        "6 rows: 5 written, 1 unchanged, 0 skipped (invalid), 0 failed in T s (R rows/s)"
    )


def test_a_row_whose_content_is_past_review_fails_and_the_others_are_written(cli, content_copy):
    lupus = content_copy / "conditions" / "lupus.yaml"
    lupus.write_text(
        lupus.read_text("utf-8")
        .replace("last_reviewed: 2026-12-02", "last_reviewed: 2025-11-10")
        .replace("next_review: 2028-11-01", "next_review: 2026-11-10"),
        encoding="utf-8",
    )
    args = ("batch", clinic(GOOD), "--out", "out", "--content", content_copy, "--jobs", "1")
    run = cli(*args)
    assert run.code == 1
    late = (
        "content/conditions/lupus.yaml:46: review.next_review: past its review date "
        "(2026-11-10): have it checked, or pass --allow-expired to print it anyway"
    )
    assert run.err == f"row 1 (id RHEU-1): {late}\n"
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 5 written, 0 unchanged, 0 skipped (invalid), 1 failed in T s (R rows/s)"
    )
    assert statuses()["RHEU-1"] == "failed"
    assert not Path("out/RHEU-1.pdf").exists()
    assert manifest()[1][0]["content_hash"] == manifest()[1][0]["pages"] == ""
    assert manifest()[1][0]["file"] == ""

    run = cli(*args, "--allow-expired")
    assert run.code == 0, run.err
    assert run.err == f"handouts: warning: {late}\n"
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 6 written, 0 unchanged, 0 skipped (invalid), 0 failed in T s (R rows/s)"
    )
    assert Path("out/RHEU-1.pdf").exists()
    run = cli(*args)  # without --allow-expired again: checked again, not "unchanged"
    assert run.code == 1 and run.err == f"row 1 (id RHEU-1): {late}\n"
    assert not Path("out/RHEU-1.pdf").exists()  # no outdated handout is left to be printed
    private(run.out, run.err)


def test_a_draft_is_printed_only_when_allowed_and_a_rerun_without_it_takes_it_back(
    cli, content_copy
):
    lupus = content_copy / "conditions" / "lupus.yaml"
    text = lupus.read_text("utf-8")
    reviewer = "  reviewed_by: Handouts content team\n"
    lupus.write_text(text.replace(reviewer, reviewer + "  draft: true\n"), encoding="utf-8")
    line = next(n for n, x in enumerate(lupus.read_text().splitlines(), 1) if "draft:" in x)
    args = ("batch", clinic(GOOD), "--out", "out", "--content", content_copy, "--jobs", "1")
    draft = (
        f"content/conditions/lupus.yaml:{line}: review.draft: still needs clinical sign-off: "
        "have a clinician review it, or pass --allow-draft to print it marked as a draft"
    )
    run = cli(*args, "--allow-draft")
    assert run.code == 0, run.err
    assert run.err == f"handouts: warning: {draft}\n"
    assert "Draft: not yet reviewed" in pdf_text(Path("out/RHEU-1.pdf").read_bytes())
    run = cli(*args)  # not allowed now: checked again, not "unchanged", and taken back
    assert run.code == 1 and run.err == f"row 1 (id RHEU-1): {draft}\n"
    assert not Path("out/RHEU-1.pdf").exists()
    private(run.out, run.err)


def test_an_unexpected_error_fails_its_row_only_and_its_message_names_no_patient(cli, monkeypatch):
    real = batch.Renderer.make

    def make(self, lib, brand, req):
        if req.personal.patient == "Ana Pérez":  # row RHEU-2
            raise ValueError(f"cannot draw {req.personal.patient!r} with {req.medicines[0]}")
        return real(self, lib, brand, req)

    monkeypatch.setattr(batch.Renderer, "make", make)
    Path("out").mkdir()
    Path("out/.RHEU-2.pdf.k2j4_x.tmp").write_bytes(b"%PDF-1.4 half")  # left by a killed run
    run = cli("batch", clinic(GOOD), "--out", "out", "--jobs", "1")
    assert run.code == 1
    source = Path(batch.__file__).read_text("utf-8").splitlines()
    line = source.index(
        "                done = renderer.make(lib, brand, request(row, date, allow))"
    )
    assert run.err == (  # its kind and where, not its words (they may quote the row)
        f"row 2 (id RHEU-2): internal error: ValueError at handouts/delivery/batch.py:{line + 1} "
        "(a bug in handouts: please report it with the command you ran)\n"
    )
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 5 written, 0 unchanged, 0 skipped (invalid), 1 failed in T s (R rows/s)"
    )
    assert statuses()["RHEU-2"] == "failed"
    assert sorted(p.name for p in Path("out").iterdir() if p.name.startswith(".")) == [
        ".handouts-batch.key",
        ".handouts-batch.lock",
    ]


def test_a_bug_writing_a_file_fails_its_row_only(cli, monkeypatch):
    """A bug in writing one row's file (not an error writing it: those are said in their
    words) fails that row, said by its kind and where; the others are written."""
    real = batch.write_atomic

    def write(path, data, *mode):
        if path.name == "RHEU-2.pdf":
            raise TypeError(f"cannot write {path.name} for Ana Pérez")
        return real(path, data, *mode)

    monkeypatch.setattr(batch, "write_atomic", write)
    run = cli("batch", clinic(GOOD), "--out", "out", "--jobs", "1")
    assert run.code == 1
    assert re.fullmatch(
        r"row 2 \(id RHEU-2\): internal error: TypeError at handouts/delivery/batch\.py:\d+ "
        r"\(a bug in handouts: please report it with the command you ran\)\n",
        run.err,
    ), run.err
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 5 written, 0 unchanged, 0 skipped (invalid), 1 failed in T s (R rows/s)"
    )
    assert statuses()["RHEU-2"] == "failed" and not Path("out/RHEU-2.pdf").exists()


def test_a_file_that_cannot_be_written_fails_its_row_only_with_nothing_recorded(cli):
    """The writing happens beside the rendering; a row whose file cannot be written is
    failed, with no pages, size or hash in the manifest, and the others are written."""
    Path("out/RHEU-3.pdf").mkdir(parents=True)  # a folder where the PDF should go
    run = cli("batch", clinic(GOOD), "--out", "out", "--jobs", "1")
    assert run.code == 1
    assert run.err.startswith("row 3 (id RHEU-3): could not write ")
    assert run.err.endswith("RHEU-3.pdf: Is a directory\n")
    assert summary(run.out).splitlines()[0] == (
        "6 rows: 5 written, 0 unchanged, 0 skipped (invalid), 1 failed in T s (R rows/s)"
    )
    _, rows = manifest()
    (failed,) = [r for r in rows if r["id"] == "RHEU-3"]
    assert (failed["status"], failed["file"], failed["pages"]) == ("failed", "", "")
    assert (failed["bytes"], failed["content_hash"]) == ("", "")
    assert sum(r["status"] == "written" for r in rows) == 5


def test_the_progress_line_is_drawn_only_on_a_terminal(cli, monkeypatch):
    clinic(GOOD)
    assert cli("batch", "clinic.csv", "--out", "out", "--jobs", "1").err == ""
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    Path("out/RHEU-3.pdf").unlink()
    run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1")
    assert run.err.startswith("\r[####################] 6/6  ")
    assert run.err.endswith(" s left\x1b[K\n")


CHILD = (  # the command line, with Ctrl-C raising KeyboardInterrupt even if the parent ignores it
    "import signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
    "from handouts.cli import main; sys.exit(main())"
)
PAIRS = ["migraine; lupus", "migraine; fibromyalgia", "fibromyalgia; rheumatoid-arthritis",
         "chronic-back-pain; axial-spondyloarthritis", "migraine; multiple-sclerosis"]  # fmt: skip
MEDS = ["", "ibuprofen", "sumatriptan", "propranolol", "amitriptyline", "methotrexate"]


def long_list(rows: int = 40) -> Path:
    lines = [
        f"R{n:03},Secret Name {n},{PAIRS[n % 5]},,{MEDS[n % 6]},,Secret note {n},,\n"
        for n in range(rows)
    ]
    return clinic(HEADER + "".join(lines))


def start(*args: str) -> subprocess.Popen[str]:
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    command = [sys.executable, "-c", CHILD, "batch", "--today", TODAY, *args]
    return subprocess.Popen(
        command, env=env, text=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        start_new_session=True,
    )  # fmt: skip


def wait_for_a_row(proc: subprocess.Popen[str], journal: Path) -> None:
    """Wait until the run has journalled a finished row."""
    deadline = time.monotonic() + 60
    while not (journal.exists() and journal.read_text("utf-8").count("\n")):
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.005)


def test_a_killed_run_leaves_only_whole_pdfs_and_a_rerun_finishes_the_rest(cli):
    journal = Path("out/.handouts-batch.jsonl")
    proc = start(str(long_list()), "--out", "out", "--jobs", "2")
    wait_for_a_row(proc, journal)
    os.killpg(proc.pid, signal.SIGKILL)  # the main process and its workers, like a power cut
    proc.communicate()
    pdfs = sorted(Path("out").glob("*.pdf"))
    assert 1 <= len(pdfs) < 40
    for pdf in pdfs:
        assert len(PdfReader(pdf).pages) >= 2  # a visit handout: both sides of one sheet
    journalled = {json.loads(line)["id"] for line in journal.read_text("utf-8").splitlines()}
    private(journal.read_text("utf-8"))
    assert journalled <= {p.stem for p in pdfs}

    run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1")
    assert run.code == 0, run.err
    assert summary(run.out).splitlines()[0] == (
        f"40 rows: {40 - len(journalled)} written, {len(journalled)} unchanged, "
        "0 skipped (invalid), 0 failed in T s (R rows/s)"
    )
    assert len(list(Path("out").glob("*.pdf"))) == 40
    assert list(Path("out").glob("*.tmp")) == list(Path("out").glob(".*.tmp")) == []
    assert not journal.exists()
    data, rows = manifest()
    assert [r["id"] for r in rows] == [f"R{n:03}" for n in range(40)]
    assert {i for i, s in statuses().items() if s == "unchanged"} == journalled
    private(run.out, run.err, json.dumps(data))


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_an_interrupted_run_stops_cleanly_and_writes_what_it_finished(sig):
    proc = start(str(long_list()), "--out", "out", "--jobs", "2")
    wait_for_a_row(proc, Path("out/.handouts-batch.jsonl"))
    proc.send_signal(sig)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    done = re.fullmatch(
        r"handouts: (\d+) of 40 rows done; run the same command again to finish\n"
        r"handouts: interrupted; no partial files were left\n",
        err,
    )
    assert done, err
    assert out == ""
    assert list(Path("out").glob(".*.tmp")) == []
    data, _ = manifest()
    finished = [r for r in data["rows"] if r["status"] == "written"]
    assert len(finished) == int(done[1]) and data["pending"] == 40 - len(finished) > 0
    for row in finished:
        pdf = Path("out", row["file"]).read_bytes()
        key = bytes.fromhex(Path("out/.handouts-batch.key").read_text().strip())
        assert hmac.new(key, pdf, "sha256").hexdigest() == row["content_hash"]
    journal = Path("out/.handouts-batch.jsonl").read_text("utf-8")  # kept for the rerun
    assert {r["id"] for r in finished} <= {json.loads(line)["id"] for line in journal.splitlines()}
    private(out, err, journal, json.dumps(data))


def test_a_batch_tells_its_progress_to_whoever_runs_it_and_prints_nothing(capsys):
    """A batch run from code (a web page, later) hears every line and row count through the
    Progress it gives, and nothing reaches the terminal; names stay out of both."""
    from handouts.delivery.batch import BatchJob, run_batch

    from .conftest import ALLOW_TODAY, CONTENT

    class Heard:
        def __init__(self) -> None:
            self.lines: list[str] = []
            self.counts: list[tuple[int, int]] = []
            self.ended = 0

        def say(self, line: str) -> None:
            self.lines.append(line)

        def rows(self, done: int, total: int) -> None:
            self.counts.append((done, total))

        def end(self) -> None:
            self.ended += 1

    bad = GOOD.replace("RHEU-5,Margaret Lee,migraine", "RHEU-5,Margaret Lee,migrane")
    heard = Heard()
    job = BatchJob(clinic(bad), Path("out"), CONTENT, jobs=1, skip_invalid=True, allow=ALLOW_TODAY)
    done = run_batch(job, heard)
    assert capsys.readouterr() == ("", "")
    assert (done.rows, done.written, done.unchanged, done.skipped, done.failed) == (6, 5, 0, 1, 0)
    assert done.exit_code == 1
    assert heard.lines[0] == "handouts: 1 row skipped (invalid):"
    assert heard.lines[1] == (
        "  clinic.csv:7: row 5: conditions: unknown condition 'migrane' (did you mean 'migraine'?)"
    )
    assert heard.counts[0] == (1, 6) and heard.counts[-1] == (6, 6) and heard.ended == 1
    assert not any(name in " ".join(heard.lines) for name in ("Margaret", "Ana Pérez"))
    again = run_batch(
        BatchJob(clinic(GOOD), Path("out"), CONTENT, jobs=1, allow=ALLOW_TODAY), heard
    )
    assert (again.rows, again.written, again.unchanged, again.exit_code) == (6, 1, 5, 0)


def test_the_cli_module_run_as_a_program_can_run_a_batch(tmp_path):
    """``python -m handouts.cli batch``: everything the command uses is defined before it runs."""
    (tmp_path / "empty.csv").write_text(HEADER, encoding="utf-8")
    command = [sys.executable, "-m", "handouts.cli", "batch", "empty.csv", "--out", "out"]
    run = subprocess.run(command, cwd=tmp_path, capture_output=True, text=True)
    assert (run.returncode, run.stdout, run.stderr) == (0, "no rows in empty.csv\n", "")


def test_output_closed_by_its_reader_is_not_called_a_bug(tmp_path):
    """Red team: ``handouts batch … | head -1`` ended "internal error: BrokenPipeError (a
    bug in handouts…)". The handouts are written; the command ends quietly, as a program
    whose reader went away does (128 + SIGPIPE)."""
    (tmp_path / "list.csv").write_text(HEADER + "A1,Jo,migraine,,,,,,\n", encoding="utf-8")
    command = [sys.executable, "-m", "handouts", "batch", "list.csv", "--out", "out"]
    with subprocess.Popen(command, cwd=tmp_path, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as proc:  # fmt: skip
        assert proc.stdout is not None and proc.stderr is not None
        proc.stdout.close()  # the reader goes away before anything is printed
        err = proc.stderr.read()
        assert (proc.wait(), err) == (141, b"")
    assert (tmp_path / "out" / "A1.pdf").is_file()


def test_a_batch_message_about_a_name_or_note_gives_none_of_it(cli):
    """Red team, issue 13 item 1: the message named every character of the name in order."""
    text = HEADER + (
        "RHEU-1,கமல,migraine,,,,,,\n"
        'RHEU-2,Ana Lee,lupus,,,,"சனடணத\x07",,\n'
        "RHEU-3,Jo Bloggs,lupus,,,Dr ப,,,\n"
    )
    run = cli("batch", clinic(text), "--out", "out", "--skip-invalid")
    assert run.code == 1
    for secret in ("க", "ம", "ல", "ச", "ன", "ப", "U+", "\\x07"):
        assert secret not in run.err + run.out
    assert "clinic.csv:2: row 1: name: 3 characters that no bundled font can print" in run.err
    assert "clinic.csv:3: row 2: notes: 6 characters that no bundled font can print" in run.err
    assert "clinic.csv:4: row 3: clinician: 1 character that no bundled font can print" in run.err


@pytest.mark.parametrize("name", [".handouts-batch.jsonl", ".handouts-batch.key", "manifest.json"])
def test_a_link_planted_at_a_control_file_is_refused_and_nothing_outside_is_touched(
    cli, tmp_path, name
):
    """Red team, issue 13 item 3: a link at OUT/.handouts-batch.jsonl made the run append
    to a file outside --out."""
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    Path("out").mkdir()
    (Path("out") / name).symlink_to(outside)
    run = cli("batch", clinic(GOOD), "--out", "out")
    assert run.code == 1
    assert run.err == (
        f"handouts: error: cannot use the output folder out: {name} is a link, not the batch's "
        "own file; remove it, or use another folder\n"
    )
    assert outside.read_text() == "keep me\n"
    assert not list(Path("out").glob("*.pdf"))


def test_a_second_batch_into_the_same_folder_is_refused_or_waits(cli):
    """Red team, issue 13 item 4: two runs into one folder deleted each other's files."""
    import fcntl
    import threading

    Path("out").mkdir()
    held = os.open("out/.handouts-batch.lock", os.O_RDWR | os.O_CREAT)
    fcntl.flock(held, fcntl.LOCK_EX)  # another run holds the folder
    try:
        run = cli("batch", clinic(GOOD), "--out", "out", "--jobs", "1")
        assert run.code == 1
        assert run.err == (
            "handouts: error: another batch is writing into out; wait for it to finish "
            "(or pass --wait), or use another folder\n"
        )
        assert not list(Path("out").glob("*.pdf"))
        threading.Timer(1.0, os.close, [held]).start()  # the other run ends in a second
        started = time.monotonic()
        run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1", "--wait")
    finally:
        with contextlib.suppress(OSError):
            os.close(held)
    assert run.code == 0 and time.monotonic() - started >= 1.0
    assert run.err.startswith("handouts: waiting for another batch to finish writing into out\n")
    assert len(list(Path("out").glob("*.pdf"))) == 6


def test_outputs_are_private_unless_group_readable_is_asked_for(cli, tmp_path):
    """Red team, issue 13 item 13: PDFs, manifests and the key were 0644."""
    before = os.umask(0o022)
    try:
        made(cli, tmp_path)
    finally:
        os.umask(before)


def made(cli, tmp_path):
    clinic(GOOD)
    assert cli("batch", "clinic.csv", "--out", "out", "--jobs", "1").code == 0
    modes = {p.name: p.stat().st_mode & 0o777 for p in Path("out").iterdir()}
    assert set(modes.values()) == {0o600}, modes
    assert cli("batch", "clinic.csv", "--out", "shared", "--group-readable").code == 0
    modes = {p.name: p.stat().st_mode & 0o777 for p in Path("shared").iterdir()}
    assert modes.pop(".handouts-batch.key") == 0o600
    assert modes.pop(".handouts-batch.lock") == 0o600
    assert set(modes.values()) == {0o640}, modes
    one, two = tmp_path / "one.pdf", tmp_path / "two.pdf"
    assert cli("build", "--conditions", "lupus", "--out", one).code == 0
    assert cli("build", "--conditions", "lupus", "--group-readable", "--out", two).code == 0
    assert (one.stat().st_mode & 0o777, two.stat().st_mode & 0o777) == (0o600, 0o640)


def test_an_id_windows_keeps_for_a_device_gets_a_file_name_any_system_can_make(cli):
    clinic(
        HEADER + "CON,A,lupus,,,,,,\nnul,B,lupus,,,,,,\nCom1,C,lupus,,,,,,\nCONSOLE,D,lupus,,,,,,\n"
    )
    assert cli("batch", "clinic.csv", "--out", "out", "--jobs", "1").code == 0
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == [
        "CONSOLE.pdf", "CON_.pdf", "Com1_.pdf", "nul_.pdf"
    ]  # fmt: skip


def in_group(group: int) -> list[int]:
    """The processes still alive in process group ``group`` (read from /proc)."""
    alive = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[2]) == group and fields[0] != "Z":  # pgrp; not a zombie
                alive.append(int(stat.parent.name))
    return alive


def test_kills_at_random_moments_then_a_rerun_leave_whole_pdfs_a_true_manifest_and_nothing_outside(
    cli, tmp_path
):
    """Issue 13: kill the whole process group, or just the main process (its workers then
    end themselves), at random moments, several times; then run again to the end."""
    import random

    rng = random.Random(13)

    def everything_else() -> dict[str, int]:
        """Every file and folder under the working folder but out/, with its modified time."""
        found = {str(p): p.lstat().st_mtime_ns for p in Path.cwd().rglob("*")}
        return {p: t for p, t in found.items() if not Path(p).is_relative_to(Path.cwd() / "out")}

    listed = long_list(60)
    before = everything_else()
    for attempt in range(4):
        proc = start(str(listed), "--out", "out", "--jobs", "2")
        time.sleep(rng.uniform(0.2, 2.5))
        if rng.random() < 0.5:
            os.killpg(proc.pid, signal.SIGKILL)  # a power cut
        else:
            os.kill(proc.pid, signal.SIGKILL)  # the main process alone
        proc.communicate()
        deadline = time.monotonic() + 30  # workers notice the main process is gone
        while in_group(proc.pid):
            assert time.monotonic() < deadline, f"attempt {attempt}: workers outlived the run"
            time.sleep(0.1)
        for pdf in Path("out").glob("*.pdf"):
            assert len(PdfReader(pdf).pages) >= 2, pdf  # never half a file
    run = cli("batch", str(listed), "--out", "out", "--jobs", "2")
    assert run.code == 0, run.err
    data, rows = manifest()
    assert [r["id"] for r in rows] == [f"R{n:03}" for n in range(60)]
    assert all(r["status"] in ("written", "unchanged") for r in rows)
    for row in rows:
        pdf = Path("out") / row["file"]
        assert pdf.stat().st_size == int(row["bytes"]) and len(PdfReader(pdf).pages) >= 2
    assert sorted(p.name for p in Path("out").glob("*.pdf")) == sorted(r["file"] for r in rows)
    assert list(Path("out").glob(".*.tmp")) == []
    assert everything_else() == before  # nothing written, changed or left outside out/
    expected = {r["file"] for r in rows} | {"manifest.json", "manifest.csv"}
    expected |= {".handouts-batch.key", ".handouts-batch.lock"}
    assert {p.name for p in Path("out").iterdir()} == expected  # no folder, no stray file
    private(run.out, run.err, json.dumps(data))


@pytest.mark.parametrize("how", ["open", "write", "close"])
def test_a_journal_that_cannot_be_written_costs_only_resuming(cli, monkeypatch, how):
    """Red team, issue 13 item 8: a read-only journal gave a PermissionError traceback, and
    the manifest then listed a written row as pending; a full disk while writing it was a
    traceback too."""
    from handouts.delivery import batch

    full = OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    class Full(io.StringIO):
        def write(self, text):
            if how == "write":
                raise full
            return super().write(text)

        def close(self):
            if how == "close":
                raise full
            super().close()

    def append(path):
        if how == "open":
            raise OSError(errno.EACCES, os.strerror(errno.EACCES))
        return Full()

    monkeypatch.setattr(batch, "_append", append)
    run = cli("batch", clinic(GOOD), "--out", "out", "--jobs", "1")
    assert run.code == 0, run.err
    why = "Permission denied" if how == "open" else "No space left on device"
    assert run.err == (
        f"handouts: warning: cannot write the batch journal out/.handouts-batch.jsonl ({why}): "
        "the handouts are written, but a run stopped now would make them all again\n"
    )
    assert set(statuses().values()) == {"written"}
    assert len(list(Path("out").glob("*.pdf"))) == 6


@pytest.mark.parametrize(
    ("name", "plant", "problem"),
    [
        (".handouts-batch.jsonl", "fifo", "is not a plain file"),
        (".handouts-batch.jsonl", "folder", "is not a plain file"),
        (".handouts-batch.key", "fifo", "is not a plain file"),
        (".handouts-batch.lock", "fifo", "is not a plain file"),
        ("manifest.json", "hard link", "has another name (a hard link)"),
        (".handouts-batch.jsonl", "hard link", "has another name (a hard link)"),
    ],
)
def test_a_pipe_folder_or_hard_link_at_a_control_file_is_refused_without_waiting(
    cli, tmp_path, name, plant, problem
):
    """Red team (issue 13 review): a pipe at the journal's name made the batch wait for
    ever; a hard link to a file outside made it append there."""
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    Path("out").mkdir()
    target = Path("out") / name
    if plant == "fifo":
        os.mkfifo(target)
    elif plant == "folder":
        target.mkdir()
    else:
        os.link(outside, target)
    run = cli("batch", clinic(GOOD), "--out", "out", "--jobs", "1")
    assert (run.code, run.err) == (
        1,
        f"handouts: error: cannot use the output folder out: {name} {problem}, not the "
        "batch's own file; remove it, or use another folder\n",
    )
    assert outside.read_text() == "keep me\n"
    assert not list(Path("out").glob("*.pdf"))


def test_folders_made_for_handouts_are_private_and_a_rerun_gives_kept_files_its_mode(cli, tmp_path):
    """Red team (issue 13 review): folders were made 0755 by the umask, a key an older
    version made 0644 stayed so, and a rerun with --group-readable left the handouts it
    kept at 0600 (or the other way round)."""
    before = os.umask(0o022)
    try:
        clinic(GOOD)
        assert cli("batch", "clinic.csv", "--out", "new/out", "--jobs", "1").code == 0
        assert Path("new/out").stat().st_mode & 0o777 == 0o700
        assert cli("batch", "clinic.csv", "--out", "shared", "--group-readable").code == 0
        assert Path("shared").stat().st_mode & 0o777 == 0o750
        assert cli("build", "--conditions", "lupus", "--out", "one/two/x.pdf").code == 0
        assert Path("one").stat().st_mode & 0o777 == Path("one/two").stat().st_mode & 0o777 == 0o700
        assert Path("new").stat().st_mode & 0o777 == 0o700  # every folder made, not the last
        os.chmod("new/out/.handouts-batch.key", 0o644)
        run = cli("batch", "clinic.csv", "--out", "new/out", "--group-readable")
        assert run.code == 0
        assert run.err == (  # the folder made private keeps the group out: say so
            "handouts: warning: the owner's group cannot open the folder new/out, so it "
            "cannot read the handouts in it either: let it in with chmod g+rx new/out\n"
        )
        assert set(statuses(Path("new/out")).values()) == {"unchanged"}
        from handouts.delivery import batch

        batch._earlier(Path("new/out"))  # reading the manifest leaves its mode alone
        assert Path("new/out/manifest.json").stat().st_mode & 0o777 == 0o640
        modes = {p.name: p.stat().st_mode & 0o777 for p in Path("new/out").iterdir()}
        assert modes.pop(".handouts-batch.key") == modes.pop(".handouts-batch.lock") == 0o600
        assert set(modes.values()) == {0o640}, modes
        assert cli("batch", "clinic.csv", "--out", "new/out").code == 0
        modes = {p.name: p.stat().st_mode & 0o777 for p in Path("new/out").iterdir()}
        assert set(modes.values()) == {0o600}, modes
    finally:
        os.umask(before)


def test_a_list_whose_file_name_is_not_utf8_is_named_readably_in_the_manifest(cli):
    """Red team (issue 13 review): a list named in another system's encoding made the
    manifest write fail with a UnicodeEncodeError."""
    name = os.fsdecode(b"clinic-\xe9t\xe9.csv")  # Latin-1 bytes, as an old disk names it
    clinic(GOOD, name)
    run = cli("batch", name, "--out", "out", "--jobs", "1")
    assert run.code == 0, run.err
    assert manifest()[0]["list"] == "clinic-\ufffdt\ufffd.csv"


def test_a_format_column_chooses_the_visit_handout_or_the_full_booklet_per_row(cli):
    """Issue 14: a clinic list's `format` column (visit or full) and the plan's columns."""
    clinic(
        "id,conditions,medicines,format,attack_medicine,calming\n"
        "V1,migraine;fibromyalgia,sumatriptan,visit,Sumatriptan 50 mg,slow-breathing\n"
        "F1,migraine;fibromyalgia,sumatriptan,full,,\n"
        "B1,lupus,,leaflet,,\n"
        "D1,lupus,,,,\n"
        "P1,lupus,,full,Ibuprofen,\n"
    )
    with open("clinic.csv", "a", encoding="utf-8") as f:  # the plan template's own column
        f.write("T1,migraine,sumatriptan,,,,migraine-attack-triptan\n"
                "T2,migraine,,,,,nope\n"
                "T3,migraine,,full,,,migraine-attack-triptan\n")  # fmt: skip
    text = Path("clinic.csv").read_text(encoding="utf-8")
    Path("clinic.csv").write_text(text.replace("calming\n", "calming,plan_template\n", 1))
    run = cli("batch", "clinic.csv", "--out", "out", "--jobs", "1", "--skip-invalid")
    assert run.code == 1
    assert (
        "clinic.csv:4: row 3: format: unknown format 'leaflet'; use visit or full, or leave "
        "it blank" in run.err
    )
    # a plan on a full row would be dropped without a word: refused, by column
    assert (
        "clinic.csv:6: row 5: attack_medicine: a plan prints on the visit handout, not format "
        "full: leave the plan blank, or format blank (visit)" in run.err
    )
    assert not Path("out/P1.pdf").exists() and "Ibuprofen" not in run.err
    assert len(PdfReader("out/D1.pdf").pages) == 2  # a blank format: the visit handout
    assert "As soon as the headache starts" in pdf_text(Path("out/T1.pdf").read_bytes())
    assert "clinic.csv:8: row 7: plan_template: unknown plan template" in run.err
    assert (
        "clinic.csv:9: row 8: plan_template: a plan prints on the visit handout, not format "
        "full" in run.err
    )
    assert len(PdfReader("out/V1.pdf").pages) == 2
    assert len(PdfReader("out/F1.pdf").pages) > 4
    text = pdf_text(Path("out/V1.pdf").read_bytes())
    assert "Take: Sumatriptan 50 mg" in text and "My plan" in text


def test_a_row_whose_visit_handout_takes_a_second_sheet_is_written_and_said(cli):
    """A row whose visit handout cannot fit on one sheet, even with everything that may be
    left out left out, is written on the fewest pages past it, and the summary names the
    row by its id (never the patient) with its pages in the manifest."""
    listed = clinic(
        "id,name,conditions,medicines,plan_template,language,paper\n"
        "MIG-7,Secret Name,migraine;me-cfs;fibromyalgia,"
        "triptans;methotrexate;snri;opioids-butalbital;ergots;gabapentinoids,"
        "migraine-attack-simple-painkiller,es,letter\n"
        "MIG-8,Margaret Lee,migraine;fibromyalgia,sumatriptan,,,\n"
    )
    run = cli("batch", listed, "--out", "out", "--allow-draft")
    assert run.code == 0
    assert summary(run.out) == (
        "2 rows: 2 written, 0 unchanged, 0 skipped (invalid), 0 failed in T s (R rows/s)\n"
        "PDFs in out; manifest: out/manifest.csv, out/manifest.json\n"
    )
    assert run.err.endswith(
        "handouts: note: 1 row (MIG-7): its visit handout takes more pages: what is never "
        "left out (such as the plan, the notes, the red flags and the combination cautions) "
        "does not fit on one sheet (two in large print), even with everything else left out; "
        "the manifest gives its pages\n"
    )
    private(run.out, run.err)
    assert {r["id"]: r["pages"] for r in manifest()[1]} == {"MIG-7": "4", "MIG-8": "2"}
    assert len(PdfReader("out/MIG-7.pdf").pages) == 4
    again = cli("batch", listed, "--out", "out", "--allow-draft")  # unchanged, still said
    assert "0 written, 2 unchanged" in again.out and "1 row (MIG-7)" in again.err
