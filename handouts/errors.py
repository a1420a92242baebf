"""One exception hierarchy, caught once in ``cli.main()``.

Every problem a person can fix is a :class:`Problem` with the file, the line,
the key path and what was expected. Stages gather problems and raise them all
at once, so a clinic sees every mistake in one run.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file."""

    file: str
    """Path of the file, as given or relative to the content folder."""
    line: int | None
    """1-based line number, or None when the whole file is at fault."""
    path: str
    """Key path inside the file, e.g. ``red_flags.emergency[0].sources``; empty for the file."""
    message: str
    """What was expected and what was found, in words a clinician can act on."""

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class HandoutsError(Exception):
    """Base of every error the tool reports to a user (no traceback unless --verbose)."""

    exit_code = 1


class UsageError(HandoutsError):
    """A command-line argument is wrong."""

    exit_code = 2


class ProblemsError(HandoutsError):
    """One or more problems found in input files."""

    kind = "input"

    def __init__(self, problems: Iterable[Problem]):
        self.problems = sorted(
            problems, key=lambda p: (p.file, p.line if p.line is not None else 0, p.path)
        )
        super().__init__(self.render())

    def render(self) -> str:
        count = len(self.problems)
        head = (
            f"{count} problem{'s' if count != 1 else ''} in the {self.kind}; nothing was written:"
        )
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class ContentError(ProblemsError):
    """Problems in the YAML content."""

    kind = "content"


class BrandError(ProblemsError):
    """Problems in a clinic brand file."""

    kind = "brand"


class PatientError(ProblemsError):
    """Problems in patient details given on the command line or in a list."""

    kind = "patient details"


class SettingsError(ProblemsError):
    """Problems in the mail settings (a config file or the environment)."""

    kind = "mail settings"


class RenderError(HandoutsError):
    """A handout cannot be drawn faithfully (e.g. a character no bundled font has)."""


REPORT = "(a bug in handouts: please report it with the command you ran)"
"""What an internal error adds: nobody using the tool can fix it, so it says so."""


class InternalError(RenderError):
    """What the code itself got wrong (:func:`internal`): a bug, never the input's fault.
    Its words are ours and never hold patient text."""

    def __init__(self, what: str):
        self.what = what
        super().__init__(f"internal: {what} {REPORT}")


def internal(what: str) -> InternalError:
    """An error for what the code itself got wrong, said as every such error is said:
    ``internal: {what} (a bug in handouts: ...)``. ``what`` never holds patient text."""
    return InternalError(what)


def unexpected(exc: BaseException) -> str:
    """What to say of a bug: an :class:`InternalError`'s own words, else (any error that
    is not a :class:`HandoutsError`) its kind and the line of handouts it was raised
    from, never its own words, which may quote what it was given (a patient's name, a
    note). The line is the innermost one in a module of handouts (else none is said)."""
    where, tb = "", exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_globals.get("__name__")
        if isinstance(name, str) and name.split(".")[0] == __name__.split(".")[0]:
            file = tb.tb_frame.f_code.co_filename.replace("\\", "/").rsplit("/", 1)[-1]
            module = name.replace(".", "/")
            path = f"{module}/{file}" if file == "__init__.py" else f"{module}.py"
            where = f" at {path}:{tb.tb_lineno}"
        tb = tb.tb_next
    if isinstance(exc, InternalError):
        return f"internal: {exc.what}{where} {REPORT}"
    return f"internal error: {type(exc).__name__}{where} {REPORT}"


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """Return `` (did you mean 'x'?)`` for the closest choice, or an empty string. A choice
    is close when it is so measured either way round (difflib's measure is not the same
    both ways: "secretpill" came close to "carvedilol" one way, at 0.4 the other)."""
    close = [
        c
        for c in difflib.get_close_matches(word, list(choices), n=3, cutoff=0.6)
        if difflib.SequenceMatcher(None, word, c).ratio() >= 0.6
    ]
    return f" (did you mean '{close[0]}'?)" if close else ""


def shown(value: str, most: int = 40) -> str:
    """A cell, column or key as a message may show it: control and direction characters
    escaped, and cut short (a value in the wrong column may be a patient's name), never
    inside an escape."""
    pieces = [
        ch.encode("unicode_escape").decode("ascii")
        if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp")
        else ch
        for ch in value
    ]
    if sum(map(len, pieces)) <= most:
        return "".join(pieces)
    out, size = [], 0
    for piece in pieces:
        if size + len(piece) > most - 1:
            break
        out.append(piece)
        size += len(piece)
    return "".join(out) + "…"
