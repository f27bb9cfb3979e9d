"""`create_app(settings)`: the FastAPI application. One engine and one register store per process; several worker
processes over one PostgreSQL scale it out (each builds its own).

Nothing loads from the internet (it runs on the government intranet): the API docs at /docs use the Swagger UI files
shipped in the `swagger-ui-bundle` package, served by the app itself under /docs-assets.
"""

from __future__ import annotations

import json
import os
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.staticfiles import StaticFiles

from jianfu.engine import Engine, load_folder

from jianfu.adapters.cli.common import rules_dir
from jianfu.adapters.storage import open_store

from . import errors
from .auth import Directory
from .settings import Settings

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"


class BodyLimit:
    """Refuse request bodies over `limit` bytes with 413 and a JSON body, whether or not Content-Length is sent."""

    def __init__(self, app, limit: int):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        for name, value in scope.get("headers", ()):
            if name == b"content-length":
                try:
                    too_big = int(value) > self.limit
                except ValueError:
                    too_big = True
                if too_big:
                    return await self._refuse(send)
        seen = 0
        started = False

        async def counted_receive():
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise _TooLarge()
            return message

        async def tracked_send(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, counted_receive, tracked_send)
        except _TooLarge:
            if not started:
                await self._refuse(send)

    async def _refuse(self, send):
        body = json.dumps(
            {"error": "too_large", "message": f"请求体过大（上限 {self.limit} 字节）", "message_en": f"request body too large ({self.limit} bytes at most)"},
            ensure_ascii=False,
        ).encode()
        await send({"type": "http.response.start", "status": 413, "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


class _TooLarge(Exception):
    pass


def _swagger_assets() -> Path | None:
    try:
        import swagger_ui_bundle
    except ImportError:  # pragma: no cover - declared in pyproject
        return None
    return Path(swagger_ui_bundle.swagger_ui_path)


def create_app(settings: Settings) -> FastAPI:
    folder = rules_dir(settings.rules_dir)
    catalog = load_folder(folder)  # an invalid pack raises InvalidPack: the service does not start
    app = FastAPI(
        title="jianfu 减负",
        description="按精文简会、统筹规范督查检查考核的规定审查文件、会议、督查检查考核和简报。"
        "Screens documents, meetings, inspections and bulletins against Jiangxi's burden-reduction rules. "
        "Send `Authorization: Bearer <token>`.",
        version="1",
        docs_url=None,
        redoc_url=None,
        lifespan=_lifespan,
    )
    app.state.settings = settings
    app.state.catalog = catalog
    app.state.engine = Engine(catalog)
    app.state.store = open_store(settings.db_url)
    app.state.users = Directory(settings.users_file)
    app.state.rules_dir = folder

    errors.install(app)
    app.add_middleware(BodyLimit, limit=settings.max_body_bytes)

    from . import api, intake_api, intake_pages, pages, quota_views

    app.include_router(api.router, prefix="/api/v1")
    app.include_router(intake_api.router, prefix="/api/v1")
    app.include_router(api.health)
    app.include_router(pages.router)
    quota_views.install(app)  # 我的额度: its API route and page
    app.include_router(intake_pages.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")

    assets = _swagger_assets()
    if assets is not None:
        app.mount("/docs-assets", StaticFiles(directory=assets), name="docs-assets")

        @app.get("/docs", include_in_schema=False)
        def docs():
            return get_swagger_ui_html(
                openapi_url=app.openapi_url,
                title="jianfu API",
                swagger_js_url="/docs-assets/swagger-ui-bundle.js",
                swagger_css_url="/docs-assets/swagger-ui.css",
                swagger_favicon_url="/docs-assets/favicon-32x32.png",
            )

    app.openapi = lambda: _openapi(app)
    return app


def _openapi(app: FastAPI) -> dict:
    """FastAPI's schema, plus the contracts of the bodies the routes parse themselves (SPEC's request contract)."""
    if app.openapi_schema:
        return app.openapi_schema
    from fastapi.openapi.utils import get_openapi
    from pydantic import TypeAdapter

    from jianfu.engine.records import FiledPlan, Record
    from jianfu.engine.requests import Plan, Request

    schema = get_openapi(title=app.title, version=app.version, description=app.description, routes=app.routes)
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    types = {"ScreeningRequests": Request | list[Request], "Plan": Plan, "Record": Record, "FiledPlan": FiledPlan}
    for name, kind in types.items():
        generated = TypeAdapter(kind).json_schema(ref_template="#/components/schemas/{model}")
        for key, value in generated.pop("$defs", {}).items():
            components.setdefault(key, value)
        components[name] = generated
    app.openapi_schema = schema
    return schema


@asynccontextmanager
async def _lifespan(app: FastAPI):
    yield
    app.state.store.close()


def app_from_environment() -> FastAPI:
    """The app a uvicorn worker builds (`jianfu serve` passes its options through the environment)."""
    return create_app(Settings(
        db_url=os.environ.get("JIANFU_DATABASE_URL") or None,
        rules_dir=os.environ.get("JIANFU_RULES") or None,
        max_body_bytes=int(os.environ.get("JIANFU_MAX_BODY", 5 * 1024 * 1024)),
    ))
