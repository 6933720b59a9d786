"""Webhook mode: the real Application behind the Starlette app served by uvicorn; the fake
Bot API posts updates as Telegram does (secret token checked, retries handled once)."""

from __future__ import annotations

import asyncio
import socket

from pydantic import SecretStr
from sqlalchemy import select

from bot.services import Services
from bot.settings import Settings
from handlers import webhook as hook
from handlers.app import build_application
from storage.models import InboxRow
from tests.e2e.conftest import TOKEN
from tests.fake_bot_api import FakeBotAPI

WORKER = 4343


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_updates_posted_to_the_webhook_are_answered_once(
    settings: Settings, services: Services, fake_api: FakeBotAPI
) -> None:
    bot_settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_base_url": fake_api.base_url,
            "telegram_base_file_url": fake_api.base_file_url,
        }
    )
    application = build_application(bot_settings, services, trust_env=False, webhook=True)
    port = free_port()
    secret = bot_settings.webhook_secret_value()
    async with application:
        await application.start()
        await application.bot.set_webhook(
            url=f"http://127.0.0.1:{port}{hook.WEBHOOK_PATH}", secret_token=secret
        )
        web = hook.server(hook.asgi_app(application, services, secret), "127.0.0.1", port)
        serving = asyncio.create_task(web.serve())
        try:
            for _ in range(200):  # uvicorn sets `started` once it listens
                if web.started:
                    break
                await asyncio.sleep(0.05)
            fake_api.user_message(WORKER, "/start")
            # A wrong secret is refused and the update stays with Telegram.
            assert await fake_api.deliver_webhook(secret="wrong") == [403]
            assert await fake_api.deliver_webhook() == [200]
            welcome = await fake_api.next_sent(WORKER)
            assert "劳动维权助手" in welcome["text"]

            # Telegram retries a delivery (e.g. our 200 was lost): handled once.
            fake_api.user_message(WORKER, "加班费怎么算")
            [update] = fake_api.pending_updates
            assert await fake_api.deliver_webhook() == [200]
            await fake_api.next_sent(WORKER)
            fake_api._updates.append(update)  # the same update id again
            assert await fake_api.deliver_webhook() == [200]
            await asyncio.sleep(0.5)
            answers = [m for m in fake_api.sent(WORKER) if "加班" in m.get("text", "")]
            assert len(answers) == 1
            async with services.sessions.begin() as session:
                states = (await session.scalars(select(InboxRow.state))).all()
            assert states and set(states) == {"done"}
        finally:
            web.should_exit = True
            await serving
            await application.stop()
