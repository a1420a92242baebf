"""Handouts out by e-mail: one message per patient, their handout attached.

The words come from content (``content/email.yaml``) in the patient's language, with the
clinic's name and phone; the subject says nothing about health. A handout may be
encrypted (AES-256, with pikepdf) with a password the clinic sets for that patient; the
body then says how to open it, and never holds the password.

Messages go to an outbox folder as ``.eml`` files (for the clinic's own mail system), or,
when asked, through the clinic's SMTP server (:class:`Smtp`): its settings come from
environment variables or a private config file, never the command line. Nothing here
logs or says a patient's name or address.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import smtplib
import ssl
import stat
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid
from io import BytesIO
from pathlib import Path

from handouts.content.brand import Brand
from handouts.content.load import read
from handouts.content.model import Library
from handouts.content.text import fill
from handouts.content.words import words
from handouts.document.assemble import fill_context
from handouts.errors import HandoutsError, Problem, SettingsError, UsageError
from handouts.intake.patient import email_problem

SECURITY = ("starttls", "tls", "none")
"""How the connection is protected: STARTTLS (usually port 587), implicit TLS (465), or
none, which is allowed only to a server on this machine (a relay, or a test server)."""
PORTS = {"starttls": 587, "tls": 465, "none": 25}
ENV = {
    "host": "HANDOUTS_SMTP_HOST",
    "port": "HANDOUTS_SMTP_PORT",
    "security": "HANDOUTS_SMTP_SECURITY",
    "username": "HANDOUTS_SMTP_USERNAME",
    "password": "HANDOUTS_SMTP_PASSWORD",
    "sender": "HANDOUTS_SMTP_FROM",
}
"""The environment variables that configure sending; each overrides the config file."""
LOCAL = ("localhost", "127.0.0.1", "::1")
ATTACHMENT = "handout.pdf"
"""The attachment's file name: the same for everyone, so it names no one."""
TIMEOUT = 30


@dataclass(frozen=True)
class Smtp:
    """Where and how to send: the clinic's SMTP server."""

    host: str
    port: int
    security: str
    sender: str
    username: str | None = None
    password: str | None = field(default=None, repr=False)  # never printed


