"""Handouts out by e-mail: an outbox of .eml files by default, or a real SMTP server
(aiosmtpd on 127.0.0.1) with --send; messages read back (headers, body, the attachment,
which decrypts with its password); nothing sent twice after a kill and a rerun."""

from __future__ import annotations

import email
import email.policy
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pikepdf
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.conftest import TODAY, pdf_text

ROOT = Path(__file__).parent.parent


class Inbox:
    """What the test server received: each message's envelope and bytes."""

    def __init__(self, slow_for: str | None = None) -> None:
        self.messages: list[tuple[list[str], bytes]] = []
        self.slow_for = slow_for
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        if self.slow_for and self.slow_for in envelope.rcpt_tos:
            time.sleep(3)  # the batch is killed while the server has this one
        return "250 OK"

    def to(self) -> list[str]:
        return [rcpt for rcpts, _ in self.messages for rcpt in rcpts]

    def parsed(self) -> list[email.message.EmailMessage]:
        return [email.message_from_bytes(raw, policy=email.policy.default)
                for _, raw in self.messages]  # fmt: skip


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server():
    made: list[Controller] = []

    def start(inbox: Inbox, **kwargs) -> int:
        port = free_port()
        controller = Controller(inbox, hostname="127.0.0.1", port=port, **kwargs)
        controller.start()
        made.append(controller)
        return port

    yield start
    for controller in made:
        controller.stop()


def smtp_env(monkeypatch, port: int) -> None:
    monkeypatch.setenv("HANDOUTS_SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("HANDOUTS_SMTP_PORT", str(port))
    monkeypatch.setenv("HANDOUTS_SMTP_SECURITY", "none")
    monkeypatch.setenv("HANDOUTS_SMTP_FROM", "clinic@riverside.example.org")


LIST = (
    "id,conditions,medicines,name,email,pdf_password,language\n"
    "E1,migraine;fibromyalgia,sumatriptan,Ana O'Brien,ana@example.org,,\n"
    "E2,rheumatoid-arthritis,methotrexate;naproxen,José Peña,jose@example.org,Secreto-42,es\n"
    "E3,lupus,,Sam Smith,,,\n"
)


def clinic_list(folder: Path, text: str = LIST) -> Path:
    path = folder / "clinic.csv"
    path.write_text(text, encoding="utf-8")
    return path


def mailing(tmp_path: Path, prefix: str, rows: int, port: int):
    """``handouts batch --email --send`` in its own process, on a list of ``rows`` rows
    (ids ``K1``…, addresses ``k1@example.org``… for prefix ``k``): the process, and the
    command and environment to run it again; and its output folder."""
    cells = "".join(f"{prefix.upper()}{n},migraine,,,{prefix}{n}@example.org,,\n"
                    for n in range(1, rows + 1))  # fmt: skip
    listed = clinic_list(tmp_path, LIST.splitlines(keepends=True)[0] + cells)
    env = os.environ | {
        "HANDOUTS_SMTP_HOST": "127.0.0.1", "HANDOUTS_SMTP_PORT": str(port),
        "HANDOUTS_SMTP_SECURITY": "none", "HANDOUTS_SMTP_FROM": "clinic@example.org",
    }  # fmt: skip
    out = tmp_path / "out"
    command = [sys.executable, "-m", "handouts", "batch", str(listed), "--out", str(out),
               "--email", "--send", "--jobs", "1", "--today", TODAY]  # fmt: skip
    proc = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)  # fmt: skip
    return proc, command, env, out


def until_held(inbox: Inbox, address: str) -> None:
    """Wait until the test server holds a message to ``address`` (it answers later)."""
    deadline = time.monotonic() + 120
    while address not in inbox.to() and time.monotonic() < deadline:
        time.sleep(0.02)


def attachment(msg: email.message.EmailMessage) -> bytes:
    (part,) = [p for p in msg.iter_attachments()]
    assert (part.get_content_type(), part.get_filename()) == ("application/pdf", "handout.pdf")
    return part.get_content()


