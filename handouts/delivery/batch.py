"""``handouts batch LIST --out DIR``: a handout (or pack) for every row of a clinic list.

Rows are sorted so that rows sharing conditions and medicines follow each other in one worker,
which then reuses their laid-out pages. Workers render and write their own files and send back
small records; a few chunks per worker are queued at a time, so memory stays flat.

Only what changed is rendered: a row is ``unchanged`` when an earlier run recorded the same
input fingerprint (row fields, printed date, content, brand, logo, fonts, code, content past
review today; keyed by ``DIR/.handouts-batch.key`` so a shared manifest cannot confirm a guessed
name) for a file still there byte for byte. Workers journal the files of each chunk (up to
``CHUNK`` rows) to ``DIR/.handouts-batch.jsonl`` once they are on disk, so a killed run keeps
what was journalled and redoes the rest (a file written but not yet journalled is simply
written again, atomically); the manifest is
written at the end (or on Ctrl-C/SIGTERM, unfinished rows ``pending``) and the journal removed
once a run completes. A failed row's old PDF is removed; PDFs of ids not in the list are kept.
Names, clinicians and notes go only into PDFs, never the manifest, journal or messages. A
list with no rows prints ``no rows in LIST`` and exits 0, writing nothing.
"""

from __future__ import annotations

import contextlib
import csv
import dataclasses
import datetime as dt
import functools
import gc
import hashlib
import hmac
import io
import itertools
import json
import math
import operator
import os
import secrets
import signal
import stat
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import (
    FIRST_COMPLETED,
    Future,
    ProcessPoolExecutor,
    ThreadPoolExecutor,
    wait,
)
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, Protocol

from handouts import __version__, paths
from handouts.content import words
from handouts.content.brand import DEFAULT_BRAND, Brand
from handouts.content.language import CONTENT_LANGUAGES
from handouts.content.model import Library
from handouts.delivery.email import NO_EMAIL_NAME, UNCONFIRMED_WHY, Smtp, with_sender
from handouts.delivery.mailing import (
    EARLIER,
    FAILED,
    MAIL_JOURNAL,
    OLDER,
    UNCONFIRMED,
    Letter,
    Now,
    address_digest,
    deliver,
    withdraw,
)
from handouts.delivery.write import (
    GROUP_CLOSED,
    PRIVATE,
    closed_to_group,
    inside,
    make_folder,
    permit,
    write_atomic,
)
from handouts.document.request import ALLOW_NOTHING, Allow, Request
from handouts.errors import HandoutsError, PatientError, ProblemsError, unexpected
from handouts.intake.clinic_list import ClinicList, Row, read_list, request, stem_of
from handouts.intake.fhir import is_fhir, read_fhir
from handouts.pipeline import PRINTER, Renderer, brand_in, in_language, load_inputs, past_a_sheet

FIELDS = ("id", "file", "conditions", "pack", "medicines", "pages", "bytes", "content_hash",
          "input", "status", "email", "not_used")  # fmt: skip
STATUSES, DONE = ("written", "unchanged", "skipped", "failed", "pending"), ("written", "unchanged")
JOURNAL, KEY, LOCK = ".handouts-batch.jsonl", ".handouts-batch.key", ".handouts-batch.lock"
CONTROL = (JOURNAL, KEY, LOCK, "manifest.json", "manifest.csv", MAIL_JOURNAL)
"""The files a batch keeps in its output folder besides the PDFs: never links."""
STALE = (".*.pdf.*.tmp", ".manifest.json.*.tmp", ".manifest.csv.*.tmp",
         "outbox/.*.eml.*.tmp")  # fmt: skip
"""What write_atomic leaves behind when a run is killed while it writes."""
CHUNK, QUEUED = 25, 3  # rows per task at most; tasks queued per worker
Record = dict[str, Any]
Todo = list[tuple[Row, str]]  # rows to render, with their input fingerprints

_STATE: tuple[tuple[Path, Path | None], Library, Brand, Renderer] | None = None
"""What this process renders with: the inputs' key, content, brand and its renderer (one per
worker process, for the batch's life; inherited through fork, else made by _init)."""


