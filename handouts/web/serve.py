"""``handouts serve``: the web page, served by uvicorn in worker processes.

Each worker process imports the app and makes its own renderer: handouts are made in
parallel on every core, and nothing mutable is shared between processes or threads.
The settings (content, brand, the form-signing secret, an access token) reach the
workers in environment variables, never on a command line.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import re
import socket
import sys
from collections.abc import Sequence
from pathlib import Path

from handouts.errors import UsageError
from handouts.pipeline import load_inputs
from handouts.web.app import ENV_PREFIX, Settings
from handouts.web.security import LOCAL_NAMES

TOKEN_ENV = "HANDOUTS_TOKEN"
"""The environment variable that may hold the access token."""
NEEDS_TOKEN = (
    "the web page would be reachable from other machines at {host}, so it needs an access "
    "token: set {env} (or --token-file FILE) to a long random secret, or serve on "
    "127.0.0.1 behind the clinic's HTTPS reverse proxy (README: 'The web page')"
)


def loopback(host: str) -> bool:
    """Whether ``host`` is only reachable from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


_NAME = re.compile(r"[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*\.?")
_NUMBER = re.compile(r"[0-9]+|0x[0-9a-f]*")
"""A last part a browser reads as a number, and so the name as an IPv4 address."""
BAD_NAME = (
    "expected a host name as a browser's address bar shows it, without https:// or a port "
    "(handouts.clinic.example), got '{value}'"
)
ALLOWED_BEYOND = (
    "--allowed-host is for a page served on this machine (127.0.0.1) behind the clinic's "
    "proxy; served at {host}, the access token guards every request, at any name"
)


def allowed_name(value: str) -> str:
    """``value`` as a name the page may answer at (--allowed-host): a host name, or an IP
    address as a browser writes it (IPv6 in brackets), in lower case; :class:`ValueError`
    with :data:`BAD_NAME` otherwise (a name whose last part is a number, such as 127.1 or
    0x7f000001, which a browser would write otherwise)."""
    name = value.strip().lower()
    bare = name[1:-1] if name.startswith("[") and name.endswith("]") else name
    try:
        address = ipaddress.ip_address(bare)
    except ValueError:
        last = name.rstrip(".").rpartition(".")[2]
        if _NAME.fullmatch(name) is None or _NUMBER.fullmatch(last):
            raise ValueError(BAD_NAME.format(value=value)) from None
        return name.rstrip(".")
    if address.version == 4:
        return str(address)
    if address.scope_id or address.ipv4_mapped:  # written otherwise by browsers, or not at all
        raise ValueError(BAD_NAME.format(value=value))
    return f"[{address}]"


def answered_at(host: str, allowed: Sequence[str]) -> tuple[str, ...] | None:
    """The names the page answers at, listening on ``host``: on this machine only, its
    own names, ``host`` and the ``allowed`` ones (--allowed-host: the name the clinic's
    proxy passes on); beyond it, where the access token guards every request, any (None)."""
    if not loopback(host):
        return None
    try:
        own = (allowed_name(host),)
    except ValueError:  # ::1%lo: an address with a zone, which no browser asks for
        own = ()
    return tuple(dict.fromkeys((*LOCAL_NAMES, *own, *allowed)))


def token_from(token_file: Path | None) -> str | None:
    """The access token, from ``token_file`` (its first line) or the environment."""
    if token_file is not None:
        try:
            lines = token_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"cannot read --token-file {token_file}: {exc}") from None
        token = lines[0].strip() if lines else ""
        if not token:
            raise UsageError(f"--token-file {token_file} is empty; put the token on its first line")
    else:
        token = os.environ.get(TOKEN_ENV, "").strip()
    if token and len(token) < 16:
        raise UsageError("the access token is too short: use at least 16 characters")
    return token or None


def serve(
    host: str,
    port: int,
    workers: int,
    content: Path,
    brand: Path | None,
    token_file: Path | None,
    today: dt.date | None = None,
    allowed: Sequence[str] = (),
) -> None:
    """Check the settings and the content, say where the page is, and serve it until
    stopped (Ctrl-C), answering only at the names :func:`answered_at` gives."""
    if allowed and not loopback(host):
        raise UsageError(ALLOWED_BEYOND.format(host=host))
    token = token_from(token_file)
    if not loopback(host) and token is None:
        raise UsageError(NEEDS_TOKEN.format(host=host, env=TOKEN_ENV))
    load_inputs(content, brand)  # content or brand problems are reported before serving
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        try:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    settings = Settings(content.resolve(), brand and brand.resolve(), token=token, today=today,
                        hosts=answered_at(host, allowed))  # fmt: skip
    for name in [n for n in os.environ if n.startswith(ENV_PREFIX)]:
        del os.environ[name]  # none left from before: a setting not given is its default
    os.environ.update(settings.to_env())
    if not loopback(host):
        print("handouts: warning: the page is served over plain HTTP: put the clinic's HTTPS "
              "reverse proxy in front of it before anyone uses it over a network",
              file=sys.stderr)  # fmt: skip
    shown = f"[{host}]" if ":" in host else host
    print(f"handouts: the web page is at http://{shown}:{port}/ ({workers} worker"
          f"{'s' if workers != 1 else ''}; Ctrl-C to stop)", flush=True)  # fmt: skip
    import uvicorn

    uvicorn.run(
        "handouts.web.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=False,  # a page's address holds nothing about a patient, but say nothing
        log_level="error",  # not "Invalid HTTP request received": a request's fault
        server_header=False,
        proxy_headers=True,
        forwarded_allow_ips="127.0.0.1",
        timeout_graceful_shutdown=5,
    )