def test_batch_email_sends_one_message_per_address_encrypted_when_asked_and_never_twice(
    cli, server, monkeypatch, tmp_path
):
    inbox = Inbox()
    smtp_env(monkeypatch, server(inbox))
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1] == "e-mail: 2 sent, 1 no address"
    assert sorted(inbox.to()) == ["ana@example.org", "jose@example.org"]
    by_to = {m["To"]: m for m in inbox.parsed()}
    ana, jose = by_to["ana@example.org"], by_to["jose@example.org"]
    # the brand's e-mail name: no health words where anyone who sees the inbox can read
    assert ana["Subject"] == "Information from Riverside Clinic"
    assert jose["Subject"] == "Información de Riverside Clinic"
    assert ana["From"] == "Riverside Clinic <clinic@riverside.example.org>"
    body = ana.get_body(("plain",)).get_content()
    assert "information from your visit" in body and "555-0142" in body
    assert "password" not in body  # not locked
    assert "Ana O'Brien" in pdf_text(attachment(ana))
    # locked with its password: the body says how to open it and never gives it
    assert (ana["Content-Language"], jose["Content-Language"]) == ("en", "es")
    assert "Headache" not in ana.as_string()  # the e-mail name in the body too
    spanish = jose.get_body(("plain",)).get_content()
    assert "contraseña" in spanish and "Secreto-42" not in jose.as_string()
    locked = attachment(jose)
    with pytest.raises(pikepdf.PasswordError):
        pikepdf.open(io.BytesIO(locked))
    with pikepdf.open(io.BytesIO(locked), password="Secreto-42") as pdf:
        assert (pdf.encryption.R, pdf.encryption.bits) == (6, 256)  # AES-256
        plain = io.BytesIO()
        pdf.save(plain)
    assert "José Peña" in pdf_text(plain.getvalue())
    data = json.loads((out / "manifest.json").read_text())
    assert {r["id"]: r["email"] for r in data["rows"]} == {
        "E1": "sent", "E2": "sent", "E3": "no address"}  # fmt: skip
    # nothing about the patient in the manifest or the mail journal
    kept = (out / "manifest.json").read_text() + (out / ".handouts-mail.jsonl").read_text()
    for private in ("ana@example.org", "Secreto-42", "Ana", "Peña"):
        assert private not in kept
    # a rerun sends nothing new
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.code == 0, run.err
    assert len(inbox.messages) == 2
    data = json.loads((out / "manifest.json").read_text())
    assert {r["id"]: r["email"] for r in data["rows"]}["E1"] == "sent earlier"


