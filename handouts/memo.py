"""Every memo table of the package, owned by a :class:`Caches` object with a lifetime.

Modules declare their tables here (:func:`memo` for a function, :func:`table` for a dict
the module reads and stores itself); the tables themselves live in a :class:`Caches`, made when
first used and forgotten together. Which :class:`Caches` a call uses is the one made
active with :func:`using` (a :class:`handouts.pipeline.Renderer` does that for its
calls), else the current thread's own: so no table is ever shared between threads, and
dropping a :class:`Caches` drops everything it remembered.

Every table is bounded: ``memo(n)``, and ``table(name, n)`` for a module's own dict (one
more stored forgets the oldest: :class:`MemoTable`). The few that hold what is the same
for the whole process and never changes (the fonts registered with ReportLab, type
hints) are declared ``shared=True``: made once, under a lock.
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
from typing import Any, TypeVar, overload

F = TypeVar("F", bound=Callable[..., Any])
K = TypeVar("K")
V = TypeVar("V")
T = TypeVar("T")


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


class MemoTable(MutableMapping[K, V]):
    """A dict a module keeps itself, in the active :class:`Caches`, that holds at most
    ``most`` entries: storing one more forgets the oldest. In a plain ``dict`` table the
    oldest is the first stored; in an ``OrderedDict`` table, the one least recently
    stored or found with :meth:`recall` (``_DRAWN = table("paragraph._DRAWN", 20_000,
    OrderedDict)``)."""

    def __init__(self, n: int, most: int, ordered: bool) -> None:
        self._n, self._most, self._ordered = n, most, ordered

    def _d(self) -> Any:
        return active()._get(self._n)

    def __getitem__(self, key: K) -> V:
        return self._d()[key]  # type: ignore[no-any-return]

    def __setitem__(self, key: K, value: V) -> None:
        """``value`` stored for ``key``, in an ``OrderedDict`` table as its newest entry;
        then the oldest forgotten, if the table holds more than its bound."""
        d = self._d()
        d[key] = value
        if self._ordered:
            d.move_to_end(key)
        if len(d) > self._most:
            del d[next(iter(d))]

    def __delitem__(self, key: K) -> None:
        del self._d()[key]

    def __iter__(self) -> Iterator[K]:
        return iter(self._d())

    def __len__(self) -> int:
        return len(self._d())

    @overload
    def get(self, key: K) -> V | None: ...
    @overload
    def get(self, key: K, default: V | T) -> V | T: ...
    def get(self, key: K, default: object = None) -> object:
        """The entry for ``key``, else ``default``, as it stands (not made the newest)."""
        return self._d().get(key, default)

    def recall(self, key: K) -> V | None:
        """The entry for ``key`` (None if there is none), made the newest in an
        ``OrderedDict`` table, so it is forgotten last."""
        d = self._d()
        found = d.get(key)
        if found is not None and self._ordered:
            d.move_to_end(key)
        return found  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"<memo table {_SPECS[self._n].name}: {len(self)} entries>"


def table(name: str, most: int, kind: type[dict[Any, Any]] = dict) -> MemoTable[Any, Any]:
    """Declare a dict a module keeps itself (``kind``: ``dict``, forgetting the first
    stored, or ``OrderedDict``, the least recently stored or recalled), one per
    :class:`Caches`, holding at most ``most`` entries (:class:`MemoTable`)."""
    if most < 1:
        raise ValueError(f"{name}: a table holds at least one entry")
    n = len(_SPECS)
    _SPECS.append(_Spec(name, kind))
    return MemoTable(n, most, issubclass(kind, OrderedDict))


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
