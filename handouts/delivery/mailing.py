"""Mail each patient their handout, once: into an outbox folder as ``.eml`` files, or
through the clinic's SMTP server.

The mail journal (``.handouts-mail.jsonl`` in the output folder) records each message as
it goes: ``sending`` once the server is ready for it, then ``sent``, ``failed`` or
``unconfirmed`` (the connection was lost while the server had it); ``queued`` when written
to the outbox; ``withdrawn`` when a queued message was taken out of the outbox (its row
now has another handout or address, or none). A row is keyed by its file's name (its id
as the file gives it, in small letters) and
a keyed digest of its address (never the address itself), and each message records a
keyed digest of the handout it carried. A rerun sends nothing that was sent or queued
before, and retries what failed. A message whose outcome was never recorded (the run was
killed while the server had it) is not sent again: it is reported as ``unconfirmed``, for
the clinic to check the mail server's log, so a patient never gets a handout twice. A
queued message whose handout has changed since is replaced in the outbox; one sent with
an older handout is not sent again but said (:data:`OLDER`), for the clinic to decide.
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
from handouts.errors import HandoutsError
from handouts.intake.clinic_list import stem_of

MAIL_JOURNAL = ".handouts-mail.jsonl"
OUTBOX = "outbox"
QUEUED = "queued"
WITHDRAWN = "withdrawn"
EARLIER = {SENT: "sent earlier", QUEUED: "queued earlier", UNCONFIRMED: "unconfirmed earlier"}
OLDER = "not sent"
OLDER_WHY = (
    "an earlier version of this handout was e-mailed from this folder; to send this one, "
    "use a new output folder"
)
"""Said of a message not sent because the row's handout changed after it was sent (or
may have been: unconfirmed). Sending again would give the patient two handouts that
differ; not sending leaves them the older one: the clinic decides."""
OLDER_QUEUED_WHY = (
    "an earlier version of this handout was queued in this folder's outbox and has left "
    "it; to send this one, use a new output folder"
)
"""The same for a message queued with an older handout and taken from the outbox since
(by the clinic's mail system: it may have been sent). One still there is taken out, and
the newer one sent in its place."""
REPLACED = "in place of an older one"
"""Why of a message queued again because its handout changed while it waited."""


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
    digest: str = ""
    """A keyed digest of the handout (its manifest's ``content_hash``): a message queued
    or sent with another is of an older handout."""
    rewritten: bool = False
    """Its handout was made anew in this run: a message queued before digests were kept
    may carry an older one (it is replaced)."""


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
    earlier, waiting = _earlier(journal, reader), _Waiting(folder)
    with contextlib.ExitStack() as stack:
        sending = stack.enter_context(Sending(smtp)) if smtp else None
        log = stack.enter_context(opener(journal))
        for letter in letters:
            mark = _mark(key, letter)
            before, carried = earlier.get(mark, ("", ""))
            older = bool(carried and letter.digest and carried != letter.digest)
            # a journal from before digests were kept: the same handout, unless it was
            # made anew and its message still waits (review: an older one stayed queued)
            older = older or (not carried and letter.rewritten and before == QUEUED)
            if before in EARLIER and not older:
                yield letter, Outcome(EARLIER[before])
                continue
            if before == QUEUED:  # its older message: still waiting there, it goes
                if not waiting.of(letter.stem):  # it left the outbox: it may have been sent
                    yield letter, Outcome(OLDER, OLDER_QUEUED_WHY)
                    continue
                if sending is not None:
                    waiting.take(letter.stem)
                    _log(log, f"{letter.stem}\0*", WITHDRAWN)
            elif before in (SENT, UNCONFIRMED):
                yield letter, Outcome(OLDER, OLDER_WHY)
                continue
            try:
                msg = message(letter, sender)
                msg.as_bytes()  # anything that cannot be written fails here, this row only
            except (ValueError, UnicodeError):
                yield letter, Outcome(FAILED, "the message could not be made from the address")
                continue
            if sending is None:
                waiting.take(letter.stem, keep=f"{letter.stem}.eml")  # replaced, not taken
                to_outbox(_outbox(folder), f"{letter.stem}.eml", msg)
                _log(log, mark, QUEUED, pdf=letter.digest)
                yield letter, Outcome(QUEUED, REPLACED if before == QUEUED else "")
                continue
            why = sending.ready()  # before "sending": a server not reached sent nothing
            if why:
                _log(log, mark, FAILED, why)
                yield letter, Outcome(FAILED, why)
                continue
            _log(log, mark, "sending", pdf=letter.digest)
            status, why = sending.send(msg, letter.to)
            _log(log, mark, status, why, pdf=letter.digest)
            yield letter, Outcome(status, why)


@dataclass(frozen=True)
class Now:
    """What a row is now, for :func:`withdraw`: the digest of its handout (None: its
    message's is not compared, as a batch that e-mails replaces it itself), whether it
    was made anew in this run, and the keyed digest of its address (None: it has none,
    or no handout now: its waiting message is taken out whatever it carries)."""

    pdf: str | None = None
    rewritten: bool = False
    to: str | None = None


def withdraw(
    folder: Path,
    rows: dict[str, Now],
    files: tuple[Callable[[Path], bytes], Callable[[Path], Any]],
) -> None:
    """Take out of the outbox the messages queued for ``rows`` (by a row's file name) that
    are not what the row is now: to another address (review: a corrected address left the
    message to the wrong one waiting), with another handout (an older one must never be
    sent from it), or for a row with no address or no handout now (skipped, failed).
    Each is journalled as withdrawn, so the row's next handout is queued anew."""
    journal = folder / MAIL_JOURNAL
    reader, opener = files
    queued: dict[str, list[tuple[str, str]]] = {}
    for mark, (state, pdf) in _earlier(journal, reader).items():
        if state == QUEUED:
            stem, to = mark.split("\0")
            queued.setdefault(stem, []).append((to, pdf))

    def stale(now: Now, to: str, pdf: str) -> bool:
        if now.to is None or to != now.to:
            return True
        if now.pdf is None:
            return False
        return pdf != now.pdf if pdf else now.rewritten  # (a journal without digests)

    gone = [stem for stem, now in rows.items()
            if any(stale(now, *was) for was in queued.get(stem.lower(), ()))]  # fmt: skip
    if not gone:
        return
    waiting = _Waiting(folder)
    with opener(journal) as log:
        for stem in gone:
            if waiting.take(stem):  # one that left the outbox may have been sent: it stays
                _log(log, f"{stem}\0*", WITHDRAWN)  # queued, so a newer one is said, not sent


def address_digest(key: bytes, to: str) -> str:
    """The keyed digest of an address, as the journal keeps it (never the address)."""
    return hmac.new(key, to.strip().lower().encode("utf-8"), "sha256").hexdigest()[:32]


class _Waiting:
    """The messages waiting in a batch's outbox, by their names in small letters, for a
    row in any case (review: an id whose case changed left its older one, named as it
    was). The folder is read once, when first asked (not once for every patient), and
    what this run takes out is forgotten; what it writes replaces a message it found."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.names: dict[str, list[str]] | None = None

    def of(self, stem: str) -> list[Path]:
        """The row ``stem`` names: its ``.eml`` files waiting, in any case."""
        outbox = _outbox(self.folder)
        if self.names is None:
            self.names = {}
            try:
                with os.scandir(outbox) as entries:
                    for entry in entries:
                        self.names.setdefault(entry.name.lower(), []).append(entry.name)
            except FileNotFoundError:
                pass
            except NotADirectoryError:
                raise HandoutsError(f"{outbox} is a file, not a folder") from None
            except OSError as exc:
                raise HandoutsError(
                    f"cannot use the outbox {outbox}: {exc.strerror or exc}"
                ) from None
        return [inside(outbox, n) for n in sorted(self.names.get(f"{stem}.eml".lower(), []))]

    def take(self, stem: str, keep: str = "") -> bool:
        """Take the row's waiting messages out (but ``keep``, about to be replaced in one
        step, so that a run stopped there leaves it): whether there were any."""
        found = self.of(stem)
        for path in found:
            if path.name != keep:
                with contextlib.suppress(FileNotFoundError):  # (taken by the mail system now)
                    path.unlink()
        assert self.names is not None
        self.names.pop(f"{stem}.eml".lower(), None)
        return bool(found)


def _outbox(folder: Path) -> Path:
    """A batch's outbox, ``folder/outbox``, refused when it is a link: messages (each with
    a patient's address and handout) are written, and taken out, only where the batch
    keeps its files (red team: a planted link sent them to a folder open to anyone)."""
    outbox = folder / OUTBOX
    if outbox.is_symlink():
        raise HandoutsError(f"{outbox} is a link; a batch writes its messages only into a "
                            "folder of its own there: remove the link")  # fmt: skip
    return outbox


def _mark(key: bytes, letter: Letter) -> str:
    """The journal's key for a letter: its file's name in small letters (ids that give the
    same file, or the same on a system that does not tell case apart, are one row: red
    team, ``P.1`` then ``P_1`` was sent twice) and a keyed digest of its address."""
    return f"{letter.stem.lower()}\0{address_digest(key, letter.to)}"


def _log(log: Any, mark: str, state: str, why: str = "", pdf: str = "") -> None:
    stem, digest = mark.split("\0")
    entry = {"id": stem, "to": digest, "state": state, "at": _now()}
    entry |= ({"why": why} if why else {}) | ({"pdf": pdf} if pdf else {})
    log.write(json.dumps(entry, ensure_ascii=False) + "\n")
    log.flush()
    os.fsync(log.fileno())  # before the next message: a kill never loses a sent one


def _now() -> str:
    return dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _earlier(journal: Path, reader: Callable[[Path], bytes]) -> dict[str, tuple[str, str]]:
    """The last state of each letter in the journal, with the digest of the handout it
    carried ("" in a journal from before they were kept): ``sending`` with nothing after
    it is unconfirmed; ``failed`` is retried; ``withdrawn`` (a row's queued messages, to
    any address) is queued anew."""
    states: dict[str, tuple[str, str]] = {}
    try:
        text = reader(journal).decode("utf-8", "replace")
    except FileNotFoundError:
        return states
    for line in text.splitlines():
        try:
            entry = json.loads(line)
            # a row by its file's name (a journal an older version wrote has the id as typed)
            stem, to, state = stem_of(str(entry["id"])).lower(), entry["to"], entry["state"]
            pdf = str(entry.get("pdf", ""))
        except (ValueError, KeyError, TypeError, AttributeError):
            continue  # a line cut short by a kill
        if state == WITHDRAWN:  # its queued messages only: one sent stays sent
            states = {m: v for m, v in states.items()
                      if m.split("\0")[0] != stem or v[0] != QUEUED}  # fmt: skip
            continue
        states[f"{stem}\0{to}"] = (UNCONFIRMED if state == "sending" else state, pdf)
    return {m: v for m, v in states.items() if v[0] != FAILED}
