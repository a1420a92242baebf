"""What keeps the web page safe to run in a clinic: the headers every response carries, a
size limit on every request, the names it answers at, an access token when the server
listens beyond this machine, and a token against cross-site form posts (CSRF).

Each is a small ASGI layer or function with no state but its settings; nothing here
sees or keeps what a form says about a patient."""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
import secrets
import sys
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any

from starlette.requests import ClientDisconnect

from handouts.errors import unexpected

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; "
    "object-src 'none'"
)
"""Only this server's own scripts, styles and pictures (and the preview's inline
pictures); no frames, no plugins, forms post here only."""
HEADERS = (
    (b"content-security-policy", CSP.encode()),
    (b"x-content-type-options", b"nosniff"),
    (b"x-frame-options", b"DENY"),
    (b"referrer-policy", b"same-origin"),  # an Origin for our own posts, none elsewhere
    (b"cross-origin-opener-policy", b"same-origin"),
    (b"cross-origin-resource-policy", b"same-origin"),
    (b"permissions-policy", b"camera=(), microphone=(), geolocation=(), payment=()"),
)
NO_STORE = (b"cache-control", b"no-store")
"""Every response but the static files: a page or PDF may hold a patient's details, so
no browser or proxy keeps a copy."""
CSRF_COOKIE = "handouts_csrf"
SECURE_COOKIE = "__Host-handouts_csrf"
"""Over HTTPS the cookie's name says it was set by this host, for its whole site only."""
CSRF_FIELD = "csrf"
LOCAL_NAMES = ("localhost", "127.0.0.1", "[::1]")
"""The names a browser on this machine opens the page at."""
WRONG_HOST = (
    "This page answers only at the names it was started with: localhost, 127.0.0.1 or "
    "[::1] on the machine that serves it, and any name given with --allowed-host (such as "
    "the one the clinic's proxy passes on)."
)


class Headers:
    """Adds the security headers (and no-store, but for ``/static/``) to every response."""

    def __init__(self, app: App):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        static = scope["path"].startswith("/static/")

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                have = {k.lower() for k, _ in message.get("headers", [])}
                extra = [h for h in HEADERS if h[0] not in have]
                if not static and b"cache-control" not in have:
                    extra.append(NO_STORE)
                message["headers"] = [*message.get("headers", []), *extra]
            await send(message)

        await self.app(scope, receive, with_headers)


BUG_PAGE = (
    "Something went wrong: a bug in handouts stopped this page. Nothing about the patient "
    "was kept. Please tell whoever runs this page what you did just before."
)
"""What a page a bug stopped says (the server's log says where, for whoever runs it)."""


def bug(exc: BaseException) -> None:
    """Say a bug in one line on stderr, for whoever runs the server: its kind and the line
    of handouts it was raised from, never its words (:func:`handouts.errors.unexpected`)."""
    print(f"handouts serve: {unexpected(exc)}", file=sys.stderr)


class Bugs:
    """A bug answered with a plain 500 and said in one line on stderr (:func:`bug`), with
    no traceback (the server would log the error's words with it). A browser that went
    away while its request was read is no bug: nothing is said."""

    def __init__(self, app: App):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        sending = _Watched(send)
        try:
            await self.app(scope, receive, sending)
        except ClientDisconnect:
            return
        except Exception as exc:
            bug(exc)
            if not sending.started:  # (else Starlette answered 500, then raised it again)
                await _plain(send, 500, BUG_PAGE)


class _Watched:
    """A send that notes whether the response has started."""

    def __init__(self, send: Send):
        self.send, self.started = send, False

    async def __call__(self, message: Message) -> None:
        self.started = self.started or message["type"] == "http.response.start"
        await self.send(message)


class TooLarge(Exception):
    """A request body over the limit (answered 413)."""


class SizeLimit:
    """Refuses a request whose body is larger than ``limit`` bytes (``larger``: more for
    some paths, such as an upload's): by its stated length at once, else (chunked) as soon
    as it has sent that much."""

    def __init__(
        self, app: App, limit: int, larger: dict[str, tuple[int, str]] | None = None
    ) -> None:
        self.app, self.default, self.larger = app, (limit, _too_large(limit)), larger or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        # this request's limit and what it says (kept local)
        limit, said = self.larger.get(scope["path"], self.default)
        stated = dict(scope.get("headers", [])).get(b"content-length")
        if stated is not None and (not stated.isdigit() or int(stated) > limit):
            await _plain(send, 413, said)
            return
        seen = 0

        async def counted() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > limit:
                    raise TooLarge
            return message

        watched = _Watched(send)
        try:
            await self.app(scope, counted, watched)
        except TooLarge:
            if not watched.started:
                await _plain(send, 413, said)


def _too_large(limit: int) -> str:
    return f"The form or file is too large: the limit is {limit // 1024:,} KB."


