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

import itertools
import re

NO_BREAK = "\u00a0"
"""The no-break space. ReportLab draws it as a space (no font subset holds it); it is in
the characters a renderer seeds its fonts with (``handouts.pdf.render.RENDERED``) so
that text with it may still be laid out once and replayed."""

FRACTIONS = "\u00bc-\u00be\u2150-\u215e\u00b9\u00b2\u00b3\u2070\u2074-\u2079\u2080-\u2089"
"""The fractions a clinician may type as one character ("\u00bd tablet", "1\u00bd tablets"), and
the raised and lowered digits of one typed with the fraction slash, as ranges of a regular
expression's class."""
_NUMBER = re.compile(rf"[\d{FRACTIONS}](?:[\d.,:\u2013/\u2044{FRACTIONS}-]*[\d{FRACTIONS}])?")
"""A number: a word that starts and ends with a digit or a fraction ("60", "1-2",
"4\u20136", "10:30", "2,000", "1,5", "1/2", "1\u20442", "\u00bd", "1\u00bd"). A word that only ends
with one ("L4", "B12", "COVID-19") is not."""
_FRACTION = re.compile(rf"[{FRACTIONS}](?:[\u2044{FRACTIONS}]*[{FRACTIONS}])?|\d+[/\u2044]\d+")
"""A fraction alone, after a whole number ("1 \u00bd tablets", "1 1/2 tablets" are held
together whole)."""
_OPENING = "([{<\"'\u201c\u2018\u00ab\u00bf\u00a1\u2264\u2265~+\u00b1\u2248"
"""What may stand before a number in the same word: brackets, quotation marks, Spanish
opening marks, and signs of a limit ("\u22644 g", "~5 mg")."""
_DIGIT = re.compile(rf"[\d{FRACTIONS}]")
_LEAD = re.compile(r"[0-9]{1,3}")
_GROUP = re.compile(r"[0-9]{3}(?:[.,][0-9]+)?[.,;:!?)\]]*")
"""A number written in groups of three with spaces ("10 000 steps", "1 500 mg", as
Spanish and the SI write them): its first group (:data:`_LEAD`), then each group after it
(:data:`_GROUP`, which may end the number: "10 000,5", "10 000.")."""
GROUPS = 3
"""The most groups held to the one before them: "1 000 000 000" is whole, a longer run
of groups may break (a run wider than a line would break inside a group)."""
_SEPARATORS = re.compile(r"[\t\n\r\u2014]")
"""What ends a word inside a run without spaces: a line break, a tab, an em dash."""


def _is_number(word: str) -> bool:
    last = _SEPARATORS.split(word)[-1].lstrip(_OPENING)
    return _NUMBER.fullmatch(last) is not None


def _is_word(word: str) -> bool:
    """Whether ``word`` starts with a letter of a script before Hebrew (Latin, Greek,
    Cyrillic and the like): a right-to-left or shaped word is laid out by its own rules
    (:mod:`handouts.pdf.bidi`)."""
    return bool(word) and word[0].isalpha() and ord(word[0]) < 0x590


RUNT = 24
"""The most characters two last words may hold to be kept together by :func:`no_runt`:
more, and a narrow line would have to break inside them."""


def no_runt(text: str) -> str:
    """``text`` with its last two words held together by a no-break space, so that its
    last line never holds one word alone ("information.", "2028."), unless the two are
    longer together than :data:`RUNT` characters. For text set once on every page (a
    footer), where a lone word would be seen again and again."""
    head, space, last = text.rstrip().rpartition(" ")
    if not space or len(head.rpartition(" ")[2]) + 1 + len(last) > RUNT:
        return text
    return f"{head}{NO_BREAK}{last}"


def keep_together(text: str) -> str:
    """``text`` with a no-break space between each number and the word after it. Words
    are what ordinary spaces set apart, so a no-break space already there (a date's)
    starts no new word, and at most a number and one word are held together (or a whole
    number, its fraction and a word: "1 \u00bd tablets"; or a number in groups of three and
    a word: "10 000 steps", up to :data:`GROUPS` groups): words never chain ("L4 L5 S1
    level" stays breakable; a review found it made one run that a
    large-print line broke inside "L33"). Linear in the text's length."""
    if " " not in text or _DIGIT.search(text) is None:  # most strings: at C speed
        return text
    words = text.split(" ")
    out = [words[0]]
    groups = 0  # groups of three held so far in this number
    for before, word in itertools.pairwise(words):
        bare = before.lstrip(_OPENING)
        # a fraction only after a whole number, so that fractions never chain
        fraction = bare.isdecimal() and _FRACTION.fullmatch(word) is not None
        grouped = groups < GROUPS and _LEAD.fullmatch(bare) and _GROUP.fullmatch(word)
        groups = groups + 1 if grouped else 0
        together = grouped or ((_is_word(word) or fraction) and _is_number(before))
        out.append(NO_BREAK if together else " ")
        out.append(word)
    return "".join(out)