def smtp_settings(config: Path | None, environ: Mapping[str, str] | None = None) -> Smtp:
    """The SMTP settings from ``config`` (YAML: host, port, security, username, password,
    from) and the environment (:data:`ENV`, which wins), every problem at once, each where
    its value was given. A config file holding a password must be private (readable by
    its owner only); a config file that is a link is refused."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    lines: dict[str, int | None] = {}
    problems: list[Problem] = []
    file = str(config) if config else "environment"
    if config is not None:
        if config.is_symlink():
            raise SettingsError(
                [Problem(file, None, "", "the settings file is a link: give the file itself")]
            )
        doc = read(config)
        if isinstance(doc, Problem):
            raise SettingsError([doc])
        if not isinstance(doc.data, dict):
            said = "expected settings: host, port, security, username, password, from"
            raise SettingsError([Problem(file, 1, "", said)])
        keys = ("from", "host", "password", "port", "security", "username")
        for key, value in doc.data.items():
            if key not in keys:
                said = f"unknown setting; use {', '.join(keys)}"
                problems.append(Problem(file, doc.line((key,)), str(key), said))
            elif value is not None:
                name = "sender" if key == "from" else key
                values[name], lines[name] = str(value), doc.line((key,))
        if "password" in values and config.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            said = f"the file holds a password but others can read it: chmod 600 {config}"
            problems.append(Problem(file, lines["password"], "password", said))
    for key, name in ENV.items():
        if environ.get(name):
            values[key], lines[key] = environ[name], None

    def bad(key: str, said: str) -> None:
        shown_as = "from" if key == "sender" else key
        if key in values and lines.get(key) is None:  # from the environment
            problems.append(Problem("environment", None, ENV[key], said))
        else:
            problems.append(Problem(file, lines.get(key), shown_as, said))

    if not values.get("host"):
        bad("host", f"no SMTP server: set host in a config file or {ENV['host']}")
    security = values.get("security", "starttls").lower()
    if security not in SECURITY:
        bad("security", f"use {', '.join(SECURITY)}")
    elif security == "none" and values.get("host", "").lower() not in LOCAL:
        bad(
            "security",
            "security none sends patients' handouts unprotected: it is allowed "
            "only to a server on this machine (localhost); use starttls or tls",
        )
    port = values.get("port", str(PORTS.get(security, 587)))
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        bad("port", "expected a port from 1 to 65535")
    sender = values.get("sender", "")
    if not sender:
        bad(
            "sender", f"the address mail is sent from: set from in a config file or {ENV['sender']}"
        )
    elif email_problem(sender):
        bad("sender", "not an e-mail address like clinic@example.org")
    if bool(values.get("username")) != bool(values.get("password")):
        bad("username", "give both a username and a password, or neither")
    if problems:
        raise SettingsError(problems)
    user, password = values.get("username"), values.get("password")
    return Smtp(values["host"], int(port), security, sender, user, password)


def encrypt(pdf: bytes, password: str) -> bytes:
    """``pdf`` locked with ``password`` (AES-256, PDF 2.0 security handler R6): it opens
    only with the password, and may then be printed but not changed."""
    import pikepdf  # imported only when a handout is locked: it is slow to import

    owner = secrets.token_urlsafe(32)  # no one needs to change a handout
    out = BytesIO()
    with pikepdf.open(BytesIO(pdf)) as doc:
        permissions = pikepdf.Permissions(
            modify_other=False, modify_annotation=False, modify_assembly=False, modify_form=False
        )
        doc.save(
            out,
            encryption=pikepdf.Encryption(
                user=password, owner=owner, R=6, aes=True, allow=permissions
            ),
        )
    return out.getvalue()


def compose(
    lib: Library,
    brand: Brand,
    to: str,
    pdf: bytes,
    sender: str,
    locked: bool,
) -> EmailMessage:
    """The message for one patient, in ``lib``'s language (the patient's): the subject and
    body from content/email.yaml, the handout attached (already encrypted when ``locked``)."""
    wording = lib.email
    if wording is None:
        raise HandoutsError("the content has no email.yaml: the words of the e-mail come from it")
    _ = words(lib.language)
    shown_as = brand.spec.email_name or brand.spec.clinic_name
    base = fill_context(lib, brand, [], _)
    # the e-mail name everywhere: a lock screen shows the subject and the first lines
    ctx = {**base, "clinic": {**base["clinic"], "name": shown_as}}
    paragraphs = [fill(s.text, ctx) for s in wording.body]
    if locked:
        paragraphs += [fill(s.text, ctx) for s in wording.encrypted]
    paragraphs.append(fill(wording.sign_off.text, ctx))
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = fill(wording.subject.text, ctx)
    msg["From"] = _from(shown_as, sender)
    local, domain = to.rsplit("@", 1)  # an Address, not text to be read as a header
    msg["To"] = Address(username=local, domain=domain)
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1])
    msg.set_content("\n\n".join(paragraphs) + "\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=ATTACHMENT)
    msg["Content-Language"] = lib.language  # last: the parts above move Content-* headers
    return msg


def _from(name: str, address: str) -> str:
    local, domain = address.rsplit("@", 1)
    return str(Address(display_name=name, username=local, domain=domain))


NO_EMAIL_NAME = (
    "the brand has no email_name, so subjects and senders show the clinic's full name, "
    "which may say more about the patient's health than they would like: set a neutral one"
)
UNCONFIRMED_WHY = "; it may have arrived, so it is not sent again: check the mail server's log"
SENT, FAILED, UNCONFIRMED = "sent", "failed", "unconfirmed"
"""How a message went: the server took it; it did not (tried again on a rerun); or the
connection was lost while the server had it (it may have arrived: never sent again)."""


class Sending:
    """One connection to the clinic's SMTP server, opened (and logged in) before the
    first message and checked before each one."""

    def __init__(self, smtp: Smtp):
        self.smtp = smtp
        self.connection: smtplib.SMTP | None = None
        self.down = ""  # why the server could not be reached, once it could not

    def __enter__(self) -> Sending:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def ready(self) -> str | None:
        """Connected and logged in: None, or why not (a server that cannot be reached: the
        message fails and is tried again on a rerun; the rest of this run fails at once,
        not after a timeout each). Settings the server refuses (the login, STARTTLS, its
        certificate) raise :class:`HandoutsError` at once."""
        if self.down:
            return self.down
        if self.connection is not None:
            try:
                if self.connection.noop()[0] == 250:
                    return None
            except (smtplib.SMTPException, OSError):
                pass
            self.connection.close()
            self.connection = None
        try:
            self.connection = self._open()
        except ssl.SSLError as exc:
            raise HandoutsError(
                f"cannot make a secure connection to {self.smtp.host}: {exc.reason or 'TLS failed'}"
            ) from None
        except smtplib.SMTPResponseException as exc:  # it answered, but no
            if exc.smtp_code < 0:  # not an SMTP answer at all
                raise HandoutsError(
                    f"the server at {self.smtp.host} port {self.smtp.port} does not answer as "
                    "an SMTP server: check the host and port"
                ) from None
            if not 400 <= exc.smtp_code < 500:  # for good (review: said as "not now")
                raise HandoutsError(
                    f"the SMTP server {self.smtp.host} refused to take mail (SMTP "
                    f"{exc.smtp_code}): check the settings, or ask the mail administrator"
                ) from None
            self.down = (  # not now (STARTTLS 454)
                f"the SMTP server {self.smtp.host} would not take mail now "
                f"(SMTP {exc.smtp_code}); tried again next run"
            )
            return self.down
        except (smtplib.SMTPException, OSError) as exc:
            self.down = f"cannot reach the SMTP server {self.smtp.host} ({_why(exc)})"
            return self.down
        return None

    def _open(self) -> smtplib.SMTP:
        s = self.smtp
        context = ssl.create_default_context()
        if s.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT, context=context)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
        try:
            if s.security == "starttls":
                try:
                    conn.starttls(context=context)
                except smtplib.SMTPNotSupportedError:
                    raise HandoutsError(
                        f"the SMTP server {s.host} does not offer STARTTLS: use "
                        "security tls, or ask the mail administrator"
                    ) from None
            if s.username and s.password:
                try:
                    conn.login(s.username, s.password)
                except smtplib.SMTPNotSupportedError:
                    raise HandoutsError(
                        f"the SMTP server {s.host} does not offer a login: leave "
                        "out the username and password, or ask the mail "
                        "administrator"
                    ) from None
                except (smtplib.SMTPAuthenticationError, smtplib.SMTPServerDisconnected):
                    # some servers hang up on a wrong password instead of saying so
                    raise HandoutsError(
                        f"the SMTP server {s.host} refused the username and password"
                    ) from None
        except BaseException:
            conn.close()
            raise
        return conn

    def send(self, msg: EmailMessage, to: str) -> tuple[str, str]:
        """Send one message on a :meth:`ready` connection, step by step so that what the
        server could not have kept is told apart from what it may have: (:data:`SENT`,
        ""); (:data:`FAILED`, why) when it refused the message, or the connection went
        before the message was given (tried again on a rerun); (:data:`UNCONFIRMED`, why)
        when it went while the server had the message (never tried again). Why is in
        our words, never the address. ``to``: the address as checked, given to the server
        as it is (not read back from the message's header)."""
        conn = self.connection
        assert conn is not None, "ready() first"
        data = msg.as_bytes(policy=SMTP_POLICY)
        try:
            conn.ehlo_or_helo_if_needed()
            options = [f"SIZE={len(data)}"] if conn.has_extn("size") else []
            code, _ = conn.mail(self.smtp.sender, options)
            if code == 250:
                code, _ = conn.rcpt(to)
                if code in (250, 251):
                    code = 0
            if code:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    conn.rset()
                if 500 <= code < 600 and code != 552:
                    return FAILED, f"the server refused the message or the address (SMTP {code})"
                return (
                    FAILED,
                    f"the server could not take it now (SMTP {code}); tried again next run",
                )
            conn.putcmd("data")
            code, _ = conn.getreply()
            if code != 354:
                with contextlib.suppress(smtplib.SMTPException, OSError):
                    conn.rset()
                return FAILED, f"the server did not take the message (SMTP {code})"
        except (smtplib.SMTPException, OSError) as exc:
            self._lost()
            return FAILED, f"the connection was lost before the message was given ({_why(exc)})"
        try:
            conn.send(_dot_stuffed(data))
            code, _ = conn.getreply()
        except (smtplib.SMTPException, OSError) as exc:
            self._lost()
            return UNCONFIRMED, f"the connection was lost while the server had it ({_why(exc)})"
        if code != 250:
            return FAILED, f"the server did not take the message (SMTP {code})"
        return SENT, ""

    def _lost(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def _dot_stuffed(data: bytes) -> bytes:
    """The message as SMTP's DATA carries it: a leading '.' doubled, ending in CRLF.CRLF."""
    data = re.sub(rb"\r\n|\n|\r(?!\n)", b"\r\n", data)
    data = re.sub(rb"(?m)^\.", b"..", data)
    if not data.endswith(b"\r\n"):
        data += b"\r\n"
    return data + b".\r\n"


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return getattr(exc, "strerror", None) or type(exc).__name__


def with_sender(smtp: Smtp | None, sender: str | None) -> str:
    """The From address: the SMTP settings', else the one given for an outbox (``--from``,
    else the environment's), checked."""
    if smtp is not None:
        if sender:
            raise UsageError(
                "--from is for the outbox: with --send, mail comes from the SMTP "
                f"settings' from (or {ENV['sender']})"
            )
        return smtp.sender
    sender = sender or os.environ.get(ENV["sender"])
    if not sender:
        raise UsageError(f"outbox messages need a From address: --from ADDRESS, or {ENV['sender']}")
    if email_problem(sender):
        raise UsageError("--from: not an e-mail address like clinic@example.org")
    return sender