@dataclasses.dataclass(frozen=True)
class BatchJob:
    """One run over a clinic list, as the command line (or later a web form) asks for it."""

    list: Path
    """The clinic list (.csv or .yaml)."""
    out: Path
    """The output folder."""
    content: Path
    brand: Path | None = None
    """The brand file; the example brand when None."""
    jobs: int | None = None
    """Processes to use; all cores when None."""
    skip_invalid: bool = False
    """Build the good rows and report the bad ones, instead of stopping."""
    date: dt.date | None = None
    """The date printed on a row that gives none."""
    allow: Allow = ALLOW_NOTHING
    """What prints anyway (content past review, drafts), and the day reviews are checked."""
    wait: bool = False
    """When another batch is writing into the same folder: wait for it (else refuse)."""
    mode: int = PRIVATE
    """The PDFs' and manifests' permissions (the key is always private)."""
    email: bool = False
    """E-mail each handout to its row's address (``email`` column, or FHIR telecom)."""
    smtp: Smtp | None = None
    """Send through this server; None: write the messages to ``OUT/outbox/``."""
    sender: str | None = None
    """The From address of outbox messages (sent ones use the server's)."""


class Progress(Protocol):
    """Who is told how a batch goes, as it goes: the command line draws a bar on a
    terminal (:class:`handouts.cli.TerminalProgress`); a web page would send events."""

    def say(self, line: str) -> None:
        """A line for the person running the batch: a row that failed, a warning."""
        ...

    def rows(self, done: int, total: int) -> None:
        """``done`` of ``total`` rows are finished (written, unchanged, skipped or failed)."""
        ...

    def end(self) -> None:
        """No more lines or rows."""
        ...


@dataclasses.dataclass(frozen=True)
class Summary:
    """How a batch ended: rows by status, and the time it took."""

    rows: int
    written: int = 0
    unchanged: int = 0
    skipped: int = 0
    failed: int = 0
    seconds: float = 0.0
    emails: tuple[tuple[str, int], ...] = ()
    """With --email: how many messages ended each way (``sent``, ``queued``, ``failed``,
    ``unconfirmed``, ``sent earlier``, ``no address``…), in :data:`MAIL_ORDER`."""
    longer: tuple[str, ...] = ()
    """The ids of the rows whose visit handout takes more than its sheet
    (:func:`handouts.pipeline.past_a_sheet`), in the list's order."""

    @property
    def exit_code(self) -> int:
        """1 when a row was skipped (invalid) or failed, or a message failed, is
        unconfirmed (now or from an earlier run) or was not sent, else 0."""
        unsent = any(how in ALARMING for how, _ in self.emails)
        return 1 if self.skipped or self.failed or unsent else 0


def run_batch(args: BatchJob, progress: Progress) -> Summary:
    """Build every row of ``args.list`` into ``args.out``, telling ``progress`` as it goes."""
    started, out = time.monotonic(), args.out
    if args.email:  # checked before anything is made
        args = dataclasses.replace(args, sender=with_sender(args.smtp, args.sender))
    lib, brand = load_inputs(args.content, args.brand)
    if is_fhir(args.list):
        listed, _records = read_fhir(args.list, lib, PRINTER, CONTENT_LANGUAGES)
    else:
        listed = read_list(args.list, lib, PRINTER, lib.packs, CONTENT_LANGUAGES)
    if listed.problems and not args.skip_invalid:
        raise PatientError(listed.problems)
    if not listed.rows and not listed.invalid:
        return Summary(0)
    if listed.problems:
        progress.say(f"handouts: {rows(len(listed.invalid))} skipped (invalid):")
        progress.say("\n".join(f"  {p}" for p in listed.problems))
    try:
        make_folder(out, args.mode)
    except OSError as exc:
        raise HandoutsError(f"cannot use the output folder {out}: {exc.strerror or exc}") from None
    if args.mode != PRIVATE and closed_to_group(out):
        progress.say(f"handouts: warning: {GROUP_CLOSED.format(folder=out)}")
    with _locked(out, args.wait, progress):
        return _run(args, progress, lib, brand, listed, started)