def test_by_default_messages_go_to_the_outbox_once(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("HANDOUTS_SMTP_FROM", raising=False)
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email")
    assert run.code == 2
    assert run.err == (
        "handouts: error: outbox messages need a From address: --from ADDRESS, or "
        "HANDOUTS_SMTP_FROM\n"
    )
    run = cli("batch", listed, "--out", out, "--email", "--from", "clinic@example.org")
    assert run.code == 0, run.err
    assert run.out.splitlines()[-1] == (
        f"e-mail: 2 queued, 1 no address; messages to send in {out / 'outbox'}"
    )
    outbox = sorted(p.name for p in (out / "outbox").iterdir())
    assert outbox == ["E1.eml", "E2.eml"]
    assert (out / "outbox" / "E1.eml").stat().st_mode & 0o777 == 0o600
    msg = email.message_from_bytes((out / "outbox" / "E1.eml").read_bytes(),
                                   policy=email.policy.default)  # fmt: skip
    assert msg["To"] == "ana@example.org" and msg["From"].endswith("<clinic@example.org>")
    (out / "outbox" / "E1.eml").unlink()  # the clinic's mail system took it
    run = cli("batch", listed, "--out", out, "--email", "--from", "clinic@example.org")
    assert sorted(p.name for p in (out / "outbox").iterdir()) == ["E2.eml"]  # E1 not again
    data = json.loads((out / "manifest.json").read_text())
    assert {r["id"]: r["email"] for r in data["rows"]}["E1"] == "queued earlier"


def test_a_killed_send_is_never_repeated_and_the_rest_go_on_the_rerun(
    server, monkeypatch, tmp_path
):
    inbox = Inbox(slow_for="k2@example.org")
    proc, command, env, out = mailing(tmp_path, "k", 5, server(inbox))
    until_held(inbox, "k2@example.org")
    proc.send_signal(signal.SIGKILL)  # while the server has K2's message, before it answers
    proc.wait()
    assert sorted(inbox.to()) == ["k1@example.org", "k2@example.org"]
    inbox.slow_for = None
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    # said again, and the exit code says so too (red team: a scheduled rerun saw success)
    assert done.returncode == 1, done.stderr
    assert done.stderr == (
        "row 2 (id K2): e-mail unconfirmed earlier; it may have arrived, so it is not sent "
        "again: check the mail server's log\n"
    )
    assert sorted(inbox.to()) == [f"k{n}@example.org" for n in range(1, 6)]  # each once
    assert done.stdout.splitlines()[-1] == "e-mail: 3 sent, 1 sent earlier, 1 unconfirmed earlier"
    data = json.loads((out / "manifest.json").read_text())
    assert [r["email"] for r in data["rows"]] == [
        "sent earlier", "unconfirmed earlier", "sent", "sent", "sent"]  # fmt: skip


def test_a_server_that_is_down_fails_each_row_and_the_rerun_sends_them(
    cli, server, monkeypatch, tmp_path
):
    smtp_env(monkeypatch, free_port())  # nothing listens there
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.code == 1  # retried on the next run
    assert run.out.splitlines()[-1] == "e-mail: 2 failed, 1 no address"
    assert "row 1 (id E1): e-mail failed: cannot reach the SMTP server 127.0.0.1 " \
           "(connection refused)" in run.err  # fmt: skip
    assert "example.org" not in run.err + run.out
    inbox = Inbox()
    smtp_env(monkeypatch, server(inbox))
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert sorted(inbox.to()) == ["ana@example.org", "jose@example.org"]


def test_login_uses_the_credentials_from_the_environment(cli, server, monkeypatch, tmp_path):
    seen = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        seen.append((auth_data.login, auth_data.password))
        ok = isinstance(auth_data, LoginPassword) and auth_data.password == b"s3cret"
        return AuthResult(success=ok)

    inbox = Inbox()
    port = server(inbox, authenticator=authenticator, auth_require_tls=False)
    smtp_env(monkeypatch, port)
    monkeypatch.setenv("HANDOUTS_SMTP_USERNAME", "clinic")
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", "s3cret")
    run = cli("email", "--conditions", "migraine", "--to", "pat@example.org", "--send")
    assert run.code == 0, run.err
    assert seen == [(b"clinic", b"s3cret")] and inbox.to() == ["pat@example.org"]
    assert run.out == "sent the handout (2 pages) through 127.0.0.1\n"
    monkeypatch.setenv("HANDOUTS_SMTP_PASSWORD", "wrong")
    run = cli("email", "--conditions", "migraine", "--to", "pat@example.org", "--send")
    assert run.err == (
        "handouts: error: the SMTP server 127.0.0.1 refused the username and password\n"
    )


def test_mail_settings_are_checked_all_at_once_and_a_readable_password_file_is_refused(
    cli, tmp_path, monkeypatch
):
    for name in ("HOST", "PORT", "SECURITY", "FROM", "USERNAME", "PASSWORD"):
        monkeypatch.delenv(f"HANDOUTS_SMTP_{name}", raising=False)
    config = tmp_path / "smtp.yaml"
    config.write_text("host: mail.example.org\nsecurity: none\nport: 99999\n"
                      "username: clinic\npassword: hunter22\ncolour: red\n")  # fmt: skip
    config.chmod(0o644)
    run = cli("email", "--conditions", "migraine", "--to", "p@example.org", "--send",
              "--smtp-config", config)  # fmt: skip
    assert run.code == 1
    assert run.err == (
        "handouts: error: 5 problems in the mail settings; nothing was written:\n"
        f"  {config}: from: the address mail is sent from: set from in a config file or "
        "HANDOUTS_SMTP_FROM\n"
        f"  {config}:2: security: security none sends patients' handouts unprotected: it is "
        "allowed only to a server on this machine (localhost); use starttls or tls\n"
        f"  {config}:3: port: expected a port from 1 to 65535\n"
        f"  {config}:5: password: the file holds a password but others can read it: "
        f"chmod 600 {config}\n"
        f"  {config}:6: colour: unknown setting; use from, host, password, port, security, "
        "username\n"
    )
    assert "hunter22" not in run.err


def test_email_to_the_outbox_with_a_password_asked_not_typed(cli, tmp_path, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("Geheim-77\n"))
    outbox = tmp_path / "outbox"
    run = cli("email", "--conditions", "migraine", "--to", "p@example.org", "--encrypt",
              "--outbox", outbox, "--from", "clinic@example.org")  # fmt: skip
    assert run.code == 0, run.err
    (eml,) = outbox.iterdir()
    assert run.out == f"wrote {eml} (2 pages, locked); send it from the clinic's mail system\n"
    msg = email.message_from_bytes(eml.read_bytes(), policy=email.policy.default)
    with pikepdf.open(io.BytesIO(attachment(msg)), password="Geheim-77"):
        pass
    run = cli("email", "--conditions", "migraine", "--to", "not an address", "--outbox", outbox,
              "--from", "clinic@example.org")  # fmt: skip
    assert run.err == (
        "handouts: error: --to: not an e-mail address like name@example.org (one @, no spaces, "
        "letters A to Z)\n"
    )


def test_clinic_list_email_and_password_columns_are_checked_without_quoting_them(cli, tmp_path):
    listed = clinic_list(tmp_path, "id,conditions,email,pdf_password\n"
                         "A1,migraine,ana at example.org,\nA2,migraine,b@example.org,abc\n")  # fmt: skip
    run = cli("batch", listed, "--out", tmp_path / "out")
    assert run.err == (
        "handouts: error: 2 problems in the patient details; nothing was written:\n"
        f"  {listed}:2: row 1: email: not an e-mail address like name@example.org "
        "(one @, no spaces, letters A to Z)\n"
        f"  {listed}:3: row 2: pdf_password: a PDF password needs 6 to 128 characters\n"
    )


class Dropping(Inbox):
    """A server that keeps each message, then hangs up before it answers."""

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((list(envelope.rcpt_tos), envelope.original_content))
        server.transport.close()
        return "250 OK"


def test_a_connection_lost_while_the_server_has_a_message_is_never_sent_again(
    cli, server, monkeypatch, tmp_path
):
    inbox = Dropping()
    smtp_env(monkeypatch, server(inbox))
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.code == 1
    assert sorted(inbox.to()) == ["ana@example.org", "jose@example.org"]  # once each
    assert "row 1 (id E1): e-mail unconfirmed: the connection was lost while the server had " \
           "it (SMTPServerDisconnected); it may have arrived, so it is not sent again: check " \
           "the mail server's log" in run.err  # fmt: skip
    cli("batch", listed, "--out", out, "--email", "--send")
    assert len(inbox.messages) == 2  # the rerun sends neither again


def test_a_server_without_starttls_stops_before_anything_is_marked_sending(
    cli, server, monkeypatch, tmp_path
):
    inbox = Inbox()
    smtp_env(monkeypatch, server(inbox))
    monkeypatch.setenv("HANDOUTS_SMTP_SECURITY", "starttls")
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.err.endswith(
        "handouts: error: the SMTP server 127.0.0.1 does not offer STARTTLS: use security tls, "
        "or ask the mail administrator\n"
    )
    assert inbox.messages == []
    monkeypatch.setenv("HANDOUTS_SMTP_SECURITY", "none")  # the setting fixed: both go
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.code == 0, run.err
    assert sorted(inbox.to()) == ["ana@example.org", "jose@example.org"]


def test_from_and_options_are_checked_before_anything_is_made(cli, tmp_path, monkeypatch):
    monkeypatch.delenv("HANDOUTS_SMTP_FROM", raising=False)
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--from", "clinic")
    assert run.err == "handouts: error: --from: not an e-mail address like clinic@example.org\n"
    run = cli("batch", listed, "--out", out, "--email", "--smtp-config", tmp_path / "x.yaml")
    assert run.err == "handouts: error: --smtp-config is for --send\n"
    for name, value in (("HOST", "127.0.0.1"), ("SECURITY", "none"), ("FROM", "c@example.org")):
        monkeypatch.setenv(f"HANDOUTS_SMTP_{name}", value)
    run = cli("batch", listed, "--out", out, "--email", "--send", "--from", "x@example.org")
    assert run.err == (
        "handouts: error: --from is for the outbox: with --send, mail comes from the SMTP "
        "settings' from (or HANDOUTS_SMTP_FROM)\n"
    )
    assert not out.exists()


def test_outbox_messages_stay_private_when_the_handouts_are_group_readable(cli, tmp_path):
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--from", "clinic@example.org",
              "--group-readable")  # fmt: skip
    assert run.code == 0, run.err
    assert (out / "E1.pdf").stat().st_mode & 0o777 == 0o640
    assert (out / "outbox").stat().st_mode & 0o777 == 0o700
    assert (out / "outbox" / "E1.eml").stat().st_mode & 0o777 == 0o600


