"""Where a printed line may not end: inside a date, between a number and the word it
counts, between a label and its value (:mod:`handouts.content.spaces`)."""

from __future__ import annotations

import datetime as dt
import itertools
import re
from xml.sax.saxutils import escape

import pytest
from reportlab.lib.styles import ParagraphStyle

from handouts.content.spaces import GROUPS, NO_BREAK, RUNT, keep_together, no_runt
from handouts.content.words import Words
from handouts.pdf import fonts
from handouts.pdf.paragraph import Paragraph

from .conftest import pdf_text

NB = "\u00a0"


def test_a_number_keeps_the_word_after_it():
    assert NO_BREAK == NB
    assert keep_together("up to 60 mg after 2 weeks") == f"up to 60{NB}mg after 2{NB}weeks"
    assert keep_together("Nunca tome más de 4 g en 24 horas.") == (
        f"Nunca tome más de 4{NB}g en 24{NB}horas."
    )
    assert keep_together("about 7 in 100 adults") == f"about 7{NB}in 100{NB}adults"
    assert keep_together("at 10:30 am, 1-2 tablets") == f"at 10:30{NB}am, 1-2{NB}tablets"
    assert keep_together("Ωmega 3 Ωmega, 5 день") == f"Ωmega 3{NB}Ωmega, 5{NB}день"
    # a fraction a clinician types, as one character or with a slash
    assert keep_together("take ½ tablet, or 1½ tablets") == f"take ½{NB}tablet, or 1½{NB}tablets"
    assert keep_together("¼ of it, 1/2 tablet, ⅛ cup") == f"¼{NB}of it, 1/2{NB}tablet, ⅛{NB}cup"
    assert keep_together("½ ½ ⅓, 1/2/3, 1½ ½") == "½ ½ ⅓, 1/2/3, 1½ ½"  # never chained
    assert (
        keep_together("¹⁄₂ ¹⁄₂ ¹⁄₂ x, ² ² ², 1/2 1/2 x") == f"¹⁄₂ ¹⁄₂ ¹⁄₂{NB}x, ² ² ², 1/2 1/2{NB}x"
    )
    # a whole number keeps its fraction, and one typed with the fraction slash is one
    assert keep_together("take 1 ½ tablets") == f"take 1{NB}½{NB}tablets"
    assert keep_together("take 1 1/2 tablets, (2 1⁄2 cups)") == (
        f"take 1{NB}1/2{NB}tablets, (2{NB}1⁄2{NB}cups)"
    )
    assert keep_together("1⁄2 tablet, ¹⁄₂ cup") == f"1⁄2{NB}tablet, ¹⁄₂{NB}cup"


def test_only_a_number_and_a_letter_are_bound():
    """A number before punctuation, another number or a bracket keeps its space, and
    words never chain: at most a number and one word are held together. A word that
    only ends with a digit is not a number (a review: "L4 L5 S1 level" made one run too
    long for a large-print line, broken inside "L33")."""
    for text in ("call 911, now", "call 911 (or 999)", "555 0142", "on 3 4 5", "no numbers"):
        assert keep_together(text) == text
    assert keep_together("a 1 b 2") == f"a 1{NB}b 2"
    assert keep_together("12 3 apples") == f"12 3{NB}apples"
    assert keep_together("2,000 people (3 days)") == f"2,000{NB}people (3{NB}days)"
    for text in ("L4 L5 S1 level", "B1 B6 B12 daily", "COVID-19 vaccine", "take 2.5mg daily"):
        assert keep_together(text) == text
    date = f"1{NB}Nov{NB}2026 at 10:30 am"  # a date's spaces start no new word
    assert keep_together(date) == f"1{NB}Nov{NB}2026 at 10:30{NB}am"


def test_a_number_in_groups_of_three_is_whole_with_its_word():
    """Spanish and the SI group digits with spaces ("10 000 pasos"): "10" at a line's end
    and "000 pasos" on the next would read as two numbers. A number's groups are held
    together, up to GROUPS of them after its first, and so is its word."""
    assert keep_together("Walk 10 000 steps a day") == f"Walk 10{NB}000{NB}steps a day"
    assert keep_together("unos 10 000,5 pasos") == f"unos 10{NB}000,5{NB}pasos"
    assert keep_together("(1 500 mg)") == f"(1{NB}500{NB}mg)"
    assert keep_together("about 7 in 100 000 adults") == f"about 7{NB}in 100{NB}000{NB}adults"
    assert keep_together("1 000 000 000 years") == f"1{NB}000{NB}000{NB}000{NB}years"
    assert GROUPS == 3
    run = keep_together("1 000 000 000 000 years")  # a longer run may break
    assert run == f"1{NB}000{NB}000{NB}000 000{NB}years"
    # not groups of three: four digits, a year before a number, one or two digits, or
    # digits that are not ASCII
    for text in ("555 0142", "in 2024 1000 people", "1 2 3", "10 00 steps", "10 ０００ x"):
        assert not re.search(rf"\d{NB}\d", keep_together(text)), text