def _run(
    args: BatchJob,
    progress: Progress,
    lib: Library,
    brand: Brand,
    listed: ClinicList,
    started: float,
) -> Summary:
    """The batch, with the output folder locked for this run alone."""
    global _STATE
    out = args.out
    try:
        _clean(out)
        key = _key(out)
    except OSError as exc:
        raise HandoutsError(f"cannot use the output folder {out}: {exc.strerror or exc}") from None
    skipped = dict.fromkeys(FIELDS, "") | {"pages": None, "bytes": None, "status": "skipped"}
    ids = zip(listed.invalid, listed.invalid_ids, strict=True)
    records: dict[int, Record] = {n: skipped | {"id": i} for n, i in ids}
    inputs, earlier, todo = _inputs(args, brand, lib), _earlier(out), []
    # a row now skipped must not leave its old handout to be printed: found by its file's
    # name, in any case (review: 'a.1' now skipped left A_1.pdf from when it was 'A_1')
    by_stem = {stem_of(i).lower(): r for i, r in earlier.items()}
    skipped = [stem_of(i) for i in _skipped_ids(listed)]
    gone = [f for f in (by_stem.get(s.lower(), {}).get("file") for s in skipped) if f]
    names = {row.stem.lower(): f"{row.stem}.pdf" for row in listed.rows}
    recased = [  # an id now in another case
        f
        for r in earlier.values()
        if isinstance(f := r.get("file"), str) and names.get(Path(f).stem.lower(), f) != f
    ]
    for stale in (*gone, *recased):
        with contextlib.suppress(OSError, HandoutsError):
            inside(out, stale).unlink(missing_ok=True)
    for row in listed.rows:
        fields = dataclasses.asdict(row) | {"date": row.date or args.date}  # the date printed
        del fields["number"], fields["line"]  # the row's place in the list changes nothing
        canonical = json.dumps([fields, inputs], sort_keys=True, default=str).encode()
        fingerprint = hmac.new(key, canonical, "sha256").hexdigest()
        old = earlier.get(row.id, {})
        if old.get("input") == fingerprint and _intact(out / f"{row.stem}.pdf", old):
            with contextlib.suppress(OSError):  # the mode this run asks for
                _permit(out / f"{row.stem}.pdf", args.mode)
            found = {k: old.get(k) for k in ("pages", "bytes", "content_hash")}
            records[row.number] = _entry(row, fingerprint, "unchanged", **found)
        else:
            todo.append((row, fingerprint))
    todo.sort(key=lambda item: cache_key(item[0]))
    _STATE = ((args.content, args.brand), lib, brand, Renderer())
    collecting = gc.get_threshold()
    gc.set_threshold(20_000, 50, 1000)  # rendering makes many short-lived objects
    gc.freeze()  # what is loaded is kept: never scanned again, nor copied into workers
    try:
        _render(todo, args, listed, records, progress)
    finally:
        _STATE = None
        gc.unfreeze()
        gc.set_threshold(*collecting)
    # nor a message of an older handout, or to an older address, left waiting in the
    # outbox (red team, review); with --email, a row's newer handout replaces it there
    now = {stem: Now() for stem in (*skipped, *(Path(f).stem for f in gone))}
    for row in listed.rows:
        record = records[row.number]
        if record["status"] not in DONE or not row.email:  # (an address taken away too)
            now[row.stem] = Now()
            continue
        pdf = None if args.email else record["content_hash"] or ""
        now[row.stem] = Now(pdf, record["status"] == "written", address_digest(key, row.email))
    try:
        withdraw(out, now, (_read, _append))
    except OSError as exc:
        raise HandoutsError(f"cannot use the output folder {out}: {exc.strerror or exc}") from None
    if args.email:
        _mail(args, lib, brand, listed, records, key, progress)
    count = Counter(r["status"] for r in records.values())
    took = time.monotonic() - started
    emails = Counter(r["email"].split(":")[0] for r in records.values() if r["email"])
    ways = sorted(emails.items(), key=lambda kv: ([*MAIL_ORDER, kv[0]]).index(kv[0]))
    longer = tuple(
        row.id
        for row in listed.rows
        if (r := records[row.number])["status"] in DONE
        and past_a_sheet(request(row, args.date, ALLOW_NOTHING), r["pages"] or 0)
    )
    return Summary(len(records), *(count[s] for s in STATUSES[:4]), took, tuple(ways), longer)


