"""The HTTP API (`/api/v1`): SPEC's request and decision contracts over JSON, for the office (OA) system."""

from __future__ import annotations

from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Query, Request
from starlette.concurrency import run_in_threadpool

from .auth import User, api_user
from .screening import parse_requests, screen

router = APIRouter()
health = APIRouter()


@health.get("/healthz", tags=["health"])
def healthz(request: Request) -> dict[str, Any]:
    """服务是否可用 / is the service up (no token needed)."""
    counts = request.app.state.store.counts()
    return {"status": "ok", "packs": sorted(request.app.state.catalog.packs), "records": counts["records"]}


@router.post("/screenings", tags=["screening"])
async def screenings(request: Request, record: bool = False, as_of: date | None = None, user: User = Depends(api_user)) -> list[dict[str, Any]]:
    body = await request.body()
    items = parse_requests(body)
    decisions = await run_in_threadpool(screen, request.app.state, user, items, record, as_of)
    return [d.contract() for d in decisions]
