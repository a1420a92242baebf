"""Where a printed line may not end: inside a date, and between a number and the word
after it.

A reader who meets "up to 60" at a line's end and "mg after 2 weeks" on the next reads
the dose in two parts, and "Nunca tome más de 4" | "g en 24 horas" hides the unit of a
limit at the start of a line. So a number keeps the word it counts ("60 mg", "2 hours",
"12 March", "7 in 100 adults"), and a date is written with no-break spaces
(:meth:`handouts.content.words.Words.date`). The renderers draw a no-break space as a
space, and a screen reader reads it as one.
"""

from __future__ import annotations

import re

NO_BREAK = "\u00a0"
"""The no-break space. ReportLab draws it as a space (no font subset holds it); it is in
the characters a renderer seeds its fonts with (``handouts.pdf.render.RENDERED``) so
that text with it may still be laid out once and replayed."""

_NUMBER_WORD = re.compile(r"(?:^|(?<=[\s(\[]))(\d\S*\d|\d) (?=[^\W\d_\u0590-\U0010ffff])")
"""A number (a word that starts and ends with a digit: "60", "1-2", "10:30", "2,000")
and the space before a letter: the word it counts. A word that only ends with a digit
("L4", "B12", "COVID-19") is not a number here, so words never chain ("L4 L5 S1 level"
stays breakable) and at most a number and one word are held together. Only letters of
scripts before Hebrew (Latin, Greek, Cyrillic and the like): a right-to-left or shaped
word is laid out by its own rules (:mod:`handouts.pdf.bidi`)."""


def keep_together(text: str) -> str:
    """``text`` with a no-break space between each number and the word after it."""
    return _NUMBER_WORD.sub(rf"\1{NO_BREAK}", text) if " " in text else text