def test_a_brand_without_an_email_name_is_warned_about(cli, tmp_path):
    brand = tmp_path / "brand"
    shutil.copytree(ROOT / "brands" / "example", brand)
    text = (brand / "brand.yaml").read_text(encoding="utf-8")
    (brand / "brand.yaml").write_text(text.split("\n# The clinic's name in e-mail")[0] + "\n")
    run = cli("email", "--conditions", "migraine", "--to", "p@example.org", "--brand",
              brand / "brand.yaml", "--outbox", tmp_path / "outbox", "--from", "c@example.org")  # fmt: skip
    assert run.code == 0, run.err
    assert run.err == (
        "handouts: warning: the brand has no email_name, so subjects and senders show the "
        "clinic's full name, which may say more about the patient's health than they would "
        "like: set a neutral one\n"
    )


def test_a_batch_stopped_while_mailing_still_says_what_went(server, tmp_path):
    inbox = Inbox(slow_for="t2@example.org")
    proc, _, _, out = mailing(tmp_path, "t", 3, server(inbox))
    until_held(inbox, "t2@example.org")
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=60) != 0
    data = json.loads((out / "manifest.json").read_text())
    assert data["rows"][0]["email"] == "sent"
    assert inbox.to() == ["t1@example.org", "t2@example.org"]