class KnownHost:
    """Answers only requests addressed to one of ``names`` (the ``Host`` header, less its
    port), else 421 Misdirected Request. A page on another site can point its own name at
    this machine (DNS rebinding): the browser then takes this server for that site, and
    would let the page use it as a clinician's own page does, form tokens and all."""

    def __init__(self, app: App, names: Iterable[str]):
        self.app, self.names = app, frozenset(n.lower() for n in names)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            asked = host_name(dict(scope.get("headers", [])).get(b"host"))
            if asked not in self.names:
                await _plain(send, 421, WRONG_HOST)
                return
        await self.app(scope, receive, send)


def host_name(value: bytes | None) -> str | None:
    """The name in a ``Host`` header, without its port or one final dot, in lower case (an
    IPv6 address in its brackets); None for no header, or one that is not a name."""
    found = _HOST.fullmatch((value or b"").decode("latin-1").strip().lower())
    return (found.group(1) or None) if found else None


_HOST = re.compile(r"(\[[0-9a-f:.]+\]|[^\[\]:]*?)\.?(?::[0-9]*)?")
"""A ``Host`` header: a name (or an IPv6 address in brackets), a final dot, a port."""


class AccessToken:
    """Asks for the clinic's access token on every request (HTTP Basic, any user name and
    the token as the password, as a browser asks; or ``Authorization: Bearer``)."""

    def __init__(self, app: App, token: str):
        self.app = app
        self.token = token.encode()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(dict(scope.get("headers", []))):
            await _plain(
                send,
                401,
                "This page needs the clinic's access token.",
                [(b"www-authenticate", b'Basic realm="handouts", charset="UTF-8"')],
            )
            return
        await self.app(scope, receive, send)

    def _allowed(self, headers: dict[bytes, bytes]) -> bool:
        given = headers.get(b"authorization", b"")
        kind, _, value = given.partition(b" ")
        if kind.lower() == b"bearer":
            return hmac.compare_digest(value.strip(), self.token)
        if kind.lower() == b"basic":
            try:
                _user, _, password = base64.b64decode(value.strip(), validate=True).partition(b":")
            except (binascii.Error, ValueError):
                return False
            return hmac.compare_digest(password, self.token)
        return False


async def _plain(send: Send, status: int, text: str, extra: list[Any] | None = None) -> None:
    body = text.encode()
    headers = [
        (b"content-type", b"text/plain; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        *HEADERS,
        NO_STORE,
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def new_secret() -> str:
    """A secret for signing form tokens, shared by the server's worker processes."""
    return secrets.token_hex(32)


def new_cookie(secret: str) -> str:
    """A browser's own random value for its cookie, signed by this server (a cookie some
    other site or port planted is not one of ours)."""
    value = secrets.token_urlsafe(32)
    return f"{value}.{_sign(secret, 'cookie:' + value)}"


def cookie_ok(secret: str, cookie: str | None) -> bool:
    value, _, signature = (cookie or "").rpartition(".")
    return bool(value) and _same(_sign(secret, "cookie:" + value), signature)


def form_token(secret: str, cookie: str) -> str:
    """The token a form carries: the browser's cookie value signed with the server's
    secret, so a page on another site can neither read nor make it."""
    return _sign(secret, "form:" + cookie)


def form_token_ok(secret: str, cookie: str | None, token: str | None) -> bool:
    if not cookie or not token or not cookie_ok(secret, cookie):
        return False
    return _same(form_token(secret, cookie), token)


def same_site(headers: dict[str, str], host: str | None) -> bool:
    """Whether a post came from this server's own page, as far as the browser says. A
    browser that sends ``Sec-Fetch-Site`` (a page cannot set it) is believed; one that
    does not is checked by its ``Origin`` against the host it asked (with or without its
    default port). Behind a proxy the host may differ: ``Sec-Fetch-Site`` still holds."""
    fetched = headers.get("sec-fetch-site")
    if fetched is not None:
        return fetched in ("same-origin", "none")
    origin = headers.get("origin")
    if origin is None:
        return True  # not a browser's cross-site post: the form token decides
    scheme, _, where = origin.partition("://")
    return host is not None and _plain_host(where, scheme) == _plain_host(host, scheme)


def _plain_host(host: str, scheme: str) -> str:
    """``host`` without the scheme's default port, in lower case."""
    default = {"http": ":80", "https": ":443"}.get(scheme, "")
    host = host.lower()
    return host[: -len(default)] if default and host.endswith(default) else host


def _sign(secret: str, text: str) -> str:
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()


def _same(a: str, b: str) -> bool:
    """Equal, in constant time; any text (a token may arrive as anything)."""
    return hmac.compare_digest(a.encode(), b.encode("utf-8", "surrogateescape"))
