"""The clinicians' web page: one form to make a handout, a preview of its pages, the PDF.

Server-rendered HTML that works without JavaScript (a small script filters the lists as a
clinician types and shows what applies as they pick). A posted form is checked as a
clinic-list row is, so its problems are said in the CLI's words, each beside its field.
Nothing about a patient is written to disk, logged or kept after the response: the PDF
and its preview are made in memory and sent. Each worker process has its own renderer
(:class:`handouts.pipeline.Renderer`), used by one request at a time.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request as HttpRequest
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from handouts import paths
from handouts.document.request import Request
from handouts.document.visit import applies
from handouts.errors import HandoutsError
from handouts.pipeline import Renderer, load_inputs
from handouts.web import security
from handouts.web.form import Filled, blank, offer, read_form
from handouts.web.preview import page_pictures

FORM_LIMIT = 256 * 1024
"""The most bytes a form post may hold (notes and plan fields are a few KB)."""
ENV_PREFIX = "HANDOUTS_WEB_"
EXPIRED = (
    "This form has expired, or it came from another site. Go back, reload the page "
    "and send it again."
)
"""Settings pass to worker processes in environment variables with this prefix."""


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

    def to_env(self) -> dict[str, str]:
        env = {"CONTENT": str(self.content), "SECRET": self.secret}
        env |= {"BRAND": str(self.brand)} if self.brand else {}
        env |= {"TOKEN": self.token} if self.token else {}
        env |= {"TODAY": self.today.isoformat()} if self.today else {}
        return {ENV_PREFIX + k: v for k, v in env.items()}

    @classmethod
    def from_env(cls) -> Settings:
        get = os.environ.get
        brand, today = get(ENV_PREFIX + "BRAND"), get(ENV_PREFIX + "TODAY")
        return cls(
            Path(get(ENV_PREFIX + "CONTENT") or paths.CONTENT),
            Path(brand) if brand else None,
            get(ENV_PREFIX + "SECRET") or security.new_secret(),
            get(ENV_PREFIX + "TOKEN") or None,
            dt.date.fromisoformat(today) if today else None,
        )


def create_app(settings: Settings | None = None) -> Starlette:
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
            Mount("/static", StaticFiles(packages=[("handouts.web", "static")]), name="static"),
        ],
        exception_handlers={HTTPException: _http_error},
    )
    app.add_middleware(security.SizeLimit, limit=FORM_LIMIT)
    if settings.token:
        app.add_middleware(security.AccessToken, token=settings.token)
    app.add_middleware(security.Headers)
    return app


async def _http_error(request: HttpRequest, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    return PlainTextResponse(exc.detail, status_code=exc.status_code)


_TEMPLATES = Environment(
    loader=PackageLoader("handouts.web", "templates"),
    autoescape=select_autoescape(default=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


class Page:
    """The page's handlers, with what they share: settings, content, brand, renderer."""

    def __init__(self, settings: Settings, lib: Any, brand: Any):
        self.settings, self.lib, self.brand = settings, lib, brand
        self.offer = offer(lib)
        self.renderer = Renderer()

    async def form(self, request: HttpRequest) -> Response:
        return self._page(request, blank(dt.date.today()))

    async def preview(self, request: HttpRequest) -> Response:
        filled = await self._read(request)
        if filled.request is None:
            return self._page(request, filled.values, filled.problems, status=422)
        try:
            done = await run_in_threadpool(self.renderer.make, self.lib, self.brand, filled.request)
            pictures = await run_in_threadpool(page_pictures, done.pdf)
        except HandoutsError as exc:
            return self._page(request, filled.values, {"": [str(exc)]}, status=422)
        links, combos = applies(self.lib, filled.request, self.brand)
        shown = {"pictures": pictures, "pages": done.pages, "links": links, "combos": combos,
                 "allowed": [str(p) for p in done.allowed]}  # fmt: skip
        return self._page(request, filled.values, preview=shown)

    async def pdf(self, request: HttpRequest) -> Response:
        filled = await self._read(request)
        if filled.request is None:
            return self._page(request, filled.values, filled.problems, status=422)
        try:
            done = await run_in_threadpool(self.renderer.make, self.lib, self.brand, filled.request)
        except HandoutsError as exc:
            return self._page(request, filled.values, {"": [str(exc)]}, status=422)
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
        links, combos = applies(lib, Request(conds, medicines=meds), self.brand)
        return JSONResponse({"links": links, "combos": combos})

    async def _form(self, request: HttpRequest) -> FormData:
        """The posted form, once its token shows it came from this page."""
        form = await request.form(max_files=0, max_fields=200, max_part_size=FORM_LIMIT)
        cookie = request.cookies.get(security.CSRF_COOKIE)
        token = form.get(security.CSRF_FIELD)
        token = token if isinstance(token, str) else None
        if not security.form_token_ok(self.settings.secret, cookie, token):
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
        cookie = request.cookies.get(security.CSRF_COOKIE)
        new = not cookie
        cookie = cookie or security.new_cookie()
        html = _TEMPLATES.get_template("form.html").render(
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
            response.set_cookie(
                security.CSRF_COOKIE, cookie, httponly=True, samesite="strict", secure=secure
            )
        return response