FROM = ("--email", "--from", "clinic@example.org")


def emails(out: Path) -> dict[str, str]:
    data = json.loads((out / "manifest.json").read_text())
    return {r["id"]: r["email"] for r in data["rows"]}


def test_a_lost_or_damaged_key_stops_a_folder_that_has_mailed_rather_than_mail_again(cli, tmp_path):
    """Red team: the mail journal is keyed by the folder's key; made anew, it matched no
    message, and every patient was e-mailed again (exit code 0)."""
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    assert cli("batch", listed, "--out", out, *FROM).code == 0
    (out / "outbox" / "E1.eml").unlink()  # the clinic's mail system took them
    (out / "outbox" / "E2.eml").unlink()
    for damage in ("garbage\n", None):
        key = out / ".handouts-batch.key"
        key.unlink(missing_ok=True)
        if damage is not None:
            key.write_text(damage)
        run = cli("batch", listed, "--out", out, *FROM)
        assert run.code == 1
        assert run.err == (
            f"handouts: error: {key} is missing or damaged, and the folder's mail journal is "
            "keyed by it: made anew, every message would be sent again. Put the key back "
            "(from a backup or copy of the folder), or use a new output folder\n"
        )
        assert not list((out / "outbox").iterdir())


def test_a_queued_message_of_an_older_handout_is_replaced_or_taken_out_of_the_outbox(cli, tmp_path):
    """Red team: a row changed (or now skipped) kept its queued message, with the older
    handout, to be sent from the outbox."""
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    assert cli("batch", listed, "--out", out, *FROM).code == 0
    first = (out / "outbox" / "E1.eml").read_bytes()
    changed = LIST.replace("E1,migraine;fibromyalgia", "E1,lupus").replace(
        "E2,rheumatoid-arthritis", "E2,migrane"
    )
    run = cli("batch", clinic_list(tmp_path, changed), "--out", out, *FROM, "--skip-invalid")
    assert run.code == 1  # E2 skipped
    assert sorted(p.name for p in (out / "outbox").iterdir()) == ["E1.eml"]  # E2's taken out
    again = (out / "outbox" / "E1.eml").read_bytes()
    assert again != first
    msg = email.message_from_bytes(again, policy=email.policy.default)
    (attached,) = [p for p in msg.iter_attachments()]
    assert "lupus" in pdf_text(attached.get_content()).lower()
    assert emails(out)["E1"] == "queued: in place of an older one"
    # put right: E2 is queued again; a rerun without --email takes out E1's older one
    fixed = LIST.replace("E1,migraine;fibromyalgia", "E1,multiple-sclerosis")
    run = cli("batch", clinic_list(tmp_path, fixed), "--out", out)
    assert run.code == 0, run.err
    assert not list((out / "outbox").iterdir())
    run = cli("batch", clinic_list(tmp_path, fixed), "--out", out, *FROM)
    assert run.code == 0, run.err
    assert sorted(p.name for p in (out / "outbox").iterdir()) == ["E1.eml", "E2.eml"]
    assert emails(out) == {"E1": "queued", "E2": "queued", "E3": "no address"}


def test_a_handout_changed_after_it_was_sent_is_not_sent_again_but_said(
    cli, server, monkeypatch, tmp_path
):
    """Red team: 'sent earlier' with exit code 0, though the handout sent was older."""
    inbox = Inbox()
    smtp_env(monkeypatch, server(inbox))
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    assert cli("batch", listed, "--out", out, "--email", "--send").code == 0
    changed = LIST.replace("E1,migraine;fibromyalgia", "E1,lupus")
    run = cli("batch", clinic_list(tmp_path, changed), "--out", out, "--email", "--send")
    assert run.code == 1
    assert run.err == (
        "row 1 (id E1): e-mail not sent: an earlier version of this handout was e-mailed "
        "from this folder; to send this one, use a new output folder\n"
    )
    assert len(inbox.messages) == 2
    assert emails(out) == {
        "E1": "not sent: an earlier version of this handout was e-mailed from this folder; "
        "to send this one, use a new output folder",
        "E2": "sent earlier",
        "E3": "no address",
    }


