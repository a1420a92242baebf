"""Every memo table of the package, owned by a :class:`Caches` object with a lifetime.

Modules declare their tables here (:func:`memo` for a function, :func:`table` for a dict
the module manages itself); the tables themselves live in a :class:`Caches`, made when
first used and forgotten together. Which :class:`Caches` a call uses is the one made
active with :func:`using` (a :class:`handouts.pipeline.Renderer` does that for its
calls), else the current thread's own: so no table is ever shared between threads, and
dropping a :class:`Caches` drops everything it remembered.

Every table is bounded (``memo(n)``; a module's own dict trims itself). The few that
hold what is the same for the whole process and never changes (the fonts registered
with ReportLab, type hints) are declared ``shared=True``: made once, under a lock.
Patient text is never put in a table (:mod:`handouts.pdf.private`).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from functools import lru_cache, wraps
from pathlib import Path
from typing import Any, TypeVar

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class _Spec:
    """One declared table: its name (``module.function``), and how to make it."""

    name: str
    make: Callable[[], Any]


_SPECS: list[_Spec] = []
"""Every table declared, in the order declared (its index is its key in a Caches)."""
_SHARED: list[Any] = []
"""The process-wide tables (``shared=True``)."""


class Caches:
    """The memo tables of one owner. Not for two threads at once: each thread uses its
    own unless one is made active with :func:`using`."""

    def __init__(self) -> None:
        self._made: dict[int, Any] = {}

    def _get(self, n: int) -> Any:
        made = self._made.get(n)
        if made is None:
            made = self._made[n] = _SPECS[n].make()
        return made

    def clear(self) -> None:
        """Forget everything, as a new :class:`Caches` would."""
        self._made.clear()

    def sizes(self) -> dict[str, int]:
        """How many entries each table made so far holds, by name."""
        return {_SPECS[n].name: size(t) for n, t in sorted(self._made.items())}


_ACTIVE: ContextVar[Caches | None] = ContextVar("handouts_caches", default=None)
"""The caches made active with :func:`using` (None outside it). A context can be copied
into another thread (asyncio.to_thread does), so a thread's own are not kept here."""
_THREAD = threading.local()


def active() -> Caches:
    """The caches calls use now: the ones made active with :func:`using`, else this
    thread's own."""
    caches = _ACTIVE.get()
    if caches is None:
        caches = getattr(_THREAD, "caches", None)
        if caches is None:
            caches = _THREAD.caches = Caches()
    return caches


@contextmanager
def using(caches: Caches) -> Iterator[Caches]:
    """Make ``caches`` the one memo calls use, in this thread, until the block ends."""
    token = _ACTIVE.set(caches)
    try:
        yield caches
    finally:
        _ACTIVE.reset(token)


def memo(maxsize: int | None, *, shared: bool = False) -> Callable[[F], F]:
    """``functools.lru_cache`` in the active :class:`Caches` (``maxsize`` bounds it).
    ``shared=True``: one table for the process, for what never changes once made (the
    registered fonts); ``maxsize`` None only then."""

    def wrap(fn: F) -> F:
        name = f"{fn.__module__}.{fn.__qualname__}"
        if shared:
            return _shared(fn, maxsize)
        if maxsize is None:
            raise TypeError(f"{name}: a renderer's table needs a size bound")
        n = len(_SPECS)
        _SPECS.append(_Spec(name, lambda: lru_cache(maxsize=maxsize)(fn)))

        @wraps(fn)
        def call(*args: Any) -> Any:  # active()._get(n)(*args), with its common case inline
            made = (_ACTIVE.get() or active())._made.get(n)  # (a visit handout makes hundreds)
            return (made or active()._get(n))(*args)

        call.cache_clear = lambda: active()._made.pop(n, None)  # type: ignore[attr-defined]
        return call  # type: ignore[return-value]

    return wrap


def _shared(fn: F, maxsize: int | None) -> F:
    cached = lru_cache(maxsize=maxsize)(fn)
    lock = threading.Lock()

    @wraps(fn)
    def call(*args: Any) -> Any:
        with lock:  # made once, even when two threads ask first at the same time
            return cached(*args)

    call.cache_clear = cached.cache_clear  # type: ignore[attr-defined]
    call.cache_info = cached.cache_info  # type: ignore[attr-defined]
    _SHARED.append(cached)
    return call  # type: ignore[return-value]


class Table(MutableMapping[Any, Any]):
    """A dict (or ordered dict) that a module bounds itself, kept in the active
    :class:`Caches`: ``_DRAWN = table("paragraph.drawn", OrderedDict)``."""

    def __init__(self, n: int) -> None:
        self._n = n

    def _d(self) -> Any:
        return active()._get(self._n)

    def __getitem__(self, key: Any) -> Any:
        return self._d()[key]

    def __setitem__(self, key: Any, value: Any) -> None:
        self._d()[key] = value

    def __delitem__(self, key: Any) -> None:
        del self._d()[key]

    def __iter__(self) -> Iterator[Any]:
        return iter(self._d())

    def __len__(self) -> int:
        return len(self._d())

    def get(self, key: Any, default: Any = None) -> Any:
        return self._d().get(key, default)

    def move_to_end(self, key: Any, last: bool = True) -> None:
        self._d().move_to_end(key, last=last)  # an OrderedDict table's; a dict has none

    def popitem(self, last: bool = True) -> tuple[Any, Any]:
        d = self._d()
        if isinstance(d, OrderedDict):
            return d.popitem(last=last)  # type: ignore[no-any-return]
        if not last:
            raise TypeError("a dict table has no first item to pop: declare it OrderedDict")
        return d.popitem()  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<memo table {_SPECS[self._n].name}: {len(self)} entries>"


def table(name: str, kind: type[dict[Any, Any]] = dict) -> Any:
    """Declare a dict the module bounds itself (``kind``: ``dict`` or ``OrderedDict``),
    one per :class:`Caches`."""
    n = len(_SPECS)
    _SPECS.append(_Spec(name, kind))
    return Table(n)


def clear_all() -> None:
    """Forget everything the active :class:`Caches` remembers (the process-wide tables
    hold only what never changes, such as registered fonts, and are kept)."""
    active().clear()


def declared() -> tuple[str, ...]:
    """The name of every table a :class:`Caches` can hold."""
    return tuple(s.name for s in _SPECS)


def file_stamp(path: Path) -> tuple[int, int]:
    """What a table keyed by a file also keys by: its modified time and size, so a file
    changed in place (a clinic's new logo) is read again."""
    st = path.stat()
    return st.st_mtime_ns, st.st_size


def size(t: Any) -> int:
    """How many entries ``t`` holds."""
    return t.cache_info().currsize if hasattr(t, "cache_info") else len(t)


def hashed_once(key: Any) -> int:
    """The hash of a frozen dataclass that is in many memo tables' keys, worked out once
    and kept on it (as the dataclass's own hash would be: of its fields), so a lookup
    does not walk it again. A class defines ``__hash__`` and ``__getstate__`` with this
    and :func:`without_hash` in its own body (a dataclass replaces an inherited hash)."""
    found: int | None = key.__dict__.get("_hash")
    if found is None:
        found = hash(tuple(getattr(key, f.name) for f in fields(key)))
        object.__setattr__(key, "_hash", found)
    return found


def without_hash(key: Any) -> dict[str, object]:
    """``key``'s state to pickle or copy, without the kept hash (another process hashes
    text otherwise, and a copy's fields may be other objects)."""
    return {k: v for k, v in key.__dict__.items() if k != "_hash"}
