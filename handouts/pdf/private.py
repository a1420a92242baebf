"""Patient text is never memoised: while a handout's personal details and notes are made
into flowables (:func:`private_text`), the markup, parse, line-break and drawing caches are
passed by, so no name or note is kept after its handout is written. A context variable,
so one thread or task's patient never turns another's caching off or on."""

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
