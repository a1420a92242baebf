"""Language tags: one rule for a brand's default, ``--language`` and a clinic list's column.

A tag is a language of two or three letters, then optional parts after ``-`` or ``_``
(region, script, variant); it is written with the usual case: ``en``, ``en-GB``,
``es-419``, ``zh-Hant-TW``."""

from __future__ import annotations

import re
from collections.abc import Collection

from handouts.errors import UsageError, did_you_mean

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


def unknown(value: str, languages: Collection[str] = CONTENT_LANGUAGES) -> str | None:
    """Why ``value`` is not a tag of one of ``languages`` (the start of a message: "unknown
    language 'fr'"), or None when it is."""
    tag = canonical(value)
    have = {lang.lower(): lang for lang in sorted(languages)}
    if tag and tag.split("-")[0] in have:
        return None
    first = re.split(r"[-_]", value)[0].lower()
    return f"unknown language '{value}'{did_you_mean(first, have)}"


def check(value: str | None) -> None:
    """Refuse a document language there is no content in (a usage error)."""
    if value and canonical(value) is None:
        raise UsageError(f"expected a language code like 'es' or 'en-US', found '{value}'")
    if value and unknown(value):
        have = ", ".join(CONTENT_LANGUAGES)
        raise UsageError(f"no content in language '{value}'; the content is in: {have}")