def _skipped_ids(listed: ClinicList) -> set[str]:
    """The ids whose earlier handouts a run removes: the skipped rows'; for one whose id is
    not known (its cells shifted), each of its cells (review: its old handout was left to
    be printed). None that names a good row's file, in any case (review: a stray cell
    'P1' took the good row p1's handout and message)."""
    good = {row.stem.lower() for row in listed.rows}
    cells = listed.invalid_cells or ((),) * len(listed.invalid_ids)
    found = {rid for rid in listed.invalid_ids if rid}
    for rid, row in zip(listed.invalid_ids, cells, strict=True):
        found |= set() if rid else {c.strip() for c in row if c.strip()}
    return {rid for rid in found if stem_of(rid).lower() not in good}


def rows(n: int) -> str:
    """``1 row``, ``5 rows``."""
    return f"{n} row{'s' * (n != 1)}"


def _render(
    todo: Todo, args: BatchJob, listed: ClinicList, records: dict[int, Record], progress: Progress
) -> None:
    """Render ``todo`` into ``records``; write the manifest, also when stopped by a signal."""
    total, done = len(listed.rows) + len(listed.invalid), len(records)
    progress.rows(done, total)
    warned: set[str] = set()
    finished = False
    try:
        with _sigterm_raises(), contextlib.closing(_results(todo, args)) as results:
            for chunk in results:
                for record in chunk:
                    number, errors, late = (record.pop(k) for k in ("number", "errors", "expired"))
                    for message in errors:
                        progress.say(f"row {number} (id {record['id']}): {message}")
                    for problem in set(late) - warned:
                        warned.add(problem)
                        progress.say(f"handouts: warning: {problem}")
                    records[number] = record
                done += len(chunk)
                progress.rows(done, total)
        finished = True
    finally:
        progress.end()
        for row in listed.rows:
            records.setdefault(row.number, _entry(row, "", "pending", file=""))
        with contextlib.suppress(OSError):
            _clean(args.out)  # what a stopped worker left behind
        _write_manifest(args.out, listed, records, args.mode)
        if finished:
            with contextlib.suppress(OSError):  # e.g. not a file: it was never written
                (args.out / JOURNAL).unlink(missing_ok=True)
        else:
            done = sum(r["status"] != "pending" for r in records.values())
            progress.say(f"handouts: {done} of {len(records)} rows done; run the same command "
                         "again to finish")  # fmt: skip


def _results(todo: Todo, args: BatchJob) -> Iterator[list[Record]]:
    """The records of ``todo``, a chunk at a time, rendered in-process or by a worker pool."""
    jobs = args.jobs or os.cpu_count() or 1
    size = max(1, min(CHUNK, math.ceil(len(todo) / (jobs * 4))))
    chunks, task = (
        _chunks(todo, size),
        (args.out, args.date, args.allow, args.mode),
    )
    jobs = min(jobs, math.ceil(len(todo) / size))
    if jobs <= 1:
        yield from (_work(chunk, *task) for chunk in chunks)
        return
    start = (args.content, args.brand, os.getpid())
    pool = ProcessPoolExecutor(jobs, initializer=_init, initargs=start)
    running: set[Future[list[Record]]] = set()
    try:
        while True:
            for chunk in itertools.islice(chunks, jobs * QUEUED - len(running)):
                running.add(pool.submit(_work, chunk, *task))
            if not running:
                break
            done, running = wait(running, return_when=FIRST_COMPLETED)
            yield from (future.result() for future in done)
    except BrokenProcessPool:
        raise HandoutsError(
            "a worker process stopped unexpectedly (out of memory?); the rows it finished "
            "are kept: run the same command again to finish"
        ) from None
    finally:
        processes = list((getattr(pool, "_processes", None) or {}).values())
        for process in processes if running else ():  # stopped early: end the work under way
            process.terminate()
        pool.shutdown(wait=True, cancel_futures=True)
        for process in processes:
            process.join()


def _chunks(todo: Todo, size: int) -> Iterator[Todo]:
    """Chunks of about ``size`` rows that split a run of equal cache keys only if it is longer."""
    chunk: Todo = []
    for _, same in itertools.groupby(todo, key=lambda item: cache_key(item[0])):
        group = list(same)
        if chunk and len(chunk) + len(group) > size:
            yield chunk
            chunk = []
        chunk += group
        while len(chunk) >= size:
            yield chunk[:size]
            chunk = chunk[size:]
    if chunk:
        yield chunk


def cache_key(row: Row) -> tuple[Any, ...]:
    """Rows with equal keys share their laid-out pages in a worker's cache."""
    return (row.pack or "", row.conditions, row.medicines, row.paper or "", row.large_print,
            row.language or "")  # fmt: skip