@pytest.mark.parametrize(
    "address",
    ["=?utf-8?q?someone.else?=@example.org", "x%evil.example@example.org", "a!b@example.org"],
)
def test_an_address_another_mailbox_could_be_read_from_is_refused(cli, tmp_path, address):
    """Red team: an encoded word (=?utf-8?q?…?=) passed the check, and the e-mail library
    read another mailbox from it (or failed the whole run); % and ! route on some servers."""
    text = f"id,conditions,email\nW1,migraine,{address}\n"
    run = cli("batch", clinic_list(tmp_path, text), "--out", tmp_path / "out", *FROM)
    assert run.code == 1
    assert run.err == (
        "handouts: error: 1 problem in the patient details; nothing was written:\n"
        f"  {tmp_path / 'clinic.csv'}:2: row 1: email: not an e-mail address like "
        "name@example.org (one @, no spaces, letters A to Z)\n"
    )


def test_a_link_where_the_outbox_belongs_is_refused(cli, tmp_path):
    """Red team: a link planted at OUT/outbox sent the messages to a folder open to all."""
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "outbox").symlink_to(elsewhere)
    run = cli("batch", clinic_list(tmp_path), "--out", out, *FROM)
    assert run.code == 1
    assert run.err.endswith(
        f"handouts: error: {out / 'outbox'} is a link; a batch writes its messages only "
        "into a folder of its own there: remove the link\n"
    )
    assert not list(elsewhere.iterdir())


def _refusing_tls(
    port_ready: threading.Event, box: list[int], answer: bytes = b"454",
    greeting: bytes = b"220 ready",
) -> None:  # fmt: skip
    """A server that offers STARTTLS, then answers 454 (TLS not available now: or
    ``answer``), once; it greets with ``greeting``."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        box.append(listener.getsockname()[1])
        port_ready.set()
        conn, _ = listener.accept()
        with conn, conn.makefile("rwb") as f:
            f.write(greeting + b"\r\n")
            f.flush()
            for line in f:
                verb = line.split()[0].upper() if line.split() else b""
                reply = {b"EHLO": b"250-here\r\n250 STARTTLS\r\n", b"STARTTLS": answer + b" no\r\n",
                         b"QUIT": b"221 bye\r\n"}.get(verb, b"500 what\r\n")  # fmt: skip
                f.write(reply)
                f.flush()
                if verb == b"QUIT":
                    break


def _fake(monkeypatch, answer: bytes = b"454", greeting: bytes = b"220 ready") -> int:
    """Start :func:`_refusing_tls` and point the SMTP settings (STARTTLS) at it: its port."""
    ready, box = threading.Event(), []
    threading.Thread(target=_refusing_tls, args=(ready, box, answer, greeting),
                     daemon=True).start()  # fmt: skip
    ready.wait(5)
    smtp_env(monkeypatch, box[0])
    monkeypatch.setenv("HANDOUTS_SMTP_SECURITY", "starttls")
    return box[0]


def test_a_server_that_will_not_start_tls_now_is_said_so_and_tried_again(
    cli, monkeypatch, tmp_path
):
    """Red team: a 454 to STARTTLS was said as 'cannot reach the SMTP server
    (SMTPResponseException)'."""
    _fake(monkeypatch)
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.code == 1
    why = ("the SMTP server 127.0.0.1 would not take mail now (SMTP 454); tried again next "
           "run")  # fmt: skip
    assert f"row 1 (id E1): e-mail failed: {why}\n" in run.err
    assert emails(out) == {"E1": f"failed: {why}", "E2": f"failed: {why}", "E3": "no address"}


def test_a_journal_by_ids_as_typed_or_in_another_case_still_knows_what_went(
    cli, server, monkeypatch, tmp_path
):
    """Review: an older version's journal has each id as typed ('A.1'); read by the file's
    name ('A_1') it matched nothing, and the patient was mailed again. So were ids that
    differ only in case (one file on a system that does not tell case apart)."""
    inbox = Inbox()
    smtp_env(monkeypatch, server(inbox))
    text = "id,conditions,email\nA.1,migraine,a1@example.org\nrheu-1,lupus,r1@example.org\n"
    listed, out = clinic_list(tmp_path, text), tmp_path / "out"
    assert cli("batch", listed, "--out", out, "--email", "--send").code == 0
    journal = out / ".handouts-mail.jsonl"
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    assert {e["id"] for e in lines} == {"a_1", "rheu-1"}  # by the file's name
    journal.write_text("".join(json.dumps(e | {"id": "A.1"} if e["id"] == "a_1" else e) + "\n"
                               for e in lines))  # fmt: skip
    again = clinic_list(tmp_path, text.replace("rheu-1", "RHEU-1"))
    run = cli("batch", again, "--out", out, "--email", "--send")
    assert run.code == 0, run.err
    assert len(inbox.messages) == 2
    assert emails(out) == {"A.1": "sent earlier", "RHEU-1": "sent earlier"}


