"""Build typed dataclasses from YAML data, gathering every problem.

The dataclass type hints are the schema: ``str``, ``int``, ``date``,
``Literal[...]``, ``X | None``, ``tuple[X, ...]``, ``tuple[X, Y]`` and nested
dataclasses. Unknown keys are errors with a "did you mean".
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import types
import typing
from typing import Any, Literal

from handouts.content.load import Doc, Key, path_text
from handouts.errors import Problem, did_you_mean
from handouts.memo import memo

UNKNOWN_KEY = "unknown key"
"""What is said of a key the schema does not know (then a "did you mean", if one is near)."""


class Invalid(Exception):
    """Raised inside the builder when a value cannot be used; its problems are already recorded."""


@memo(None, shared=True)
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


class Builder:
    """Builds objects from one :class:`Doc`, appending problems to a shared list."""

    def __init__(self, doc: Doc, problems: list[Problem]):
        self.doc = doc
        self.problems = problems

    def fail(self, path: Key, message: str) -> Invalid:
        self.problems.append(Problem(self.doc.file, self.doc.line(path), path_text(path), message))
        return Invalid()

    def build(self, cls: type, data: Any = None, path: Key = ()) -> Any:
        """Build ``cls`` from ``data`` (default: the whole document); raise Invalid on failure."""
        return self.value(cls, self.doc.data if data is None and not path else data, path)

    def value(self, tp: Any, data: Any, path: Key) -> Any:
        origin = typing.get_origin(tp)
        if dataclasses.is_dataclass(tp):
            return self._dataclass(tp, data, path)
        if origin in (types.UnionType, typing.Union):
            args = [a for a in typing.get_args(tp) if a is not type(None)]
            return None if data is None else self.value(args[0], data, path)
        if origin is tuple:
            return self._tuple(tp, data, path)
        if origin is Literal:
            choices = typing.get_args(tp)
            if data not in choices:
                listed = ", ".join(repr(c) for c in choices)
                hint = did_you_mean(str(data), choices)
                raise self.fail(path, f"expected one of {listed}, found {data!r}{hint}")
            return data
        if tp is str:
            if isinstance(data, str) and data.strip():
                return data.strip()
            if isinstance(data, bool | int | float | dt.date):
                # YAML reads 0123 as a number and No as false: converting them would misprint.
                raise self.fail(path, f"expected text, found {_describe(data)}; put it in quotes")
            raise self.fail(path, f"expected text, found {_describe(data)}")
        if tp is int:
            if isinstance(data, int) and not isinstance(data, bool):
                return data
            raise self.fail(path, f"expected a whole number, found {_describe(data)}")
        if tp is bool:
            if isinstance(data, bool):
                return data
            raise self.fail(path, f"expected true or false, found {_describe(data)}")
        if tp is dt.date:
            if isinstance(data, dt.date) and not isinstance(data, dt.datetime):
                return data
            raise self.fail(path, f"expected a date like 2026-11-01, found {_describe(data)}")
        raise TypeError(f"schema cannot build {tp!r}")  # a bug in model.py, not in content

    def _tuple(self, tp: Any, data: Any, path: Key) -> tuple[Any, ...]:
        args = typing.get_args(tp)
        if not isinstance(data, list):
            raise self.fail(path, f"expected a list, found {_describe(data)}")
        fixed = not (len(args) == 2 and args[1] is Ellipsis)
        if fixed and len(data) != len(args):
            raise self.fail(path, f"expected a list of {len(args)} items, found {len(data)}")
        out, ok = [], True
        for i, item in enumerate(data):
            try:
                out.append(self.value(args[i] if fixed else args[0], item, (*path, i)))
            except Invalid:
                ok = False
        if not ok:
            raise Invalid()
        return tuple(out)

    def _dataclass(self, cls: Any, data: Any, path: Key) -> Any:
        if not isinstance(data, dict):
            raise self.fail(path, f"expected a mapping of keys to values, found {_describe(data)}")
        hints = _hints(cls)
        # a field named for a Python keyword (``for_``) is written without the '_' in YAML
        fields = {f.name.rstrip("_"): f for f in dataclasses.fields(cls) if f.init}
        ok = True
        for key in data:
            if key not in fields:
                self.fail((*path, key), f"{UNKNOWN_KEY}{did_you_mean(str(key), fields)}")
                ok = False
        kwargs: dict[str, Any] = {}
        for name, f in fields.items():
            required = f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
            if name not in data:
                if required:
                    self.fail(path, f"missing required key '{name}'")
                    ok = False
                continue
            try:
                kwargs[f.name] = self.value(hints[f.name], data[name], (*path, name))
            except Invalid:
                ok = False
        if not ok:
            raise Invalid()
        return cls(**kwargs)


def _describe(data: Any) -> str:
    if data is None:
        return "nothing"
    if isinstance(data, str):
        return "empty text" if not data.strip() else f"text {data[:40]!r}"
    if isinstance(data, bool):
        return f"{str(data).lower()}"
    if isinstance(data, dict):
        return "a mapping"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, dt.date):
        return f"the date {data.isoformat()}"
    return f"{data!r}"