def _init(content: Path, brand_file: Path | None, main: int) -> None:
    """Start a worker: the main process handles Ctrl-C and SIGTERM and stops the workers."""
    global _STATE
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    if os.name == "posix":  # os.kill(pid, 0) ends the process on Windows
        threading.Thread(target=_watch, args=(main, os.getppid()), daemon=True).start()
    if _STATE is None or _STATE[0] != (content, brand_file):  # not inherited through fork
        _STATE = ((content, brand_file), *load_inputs(content, brand_file), Renderer())


def _watch(main: int, parent: int) -> None:
    """End this worker soon after the batch is killed (SIGKILL cannot be handled)."""
    with contextlib.suppress(ProcessLookupError):
        while os.getppid() == parent:
            os.kill(main, 0)  # raises once the main process is gone (forkserver: not our parent)
            time.sleep(0.5)
    os._exit(1)


def _work(chunk: Todo, out: Path, date: dt.date | None, allow: Allow, mode: int) -> list[Record]:
    """Render and write each row of a chunk, journalling each file written.

    Files are written (and synced to disk) by a thread while the next row renders."""
    assert _STATE is not None
    _, lib, brand, renderer = _STATE
    key = _key(out)
    made: list[tuple[Row, Record, Any, list[str]]] = []
    with ThreadPoolExecutor(1) as writer:
        for row, fingerprint in chunk:
            record = _entry(row, fingerprint, "failed", number=row.number, expired=[])
            errors: list[str] = []
            saved = None
            try:
                done = renderer.make(lib, brand, request(row, date, allow))
                path = inside(out, record["file"])
                digest, late = _digest(key, done.pdf), [str(p) for p in done.allowed]
                saved = writer.submit(write_atomic, path, done.pdf, mode)
            except HandoutsError as exc:
                errors = _messages(exc)
            except Exception as exc:  # a bug must not stop the other rows
                errors = [unexpected(exc)]  # not its words: they may quote the row
            else:
                record |= dict(pages=done.pages, bytes=len(done.pdf), content_hash=digest)
                record["expired"] = late
            made.append((row, record, saved, errors))
    records = []
    with _Journal(out) as journal:
        for row, record, saved, errors in made:
            if saved is not None:
                try:
                    saved.result()
                except Exception as exc:  # a bug writing it too fails this row only
                    errors = _messages(exc) if isinstance(exc, HandoutsError) else [unexpected(exc)]
                    record |= dict(pages=None, bytes=None, content_hash="", expired=[])
                else:
                    record["status"] = "written"
                    journal.add({k: record[k] for k in FIELDS})
            if errors:  # leave no stale handout of this row to be printed
                with contextlib.suppress(OSError):
                    (out / record["file"]).unlink(missing_ok=True)
                record["file"] = ""
            records.append(record | {"errors": [scrub(m, row) for m in errors]})
    if journal.failed and records:  # said once, as a warning of this chunk
        records[0]["expired"] = [*records[0]["expired"], journal.failed]
    return records


class _Journal:
    """The batch journal, appended a line per file written, so a stopped run resumes. It
    only saves work: when it cannot be opened or written (a full disk), the handouts are
    written all the same and one warning says what is lost."""

    def __init__(self, out: Path):
        self.out, self.failed, self.file = out, "", None

    def __enter__(self) -> _Journal:
        try:
            self.file = _append(self.out / JOURNAL)
        except OSError as exc:
            self._fail(exc)
        return self

    def add(self, record: Record) -> None:
        if self.file is not None:
            try:
                self.file.write(json.dumps(record) + "\n")
            except OSError as exc:
                self._fail(exc)

    def __exit__(self, *exc: object) -> None:
        if self.file is not None:
            try:
                self.file.close()  # flushes what is buffered
            except OSError as err:
                self._fail(err)

    def _fail(self, exc: OSError) -> None:
        if self.file is not None:
            with contextlib.suppress(OSError):
                self.file.close()
            self.file = None
        self.failed = self.failed or _no_journal(self.out, exc.strerror or str(exc))


def _no_journal(out: Path, why: str) -> str:
    return (
        f"cannot write the batch journal {out / JOURNAL} ({why}): the handouts are written, "
        "but a run stopped now would make them all again"
    )