def test_with_send_a_waiting_message_of_an_older_handout_is_taken_out_and_the_new_one_sent(
    cli, server, monkeypatch, tmp_path
):
    """Review: queued, then changed, then --send: the older message stayed in the outbox to
    be sent, and the row said it had been e-mailed."""
    inbox = Inbox()
    smtp_env(monkeypatch, server(inbox))
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    assert cli("batch", listed, "--out", out, *FROM).code == 0
    (out / "outbox" / "E2.eml").unlink()  # the clinic's mail system took E2's
    changed = LIST.replace("E1,migraine;fibromyalgia", "E1,lupus").replace(
        "E2,rheumatoid-arthritis", "E2,lupus"
    )
    run = cli("batch", clinic_list(tmp_path, changed), "--out", out, "--email", "--send")
    assert run.code == 1
    assert run.err == (
        "row 2 (id E2): e-mail not sent: an earlier version of this handout was queued in "
        "this folder's outbox and has left it; to send this one, use a new output folder\n"
    )
    assert not list((out / "outbox").iterdir())  # E1's older one taken out
    assert inbox.to() == ["ana@example.org"]  # and the new one sent
    (attached,) = list(inbox.parsed()[0].iter_attachments())
    assert "lupus" in pdf_text(attached.get_content()).lower()
    assert emails(out)["E1"] == "sent"


def test_a_waiting_message_is_taken_out_when_its_address_is_taken_away(cli, tmp_path):
    """Review: a row's address removed (consent withdrawn), its queued message stayed."""
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    assert cli("batch", listed, "--out", out, *FROM).code == 0
    gone = clinic_list(tmp_path, LIST.replace("jose@example.org", ""))
    run = cli("batch", gone, "--out", out, *FROM)
    assert run.code == 0, run.err
    assert sorted(p.name for p in (out / "outbox").iterdir()) == ["E1.eml"]
    assert emails(out) == {"E1": "queued earlier", "E2": "no address", "E3": "no address"}


def test_a_folder_that_never_mailed_anyone_makes_a_new_key(cli, tmp_path):
    """Review: an empty mail journal (no row had an address) stopped the run once the key
    was lost, though nothing had been mailed."""
    listed, out = clinic_list(tmp_path, "id,conditions\nZ1,migraine\n"), tmp_path / "out"
    assert cli("batch", listed, "--out", out, *FROM).code == 0
    (out / ".handouts-batch.key").unlink()
    run = cli("batch", listed, "--out", out, *FROM)
    assert run.code == 0, run.err
    assert (out / ".handouts-batch.key").stat().st_size == 64


def test_a_server_that_refuses_tls_for_good_stops_the_run_with_nothing_marked(
    cli, monkeypatch, tmp_path
):
    """Review: a 502 to STARTTLS was said as 'would not take mail now … tried again'."""
    _fake(monkeypatch, b"502")
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    run = cli("batch", listed, "--out", out, "--email", "--send")
    assert run.code == 1
    assert run.err.endswith(
        "handouts: error: the SMTP server 127.0.0.1 refused to take mail (SMTP 502): check "
        "the settings, or ask the mail administrator\n"
    )
    assert not (out / ".handouts-mail.jsonl").read_text()


def _queued(out: Path) -> dict[str, tuple[str, str]]:
    """Each message waiting in the outbox: its To and the first words of its handout."""
    got = {}
    for path in sorted((out / "outbox").iterdir()):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        (attached,) = list(msg.iter_attachments())
        got[path.name] = (str(msg["To"]), pdf_text(attached.get_content()))
    return got


