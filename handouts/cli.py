"""The command line. ``main()`` is the one place errors are caught and reported."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import getpass
import os
import secrets
import signal
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

from handouts import paths, pipeline
from handouts.content import language, translations
from handouts.content.brand import Brand
from handouts.content.language import CONTENT_LANGUAGES
from handouts.content.model import Library, Patient, PlanFields
from handouts.delivery.email import (
    FAILED,
    NO_EMAIL_NAME,
    SENT,
    UNCONFIRMED,
    UNCONFIRMED_WHY,
    Sending,
    smtp_settings,
    with_sender,
)
from handouts.delivery.files import Written, default_run, write_one
from handouts.delivery.mailing import Letter, message, to_outbox
from handouts.delivery.write import (
    GROUP_CLOSED,
    GROUP_READABLE,
    PRIVATE,
    closed_to_group,
    write_atomic,
)
from handouts.document.request import DEFAULT_FORMAT, FULL, Allow, Request
from handouts.errors import HandoutsError, PatientError, Problem, UsageError, unexpected
from handouts.intake import plan
from handouts.intake.clinic_list import iso_date
from handouts.intake.fhir import Record, one_record
from handouts.intake.fhir import lines as fhir_lines
from handouts.intake.patient import (
    LIMITS,
    check_details,
    email_problem,
    nfc,
    password_problem,
    personal,
    resolve_conditions,
    resolve_medicines,
)

DEFAULT_CONTENT = paths.CONTENT
DEFAULT_PATIENT = paths.PATIENT

COMMANDS = ("generate", "build", "email", "pack", "batch", "check", "translate", "serve", "site")


T = TypeVar("T")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content folder")
    p.add_argument("--brand", type=Path, help="clinic brand YAML (default: the example brand)")
    p.add_argument(
        "--group-readable",
        action="store_true",
        help="let the owner's group read the PDFs and manifests (default: the owner only)",
    )
    p.add_argument("--verbose", action="store_true", help="show a traceback on errors")


def parser() -> argparse.ArgumentParser:
    top = argparse.ArgumentParser(
        prog="handouts",
        description="Print patient handouts from YAML content. "
        "With no command, builds the default handouts (same as 'handouts generate').",
    )
    sub = top.add_subparsers(dest="command", metavar="COMMAND")
    gen = sub.add_parser("generate", help="build the default handouts into a folder")
    _common(gen)
    gen.add_argument("--out", type=Path, default=Path("out"), help="output folder (default: out)")
    who = gen.add_mutually_exclusive_group()
    who.add_argument(
        "--patient-file",
        type=Path,
        default=DEFAULT_PATIENT,
        help="YAML with name, clinician, date and notes (default: the example patient)",
    )
    who.add_argument("--no-patient", action="store_true", help="print no personal details")
    gen.add_argument("--language", metavar="CODE", help="document language, e.g. es or en-GB")
    _expired(gen)

    one = sub.add_parser("build", help="build one handout for one patient")
    _handout(one)
    _personal(one)
    mail = sub.add_parser("email", help="e-mail one patient their handout (outbox or SMTP)")
    _handout(mail)
    _personal(mail, out_required=False)
    mail.add_argument(
        "--to", metavar="ADDRESS", help="the patient's e-mail address (default: the FHIR record's)"
    )
    mail.add_argument(
        "--encrypt",
        action="store_true",
        help="lock the PDF with a password (asked for, not typed on the command line; AES-256)",
    )
    mail.add_argument(
        "--outbox",
        type=Path,
        default=Path("out/outbox"),
        metavar="DIR",
        help="where the .eml file goes unless --send (default: out/outbox)",
    )
    _mailing(mail)

    pack = sub.add_parser("pack", help="build a pack of handouts (content/packs/NAME.yaml)")
    pack.add_argument("name", metavar="NAME", help="the pack's id, e.g. migraine-autoimmune-clinic")
    _common(pack)
    _personal(pack)

    many = sub.add_parser("batch", help="build a handout or pack for every row of a clinic list")
    many.add_argument(
        "list",
        type=Path,
        metavar="LIST",
        help="the clinic list (.csv or .yaml), "
        "or FHIR records: Bundles (.json), a Bulk Data export (.ndjson), or a "
        "folder of them",
    )
    _common(many)
    many.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    many.add_argument(
        "--email",
        action="store_true",
        help="e-mail each handout to its row's "
        "address (into DIR/outbox/, or through SMTP with --send)",
    )
    _mailing(many)
    many.add_argument(
        "--skip-invalid", action="store_true", help="build the good rows; report the bad ones"
    )
    many.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="processes to use (default: all cores)",
    )
    many.add_argument("--date", type=_date, help="date to print on every handout, YYYY-MM-DD")
    many.add_argument(
        "--wait",
        action="store_true",
        help="if another batch is writing into the same folder, wait for it (default: refuse)",
    )
    _expired(many)

    chk = sub.add_parser(
        "check", help="check content: sources, currency, plain language, reading level"
    )
    chk.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content folder")
    chk.add_argument("--strict", action="store_true", help="warnings fail too (exit 1)")
    chk.add_argument("--json", action="store_true", help="print the findings as JSON")
    chk.add_argument(
        "--language",
        metavar="CODE",
        help="check the content's translation into this language (e.g. es) instead",
    )
    _today(chk)
    chk.add_argument("--verbose", action="store_true", help="show a traceback on errors")

    tr = sub.add_parser(
        "translate",
        help="add new content to a language's catalogues, mark changed English as stale",
    )
    tr.add_argument("language", metavar="CODE", help="the language, e.g. es")
    tr.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content folder")

    site = sub.add_parser(
        "site", help="write the online versions the QR codes point to, as a static website"
    )
    site.add_argument("--out", type=Path, required=True, metavar="DIR", help="output folder")
    site.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content folder")
    site.add_argument("--brand", type=Path, help="clinic brand YAML (default: the example brand)")
    _expired(site)
    site.add_argument("--verbose", action="store_true", help="show a traceback on errors")

    web = sub.add_parser("serve", help="serve the clinicians' web page (default 127.0.0.1:8000)")
    web.add_argument("--host", default="127.0.0.1", help="address to listen on (default: "
                     "127.0.0.1, this machine only; any other needs an access token)")  # fmt: skip
    web.add_argument("--port", type=_port, default=8000, help="port (default: 8000)")
    web.add_argument("--workers", type=_jobs, default=None, metavar="N",
                     help="worker processes, each making one handout at a time "
                     "(default: all cores)")  # fmt: skip
    web.add_argument("--content", type=Path, default=DEFAULT_CONTENT, help="content folder")
    web.add_argument("--brand", type=Path, help="clinic brand YAML (default: the example brand)")
    web.add_argument("--token-file", type=Path, metavar="FILE",
                     help="the access token, on the file's first line (default: the "
                     "HANDOUTS_TOKEN environment variable)")  # fmt: skip
    web.add_argument("--allowed-host", action="append", default=[], type=_host_name,
                     metavar="NAME", dest="allowed_hosts",
                     help="a name the page also answers at, such as the one the clinic's "
                     "proxy passes on (again for more; served on this machine, the page "
                     "answers only at localhost, 127.0.0.1, [::1] and these; served beyond "
                     "it, the access token guards it, at any name)")  # fmt: skip
    _today(web)
    web.add_argument("--verbose", action="store_true", help="show a traceback on errors")
    return top


PLAN_OPTIONS = (
    ("attack_medicine", "TEXT", "in an attack: which medicine and dose"),
    ("attack_when", "TEXT", "in an attack: when to take it"),
    ("attack_repeat", "TEXT", "in an attack: when a second dose is allowed"),
    ("attack_limit", "TEXT", "in an attack: the most in a day"),
    ("attack_add", "TEXT", "in an attack: what to add or do as well"),
    ("daily_medicine", "TEXT", "every day: a preventive medicine and dose"),
    ("daily_how", "TEXT", "every day: how and when to take it"),
    ("move_what", "TEXT", "movement: what to do, e.g. walking"),
    ("move_how_long", "TEXT", "movement: how long each time"),
    ("move_how_often", "TEXT", "movement: how often"),
    ("move_build_up", "TEXT", "movement: how to build up"),
    ("calming", "ID", "a calming practice (content/calming.yaml), printed in numbered steps"),
    ("next_visit", "TEXT", "the next appointment, as you write it"),
)
"""The visit handout's plan fields as options (``--attack-medicine``): the clinic-list
column of the same name (:data:`handouts.intake.plan.COLUMNS`)."""


def _handout(one: argparse.ArgumentParser) -> None:
    """What one handout is about: conditions or a FHIR record, title, format, plan."""
    _common(one)
    what = one.add_mutually_exclusive_group(required=True)
    what.add_argument(
        "--conditions",
        nargs="+",
        metavar="ID_OR_ICD10",
        help="condition ids or ICD-10 codes, e.g. migraine M32.9",
    )
    what.add_argument(
        "--fhir",
        type=Path,
        metavar="FILE",
        help="a FHIR R4 Bundle (.json) for "
        "one patient: name, language, e-mail, conditions and medicines from it",
    )
    one.add_argument("--title", help="title to print (default: the condition names)")
    one.add_argument("--diary", action="store_true", help="add the headache and pain diary page")
    shape = one.add_mutually_exclusive_group()
    shape.add_argument(
        "--visit",
        dest="format",
        action="store_const",
        const="visit",
        help="the visit handout: both sides of one sheet (of two where what is never left "
        "out needs them), with the patient's plan",
    )
    shape.add_argument(
        "--full",
        dest="format",
        action="store_const",
        const="full",
        help="the full booklet: every section and every medicine's card",
    )
    _plan(one)


def _mailing(p: argparse.ArgumentParser) -> None:
    """How messages leave: an outbox (the default) or the clinic's SMTP server."""
    p.add_argument(
        "--send",
        action="store_true",
        help="send through the clinic's SMTP server "
        "(settings from --smtp-config or HANDOUTS_SMTP_* variables)",
    )
    p.add_argument(
        "--smtp-config",
        type=Path,
        metavar="FILE",
        help="SMTP settings (YAML: host, "
        "port, security, username, password, from); keep it private",
    )
    p.add_argument(
        "--from",
        dest="sender",
        metavar="ADDRESS",
        help="the From address of outbox messages (default: HANDOUTS_SMTP_FROM)",
    )