def _mail(
    args: BatchJob,
    lib: Library,
    brand: Brand,
    listed: ClinicList,
    records: dict[int, Record],
    key: bytes,
    progress: Progress,
) -> None:
    """E-mail each written (or unchanged) handout whose row has an address, once; say how
    each went in the manifest (``email``), and rewrite it. A handout is read when its
    message is made, so a long list never holds them all."""

    def letters() -> Iterator[Letter]:
        for row in listed.rows:
            record = records[row.number]
            if not row.email:
                record["email"] = "no address"
                continue
            if record["status"] not in DONE:
                record["email"] = "not sent: no handout"
                continue
            req = Request(language=row.language)
            try:
                pdf = _read(inside(args.out, record["file"]))
                words_lib = in_language(lib, brand, req)
            except (OSError, HandoutsError) as exc:
                record["email"] = f"failed: {exc}"
                continue
            yield Letter(row.id, row.stem, row.email, pdf, row.pdf_password, words_lib,
                         brand_in(brand, req), record["content_hash"] or "",
                         record["status"] == "written")  # fmt: skip

    numbers = {row.id: row.number for row in listed.rows}
    sender = args.sender or ""
    if brand.spec.email_name is None and any(row.email for row in listed.rows):
        progress.say(f"handouts: warning: {NO_EMAIL_NAME}")
    try:
        with _sigterm_raises():  # stopped: the manifest still says what went
            for letter, outcome in deliver(letters(), args.out, key, args.smtp, sender,
                                           (_read, _append)):  # fmt: skip
                said = f"{outcome.status}: {outcome.why}" if outcome.why else outcome.status
                records[numbers[letter.id]]["email"] = said
                if outcome.status in ALARMING:
                    more = UNCONFIRMED_WHY if "unconfirmed" in outcome.status else ""
                    number = numbers[letter.id]
                    progress.say(f"row {number} (id {letter.id}): e-mail {said}{more}")
    finally:
        _write_manifest(args.out, listed, records, args.mode)


ALARMING = (FAILED, UNCONFIRMED, EARLIER[UNCONFIRMED], OLDER)
"""How a message ended that the clinic must act on: each said on its row's line, and the
exit code is 1 (a message left unconfirmed is said on every rerun, until the clinic
sends it from a new folder)."""
MAIL_ORDER = ["sent", "queued", "sent earlier", "queued earlier", FAILED, UNCONFIRMED,
              "unconfirmed earlier", "not sent", "no address"]  # fmt: skip
"""The order the summary gives how messages ended."""


def _messages(exc: HandoutsError) -> list[str]:
    return [str(p) for p in (exc.problems if isinstance(exc, ProblemsError) else [exc])]


def _entry(row: Row, fingerprint: str, status: str, **more: Any) -> Record:
    """A row's manifest entry: ids only, never the patient's name, clinician or notes; ``file``
    is left blank when the row has none (failed, pending, skipped)."""
    return {
        "id": row.id, "file": f"{row.stem}.pdf", "conditions": ";".join(row.conditions),
        "pack": row.pack or "", "medicines": ";".join(row.medicines), "pages": None,
        "bytes": None, "content_hash": "", "input": fingerprint, "status": status,
        "email": "", "not_used": " | ".join(row.not_used),
    } | more  # fmt: skip


def scrub(message: str, row: Row) -> str:
    """A message with any personal detail of the row blanked out (e.g. from a library error)."""
    private = [row.name, row.clinician, row.notes, *(row.notes or "").splitlines()]
    for text in sorted({t.strip() for t in private if t and t.strip()}, key=len, reverse=True):
        message = message.replace(text, "[…]")
    return message


