"""Where a space is drawn at the end of a paragraph's lines, for its tagged text
(:mod:`handouts.pdf.wordbreaks`); the PDFs themselves are read in test_tagged."""

from __future__ import annotations

from handouts.pdf.wordbreaks import halves, word_breaks

SHY = "\u00ad"


def test_a_line_that_ends_a_word_gets_a_space_the_last_none():
    assert word_breaks("or one that lasts", ["or one", "that lasts"]) == (True, False)


def test_a_word_split_to_fit_gets_none():
    url = "see https://example.org/a/long/path now"
    assert word_breaks(url, ["see https://exam", "ple.org/a/long/path", "now"]) == (
        False,
        True,
        False,
    )


def test_one_space_never_two():
    """A line that ends with a space of its own, or is followed by one that starts with
    one (ReportLab leaves some there), gets no other."""
    assert word_breaks("a b c", ["a ", "b", "c"]) == (False, True, False)
    assert word_breaks("a b c", ["a", " b", "c"]) == (False, True, False)
    lines, hard = ["a", "", " b", "c"], [True, True, False, False]  # over an empty line
    assert word_breaks("a b c", lines, hard=hard) == (False, False, True, False)


def test_soft_hyphens_are_not_counted_and_a_word_broken_at_one_gets_none():
    source = f"the head{SHY}ache starts"
    assert word_breaks(source, ["the", "headache starts"]) == (True, False)
    assert word_breaks(source, ["the head-", "ache starts"]) == (False, False)
    assert word_breaks(f"a-b c{SHY}d", ["a-", "b cd"]) == (False, False)  # a real hyphen


def test_a_line_break_ends_a_word_and_an_empty_line_adds_nothing():
    lines = ["a day.", "", "Never more"]
    assert word_breaks("a day.Never more", lines, hard=[True, True, False]) == (
        True,
        False,
        False,
    )


def test_a_split_halfs_last_line_gets_a_space_where_the_paragraph_goes_on():
    assert word_breaks("one two", ["one", "two"], goes_on=True) == (True, True)
    assert word_breaks("one two", ["one", "two"]) == (True, False)


def test_lines_that_do_not_hold_the_text_add_nothing():
    assert word_breaks("one two", ["one", "tw"]) is None
    assert word_breaks("น้ำ ดี", ["นํ\ue000า", "ดี"]) is None  # glyphs, not letters


def test_a_split_gives_each_half_its_text():
    assert halves("one two  three", ["one two", "three"], 1) == ("one two", "  three", True)
    assert halves(f"the head{SHY}ache", ["the head-", "ache"], 1) == (
        f"the head{SHY}",
        "ache",
        False,
    )
    url = "https://ex.org/abc def"
    assert halves(url, ["https://ex", ".org/abc def"], 1) == ("https://ex", ".org/abc def", False)
    assert halves("a b", ["a", " b"], 1) == ("a", " b", False)  # the next line has the space
    assert halves("one two", ["one", "tw"], 1) is None