def test_a_number_after_opening_marks_a_line_break_or_a_dash_keeps_its_word_too():
    """A second review: a quotation mark, a Spanish opening mark or a limit's sign before
    a number lost its binding."""
    for before in ("(", "[", "\u201c", "'", "\u00bf", "\u00a1", "\u2264", "~", "dose\u2014", "a\n"):
        assert keep_together(f"take {before}60 mg") == f"take {before}60{NB}mg", before
    assert keep_together("4\u20136 weeks, 1,5 g") == f"4\u20136{NB}weeks, 1,5{NB}g"


def test_right_to_left_and_shaped_words_keep_their_spaces():
    """Their lines are laid out by their own rules (handouts.pdf.bidi, shaping)."""
    for text in ("3 أيام", "2 ימים", "5 วัน", "4 दिन"):
        assert keep_together(text) == text


def test_a_date_is_written_with_no_break_spaces():
    day = dt.date(2026, 11, 1)
    assert Words("en", {}).date(day, "d MMM y") == f"1{NB}Nov{NB}2026"
    spanish = Words("es", {"d MMMM y": "d 'de' MMMM 'de' y"})
    assert spanish.date(day, "d MMMM y") == f"1{NB}de{NB}noviembre{NB}de{NB}2026"


def lines_at(markup: str, width: float) -> list[str]:
    fonts.register()
    p = Paragraph(markup, ParagraphStyle(f"w{width}", fontName=fonts.BODY, fontSize=18))
    p.wrap(width, 10_000)
    bl = p.blPara
    if bl.kind == 0:
        return [" ".join(words) for _room, words in bl.lines]
    return ["".join(getattr(f, "text", "") for f in line.words) for line in bl.lines]


PLAN = (
    "Duloxetine 30 mg once a day, going up to 60 mg after 2 weeks. Nunca más de 4 g en "
    "24 h. Take ½ tablet, then 1½ tablets. Beba 2 000 ml al día."
)


def split_numbers(lines: list[str]) -> list[tuple[str, str]]:
    """Each place a line ends with a number and the next starts with a letter, or with a
    group of three digits ("10" | "000 pasos")."""
    return [
        (a, b)
        for a, b in itertools.pairwise(lines)
        if re.search(r"[\d½]\s*$", a) and re.match(r"\s*(?:[^\W\d_]|\d{3}\b)", b)
    ]


@pytest.mark.parametrize("private", [False, True])
def test_a_paragraph_never_ends_a_line_between_a_number_and_its_word(private):
    """At every width from 90 to 400 points (18 pt type), through the markup every
    string passes (shared content, and patient text): the raw text does break there."""
    from handouts.pdf.private import private_text, shared_text

    with private_text() if private else shared_text():
        marked = fonts.markup(PLAN)
    raw_splits = 0
    for width in range(90, 400, 3):
        assert split_numbers(lines_at(marked, width)) == [], width
        raw_splits += len(split_numbers(lines_at(escape(PLAN), width)))
    assert raw_splits > 20


def test_the_label_keeps_its_value_and_the_date_stays_whole(cli, tmp_path):
    """The review: "For: … From: Dr Sam Okafor Date:" | "3 December 2026"."""
    from .test_large_print import pages_lines

    out = tmp_path / "one.pdf"
    run = cli(
        "build", "--conditions", "migraine", "multiple-sclerosis", "--patient",
        "Олена Коваленко", "--clinician", "Dr Sam Okafor", "--date", "2026-12-03",
        "--large-print", "--paper", "a4", "--out", out,
    )  # fmt: skip
    assert run.code == 0, run.err
    lines = pages_lines(out.read_bytes())[0]
    assert "Date: 3 December 2026" in lines, lines[:12]
    assert not [line for line in lines if re.search(r"(For|From|Date):$", line)]
    assert "Date: 3 December 2026" in pdf_text(out.read_bytes())


def test_a_footers_last_two_words_go_together_unless_they_are_long():
    assert no_runt("Riverside Clinic patient information.") == (
        f"Riverside Clinic patient{NB}information."
    )
    date = f"1{NB}Nov{NB}2028."  # a date is one word: it goes with the word before it
    assert no_runt(f"next check due {date}") == f"next check due{NB}{date}"
    assert no_runt("information.") == "information."
    assert no_runt("") == ""
    long = "Supercalifragilistic expialidocious."  # together over RUNT: a line may break
    assert len(long) > RUNT and no_runt(f"at the {long}") == f"at the {long}"