def test_a_waiting_message_follows_its_row_s_id_address_and_handout(cli, tmp_path):
    """Review: an id whose case changed left its older message (and PDF) named as it was;
    a corrected address left the message to the wrong one waiting; a message queued by a
    version that kept no digests stayed, with an older handout; a row skipped by an id
    typed otherwise ('a.1' for 'A_1') kept its PDF and message."""
    out = tmp_path / "out"
    first = "id,conditions,email\nP1,migraine,wrong@example.org\nA_1,lupus,a@example.org\n"
    assert cli("batch", clinic_list(tmp_path, first), "--out", out, *FROM).code == 0
    # the address put right: the message to the wrong one is taken out, even without --email
    fixed = first.replace("wrong@", "ana@")
    assert cli("batch", clinic_list(tmp_path, fixed), "--out", out).code == 0
    assert sorted(_queued(out)) == ["A_1.eml"]
    assert cli("batch", clinic_list(tmp_path, fixed), "--out", out, *FROM).code == 0
    assert _queued(out)["P1.eml"][0] == "ana@example.org"
    # an id in small letters, its handout changed: one message and one PDF, both new
    recased = fixed.replace("P1,migraine", "p1,lupus")
    run = cli("batch", clinic_list(tmp_path, recased), "--out", out, *FROM)
    assert run.code == 0, run.err
    queued = _queued(out)
    assert sorted(queued) == ["A_1.eml", "p1.eml"] and "lupus" in queued["p1.eml"][1].lower()
    assert sorted(p.name for p in out.glob("*.pdf")) == ["A_1.pdf", "p1.pdf"]
    # a journal from before digests were kept: a handout made anew replaces its message
    journal = out / ".handouts-mail.jsonl"
    lines = [json.loads(line) for line in journal.read_text().splitlines()]
    journal.write_text("".join(json.dumps({k: v for k, v in e.items() if k != "pdf"}) + "\n"
                               for e in lines))  # fmt: skip
    changed = recased.replace("p1,lupus", "p1,migraine")
    run = cli("batch", clinic_list(tmp_path, changed), "--out", out, *FROM)
    assert run.code == 0, run.err
    assert emails(out) == {"p1": "queued: in place of an older one", "A_1": "queued earlier"}
    assert "migraine" in _queued(out)["p1.eml"][1].lower()
    # a row now skipped, its id typed otherwise: its PDF and its message both go
    skipped = changed.replace("A_1,lupus", "a.1,nosuchthing")
    run = cli("batch", clinic_list(tmp_path, skipped), "--out", out, *FROM, "--skip-invalid")
    assert run.code == 1
    assert sorted(_queued(out)) == ["p1.eml"]
    assert sorted(p.name for p in out.glob("*.pdf")) == ["p1.pdf"]


def test_a_server_that_is_not_an_smtp_server_is_said_so(cli, monkeypatch, tmp_path):
    """Review: a web server's answer was said as 'refused to take mail (SMTP -1)'."""
    port = _fake(monkeypatch, greeting=b"HTTP/1.1 400 Bad")
    monkeypatch.setenv("HANDOUTS_SMTP_SECURITY", "none")
    run = cli("batch", clinic_list(tmp_path), "--out", tmp_path / "out", "--email", "--send")
    assert run.code == 1
    assert run.err.endswith(
        f"handouts: error: the server at 127.0.0.1 port {port} does not answer as an SMTP "
        "server: check the host and port\n"
    )


def test_a_message_that_left_the_outbox_is_not_followed_by_a_newer_one_unsaid(cli, tmp_path):
    """Review: the clinic's mail system took a queued message; the row's handout changed;
    the newer one was queued too, exit code 0, and the patient would have two."""
    listed, out = clinic_list(tmp_path), tmp_path / "out"
    assert cli("batch", listed, "--out", out, *FROM).code == 0
    (out / "outbox" / "E1.eml").unlink()  # taken by the clinic's mail system
    changed = clinic_list(tmp_path, LIST.replace("E1,migraine;fibromyalgia", "E1,lupus"))
    assert cli("batch", changed, "--out", out).code == 0  # without --email: nothing to take
    run = cli("batch", changed, "--out", out, *FROM)
    assert run.code == 1
    assert run.err == (
        "row 1 (id E1): e-mail not sent: an earlier version of this handout was queued in "
        "this folder's outbox and has left it; to send this one, use a new output folder\n"
    )
    assert sorted(p.name for p in (out / "outbox").iterdir()) == ["E2.eml"]


def test_a_stray_cell_of_a_shifted_row_leaves_a_good_row_s_message_and_handout(cli, tmp_path):
    """Review: a shifted row's cell 'P1' took the good row p1's waiting message and PDF."""
    out = tmp_path / "out"
    first = "name,id,conditions,email\n,p1,migraine,p1@example.org\n,Q2,lupus,q2@example.org\n"
    assert cli("batch", clinic_list(tmp_path, first), "--out", out, *FROM).code == 0
    before = (out / "p1.pdf").stat().st_mtime_ns
    shifted = first + "Smith, P1,Z3,lupus,z@example.org\n"
    run = cli("batch", clinic_list(tmp_path, shifted), "--out", out, "--skip-invalid")
    assert run.code == 1
    assert sorted(p.name for p in (out / "outbox").iterdir()) == ["Q2.eml", "p1.eml"]
    assert (out / "p1.pdf").stat().st_mtime_ns == before


def test_an_outbox_that_is_a_file_is_said_so(cli, tmp_path):
    """Review: it gave an internal error."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "outbox").write_text("")
    run = cli("batch", clinic_list(tmp_path), "--out", out, *FROM)
    assert run.code == 1
    assert run.err.endswith(f"handouts: error: {out / 'outbox'} is a file, not a folder\n")