def _inputs(args: BatchJob, brand: Brand, lib: Library) -> str:
    """A fingerprint of all but the row that goes into a PDF: files, version, expired content."""
    brand_file, code = args.brand or DEFAULT_BRAND, Path(__file__).parent.parent
    groups = [
        (args.content, args.content.rglob("*.yaml")),
        (brand_file.parent, [brand_file, *([brand.logo_path] if brand.logo_path else [])]),
        (code, [p for p in code.rglob("*.py") if "data" not in p.relative_to(code).parts]),
        (paths.FONTS, paths.FONTS.glob("*.ttf")),
        (words.LOCALE, words.LOCALE.rglob("*.po")),  # the words around the content
    ]
    h = hashlib.sha256()
    for n, (folder, files) in enumerate(groups):
        for path in sorted(files):
            try:
                data = path.read_bytes()
            except OSError as exc:  # e.g. removed since it was loaded: rendered again next time
                data = repr(exc).encode()
            h.update(f"{n}:{os.path.relpath(path, folder)}:{len(data)}:".encode() + data)
    # content past review today, or awaiting sign-off: when this or what is allowed
    # changes, every row is checked again
    late, drafts = set(), set()
    for file, path in lib.review_at.values():
        review = functools.reduce(operator.getitem, path, lib.docs[file].data)
        due = review.get("next_review")
        if isinstance(due, dt.date) and due < args.allow.day():
            late.add(f"{file}:{path}")
        if review.get("draft") is True:
            drafts.add(f"{file}:{path}")
    allowed = [args.allow.expired, args.allow.draft] if late or drafts else None
    h.update(json.dumps([__version__, sorted(late), sorted(drafts), allowed]).encode())
    return h.hexdigest()


def _nofollow(path: Path, flags: int) -> int:
    """A file descriptor for ``path``, a plain file with one name, never through a link: a
    link planted at a control file's name would make the batch read or write a file outside
    the folder, and a pipe would make it wait for ever. Opened private."""
    extra = getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    fd = os.open(path, flags | extra | getattr(os, "O_NONBLOCK", 0), 0o600)
    try:
        problem = _not_plain(os.fstat(fd))
        if problem:
            raise OSError(f"{path.name} {problem}")
        if os.name == "posix" and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return fd
    except BaseException:
        os.close(fd)
        raise


def _permit(path: Path, mode: int) -> None:
    """Give the handout ``path`` this run's ``mode`` through a descriptor that never
    follows a link (a link swapped in would pass the mode to its target)."""
    fd = _nofollow(path, os.O_RDONLY)
    try:
        permit(fd, mode)
    finally:
        os.close(fd)


def _not_plain(found: os.stat_result) -> str:
    """What makes a control file not the batch's own: a link, not a file, another name."""
    if stat.S_ISLNK(found.st_mode):
        return "is a link"
    if not stat.S_ISREG(found.st_mode):
        return "is not a plain file"
    if found.st_nlink > 1:
        return "has another name (a hard link)"
    return ""


def _read(path: Path) -> bytes:
    with os.fdopen(_nofollow(path, os.O_RDONLY), "rb") as f:
        return f.read()


def _append(path: Path) -> Any:
    fd = _nofollow(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    return os.fdopen(fd, "a", encoding="utf-8")


@contextlib.contextmanager
def _locked(out: Path, wait: bool, progress: Progress) -> Iterator[None]:
    """The output folder, for this run alone: a second batch into it is refused (or waits).

    Refuses a folder whose control files are links."""
    wrong = []
    for name in CONTROL:
        with contextlib.suppress(FileNotFoundError):
            problem = _not_plain(os.lstat(out / name))
            if problem:
                wrong.append(f"{name} {problem}")
    if wrong:
        raise HandoutsError(
            f"cannot use the output folder {out}: {'; '.join(wrong)}, not the batch's own "
            "file; remove it, or use another folder"
        )
    try:
        fd = _nofollow(out / LOCK, os.O_RDWR | os.O_CREAT)
    except OSError as exc:
        raise HandoutsError(f"cannot use the output folder {out}: {exc.strerror or exc}") from None
    try:
        if not _lock(fd, wait=False):
            if not wait:
                raise HandoutsError(
                    f"another batch is writing into {out}; wait for it to finish (or pass "
                    "--wait), or use another folder"
                )
            progress.say(f"handouts: waiting for another batch to finish writing into {out}")
            _lock(fd, wait=True)
        yield
    finally:
        os.close(fd)  # and with it the lock


def _lock(fd: int, wait: bool) -> bool:
    """Lock the open file ``fd``: True once locked, False if another holds it (no wait)."""
    try:
        import fcntl
    except ImportError:  # Windows: LK_LOCK gives up after 10 s, so wait by trying again
        import msvcrt

        while True:
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)  # type: ignore[attr-defined]
            except OSError:
                if not wait:
                    return False
                time.sleep(0.5)
            else:
                return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


KEY_LOST = (
    "{key} is missing or damaged, and the folder's mail journal is keyed by it: made anew, "
    "every message would be sent again. Put the key back (from a backup or copy of the "
    "folder), or use a new output folder"
)


