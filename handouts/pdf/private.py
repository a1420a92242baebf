"""Patient text is never memoised: while a handout's personal details and notes are made
into flowables (:func:`private_text`), the markup, parse, line-break and drawing caches are
passed by, so no name or note is kept after its handout is written. (Its markup is parsed
by its shape, a memo of our own tags, spaces and numbered stand-ins for its words, which
holds no word: :func:`handouts.pdf.paragraph._parse_private`.) A context variable,
so one thread or task's patient never turns another's caching off or on.

A part with patient text is private as a whole, and only content in it that is marked so
(the words of a plan template beside a slot the clinician typed) is made as shared content
is, with :func:`shared_text`: so anything not marked stays private."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_PRIVATE: ContextVar[bool] = ContextVar("private_text", default=False)


@contextmanager
def private_text() -> Iterator[None]:
    token = _PRIVATE.set(True)
    try:
        yield
    finally:
        _PRIVATE.reset(token)


def is_private() -> bool:
    return _PRIVATE.get()


@contextmanager
def shared_text() -> Iterator[None]:
    """Content inside a private part (:func:`private_text`): made with the caches, as
    content anywhere else is. Only for words that are surely not the patient's."""
    token = _PRIVATE.set(False)
    try:
        yield
    finally:
        _PRIVATE.reset(token)
