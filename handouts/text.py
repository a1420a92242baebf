"""Content text: placeholders filled in a Jinja2 sandbox, and whole-word phrase matching.

Only *content* text is a template, and its only context is the clinic (from
the brand). Patient details never pass through here: they are data, added to
the document as plain strings and escaped by ``fonts.markup`` when drawn.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from jinja2 import StrictUndefined, TemplateSyntaxError, UndefinedError
from jinja2.sandbox import SandboxedEnvironment

from .errors import HandoutsError

_env = SandboxedEnvironment(undefined=StrictUndefined, autoescape=False)

CLINIC_FIELDS = ("name", "phone", "address", "web")
"""Fields a content text may use as ``{{ clinic.<field> }}``."""

SAMPLE_CONTEXT: dict[str, Any] = {"clinic": {f: f"<{f}>" for f in CLINIC_FIELDS}}


@lru_cache(maxsize=4096)
def _compile(text: str) -> Any:
    return _env.from_string(text)


def has_placeholder(text: str) -> bool:
    return "{{" in text or "{%" in text or "{#" in text


def fill(text: str, context: Mapping[str, Any]) -> str:
    """Fill the placeholders in one content text. Text without any is returned as it is."""
    if not has_placeholder(text):
        return text
    try:
        return str(_compile(text).render(context))
    except Exception as exc:  # e.g. {{ clinic.web[3] }} with a brand that has no web address
        raise HandoutsError(
            f"cannot fill the placeholders in {text!r} for this brand: {exc}"
        ) from exc


def template_problem(text: str) -> str | None:
    """Why ``text`` cannot be filled (bad syntax, unknown placeholder), or None."""
    if not has_placeholder(text):
        return None
    known = ", ".join(f"{{{{ clinic.{f} }}}}" for f in CLINIC_FIELDS)
    try:
        _compile(text).render(SAMPLE_CONTEXT)
    except TemplateSyntaxError as exc:
        return (
            f"placeholder written wrongly ({exc.message}); write them like {{{{ clinic.phone }}}}"
        )
    except UndefinedError as exc:
        attr = re.search(r"has no attribute '([^']+)'", exc.message or "")
        name = re.search(r"'([^']+)' is undefined", exc.message or "")
        what = f"clinic.{attr.group(1)}" if attr else (name.group(1) if name else "?")
        return f"unknown placeholder '{what}'; you can use {known}"
    except Exception as exc:  # the sandbox can raise anything a filter or operator raises
        return f"placeholder cannot be filled ({exc}); you can use {known}"
    return None


def clinic_context(name: str, phone: str, address: str, web: str) -> dict[str, Any]:
    return {"clinic": {"name": name, "phone": phone, "address": address, "web": web}}


def _fold(text: str) -> str:
    return text.lower().replace("’", "'").replace("‘", "'")


@lru_cache(maxsize=4096)
def _phrase(phrase: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in _fold(phrase).split()]
    return re.compile(r"\b" + r"\s+".join(words) + r"\b")


@lru_cache(maxsize=4096)
def _words(phrase: str) -> tuple[str, ...]:
    return tuple(re.findall(r"\w+", _fold(phrase)))


@lru_cache(maxsize=8)
def _folded(text: str) -> tuple[str, frozenset[str]]:
    """The text folded once, and its words (most phrases are ruled out by these alone)."""
    folded = _fold(text)
    return folded, frozenset(re.findall(r"\w+", folded))


def mentions(text: str, phrase: str) -> bool:
    """``phrase`` appears in ``text`` as whole words, ignoring case, spacing and quote marks
    (used for glossary words and for claims that must not appear)."""
    folded, words = _folded(text)
    if not all(w in words for w in _words(phrase)):
        return False
    return _phrase(phrase).search(folded) is not None