def _key(out: Path) -> bytes:
    """The output folder's fingerprint key, made on first use; a key an older version
    left readable by others is made private. Not made again where the folder's mail
    journal is keyed by it: each message would be sent again (red team)."""
    with contextlib.suppress(OSError, ValueError):
        fd = _nofollow(out / KEY, os.O_RDONLY)
        with os.fdopen(fd, "rb") as f:
            if os.name == "posix" and os.fstat(fd).st_mode & 0o077:
                os.fchmod(fd, 0o600)
            key = bytes.fromhex(f.read().decode("ascii").strip())
            if len(key) == 32:
                return key
    with contextlib.suppress(OSError):  # a journal with nothing in it has mailed nothing
        if os.lstat(out / MAIL_JOURNAL).st_size:
            raise HandoutsError(KEY_LOST.format(key=out / KEY))
    key = secrets.token_bytes(32)
    write_atomic(out / KEY, key.hex().encode())
    return key


def _earlier(out: Path) -> dict[str, Record]:
    """Files an earlier run wrote, by id: the manifest, then the journal (later lines win)."""
    found: list[Any] = []
    with contextlib.suppress(OSError, ValueError):
        manifest = json.loads(_read(out / "manifest.json").decode("utf-8"))
        found += manifest.get("rows", []) if isinstance(manifest, dict) else []
    with contextlib.suppress(OSError):
        for line in _read(out / JOURNAL).decode("utf-8", errors="replace").splitlines():
            with contextlib.suppress(ValueError):  # e.g. a last line cut short by a kill
                found.append(json.loads(line))
    ok = [r for r in found if isinstance(r, dict) and r.get("status") in DONE]
    return {r["id"]: r for r in ok if isinstance(r.get("id"), str)}


def _digest(key: bytes, pdf: bytes) -> str:
    """The PDF's content hash, keyed with the folder's key: it tells when a handout changed,
    but, unlike a plain hash of these reproducible files, cannot confirm a guessed name."""
    return hmac.new(key, pdf, "sha256").hexdigest()


def _intact(path: Path, old: Record) -> bool:
    """Whether ``path`` is still the file an earlier run wrote."""
    try:
        found = os.lstat(path)
        if path.name != old.get("file") or _not_plain(found) or found.st_size != old.get("bytes"):
            return False
        return _digest(_key(path.parent), path.read_bytes()) == old.get("content_hash")
    except OSError:
        return False


def _clean(out: Path) -> None:
    """Remove temporary files a killed run left (write_atomic names them ``.NAME.XXXX.tmp``)."""
    for path in itertools.chain.from_iterable(out.glob(pattern) for pattern in STALE):
        path.unlink(missing_ok=True)


def _write_manifest(out: Path, listed: ClinicList, records: dict[int, Record], mode: int) -> None:
    rows = [records[n] for n in sorted(records)]
    count = Counter(r["status"] for r in rows)
    # a list whose file name is not UTF-8 (a disk from another system) is named readably
    name = Path(listed.file).name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
    head = {"list": name, "rows_total": len(rows)}
    data = head | {status: count[status] for status in STATUSES} | {"rows": rows}
    text = io.StringIO()
    writer = csv.DictWriter(text, FIELDS)
    writer.writeheader()
    for row in rows:  # an id starting =, +, - or @ is not a formula when opened in Excel
        unsafe = row["id"].startswith(("=", "+", "-", "@", "\t", "\r"))
        writer.writerow(row | {"id": f"'{row['id']}" if unsafe else row["id"]})
    manifest = json.dumps(data, indent=2, ensure_ascii=False).encode()
    write_atomic(out / "manifest.json", manifest, mode)
    write_atomic(out / "manifest.csv", text.getvalue().encode("utf-8-sig"), mode)  # BOM: Excel


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """SIGTERM stops the batch like Ctrl-C (KeyboardInterrupt) while it runs."""

    def stop(signum: int, frame: Any) -> None:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)  # once: let the clean-up finish
        raise KeyboardInterrupt

    main = threading.current_thread() is threading.main_thread()  # only it may set handlers
    before = signal.signal(signal.SIGTERM, stop) if main else None
    try:
        yield
    finally:
        if main:
            signal.signal(signal.SIGTERM, before)
