"""The clinicians' web page: one form to make a handout, a preview of its pages, the PDF.

Server-rendered HTML that works without JavaScript (a small script filters the lists as a
clinician types and shows what applies as they pick). A posted form is checked as a
clinic-list row is, so its problems are said in the CLI's words, each beside its field.
Nothing about a patient is written to disk, logged or kept after the response: the PDF
and its preview are made in memory and sent. Each worker process has its own renderer
(:class:`handouts.pipeline.Renderer`), used by one request at a time.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn, ParamSpec, TypeVar

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile
from starlette.exceptions import HTTPException
from starlette.formparsers import MultiPartParser
from starlette.requests import Request as HttpRequest
from starlette.responses import (
    HTMLResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
    StreamingResponse,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from handouts import paths
from handouts.content.brand import Brand
from handouts.content.language import CONTENT_LANGUAGES
from handouts.content.model import Library
from handouts.document.request import Allow, Request
from handouts.document.visit import applies
from handouts.errors import ContentError, HandoutsError, InternalError, PatientError, Problem
from handouts.html.render import rendered, templates
from handouts.intake.clinic_list import iso_date
from handouts.intake.plan import from_columns
from handouts.pipeline import (
    TOO_LONG_WHY,
    Rendered,
    Renderer,
    TooLong,
    in_language,
    load_inputs,
    past_a_sheet,
    past_a_sheet_rows,
)
from handouts.web import security
from handouts.web.form import Filled, blank, offer, read_form
from handouts.web.preview import page_pictures
from handouts.web.upload import MAX_UPLOAD, TOO_LARGE, Bundle, check_upload

FORM_LIMIT = 256 * 1024
"""The most bytes a form post may hold (notes and plan fields are a few KB)."""
ENV_PREFIX = "HANDOUTS_WEB_"
"""Settings pass to worker processes in environment variables with this prefix."""
EXPIRED = (
    "This form has expired, or it came from another site. Go back, reload the page "
    "and send it again."
)
NAMING_SLOTS = ("attack_medicine", "daily_medicine")
"""The plan's fields that say which medicine the patient takes (their words may name one
of ours: "What applies" reads them too)."""


@dataclass(frozen=True)
class Settings:
    content: Path = paths.CONTENT
    brand: Path | None = None
    secret: str = field(default_factory=security.new_secret, repr=False)
    """Signs form tokens; the same in every worker process of one server."""
    token: str | None = field(default=None, repr=False)
    """The access token every request must give, when the server listens beyond localhost."""
    today: dt.date | None = None
    """The day review dates are checked on (default: each request's today)."""
    hosts: tuple[str, ...] | None = None
    """The names the page answers at (:class:`~handouts.web.security.KnownHost`); None:
    any (``handouts serve`` names them: :func:`handouts.web.serve.answered_at`)."""

    def to_env(self) -> dict[str, str]:
        env = {"CONTENT": str(self.content), "SECRET": self.secret}
        env |= {"BRAND": str(self.brand)} if self.brand else {}
        env |= {"TOKEN": self.token} if self.token else {}
        env |= {"TODAY": self.today.isoformat()} if self.today else {}
        env |= {"HOSTS": " ".join(self.hosts)} if self.hosts is not None else {}
        return {ENV_PREFIX + k: v for k, v in env.items()}

    @classmethod
    def from_env(cls) -> Settings:
        get = os.environ.get
        brand, today = get(ENV_PREFIX + "BRAND"), get(ENV_PREFIX + "TODAY")
        hosts = get(ENV_PREFIX + "HOSTS")
        return cls(
            Path(get(ENV_PREFIX + "CONTENT") or paths.CONTENT),
            Path(brand) if brand else None,
            get(ENV_PREFIX + "SECRET") or security.new_secret(),
            get(ENV_PREFIX + "TOKEN") or None,
            dt.date.fromisoformat(today) if today else None,
            None if hosts is None else tuple(hosts.split()),
        )


def create_app(settings: Settings | None = None) -> security.App:
    """The web application (``settings`` default: from the environment, as a worker
    process started by ``handouts serve`` finds them)."""
    settings = settings or Settings.from_env()
    lib, brand = load_inputs(settings.content, settings.brand)
    page = Page(settings, lib, brand)
    app = Starlette(
        routes=[
            Route("/", page.form, methods=["GET"]),
            Route("/preview", page.preview, methods=["POST"]),
            Route("/pdf", page.pdf, methods=["POST"]),
            Route("/applies", page.what_applies, methods=["POST"]),
            Route("/batch", page.batch, methods=["POST"]),
            Mount("/static", StaticFiles(packages=[("handouts.web", "static")]), name="static"),
        ],
        exception_handlers={HTTPException: _http_error, Exception: _bug_page},
    )
    # an upload's request is never larger than what Starlette keeps in memory (past that
    # size it would spool the file to disk)
    upload = {"/batch": (MultiPartParser.spool_max_size, f"The clinic list {TOO_LARGE}.")}
    app.add_middleware(security.SizeLimit, limit=FORM_LIMIT, larger=upload)
    if settings.token:
        app.add_middleware(security.AccessToken, token=settings.token)
    _no_core_dumps()
    _quiet_parsers()
    # a request to a name not ours is refused before the token is asked for (a browser
    # would otherwise offer that page's own name a place to type it)
    known = app if settings.hosts is None else security.KnownHost(app, settings.hosts)
    return security.Headers(security.Bugs(known))  # an error page carries the headers too


def _quiet_parsers() -> None:
    """The form parser's warnings say what a broken form's body held ("got 103 at index
    2"): never printed (the server prints only its address)."""
    for name in ("python_multipart", "multipart"):
        quiet = logging.getLogger(name)
        quiet.addHandler(logging.NullHandler())
        quiet.propagate = False


def _no_core_dumps() -> None:
    """A worker that crashed would otherwise leave a copy of its memory (the patients of
    the moment) in a core file, or hand it to the system's crash reporter."""
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    except (ImportError, ValueError, OSError):  # not on this system: nothing to turn off
        pass
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(4, 0, 0, 0, 0)  # PR_SET_DUMPABLE: not dumpable
        except (OSError, AttributeError):
            pass


def _said(exc: HandoutsError) -> dict[str, list[str]]:
    """Why a handout could not be made, in the page's words, at the control that changes it."""
    if isinstance(exc, TooLong):
        return {"format": [TOO_LONG_WHY]}
    if isinstance(exc, ContentError):
        said: dict[str, list[str]] = {}
        for p in exc.problems:
            where = f"{p.file}:{p.line}" if p.line else p.file
            if p.path.endswith("review.draft") or p.path == "draft":
                said.setdefault("allow_draft", []).append(
                    f"content that still needs clinical sign-off ({where}): have a clinician "
                    "review it, or tick this box to print it marked as a draft"
                )
            elif p.path.endswith("next_review"):
                said.setdefault("allow_expired", []).append(
                    f"content past its review date ({where}): have it checked, or tick this "
                    "box to print it anyway"
                )
            else:
                said.setdefault("", []).append(str(p))
        return said
    return {"": [str(exc)]}


def _date(text: str) -> dt.date | None:
    if not text:
        return None
    try:
        return iso_date(text)
    except ValueError:
        return _no_date()


def _no_date() -> NoReturn:
    raise PatientError(
        [Problem("date", None, "", "not a date written YYYY-MM-DD (e.g. 2026-11-21)")]
    )


def _cookie(request: HttpRequest) -> str | None:
    """The browser's form cookie (over HTTPS, only one that this host set)."""
    secure = request.url.scheme == "https"
    return request.cookies.get(security.SECURE_COOKIE if secure else security.CSRF_COOKIE)


def _zip_name(date: dt.date | None) -> str:
    return f"handouts-{date.isoformat()}.zip" if date else "handouts.zip"


async def _http_error(request: HttpRequest, exc: Exception) -> Response:
    """Starlette's answer, with its headers (a 405's ``Allow``). A page the form posts to,
    opened in the address bar, goes to the form."""
    assert isinstance(exc, HTTPException)
    if exc.status_code == 405 and request.method in ("GET", "HEAD"):
        return RedirectResponse("/", status_code=303)
    return PlainTextResponse(exc.detail, status_code=exc.status_code, headers=exc.headers)


async def _bug_page(request: HttpRequest, exc: Exception) -> Response:
    """The page a bug answers with (Starlette then raises the bug again, for
    :class:`security.Bugs` to say where it was)."""
    return PlainTextResponse(security.BUG_PAGE, status_code=500)


_TEMPLATES = templates("handouts.web")

_P = ParamSpec("_P")
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Failed:
    error: Exception


def _caught(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T | _Failed:
    try:
        return fn(*args, **kwargs)
    except Exception as exc:  # given back as a value: see _in_thread
        return _Failed(exc)


async def _in_thread(fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
    """``fn(*args)`` in the thread pool, its error raised here. The error crosses the
    thread as a value: raised through the pool's worker, an error would be held by the
    worker's future while its traceback holds the worker's frame, a loop that keeps the
    error's frames, and the request and the patient's words in them, until the garbage
    collector ran."""
    done = await run_in_threadpool(_caught, fn, *args, **kwargs)
    if not isinstance(done, _Failed):
        return done
    error = done.error
    del done
    try:
        raise error
    finally:  # this frame, in the error's traceback, must not hold the error: a loop too
        del error


class Page:
    """The page's handlers, with what they share: settings, content, brand, renderer."""

    def __init__(self, settings: Settings, lib: Library, brand: Brand):
        self.settings, self.lib, self.brand = settings, lib, brand
        self.offer = offer(lib)
        self.renderer = Renderer()
        self._warm()

    def _warm(self) -> None:
        """Make one visit handout, for no one, before the first clinician asks: what every
        handout shares (fonts, styles, the masthead, the parsed words) is then ready, and
        the first handout does not pay the tenth of a second a new process needs."""
        allow = Allow(expired=True, draft=True, today=self.settings.today)
        first = min(tuple(sorted(p)) for p in self.lib.links) if self.lib.links else ()
        conditions = first or tuple(sorted(self.lib.conditions))[:1]
        with contextlib.suppress(HandoutsError):  # refused when asked, if it is refused
            self._make(Request(conditions, format="visit", allow=allow))

    async def form(self, request: HttpRequest) -> Response:
        return self._page(request, blank(dt.date.today()))

    async def preview(self, request: HttpRequest) -> Response:
        made = await self._handout(request)
        if isinstance(made, Response):
            return made
        filled, done = made
        pictures = await _in_thread(page_pictures, done.pdf)
        assert filled.request is not None
        what = applies(self.lib, filled.request, self.brand, *self._in_language(filled.request))
        longer = past_a_sheet(filled.request, done.pages)  # said where it will be seen
        said = [longer[0].upper() + longer[1:] + "."] if longer else []
        shown = {"pictures": pictures, "pages": done.pages, "applies": what,
                 "allowed": [*said, *(str(p) for p in done.allowed)]}  # fmt: skip
        return self._page(request, filled.values, preview=shown)

    async def pdf(self, request: HttpRequest) -> Response:
        made = await self._handout(request)
        if isinstance(made, Response):
            return made
        filled, done = made
        assert filled.request is not None
        req = filled.request
        name = "-".join((req.pack,) if req.pack else req.conditions)
        name = f"handout-{req.format}-{name}.pdf" if not req.pack else f"pack-{name}.pdf"
        how = "inline" if request.query_params.get("open") else "attachment"
        return Response(
            done.pdf,
            media_type="application/pdf",
            headers={"content-disposition": f'{how}; filename="{name}"'},
        )

    async def what_applies(self, request: HttpRequest) -> Response:
        """How the picked conditions are linked and which combination cautions print (for
        the script that shows them as a clinician picks)."""
        form = await self._form(request)
        lib = self.lib
        conds = tuple(c for c in dict.fromkeys(form.getlist("conditions")) if c in lib.conditions)
        meds = tuple(m for m in dict.fromkeys(form.getlist("medicines")) if m in lib.medicines)
        plan = form.get("plan_template")  # its medicines' cautions print too
        template = plan if isinstance(plan, str) and plan in lib.plans else None
        # and those of the medicines its typed slots name (read as the preview reads them,
        # not kept nor checked: the preview checks them)
        typed = {k: v if isinstance(v := form.get(k), str) else None for k in NAMING_SLOTS}
        named = from_columns(typed)
        asked = form.get("language")  # (the slots are read in its medicine names too)
        tongue = asked if isinstance(asked, str) and asked in CONTENT_LANGUAGES else None
        req = Request(conds, medicines=meds, plan_template=template, plan=named,
                      language=tongue)  # fmt: skip
        what = applies(lib, req, self.brand, *self._in_language(req))
        return JSONResponse(dataclasses.asdict(what))

    def _in_language(self, req: Request) -> tuple[Library, ...]:
        """The content in ``req``'s language when it is not English, whose medicine names
        a plan's slots are read in too, as the handout reads them; none when it is
        English, or cannot be read (the preview says why)."""
        try:
            here = in_language(self.lib, self.brand, req)
        except HandoutsError:
            return ()
        return () if here is self.lib else (here,)

    async def batch(self, request: HttpRequest) -> Response:
        """A clinic list uploaded: every row's handout in one zip with its manifest. With
        ``?stream=1`` (the page's script), a line of progress after each row, then the zip."""
        form = await self._form(request, files=1)
        file = form.get("list")
        data, name = b"", ""
        try:  # read into memory (an upload of this size is never spooled to disk)
            if isinstance(file, UploadFile):
                data, name = await file.read(MAX_UPLOAD + 1), file.filename or "the list"
        finally:
            await form.close()
        values = blank(self.settings.today or dt.date.today())
        date_text = form.get("list_date")
        values["list_date"] = date_text if isinstance(date_text, str) else ""
        for box in ("skip_invalid", "list_allow_expired", "list_allow_draft"):
            values[box] = bool(form.get(box))
        allow = Allow(values["list_allow_expired"], values["list_allow_draft"], self.settings.today)
        stream = request.query_params.get("stream") == "1"
        try:
            date = _date(values["list_date"])
        except PatientError as exc:  # said at the date's field, in its own words
            said = [p.message for p in exc.problems]
            if stream:
                return JSONResponse({"problems": said, "field": "list_date"}, status_code=422)
            return self._page(request, values, {"list_date": said}, status=422)
        try:
            checked = await _in_thread(
                check_upload, data, name, self.lib, values["skip_invalid"], date, allow
            )
        except PatientError as exc:
            said = [str(p) for p in exc.problems]
            if stream:
                return JSONResponse({"problems": said}, status_code=422)
            return self._page(request, values, {"list": said}, status=422)
        bundle = Bundle(checked)
        if stream:
            return StreamingResponse(self._progress(bundle), media_type="application/octet-stream")
        try:
            for row in checked.listed.rows:
                await _in_thread(bundle.add, row, self._make)
            packed = await _in_thread(bundle.finish)
        except InternalError:
            raise  # a bug: answered and said by security.Bugs
        except HandoutsError as exc:  # the zip would be too large
            return self._page(request, values, {"list": [str(exc)]}, status=422)
        finally:
            bundle.close()
        return Response(
            packed,
            media_type="application/zip",
            headers={"content-disposition": f'attachment; filename="{_zip_name(date)}"'},
        )

    async def _progress(self, bundle: Bundle) -> AsyncIterator[bytes]:
        """A line of JSON after each row; then ``ZIP`` on a line of its own and the zip's
        bytes (or a line saying why there is none)."""
        rows = bundle.upload.listed.rows
        try:
            for done, row in enumerate(rows, 1):
                await _in_thread(bundle.add, row, self._make)
                yield json.dumps({"done": done, "total": len(rows)}).encode() + b"\n"
            packed = await _in_thread(bundle.finish)
        except Exception as exc:  # the zip would be too large, or a bug
            if isinstance(exc, HandoutsError) and not isinstance(exc, InternalError):
                said = str(exc)
            else:
                security.bug(exc)
                said = security.BUG_PAGE
            yield json.dumps({"problems": [said]}).encode() + b"\n"
            return
        finally:
            bundle.close()  # also when the page went away mid-way
        name = _zip_name(bundle.upload.date)
        said = {"note": past_a_sheet_rows(bundle.longer) + "."} if bundle.longer else {}
        yield json.dumps({"name": name, "bytes": len(packed)} | said).encode() + b"\nZIP\n"
        for at in range(0, len(packed), 1 << 20):
            yield packed[at : at + (1 << 20)]

    async def _handout(self, request: HttpRequest) -> tuple[Filled, Rendered] | Response:
        """The posted form's handout, or the form again with its problems beside their
        fields (or at the control that changes what could not be made)."""
        filled = await self._read(request)
        if filled.request is None:
            return self._page(request, filled.values, filled.problems, status=422)
        try:
            return filled, await _in_thread(self._make, filled.request)
        except InternalError:
            raise  # a bug: answered and said by security.Bugs
        except HandoutsError as exc:
            return self._page(request, filled.values, _said(exc), status=422)

    def _make(self, req: Request) -> Rendered:
        return self.renderer.make(self.lib, self.brand, req)

    async def _form(self, request: HttpRequest, files: int = 0) -> FormData:
        """The posted form, once its token shows it came from this page."""
        headers = {k: v for k, v in request.headers.items()}
        if not security.same_site(headers, request.headers.get("host")):
            raise HTTPException(403, EXPIRED)
        form = await request.form(max_files=files, max_fields=200, max_part_size=MAX_UPLOAD)
        token = form.get(security.CSRF_FIELD)
        token = token if isinstance(token, str) else None
        if not security.form_token_ok(self.settings.secret, _cookie(request), token):
            await form.close()
            raise HTTPException(403, EXPIRED)
        return form

    async def _read(self, request: HttpRequest) -> Filled:
        form = await self._form(request)
        posted = {k: form.getlist(k) for k in form}
        return read_form(posted, self.lib, self.settings.today)

    def _page(
        self,
        request: HttpRequest,
        values: dict[str, Any],
        problems: dict[str, list[str]] | None = None,
        preview: dict[str, Any] | None = None,
        status: int = 200,
    ) -> Response:
        cookie = _cookie(request)
        new = not security.cookie_ok(self.settings.secret, cookie)
        cookie = security.new_cookie(self.settings.secret) if new else cookie
        html = rendered(
            _TEMPLATES.get_template("form.html"),
            offer=self.offer,
            values=values,
            problems=problems or {},
            preview=preview,
            clinic=self.brand.spec.clinic_name,
            csrf=security.form_token(self.settings.secret, cookie),
        )
        response = HTMLResponse(html, status_code=status)
        if new:
            secure = request.url.scheme == "https"
            name = security.SECURE_COOKIE if secure else security.CSRF_COOKIE
            response.set_cookie(name, cookie, httponly=True, samesite="strict", secure=secure)
        return response
