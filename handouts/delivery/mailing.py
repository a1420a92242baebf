"""Mail each patient their handout, once: into an outbox folder as ``.eml`` files, or
through the clinic's SMTP server.

The mail journal (``.handouts-mail.jsonl`` in the output folder) records each message as
it goes: ``sending`` once the server is ready for it, then ``sent``, ``failed`` or
``unconfirmed`` (the connection was lost while the server had it); ``queued`` when written
to the outbox. A row is keyed by its id and a keyed digest of its address
(never the address itself). A rerun sends nothing that was sent or queued before, and
retries what failed. A message whose outcome was never recorded (the run was killed
while the server had it) is not sent again: it is reported as ``unconfirmed``, for the
clinic to check the mail server's log, so a patient never gets a handout twice.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hmac
import json
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from handouts.content.brand import Brand
from handouts.content.model import Library
from handouts.delivery.email import (
    FAILED,
    SENT,
    UNCONFIRMED,
    Sending,
    Smtp,
    compose,
    encrypt,
)
from handouts.delivery.write import PRIVATE, inside, make_folder, write_atomic

MAIL_JOURNAL = ".handouts-mail.jsonl"
OUTBOX = "outbox"
QUEUED = "queued"
EARLIER = {SENT: "sent earlier", QUEUED: "queued earlier", UNCONFIRMED: "unconfirmed earlier"}


@dataclass(frozen=True)
class Letter:
    """One patient's message to make: who (by id), where to, the handout, and how."""

    id: str
    stem: str
    to: str
    pdf: bytes
    password: str | None
    lib: Library
    """The content in the patient's language (the e-mail's words come from it)."""
    brand: Brand


@dataclass(frozen=True)
class Outcome:
    """What became of one letter: a status, and why when it failed (never the address)."""

    status: str
    why: str = ""


def message(letter: Letter, sender: str) -> EmailMessage:
    """The letter's message: its handout locked with its password, if it has one."""
    pdf = encrypt(letter.pdf, letter.password) if letter.password else letter.pdf
    return compose(letter.lib, letter.brand, letter.to, pdf, sender, bool(letter.password))


def to_outbox(outbox: Path, name: str, msg: EmailMessage) -> Path:
    """``outbox/name``, written atomically and private whatever the handouts' mode: it
    holds the patient's address as well as their handout."""
    make_folder(outbox, PRIVATE)
    path = inside(outbox, name)
    write_atomic(path, msg.as_bytes(), PRIVATE)
    return path


def deliver(
    letters: Iterable[Letter],
    folder: Path,
    key: bytes,
    smtp: Smtp | None,
    sender: str,
    files: tuple[Callable[[Path], bytes], Callable[[Path], Any]],
) -> Iterator[tuple[Letter, Outcome]]:
    """Make and deliver each letter not delivered before, journalling as it goes. With
    ``smtp``, send it; else write ``folder/outbox/<stem>.eml``. ``files`` reads the
    journal and opens it for appending (a batch's never follow a link)."""
    journal = folder / MAIL_JOURNAL
    reader, opener = files
    earlier = _earlier(journal, reader)
    with contextlib.ExitStack() as stack:
        sending = stack.enter_context(Sending(smtp)) if smtp else None
        log = stack.enter_context(opener(journal))
        for letter in letters:
            mark = _mark(key, letter)
            before = earlier.get(mark)
            if before in EARLIER:
                yield letter, Outcome(EARLIER[before])
                continue
            msg = message(letter, sender)
            if sending is None:
                to_outbox(folder / OUTBOX, f"{letter.stem}.eml", msg)
                _log(log, mark, letter.id, QUEUED)
                yield letter, Outcome(QUEUED)
                continue
            why = sending.ready()  # before "sending": a server not reached sent nothing
            if why:
                _log(log, mark, letter.id, FAILED, why)
                yield letter, Outcome(FAILED, why)
                continue
            _log(log, mark, letter.id, "sending")
            status, why = sending.send(msg)
            _log(log, mark, letter.id, status, why)
            yield letter, Outcome(status, why)


def _mark(key: bytes, letter: Letter) -> str:
    """The journal's key for a letter: its id and a keyed digest of its address."""
    address = letter.to.strip().lower().encode("utf-8")
    digest = hmac.new(key, address, "sha256").hexdigest()[:32]
    return f"{letter.id}\0{digest}"


def _log(log: Any, mark: str, rid: str, state: str, why: str = "") -> None:
    digest = mark.split("\0")[1]
    entry = {"id": rid, "to": digest, "state": state, "at": _now()} | ({"why": why} if why else {})
    log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    log.flush()
    os.fsync(log.fileno())  # before the next message: a kill never loses a sent one


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _earlier(journal: Path, reader: Callable[[Path], bytes]) -> dict[str, str]:
    """The last state of each letter in the journal: ``sending`` with nothing after it
    is unconfirmed; ``failed`` is retried."""
    states: dict[str, str] = {}
    try:
        text = reader(journal).decode("utf-8", "replace")
    except FileNotFoundError:
        return states
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            mark = f"{entry['id']}\0{entry['to']}"
            state = entry["state"]
        except (ValueError, KeyError, TypeError):
            continue  # a line cut short by a kill
        states[mark] = UNCONFIRMED if state == "sending" else state
    return {m: s for m, s in states.items() if s != FAILED}