def _plan(p: argparse.ArgumentParser) -> None:
    plan = p.add_argument_group("the visit handout's plan (each option fills one slot)")
    plan.add_argument("--plan", type=Path, metavar="FILE", help="a plan file (YAML)")
    plan.add_argument("--plan-template", metavar="ID", help="a plan template (content/plans/)")
    for name, meta, said in PLAN_OPTIONS:
        plan.add_argument(f"--{name.replace('_', '-')}", dest=name, metavar=meta, help=said)


def _personal(p: argparse.ArgumentParser, out_required: bool = True) -> None:
    """The options a one-patient handout and a pack share."""
    p.add_argument(
        "--medicines",
        nargs="+",
        default=[],
        metavar="ID_OR_NAME",
        help="the patient's medicines, e.g. sumatriptan duloxetine (narrows the medicine list)",
    )
    p.add_argument("--patient", metavar="NAME", help="patient name to print")
    p.add_argument("--clinician", metavar="NAME", help="clinician name to print")
    p.add_argument("--date", type=_date, help="date to print, YYYY-MM-DD")
    notes = p.add_mutually_exclusive_group()
    notes.add_argument("--notes", metavar="TEXT", help="clinician's notes, printed as written")
    notes.add_argument("--notes-file", type=Path, metavar="FILE", help="read the notes from FILE")
    p.add_argument("--paper", choices=("letter", "a4"), help="paper size (default: the brand's)")
    p.add_argument("--large-print", action="store_true", help="large print: 18 pt text, re-flowed")
    p.add_argument("--language", metavar="CODE", help="document language, e.g. en-GB")
    _expired(p)
    p.add_argument(
        "--out",
        type=Path,
        required=out_required,
        metavar="FILE.pdf",
        help="output file" if out_required else "also save the PDF here",
    )


