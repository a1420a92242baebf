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

import os
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

import pikepdf

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
    from) and the environment (:data:`ENV`, which wins), every problem at once. A config
    file holding a password must be private (readable by its owner only)."""
    environ = os.environ if environ is None else environ
    values: dict[str, str] = {}
    problems: list[Problem] = []
    where = str(config) if config else "environment"
    if config is not None:
        doc = read(config)
        if isinstance(doc, Problem):
            raise SettingsError([doc])
        data = doc.data if isinstance(doc.data, dict) else None
        if data is None:
            raise SettingsError(
                [Problem(where, 1, "", "expected settings: host, port, security, from, ...")]
            )
        keys = {"host", "port", "security", "username", "password", "from"}
        for key, value in data.items():
            if key not in keys:
                problems.append(
                    Problem(
                        where,
                        doc.line((key,)),
                        str(key),
                        f"unknown setting; use {', '.join(sorted(keys))}",
                    )
                )
            elif value is not None:
                values["sender" if key == "from" else key] = str(value)
        if "password" in values and config.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
            problems.append(
                Problem(
                    where,
                    doc.line(("password",)),
                    "password",
                    f"the file holds a password but others can read it: chmod 600 {config}",
                )
            )
    for key, name in ENV.items():
        if environ.get(name):
            values[key] = environ[name]
    if not values.get("host"):
        problems.append(
            Problem(
                where, None, "host", f"no SMTP server: set host in the config file or {ENV['host']}"
            )
        )
    security = values.get("security", "starttls").lower()
    if security not in SECURITY:
        problems.append(Problem(where, None, "security", f"use {', '.join(SECURITY)}"))
    elif security == "none" and values.get("host", "").lower() not in LOCAL:
        problems.append(
            Problem(
                where,
                None,
                "security",
                "security none sends patients' "
                "handouts unprotected: it is allowed only to a server on this "
                "machine (localhost); use starttls or tls",
            )
        )
    port = values.get("port", str(PORTS.get(security, 587)))
    if not port.isdigit() or not 1 <= int(port) <= 65535:
        problems.append(Problem(where, None, "port", "expected a port from 1 to 65535"))
    sender = values.get("sender", "")
    if not sender:
        problems.append(
            Problem(
                where,
                None,
                "from",
                f"the address mail is sent from: set from in the config file or {ENV['sender']}",
            )
        )
    elif email_problem(sender):
        problems.append(
            Problem(where, None, "from", "not an e-mail address like clinic@example.org")
        )
    if bool(values.get("username")) != bool(values.get("password")):
        problems.append(
            Problem(where, None, "username", "give both a username and a password, or neither")
        )
    if problems:
        raise SettingsError(problems)
    return Smtp(
        values["host"], int(port), security, sender, values.get("username"), values.get("password")
    )


def encrypt(pdf: bytes, password: str) -> bytes:
    """``pdf`` locked with ``password`` (AES-256, PDF 2.0 security handler R6): it opens
    only with the password, and may then be printed but not changed."""
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
    ctx = fill_context(lib, brand, [], _)
    paragraphs = [fill(s.text, ctx) for s in wording.body]
    if locked:
        paragraphs += [fill(s.text, ctx) for s in wording.encrypted]
    paragraphs.append(fill(wording.sign_off.text, ctx))
    shown_as = brand.spec.email_name or brand.spec.clinic_name  # no health words
    outside = {**ctx, "clinic": {**ctx["clinic"], "name": shown_as}}
    msg = EmailMessage(policy=SMTP_POLICY)
    msg["Subject"] = fill(wording.subject.text, outside)
    msg["From"] = _from(shown_as, sender)
    msg["To"] = to
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=sender.rsplit("@", 1)[1])
    msg["Content-Language"] = lib.language
    msg.set_content("\n\n".join(paragraphs) + "\n")
    msg.add_attachment(pdf, maintype="application", subtype="pdf", filename=ATTACHMENT)
    return msg


def _from(name: str, address: str) -> str:
    local, domain = address.rsplit("@", 1)
    return str(Address(display_name=name, username=local, domain=domain))


class Sending:
    """One connection to the clinic's SMTP server, opened on the first message."""

    def __init__(self, smtp: Smtp):
        self.smtp = smtp
        self.connection: smtplib.SMTP | None = None

    def __enter__(self) -> Sending:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.connection is not None:
            try:
                self.connection.quit()
            except (smtplib.SMTPException, OSError):
                self.connection.close()
            self.connection = None

    def _open(self) -> smtplib.SMTP:
        s = self.smtp
        context = ssl.create_default_context()
        if s.security == "tls":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(s.host, s.port, timeout=TIMEOUT, context=context)
        else:
            conn = smtplib.SMTP(s.host, s.port, timeout=TIMEOUT)
            if s.security == "starttls":
                conn.starttls(context=context)
        if s.username and s.password:
            try:
                conn.login(s.username, s.password)
            except (smtplib.SMTPAuthenticationError, smtplib.SMTPServerDisconnected):
                # some servers hang up on a wrong password instead of saying so
                conn.close()
                raise HandoutsError(
                    f"the SMTP server {s.host} refused the username and password"
                ) from None
        return conn

    def send(self, msg: EmailMessage) -> str | None:
        """Send one message: None when the server took it, else why not, in our words
        (never the address). A broken connection is opened again once."""
        for attempt in (1, 2):
            try:
                if self.connection is None:
                    self.connection = self._open()
                refused = self.connection.send_message(msg)
                return "the server refused the address" if refused else None
            except smtplib.SMTPRecipientsRefused:
                return "the server refused the address"
            except smtplib.SMTPNotSupportedError:
                raise HandoutsError(
                    f"the SMTP server {self.smtp.host} does not offer STARTTLS: "
                    "use security tls, or ask the mail administrator"
                ) from None
            except ssl.SSLError as exc:
                raise HandoutsError(
                    f"cannot make a secure connection to {self.smtp.host}: "
                    f"{exc.reason or 'TLS failed'}"
                ) from None
            except smtplib.SMTPResponseException as exc:
                if 400 <= exc.smtp_code < 500 and attempt == 1:
                    self.__exit__()
                    continue
                return f"the server did not take the message (SMTP {exc.smtp_code})"
            except (TimeoutError, smtplib.SMTPServerDisconnected, ConnectionError) as exc:
                self.connection = None
                if attempt == 2:
                    return f"cannot reach the SMTP server {self.smtp.host} ({_why(exc)})"
            except OSError as exc:
                self.connection = None
                return f"cannot reach the SMTP server {self.smtp.host} ({_why(exc)})"
        return "the message could not be sent"


def _why(exc: BaseException) -> str:
    if isinstance(exc, TimeoutError):
        return "no answer"
    if isinstance(exc, ConnectionRefusedError):
        return "connection refused"
    return getattr(exc, "strerror", None) or type(exc).__name__


def with_sender(smtp: Smtp | None, sender: str | None) -> str:
    """The From address: the SMTP settings', else the one given for an outbox."""
    if smtp is not None:
        return smtp.sender
    if not sender:
        raise UsageError(
            f"an outbox message needs a From address: --from ADDRESS, or {ENV['sender']}"
        )
    return sender
