"""The form of the codes content carries for EHR records: SNOMED CT concept ids (with
their Verhoeff check digit, so a mistyped digit is caught when content loads) and
RxNorm codes. Whether a code means what content says it means is checked by a person
against the terminology; this only catches codes that cannot be right."""

from __future__ import annotations

import re

_D = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 2, 3, 4, 0, 6, 7, 8, 9, 5),
    (2, 3, 4, 0, 1, 7, 8, 9, 5, 6),
    (3, 4, 0, 1, 2, 8, 9, 5, 6, 7),
    (4, 0, 1, 2, 3, 9, 5, 6, 7, 8),
    (5, 9, 8, 7, 6, 0, 4, 3, 2, 1),
    (6, 5, 9, 8, 7, 1, 0, 4, 3, 2),
    (7, 6, 5, 9, 8, 2, 1, 0, 4, 3),
    (8, 7, 6, 5, 9, 3, 2, 1, 0, 4),
    (9, 8, 7, 6, 5, 4, 3, 2, 1, 0),
)
_P = (
    (0, 1, 2, 3, 4, 5, 6, 7, 8, 9),
    (1, 5, 7, 6, 2, 8, 3, 0, 9, 4),
    (5, 8, 0, 3, 7, 9, 6, 1, 4, 2),
    (8, 9, 1, 6, 0, 4, 3, 5, 2, 7),
    (9, 4, 5, 3, 1, 2, 6, 8, 7, 0),
    (4, 2, 8, 6, 5, 7, 3, 9, 0, 1),
    (2, 7, 9, 3, 8, 0, 6, 4, 1, 5),
    (7, 0, 4, 6, 9, 1, 3, 2, 5, 8),
)
SNOMED = re.compile(r"^[1-9][0-9]{5,17}$")
"""A SNOMED CT id: 6 to 18 digits, no leading zero."""
RXNORM = re.compile(r"^[1-9][0-9]{0,8}$")
"""An RxNorm code (RXCUI): digits, no leading zero."""


def verhoeff_ok(digits: str) -> bool:
    """Whether the last digit of ``digits`` is the Verhoeff check digit of the rest."""
    check = 0
    for i, ch in enumerate(reversed(digits)):
        check = _D[check][_P[i % 8][int(ch)]]
    return check == 0


def snomed_problem(code: str) -> str | None:
    """What is wrong with ``code`` as a SNOMED CT concept id, or None."""
    if not SNOMED.match(code):
        return f"'{code}' is not a SNOMED CT id (6 to 18 digits, like 37796009)"
    if not verhoeff_ok(code):
        return f"'{code}' fails the SNOMED CT check digit: a digit is mistyped"
    if code[-3:-1] != "00" and code[-3:-1] != "10":  # partition: concept (00) or extension (10)
        return f"'{code}' is not a concept id (its partition digits are {code[-3:-1]})"
    return None
