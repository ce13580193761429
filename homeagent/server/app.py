"""The FastAPI application factory."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from pathlib import Path

from fastapi import APIRouter, FastAPI

from homeagent.server import alerts, schemas
from homeagent.server.db import Database
from homeagent.server.deps import ServerContext
from homeagent.server.echo import EchoService
from homeagent.server.errors import ERROR_RESPONSES, BodyLimitMiddleware, install_error_handlers
from homeagent.server.events import EventBus
from homeagent.server.idempotency import IdempotencyMiddleware
from homeagent.server.limits import Limits
from homeagent.server.queue_stats import QueueStatsPublisher
from homeagent.server.reminders import reminders
from homeagent.server.routers import (
    acd,
    agents,
    auth,
    call_supervision,
    calls,
    contacts,
    diagnostics,
    figures,
    help,
    me,
    messages,
    network_check,
    quality,
    queues,
    remote_state,
    slots,
    stream,
    supervision,
    updates,
)

API_PREFIX = "/api/v1"


def create_app(
    database: Database | str,
    *,
    access_ttl_s: int = 900,
    limits: Limits | None = None,
    updates_dir: Path | None = None,
    echo: EchoService | None = None,
) -> FastAPI:
    """Build the app over an initialised database (see `homeagent-server init`);
    `updates_dir`: the organisation's TUF repository, served at /updates/ (read-only);
    `echo`: the pre-shift check's UDP echo service (started and stopped by the caller)."""
    db = database if isinstance(database, Database) else Database(database)
    settings = db.settings()
    if "token_secret" not in settings:
        raise RuntimeError("the database is not initialised: run `homeagent-server init` first")
    limits = limits or Limits()
    bus = EventBus(
        db, streams_per_device=limits.streams_per_device, max_queue=limits.stream_queue_events
    )
    publisher = QueueStatsPublisher(db)
    ctx = ServerContext(
        db=db,
        settings=settings,
        bus=bus,
        access_ttl_s=access_ttl_s,
        limits=limits,
        queue_stats=publisher,
        echo=echo,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        await bus.start()
        await publisher.start()
        try:
            async with reminders(db), alerts.scanning(db, limits.alert_scan_s):
                yield
        finally:
            await publisher.stop()
            await bus.stop()

    app = FastAPI(
        title="HomeAgent contact-centre server",
        version="1.0",
        openapi_url=f"{API_PREFIX}/openapi.json",
        docs_url=f"{API_PREFIX}/docs",
        redoc_url=None,
        lifespan=lifespan,
    )
    app.state.ctx = ctx
    install_error_handlers(app)
    api = APIRouter(prefix=API_PREFIX, responses=ERROR_RESPONSES)

    @api.get("/health", response_model=schemas.OkOut, tags=["health"])
    def health() -> schemas.OkOut:
        return schemas.OkOut()

    for module in (
        auth, me, agents, remote_state, quality, contacts, calls, messages, help, figures,
        queues, supervision, call_supervision, stream, acd, slots, diagnostics,
        network_check,
    ):  # fmt: skip
        api.include_router(module.router)
    app.include_router(api)
    if updates_dir is not None:
        app.include_router(updates.router_for(updates_dir))
    # Outermost first: the body limit buffers the body the idempotency layer hashes.
    app.add_middleware(IdempotencyMiddleware)
    app.add_middleware(BodyLimitMiddleware)
    return app
