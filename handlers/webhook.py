"""Webhook mode: one ASGI app (Starlette, served by uvicorn) takes Telegram's updates, and
later the web admin console, beside the same PTB Application (PTB's custom-webhook pattern).

Each delivery is checked against the secret token, stored in the inbox before it is
acknowledged, and then queued to the Application; a delivery Telegram retries, or that reaches
a second instance, is handled once (`handlers.processing.seen_before`). Deliveries an instance
acknowledged but never handled (it died) are queued again when an instance starts.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from telegram import Update
from telegram.ext import Application

from bot.services import Services
from storage import repositories as repo

logger = logging.getLogger(__name__)

WEBHOOK_PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_BODY = 1_000_000


def asgi_app(application: Application, services: Services, secret: str) -> Starlette:
    async def telegram(request: Request) -> Response:
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            logger.warning("webhook: wrong or missing secret token")
            return PlainTextResponse("forbidden", status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return PlainTextResponse("too large", status_code=413)
        try:
            data: Any = await request.json()
            update_id = int(data["update_id"])
        except (ValueError, KeyError, TypeError):
            return PlainTextResponse("bad update", status_code=400)
        async with services.sessions.begin() as session:
            await repo.receive_update(session, update_id, data, services.clock())
        await application.update_queue.put(Update.de_json(data, application.bot))
        return Response(status_code=200)

    async def health(_: Request) -> Response:
        return JSONResponse({"ok": True, "bot": application.bot.username})

    return Starlette(
        routes=[
            Route(WEBHOOK_PATH, telegram, methods=["POST"]),
            Route("/healthz", health, methods=["GET"]),
        ]
    )


async def requeue_received(application: Application, services: Services) -> int:
    """Queue again what was acknowledged but never handled (another instance died)."""
    async with services.sessions.begin() as session:
        pending = await repo.received_updates(session)
    for data in pending:
        await application.update_queue.put(Update.de_json(data, application.bot))
    if pending:
        logger.info("webhook: %s acknowledged updates queued again", len(pending))
    return len(pending)


def server(app: Starlette, host: str, port: int) -> uvicorn.Server:
    config = uvicorn.Config(app=app, host=host, port=port, use_colors=False, log_level="warning")
    return uvicorn.Server(config)
