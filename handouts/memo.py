"""Every memo table of the package, made here and listed here, so one call forgets them all,
as in a new process (:func:`clear_all`). A step towards one owner for every cache (a
renderer object with a lifetime): today they live for the process."""

from __future__ import annotations

from collections.abc import Callable, MutableMapping
from functools import lru_cache
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])
M = TypeVar("M", bound=MutableMapping[Any, Any])

_TABLES: list[Any] = []
"""Every memoised function and memo dict, in the order made."""


def memo(maxsize: int | None) -> Callable[[F], F]:
    """``functools.lru_cache``, listed (``None``: unbounded, for the few small tables such
    as registered fonts)."""

    def wrap(fn: F) -> F:
        cached = lru_cache(maxsize=maxsize)(fn)
        _TABLES.append(cached)
        return cached  # type: ignore[return-value]

    return wrap


def table(mapping: M) -> M:
    """A memo dict the module manages itself (bounded by its own code), listed."""
    _TABLES.append(mapping)
    return mapping


def clear_all() -> None:
    """Forget everything every table remembers."""
    for t in _TABLES:
        if hasattr(t, "cache_clear"):
            t.cache_clear()
        else:
            t.clear()


def tables() -> tuple[Any, ...]:
    return tuple(_TABLES)


def size(t: Any) -> int:
    """How many entries ``t`` holds."""
    return t.cache_info().currsize if hasattr(t, "cache_clear") else len(t)
