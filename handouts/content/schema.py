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
from handouts.errors import Problem, did_you_mean, shown
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

    def __init__(self, doc: Doc, problems: list[Problem], private: bool = False):
        self.doc = doc
        self.problems = problems
        self.private = private
        """Patient data (a plan file): a message says what kind of value was found, never
        the value, and an unknown key is located by its line and the key above it, never
        named (it may be the patient's words)."""

    def fail(self, path: Key, message: str, field: Key | None = None) -> Invalid:
        where = path_text(path if field is None else field)
        self.problems.append(Problem(self.doc.file, self.doc.line(path), where, message))
        return Invalid()

    def _found(self, data: Any) -> str:
        return _kind(data) if self.private else _describe(data)

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
                if self.private:
                    raise self.fail(path, f"expected one of {listed}, found {_kind(data)}")
                said = f"'{shown(data)}'" if isinstance(data, str) and data.strip() else None
                said = said or _describe(data)
                raise self.fail(path, f"expected one of {listed}, found {said}{hint}")
            return data
        if tp is str:
            if isinstance(data, str) and data.strip():
                return data.strip()
            if isinstance(data, bool | int | float | dt.date):
                # YAML reads 0123 as a number and No as false: converting them would misprint.
                raise self.fail(path, f"expected text, found {self._found(data)}; put it in quotes")
            raise self.fail(path, f"expected text, found {self._found(data)}")
        if tp is int:
            if isinstance(data, int) and not isinstance(data, bool):
                return data
            raise self.fail(path, f"expected a whole number, found {self._found(data)}")
        if tp is bool:
            if isinstance(data, bool):
                return data
            raise self.fail(path, f"expected true or false, found {self._found(data)}")
        if tp is dt.date:
            if isinstance(data, dt.date) and not isinstance(data, dt.datetime):
                return data
            raise self.fail(path, f"expected a date like 2026-11-01, found {self._found(data)}")
        raise TypeError(f"schema cannot build {tp!r}")  # a bug in model.py, not in content

    def _tuple(self, tp: Any, data: Any, path: Key) -> tuple[Any, ...]:
        args = typing.get_args(tp)
        if not isinstance(data, list):
            raise self.fail(path, f"expected a list, found {self._found(data)}")
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
            found = self._found(data)
            raise self.fail(path, f"expected a mapping of keys to values, found {found}")
        hints = _hints(cls)
        # a field named for a Python keyword (``for_``) is written without the '_' in YAML
        fields = {f.name.rstrip("_"): f for f in dataclasses.fields(cls) if f.init}
        ok = True
        for key in data:
            if key not in fields:
                hint = did_you_mean(str(key), fields)
                if self.private:
                    self.fail((*path, key), f"{UNKNOWN_KEY}{hint}; expected one of: "
                              f"{', '.join(fields)}", path)  # fmt: skip
                else:
                    self.fail((*path, key), f"{UNKNOWN_KEY}{hint}")
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


def _kind(data: Any) -> str:
    """What kind of value ``data`` is, without what it says (patient data)."""
    if data is None:
        return "nothing"
    if isinstance(data, str):
        return "empty text" if not data.strip() else "text"
    if isinstance(data, bool):
        return "true or false"
    if isinstance(data, int | float):
        return "a number"
    if isinstance(data, dict):
        return "a mapping"
    if isinstance(data, list):
        return "a list"
    if isinstance(data, dt.date):
        return "a date"
    return "a value"


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
