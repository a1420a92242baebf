"""Language tags: one rule for a brand's default, ``--language`` and a clinic list's column.

A tag is a language of two or three letters, then optional parts after ``-`` or ``_``
(region, script, variant); it is written with the usual case: ``en``, ``en-GB``,
``es-419``, ``zh-Hant-TW``."""

from __future__ import annotations

import re
from collections.abc import Collection

from handouts.errors import UsageError, did_you_mean, shown

TAG = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")
CONTENT_LANGUAGES = ("en", "es")
"""Languages the shipped content is written in (``en-GB`` is English too)."""


def canonical(value: str) -> str | None:
    """``value`` as a tag with the usual case, or None when it is not a language tag."""
    if not TAG.fullmatch(value):
        return None
    first, *rest = re.split(r"[-_]", value)
    case = {2: str.upper, 4: str.title}  # region, script; the rest lower case
    return "-".join([first.lower(), *(case.get(len(p), str.lower)(p) for p in rest)])


def base(value: str) -> str:
    """The language of a tag, lower case, as the content's translations are named:
    ``es`` for ``es-MX``, ``ES`` or ``es_419``."""
    return re.split(r"[-_]", value)[0].lower()


EXPECTED = "expected a language code like 'es' or 'en-US'"
"""What a language must look like (also the start of :func:`problem`'s message)."""


def problem(
    value: str, languages: Collection[str] = CONTENT_LANGUAGES, blank: bool = False
) -> str | None:
    """Why ``value`` cannot be the language of a handout, in the same words wherever it
    was written (``--language``, a brand, a clinic list, the web form); None when its
    first part is one of ``languages``. ``blank``: it may be left blank too (a clinic
    list's cell, a form's field), and the message says so. The value is shown cut short
    and escaped: a value in the wrong column may be a patient's name."""
    have = sorted({lang.lower() for lang in languages})
    tag = canonical(value)
    if tag is None:
        first = re.split(r"[-_]", value)[0].lower()
        expected = f"{EXPECTED} (or leave it blank)" if blank else EXPECTED
        return f"{expected}, found '{shown(value)}'{did_you_mean(first, have)}"
    if base(tag) not in have:
        hint = did_you_mean(base(tag), have)
        use = ", ".join(have[:-1]) + " or " + have[-1] if len(have) > 1 else "".join(have)
        return f"no content in language '{shown(value)}'{hint}; use {use}" + (
            ", or leave it blank" if blank else ""
        )
    return None


def check(value: str | None) -> None:
    """Refuse a document language there is no content in (a usage error)."""
    said = value and problem(value)
    if said:
        raise UsageError(said)
