"""Patient details are data: printed literally, escaped, never evaluated; one-patient builds."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Paragraph

from handouts.content.brand import load_brand
from handouts.content.library import load_library
from handouts.document.assemble import assemble
from handouts.document.document import Personal
from handouts.document.request import Request
from handouts.pdf import fonts
from handouts.pdf.render import render
from handouts.pipeline import PRINTER

from .conftest import CONTENT, pdf_text

HOSTILE = "<>&;'\"/\\{}%#<b>&amp;<font name='x'>"
ALPHABET = st.sampled_from(list("abcxyzABCXYZ0129 .,-") + list(HOSTILE) + list("ễŁłøéñüç’“”—"))
LIB = load_library(CONTENT, PRINTER)
BRAND = load_brand(None, PRINTER)


@given(st.text(alphabet=ALPHABET, min_size=1, max_size=60))
def test_markup_round_trips_any_text_through_reportlab(text):
    fonts.register()
    para = Paragraph(fonts.markup(text), ParagraphStyle("t", fontName=fonts.BODY))
    assert " ".join(para.getPlainText().split()) == " ".join(text.split())


@settings(max_examples=15, deadline=None)
@given(st.text(alphabet=ALPHABET, min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_any_patient_name_prints_literally_in_the_pdf(name):
    req = Request(("fibromyalgia",), None, ("snri",), personal=Personal(patient=name))
    pdf, _ = render(assemble(LIB, req, BRAND), BRAND)
    assert f"For: {' '.join(name.split())}" in pdf_text(pdf)


def test_hostile_details_are_printed_not_evaluated(cli, tmp_path):
    out = tmp_path / "one.pdf"
    run = cli(
        "build",
        "--conditions",
        "migraine",
        "--patient",
        "O'Brien & <Sons> {{ clinic.phone }}",
        "--clinician",
        "Dr <b>Bold</b>",
        "--notes",
        "Line one {% if 1 %}x{% endif %}\nLine <two> & 3",
        "--out",
        out,
    )
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "For: O'Brien & <Sons> {{ clinic.phone }}" in text
    assert "From: Dr <b>Bold</b>" in text
    assert "Line one {% if 1 %}x{% endif %} Line <two> & 3" in text
    assert "555-0142 " not in text.split("For:")[1][:60]


def test_a_character_no_font_has_stops_the_build_naming_the_field(cli, tmp_path):
    out = tmp_path / "one.pdf"
    run = cli("build", "--conditions", "migraine", "--patient", "கமல", "--out", out)
    assert run.code == 1
    assert run.err == (
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        "  --patient: 3 characters that no bundled font can print (3 letters; not "
        "shown: patient details stay out of messages); spell it with letters the handout's "
        "fonts have, or leave it out\n"
    )
    assert not out.exists()


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("Ann\u202eeB", "1 character that sets the direction of text (invisible, such as "
         "U+202E), which would change the order it is read in; delete it"),
        ("Ann\u200f B\u2066c\u2069", "3 characters that set the direction of text "
         "(invisible, such as U+202E), which would change the order it is read in; delete "
         "them"),
        ("Ann க \U0001fae0 \u0b95", "3 characters that no bundled font can print (2 letters, "
         "1 emoji or symbol; not shown: patient details stay out of messages); spell it with "
         "letters the handout's fonts have, or leave it out"),
    ],
    ids=["override", "marks-and-isolates", "kinds"],
)  # fmt: skip
def test_a_name_that_would_print_in_the_wrong_order_is_refused_without_showing_it(
    cli, tmp_path, name, said
):
    """Red team (issue 13 review): a right-to-left override was printed silently, and
    would turn the name round. (Arabic and Hebrew names print: tests/test_scripts.py.)"""
    out = tmp_path / "one.pdf"
    run = cli("build", "--conditions", "migraine", "--patient", name, "--out", out)
    assert (run.code, run.err) == (
        1,
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        f"  --patient: {said}\n",
    )
    assert not out.exists()


def test_a_title_is_checked_like_a_name_and_lengths_are_counted_once_normalised(cli, tmp_path):
    """Red team (issue 13 review): --title had no limit (a long word took quadratic time),
    and a name of decomposed accents was measured before it was normalised."""
    out = tmp_path / "one.pdf"
    run = cli("build", "--conditions", "migraine", "--title", "T" * 201, "--patient", "க",
              "--out", out)  # fmt: skip
    assert (run.code, run.err) == (
        1,
        "handouts: error: 2 problems in the patient details; nothing was written:\n"
        "  --patient: 1 character that no bundled font can print (1 letter; not "
        "shown: patient details stay out of messages); spell it with letters the handout's "
        "fonts have, or leave it out\n"
        "  --title: too long: at most 200 characters\n",
    )
    decomposed = "Zoe\u0308" * 60  # 240 characters as typed, 180 once normalised
    run = cli("build", "--conditions", "migraine", "--patient", decomposed, "--out", out)
    assert run.code == 0, run.err
    printed = "".join(pdf_text(out.read_bytes()).split())  # the long word is broken over lines
    assert "For:" + "Zoë" * 60 in printed


def test_a_name_is_one_line_and_a_blank_title_is_the_condition_names(cli, tmp_path):
    """Red team: "Ana\\rX" printed "For: Ana" and "X" under it; a title of spaces printed an
    empty title line."""
    out = tmp_path / "one.pdf"
    run = cli("build", "--conditions", "migraine", "--patient", "Ana\rX",
              "--clinician", "Dr\u2028Okafor", "--title", "A\vB", "--out", out)  # fmt: skip
    breaks = "a line break (or a carriage return, or a vertical tab); write it on one line"
    assert (run.code, run.err) == (
        1,
        "handouts: error: 3 problems in the patient details; nothing was written:\n"
        f"  --clinician: {breaks}\n  --patient: {breaks}\n  --title: {breaks}\n",
    )
    assert not out.exists()
    run = cli(
        "build", "--conditions", "migraine", "--title", "   ", "--notes", "One\nTwo", "--out", out
    )  # fmt: skip  (notes keep their lines)
    assert run.code == 0, run.err
    assert pdf_text(out.read_bytes()).startswith(
        "Riverside Headache and Rheumatology Clinic Phone 555-0142 12 River Road, "
        "Springfield https://riverside.example.org/handouts Migraine "
    )


def test_accented_names_use_the_fallback_font(cli, tmp_path):
    out = tmp_path / "one.pdf"
    assert (
        cli("build", "--conditions", "lupus", "--patient", "Nguyễn Łukasz", "--out", out).code == 0
    )
    data = out.read_bytes()
    assert "For: Nguyễn Łukasz" in pdf_text(data)
    assert b"DejaVuSans" in data


def test_build_by_icd10_code_with_the_patients_medicines(cli, tmp_path):
    out = tmp_path / "sub" / "one.pdf"
    run = cli(
        "build",
        "--conditions",
        "G43.1",
        "M79.7",
        "--medicines",
        "sumatriptan",
        "Duloxetine",
        "--date",
        "2026-11-21",
        "--out",
        out,
    )
    assert run.code == 0, run.err
    assert run.out.startswith(f"wrote {out} (")
    text = pdf_text(out.read_bytes())
    assert "Migraine and fibromyalgia" in text
    assert "How migraine and fibromyalgia are linked" in text
    assert (
        "Your medicines" in text and "Triptans (sumatriptan" in text and "SNRI medicines (" in text
    )
    assert "Triptans with an SNRI" in text  # the combination caution fired
    assert "Each medicine" not in text and "topiramate" not in text.lower()
    assert "Date: 21 November 2026" in text


def test_notes_keep_their_line_breaks_and_flow_onto_the_next_page(cli, tmp_path):
    notes = tmp_path / "notes.txt"
    notes.write_text("\n".join(f"Note line {i}: keep taking your tablets." for i in range(60)))
    out = tmp_path / "one.pdf"
    assert (
        cli("build", "--full", "--conditions", "lupus", "--notes-file", notes, "--out", out).code
        == 0
    )
    text = pdf_text(out.read_bytes())
    assert all(f"Note line {i}: keep taking your tablets." in text for i in range(60))


def test_unknown_condition_and_medicine_get_suggestions(cli, tmp_path):
    out = tmp_path / "one.pdf"
    run = cli("build", "--conditions", "lupis", "Q99", "--out", out)
    assert run.code == 1
    assert run.err.splitlines()[1:] == [
        "  --conditions: unknown condition 'lupis' (did you mean 'lupus'?)",
        "  --conditions: unknown condition 'Q99'",
    ]
    run = cli("build", "--conditions", "lupus", "--medicines", "ibuprofin", "--out", out)
    assert run.err.splitlines()[1] == (
        "  --medicines: unknown medicine 'ibuprofin' (did you mean 'ibuprofen'?)"
    )
    assert not out.exists()


def test_a_medicine_may_be_named_by_a_brand_and_a_combination_s_brand_names_each(cli, tmp_path):
    """Red team: a brand the content lists (for EHR records) was refused on the command
    line. ``Advil`` is an NSAID; ``Treximet`` (sumatriptan with naproxen) is both."""
    out = tmp_path / "v.pdf"
    run = cli("build", "--conditions", "migraine", "--medicines", "Advil", "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "NSAIDs (anti-inflammatory painkillers)" in text and "Triptans (" not in text
    run = cli("build", "--conditions", "migraine", "--medicines", "treximet", "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "NSAIDs (anti-inflammatory painkillers)" in text and "Triptans (" in text


def test_out_must_be_a_pdf(cli, tmp_path):
    run = cli("build", "--conditions", "lupus", "--out", tmp_path / "x.txt")
    assert run.code == 2
    assert run.err == f"handouts: error: --out must name a .pdf file, got '{tmp_path / 'x.txt'}'\n"


def test_a_failed_write_leaves_no_partial_file(tmp_path, monkeypatch):
    import os

    from handouts.delivery import write
    from handouts.errors import HandoutsError

    target = tmp_path / "a.pdf"

    def full_disk(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    try:
        write.write_atomic(target, b"%PDF-1.4 " * 1000)
    except HandoutsError as exc:
        assert str(exc) == f"could not write {target}: No space left on device"
    else:
        raise AssertionError("expected a HandoutsError")
    assert list(tmp_path.iterdir()) == []


def test_output_names_cannot_escape_the_folder(tmp_path):
    import pytest

    from handouts.delivery.write import inside
    from handouts.errors import HandoutsError

    assert inside(tmp_path, "a.pdf") == tmp_path / "a.pdf"
    for bad in ("../a.pdf", "/etc/a.pdf", "x/../../a.pdf"):
        with pytest.raises(HandoutsError, match="would land outside"):
            inside(tmp_path, bad)


def test_a_title_at_its_limit_wraps_and_keeps_its_whole_bookmark(cli, tmp_path):
    import io

    from pypdf import PdfReader

    out = tmp_path / "one.pdf"
    title = " ".join(["Migraine"] * 22)  # 197 characters: the limit is 200
    assert cli("build", "--conditions", "lupus", "--title", title, "--out", out).code == 0
    outline = PdfReader(io.BytesIO(out.read_bytes())).outline
    assert outline[0].title == title


def test_blank_details_print_nothing(cli, tmp_path):
    out = tmp_path / "one.pdf"
    assert (
        cli(
            "build", "--conditions", "lupus", "--patient", "   ", "--notes", "\n \n", "--out", out
        ).code
        == 0
    )
    text = pdf_text(out.read_bytes())
    assert "For:" not in text and "Notes from your care team" not in text


def test_icd10_codes_without_a_dot_or_with_spaces_are_found(cli, tmp_path):
    out = tmp_path / "one.pdf"
    run = cli("build", "--conditions", "G431", " m32.9 ", "--out", out)
    assert run.code == 0, run.err
    assert "How migraine and lupus are linked" in pdf_text(out.read_bytes())


def test_notes_longer_than_a_page_are_refused_and_say_so(cli, tmp_path):
    """Red team, issue 13 items 6 and 8: one 100,000-character word took 8 s, and
    --notes-file /dev/zero ran out of memory."""
    out = tmp_path / "one.pdf"
    too_long = "Take " + "x" * 4_000
    for args in (["--notes", too_long], ["--notes-file", "/dev/zero"]):  # read no further
        run = cli("build", "--conditions", "migraine", *args, "--out", out)
        assert (run.code, run.err) == (
            1,
            "handouts: error: 1 problem in the patient details; nothing was written:\n"
            f"  {args[0]}: too long: at most 4,000 characters (about a page)\n",
        )
    # a notes file is read far enough to judge its length once accents are joined: a
    # file of 4,841 letters and accents (5,013 characters as saved) is too long, whole
    decomposed = tmp_path / "notes.txt"
    decomposed.write_text(("Take one tablet daily. Cafe\u0301 " * 200)[:5000] + " END", "utf-8")
    run = cli("build", "--conditions", "migraine", "--notes-file", decomposed, "--out", out)
    assert run.err.endswith("--notes-file: too long: at most 4,000 characters (about a page)\n")
    decomposed.write_text("Cafe\u0301 " * 700 + "END", "utf-8")  # 4,203 as saved, 3,503 joined
    run = cli("build", "--conditions", "migraine", "--notes-file", decomposed, "--out", out)
    assert run.code == 0, run.err
    assert pdf_text(out.read_bytes()).count("Café") == 700
    longest = "y" * 4_000  # one word as long as notes may be is printed
    assert cli("build", "--conditions", "migraine", "--notes", longest, "--out", out).code == 0
    assert cli("build", "--conditions", "lupus", "--patient", "N" * 201, "--out", out).err == (
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        "  --patient: too long: at most 200 characters\n"
    )


def test_a_character_beyond_the_basic_plane_reads_back_from_the_pdf(cli, tmp_path):
    """Red team, issue 13 item 10: an emoji wrote '<05> <1F600>' in the ToUnicode map,
    which text extraction cannot read; and Zoe + U+0308 printed the dots on their own."""
    out = tmp_path / "one.pdf"
    run = cli("build", "--conditions", "lupus", "--patient", "Zoe\u0308 😀", "--out", out)
    assert run.code == 0, run.err
    text = pdf_text(out.read_bytes())
    assert "For: Zoë 😀" in text


PIECES = list("abc XYZ 09.,'’“”—ễŁ\u00a0\t\n")
PIECES += ["Ελένη", "Ольга", "שרה", "محمد", "王小明", "김민지", "नमस्ते", "สมชาย", "አበበ", "😀"]
PLAIN = st.lists(st.sampled_from(PIECES), max_size=14).map("".join)  # parsed by shape
SCRIPTS = st.lists(st.sampled_from([*PIECES, "&", "<", ">", "\x01"]), max_size=14).map("".join)


@settings(max_examples=300, deadline=None)
@given(SCRIPTS, PLAIN, st.sampled_from([None, "none", "lowercase", "uppercase", "capitalize"]),
       st.booleans())  # fmt: skip
def test_patient_text_is_marked_up_and_parsed_by_its_shape_as_it_is_whole(a, b, case, bold):
    """Patient text's markup (the body face's own words escaped as they are) and its
    parse (once per shape, its words put back) give what marking up letter by letter
    and parsing the whole text give, fragment for fragment, in any script and case."""
    from handouts.errors import RenderError
    from handouts.pdf.paragraph import _parse, _parse_private

    fonts.register()
    style = ParagraphStyle("t", fontName=fonts.BODY, textTransform=case)
    try:
        said = [fonts._markup(t, bold) for t in (a, b)]
    except RenderError as exc:
        with pytest.raises(RenderError) as caught:
            [fonts._by_letter(t, bold) for t in (a, b)]
        assert str(caught.value) == str(exc)
        return
    assert said == [fonts._by_letter(t, bold) for t in (a, b)]
    text = f"<b>{fonts.markup('For:', True)}</b> {said[0]}    <b>Date:</b> {said[1]}"
    whole_style, whole = _parse(text, style)
    shaped_style, shaped = _parse_private(text, style)
    assert shaped_style is whole_style or shaped_style.__dict__ == whole_style.__dict__
    assert [f.__dict__ for f in shaped] == [f.__dict__ for f in whole]


def test_a_plain_name_is_parsed_by_its_shape_and_the_shape_holds_none_of_it(monkeypatch):
    """A name and date in the body face take the shape's parse (the whole text is not
    parsed: no memo table keeps a name either way, test_layout's KEPT), and so does a
    name in one of our faces, and as many words as a shape may have; text with an entity,
    a stray ``<`` or ``>``, a face not ours, more words or a tag left open is parsed
    whole."""
    from handouts.pdf import paragraph

    fonts.register()
    style = ParagraphStyle("t", fontName=fonts.BODY)
    whole: list[str] = []
    real = paragraph._parse
    monkeypatch.setattr(paragraph, "_parse", lambda t, s: (whole.append(t), real(t, s))[1])
    _, frags = paragraph._parse_private("<b>For:</b> Zoë  O'Brien    <b>Date:</b> 3 Dec", style)
    assert whole == [] and "".join(f.text for f in frags) == "For: Zoë O'Brien Date: 3 Dec"
    apart = ["<b>For:</b> Ann &amp; Bo", "a < b", "a > b", '<font face="Body-Bold">Zoë</font>',
             " ".join(["<b>w</b>"] * (paragraph.SHAPE_WORDS + 1))]  # fmt: skip
    for text in apart:  # an entity, a stray < or >, a face not ours, a long note
        paragraph._parse_private(text, style)  # parsed whole
    assert whole == apart
    shaped = " ".join(["<b>w</b>"] * paragraph.SHAPE_WORDS)  # as many words as may be
    paragraph._parse_private(shaped, style)
    assert whole == apart
    with pytest.raises(ValueError):  # a tag left open (never made by markup): parsed whole,
        paragraph._parse_private("<b>Zoë", style)  # which refuses it, as it did before
    assert whole == [*apart, "<b>Zoë"]
    paragraph._parse_private('<font face="Script-Thai">สมชาย</font> Bo', style)
    assert whole == [*apart, "<b>Zoë"]  # a face of ours: by its shape


def test_a_patient_file_s_mistakes_never_quote_it(cli, tmp_path):
    """Review: ``generate --patient-file`` read a patient's details with the content's
    checks, which quote what they found: a value, an unknown key, a key written twice."""
    patient = tmp_path / "patient.yaml"

    def refused(text: str) -> str:
        """What ``generate`` says of a patient file holding ``text``, which it refuses,
        writing nothing."""
        patient.write_text(text, encoding="utf-8")
        out = tmp_path / "out"
        run = cli("generate", "--patient-file", patient, "--out", out)
        assert run.code == 1 and not out.exists()
        return run.err

    assert refused(
        "name: 12345\nmedicines: sumatriptan for Ana\ndate: Ana HIV\n"
        "Ana O'Brien HIV positive: yes\n"
    ) == (
        "handouts: error: 4 problems in the patient details; nothing was written:\n"
        f"  {patient}:1: name: expected text, found a number; put it in quotes\n"
        f"  {patient}:2: medicines: expected a list, found text\n"
        f"  {patient}:3: date: expected a date like 2026-11-01, found text\n"
        f"  {patient}:4: unknown key; expected one of: name, clinician, date, notes, medicines\n"
    )
    assert refused("name: Ana\nname: Ana O'Brien\n").endswith(
        f"  {patient}:2: this key appears twice\n"
    )
    expected = (
        "expected a medicine's name, kind or brand, like 'sumatriptan', 'triptans' or 'Imitrex'"
    )
    assert refused(  # (third review: the unknown medicine was quoted, with no line)
        f'name: {"A" * 201}\nnotes: "a\\x07b"\nmedicines:\n  - Advil\n  - Ana\'s pill\n'
        "  - ibuprofin\n"
    ) == (
        "handouts: error: 4 problems in the patient details; nothing was written:\n"
        f"  {patient}:1: name: too long: at most 200 characters\n"
        f"  {patient}:2: notes: 1 character that no bundled font can print (1 other character; "
        "not shown: patient details stay out of messages); spell it with letters the "
        "handout's fonts have, or leave it out\n"
        f"  {patient}:5: medicines[1]: unknown medicine; {expected}\n"
        f"  {patient}:6: medicines[2]: unknown medicine (did you mean 'ibuprofen'?); {expected}\n"
    )
    assert refused(  # a value the schema refuses holds back none of the others (review)
        f"name: {'J' * 201}\ndate: tomorrow\nAna secret: 1\nmedicines: [nope, [a], Advil]\n"
    ) == (
        "handouts: error: 5 problems in the patient details; nothing was written:\n"
        f"  {patient}:1: name: too long: at most 200 characters\n"
        f"  {patient}:2: date: expected a date like 2026-11-01, found text\n"
        f"  {patient}:3: unknown key; expected one of: name, clinician, date, notes, medicines\n"
        f"  {patient}:4: medicines[0]: unknown medicine; {expected}\n"
        f"  {patient}:4: medicines[1]: expected text, found a list\n"
    )
    patient.write_text("name: Ana\nmedicines: [Advil, sumatriptan]\n", encoding="utf-8")
    assert cli("generate", "--patient-file", patient, "--out", tmp_path / "out").code == 0