def _port(value: str) -> int:
    if not value.isdigit() or not 1 <= int(value) <= 65535:
        raise argparse.ArgumentTypeError(f"expected a port from 1 to 65535, got '{value}'")
    return int(value)


def _host_name(value: str) -> str:
    from handouts.web.serve import allowed_name

    try:
        return allowed_name(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _jobs(value: str) -> int:
    if not value.isdigit() or int(value) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of 1 or more, got '{value}'")
    return int(value)


def _expired(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--allow-expired",
        action="store_true",
        help="print content that is past its review date (with a warning)",
    )
    p.add_argument(
        "--allow-draft",
        action="store_true",
        help="print content that still needs clinical sign-off, marked as a draft on every page",
    )
    _today(p)


def _today(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--today",
        type=_date,
        metavar="YYYY-MM-DD",
        help="check review dates as of this day (default: today)",
    )


def _mode(args: argparse.Namespace) -> int:
    return GROUP_READABLE if args.group_readable else PRIVATE


def allowed(args: argparse.Namespace) -> Allow:
    return Allow(expired=args.allow_expired, draft=args.allow_draft, today=args.today)


def _date(value: str) -> dt.date:
    try:
        return iso_date(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a date like 2026-11-21, got '{value}'"
        ) from None


def _report(w: Written) -> None:
    print(f"wrote {w.path} ({w.pages} page{'s' if w.pages != 1 else ''}, {w.size / 1024:.0f} KB)")


def _translated_into(value: str, must_have_content: bool) -> str:
    """The language a translation is in, as its catalogues' folder is named (``es`` for
    ``ES``, ``es-MX`` or ``es_419``); "" for English (the content as written). Refuses
    what is not a language tag, and (``must_have_content``) a language with no content."""
    tag = language.canonical(value)
    if tag is None:
        raise UsageError(language.problem(value) or language.EXPECTED)
    if must_have_content:
        language.check(tag)
    code = language.base(tag)
    if code == "en" and not must_have_content:
        raise UsageError("the content is written in English: translate it into another language")
    return "" if code == "en" else code


def run(argv: Sequence[str]) -> int:
    argv = list(argv)
    if not argv or argv[0] not in (*COMMANDS, "-h", "--help"):
        argv.insert(0, "generate")
    args = parser().parse_args(argv)
    if args.command == "translate":
        args.language = _translated_into(args.language, must_have_content=False)
        total, new, stale = translations.update(args.content, args.language)
        print(f"{args.language}: {total} units; {new} new (untranslated), {stale} newly stale; "
              f"catalogues in {args.content / 'locale' / args.language}")  # fmt: skip
        return 0
    if args.command == "check" and args.language and _translated_into(args.language, True):
        from handouts.quality.translated import check_language  # (only for this command)

        base = _translated_into(args.language, True)
        report = check_language(args.content, pipeline.PRINTER, base, args.strict)
        print(report.json() if args.json else report.text())
        return report.exit_code
    if args.command == "check":
        from handouts.quality.check import check

        report = check(args.content, pipeline.PRINTER, args.strict, args.today)
        print(report.json() if args.json else report.text())
        return report.exit_code
    if args.command == "serve":
        from handouts.web.serve import serve

        workers = args.workers or os.cpu_count() or 1
        serve(args.host, args.port, workers, args.content, args.brand, args.token_file, args.today,
              args.allowed_hosts)  # fmt: skip
        return 0
    if args.command == "site":
        from handouts.delivery.site import write_site

        lib, brand = pipeline.load_inputs(args.content, args.brand)
        done = write_site(lib, brand, args.out, allowed(args))
        _warn_allowed([done])
        each = len(done.indexes)
        print(f"wrote {done.pages} pages in {each} languages, and an index for each, into "
              f"{args.out}/ (open {' or '.join(str(i) for i in done.indexes)})")  # fmt: skip
        if done.drafts:
            print(f"handouts: {done.drafts} pages use content that still needs clinical sign-off "
                  "and were not written (--allow-draft writes them, marked as drafts)",
                  file=sys.stderr)  # fmt: skip
        return 0
    if args.command == "generate":
        patient_file = None if args.no_patient else args.patient_file
        language.check(args.language)
        written = default_run(
            args.content,
            args.brand,
            args.out,
            patient_file,
            allowed(args),
            _mode(args),
            args.language,
        )
        _warn_allowed(written)
        _warn_closed(args, args.out)
        for w in written:
            _report(w)
        print(f"{len(written)} handouts in {args.out}/")
        return 0
    if args.command == "batch":
        from handouts.delivery.batch import BatchJob, rows, run_batch

        if (args.send or args.smtp_config) and not args.email:
            raise UsageError("--send and --smtp-config are for --email")
        if args.smtp_config and not args.send:
            raise UsageError("--smtp-config is for --send")
        job = BatchJob(
            args.list,
            args.out,
            args.content,
            args.brand,
            args.jobs,
            args.skip_invalid,
            args.date,
            allowed(args),
            args.wait,
            _mode(args),
            args.email,
            smtp_settings(args.smtp_config) if args.send else None,
            args.sender,
        )
        done = run_batch(job, TerminalProgress())
        if not done.rows:
            print(f"no rows in {args.list}")
            return 0
        print(
            f"{rows(done.rows)}: {done.written} written, {done.unchanged} unchanged, "
            f"{done.skipped} skipped (invalid), {done.failed} failed in {done.seconds:.1f} s "
            f"({done.rows / done.seconds:.0f} rows/s)"
        )
        print(f"PDFs in {args.out}; manifest: {args.out / 'manifest.csv'}, "
              f"{args.out / 'manifest.json'}")  # fmt: skip
        if done.longer:
            print(f"handouts: note: {pipeline.past_a_sheet_rows(done.longer)}", file=sys.stderr)
        if done.emails:
            ways = ", ".join(f"{n} {how}" for how, n in done.emails)
            where = "" if args.send else f"; messages to send in {args.out / 'outbox'}"
            print(f"e-mail: {ways}{where}")
        return done.exit_code
    if args.out is not None and args.out.suffix.lower() != ".pdf":
        raise UsageError(f"--out must name a .pdf file, got '{args.out}'")
    language.check(args.language)
    lib, brand = pipeline.load_inputs(args.content, args.brand)
    record = _record(args, lib)
    notes = args.notes
    if args.notes_file:
        try:
            notes = _read_notes(args.notes_file)
        except UnicodeDecodeError:
            raise UsageError(
                f"cannot read --notes-file {args.notes_file}: it is not UTF-8 text; save it "
                "as UTF-8"
            ) from None
        except OSError as exc:
            raise UsageError(
                f"cannot read --notes-file {args.notes_file}: {exc.strerror or exc}"
            ) from None
    name = record.row.name if record else args.patient
    patient = Patient(name, args.clinician, args.date, notes, tuple(args.medicines))
    typed = {"name": args.patient, "clinician": args.clinician, "notes": notes}
    typed |= {"title": args.title} if args.command != "pack" else {}
    # how the options go together is said first, as argparse says its own; then every
    # problem of what was typed, at once
    shape = _format(args) if args.command != "pack" else None
    problems: list[Problem] = []
    _gathered(problems, check_details, typed, "command line", pipeline.PRINTER)
    medicines = record.row.medicines if record else _gathered(
        problems, resolve_medicines, lib, patient.medicines, "--medicines", ""
    )  # fmt: skip
    conditions: tuple[str, ...] | None = ()
    the_plan: dict[str, object] | None = {}
    if args.command != "pack":
        conditions = record.row.conditions if record else _gathered(
            problems, resolve_conditions, lib, args.conditions
        )  # fmt: skip
        the_plan = _gathered(problems, _the_plan, args, lib)
    if problems:
        raise PatientError([_by_option(p, args) for p in problems])
    assert medicines is not None and conditions is not None and the_plan is not None
    who, notes = personal(patient)
    req = Request(
        medicines=medicines,
        notes=notes,
        personal=who,
        language=args.language or (record.row.language if record else None),
        paper=args.paper,
        large_print=args.large_print,
        allow=allowed(args),
    )
    if args.command == "pack":
        req = replace(req, pack=pipeline.find_pack(lib, args.name).id)
    else:
        # a blank title, spaces only too, is the condition names (red team: an empty line)
        title = nfc(args.title).strip() if args.title and args.title.strip() else None
        req = replace(req, conditions=conditions, title=title, diary=args.diary)
        req = replace(req, format=shape, **the_plan)
    if args.command == "email":
        return _email(args, lib, brand, req, record)
    written = write_one(lib, brand, req, args.out, _mode(args))
    _warn_allowed([written])
    _warn_closed(args, args.out.parent)
    _report(written)
    _note_pages(req, written.pages)
    return 0


def _note_pages(req: Request, pages: int) -> None:
    """Say so where a visit handout runs on past its sheet (:func:`pipeline.past_a_sheet`)."""
    if said := pipeline.past_a_sheet(req, pages):
        print(f"handouts: note: {said}", file=sys.stderr)


def _record(args: argparse.Namespace, lib: Library) -> Record | None:
    """The FHIR record of ``--fhir``, said on stderr (ids and codes, never a name)."""
    if not getattr(args, "fhir", None):
        return None
    given = [o for o, v in (("--patient", args.patient), ("--medicines", args.medicines)) if v]
    if given:
        verb, them = ("come", "them") if len(given) > 1 else ("comes", "it")
        raise UsageError(f"{' and '.join(given)} {verb} from the FHIR record: leave {them} out")
    record = one_record(args.fhir, lib, pipeline.PRINTER, CONTENT_LANGUAGES)
    for line in fhir_lines({record.row.id: record}):
        print(f"handouts: {line}", file=sys.stderr)
    return record


def _email(
    args: argparse.Namespace, lib: Library, brand: Brand, req: Request, record: Record | None
) -> int:
    """Make one handout and e-mail it: into the outbox, or through SMTP with --send."""
    to = args.to or (record.row.email if record else None)
    if not to:
        raise UsageError("no address: give --to ADDRESS (or a FHIR record with an e-mail)")
    if said := email_problem(to):
        raise UsageError(f"--to: {said}")
    if args.smtp_config and not args.send:
        raise UsageError("--smtp-config is for --send")
    smtp = smtp_settings(args.smtp_config) if args.send else None
    sender = with_sender(smtp, args.sender)
    password = _ask_password() if args.encrypt else None
    done = pipeline.make(lib, brand, req)
    if args.out is not None:
        write_atomic(args.out, done.pdf, _mode(args))
    words_lib, words_brand = pipeline.in_language(lib, brand, req), pipeline.brand_in(brand, req)
    letter = Letter("", "", to, done.pdf, password, words_lib, words_brand)
    msg = message(letter, sender)
    if brand.spec.email_name is None:
        print(f"handouts: warning: {NO_EMAIL_NAME}", file=sys.stderr)
    _warn_allowed([Written(args.out or Path(), done.pages, len(done.pdf), done.allowed)])
    _note_pages(req, done.pages)
    locked = ", locked" if password else ""
    if smtp is None:
        stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
        path = to_outbox(args.outbox, f"handout-{stamp}-{secrets.token_hex(3)}.eml", msg)
        print(f"wrote {path} ({done.pages} pages{locked}); send it from the clinic's mail system")
        return 0
    with Sending(smtp) as sending:
        why = sending.ready()
        status, why = (FAILED, why) if why else sending.send(msg, to)
    if status == UNCONFIRMED:
        raise HandoutsError(f"{why}{UNCONFIRMED_WHY} before sending it again")
    if status != SENT:
        raise HandoutsError(f"not sent: {why}")
    print(f"sent the handout ({done.pages} pages{locked}) through {smtp.host}")
    return 0


def _ask_password() -> str:
    """The PDF password, asked twice without echo (never an argument: it would be kept in
    the shell's history); read from standard input when it is not a terminal."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass("Password for the PDF: ")
        if getpass.getpass("The same again: ") != password:
            raise UsageError("the two passwords differ; nothing was sent")
    if said := password_problem(password):
        raise UsageError(f"--encrypt: {said}")
    return password


def _warn_closed(args: argparse.Namespace, folder: Path) -> None:
    """Warn when --group-readable files sit in a folder the group cannot open."""
    if _mode(args) != PRIVATE and closed_to_group(folder):
        print(f"handouts: warning: {GROUP_CLOSED.format(folder=folder)}", file=sys.stderr)


def _format(args: argparse.Namespace) -> str:
    """The visit handout unless --full, or --diary (the diary page is the booklet's)."""
    if args.diary and args.format == "visit":
        raise UsageError(
            "the diary page is part of the full booklet: use --full, or leave out --diary"
        )
    shape = args.format or (FULL if args.diary else DEFAULT_FORMAT)
    if shape == FULL and (args.plan or args.plan_template or _typed_plan(args)):
        raise UsageError(
            "a plan prints on the visit handout, not the full booklet: leave out --full "
            "and --diary, or the plan options"
        )
    return shape


def _typed_plan(args: argparse.Namespace) -> bool:
    return any(getattr(args, name) for name, _m, _h in PLAN_OPTIONS)


TYPED_OPTIONS = {"name": "--patient", "clinician": "--clinician", "notes": "--notes",
                 "title": "--title", "plan_template": "--plan-template"}  # fmt: skip
"""The option each detail typed on the command line came from, where it is not the
detail's own name with dashes (``attack_when``: ``--attack-when``)."""


def _by_option(problem: Problem, args: argparse.Namespace) -> Problem:
    """A problem of what was typed on the command line, said at the option it was typed
    in (``--attack-when: too long``), as the conditions' and medicines' are."""
    if problem.file != "command line" or not problem.path:
        return problem
    option = TYPED_OPTIONS.get(problem.path, f"--{problem.path.replace('_', '-')}")
    if problem.path == "notes" and getattr(args, "notes_file", None):
        option = "--notes-file"
    return Problem(option, None, "", problem.message)


def _gathered(problems: list[Problem], check: Callable[..., T], *args: Any) -> T | None:
    """What ``check`` gives, or None with its problems added to ``problems``."""
    try:
        return check(*args)
    except PatientError as exc:
        problems += exc.problems
        return None


def _the_plan(args: argparse.Namespace, lib: Library) -> dict[str, object]:
    """The plan from ``--plan FILE``, then each plan option over it. The file and the
    options are each checked, and each problem is reported against where it was written
    (a bad value in the file is refused even when an option replaces it; a file that
    cannot be read as a plan, with the options' problems too)."""
    own, template, problems = PlanFields(), None, []
    if args.plan:  # the file's problems are reported against the file
        try:
            own, template, places = plan.read_plan(args.plan, lib)
        except PatientError as exc:
            problems += exc.problems
        else:
            problems += plan.check_plan(own, template, str(args.plan), lib, pipeline.PRINTER,
                                        places)  # fmt: skip
    typed = plan.from_columns({name: getattr(args, name) for name, _m, _h in PLAN_OPTIONS})
    problems += plan.check_plan(typed, args.plan_template, "command line", lib, pipeline.PRINTER)
    if problems:
        raise PatientError(problems)
    return {"plan": plan.over(own, typed), "plan_template": args.plan_template or template}


def _read_notes(path: Path) -> str:
    """A notes file, read no further than four times the notes' limit and one character:
    a file like /dev/zero would otherwise fill the memory. The limit is counted once
    accents are joined to their letters (NFC joins at most three characters into one),
    so what is read holds more than the limit whenever the file does."""
    with path.open(encoding="utf-8-sig", newline="") as f:
        return f.read(4 * LIMITS["notes"] + 1)


def _warn_allowed(written: list[Written]) -> None:
    late = dict.fromkeys(p for w in written for p in w.allowed)
    for p in late:
        print(f"handouts: warning: {p}", file=sys.stderr)


def _verbose(argv: Sequence[str]) -> bool:
    """Whether ``--verbose`` was given, as argparse reads it (any prefix it accepts)."""
    return any(a.startswith("--ve") and "--verbose".startswith(a) for a in argv)


def main(argv: Sequence[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    try:
        return run(argv)
    except HandoutsError as exc:
        if _verbose(argv):
            raise
        print(f"handouts: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("handouts: interrupted; no partial files were left", file=sys.stderr)
        return 130
    except BrokenPipeError:  # what reads the output closed it (| head): not a bug
        with contextlib.suppress(OSError):  # nor may Python's own flush at exit say it is
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 128 + signal.SIGPIPE if hasattr(signal, "SIGPIPE") else 1
    except Exception as exc:  # a bug: said in a line, not a traceback that may quote a patient
        if _verbose(argv):
            raise
        print(f"handouts: error: {unexpected(exc)}", file=sys.stderr)
        return 1


class TerminalProgress:
    """A batch's progress on stderr: its lines, and on a terminal one redrawn line with a
    bar, rows done, rate and time left (:class:`handouts.delivery.batch.Progress`)."""

    def __init__(self) -> None:
        self.total = self.done = self.first = 0
        self.started = self.drawn = False
        self.start = self.last = 0.0
        self.shown = sys.stderr.isatty()

    def rows(self, done: int, total: int, force: bool = False) -> None:
        now = time.monotonic()
        self.total, self.done = total, done
        if not self.started:  # the rows done before this run (unchanged, skipped)
            self.started, self.first, self.start, self.last = True, done, now, now
            return
        if self.shown and (force or now - self.last >= 0.1 or self.done == self.total):
            rate = (self.done - self.first) / max(now - self.start, 1e-6)
            left, full = (self.total - self.done) / (rate or 1), 20 * self.done // self.total
            bar, count = "#" * full + "-" * (20 - full), f"{self.done:>{len(str(self.total))}}"
            line = f"[{bar}] {count}/{self.total}  {rate:.0f} rows/s  {left:.0f} s left"
            sys.stderr.write(f"\r{line}\x1b[K")
            sys.stderr.flush()
            self.last, self.drawn = now, True

    def say(self, line: str) -> None:
        """Print a line to stderr above the bar."""
        print(f"\r\x1b[K{line}" if self.drawn else line, file=sys.stderr)
        if self.drawn:
            self.rows(self.done, self.total, force=True)

    def end(self) -> None:
        if self.drawn:
            sys.stderr.write("\n")
            self.drawn = False


if __name__ == "__main__":
    sys.exit(main())
