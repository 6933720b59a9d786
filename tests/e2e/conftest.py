"""The real Application, polling the fake Bot API over HTTP on 127.0.0.1."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator

import pytest
from pydantic import SecretStr

from bot.services import Services
from bot.settings import Settings
from handlers.app import build_application, configure_bot
from tests.fake_bot_api import FakeBotAPI

TOKEN = "123456:TEST-token-e2e"

logger = logging.getLogger(__name__)


@contextlib.asynccontextmanager
async def running_bot(
    settings: Settings, services: Services, api: FakeBotAPI
) -> AsyncIterator[None]:
    """The real Application polling `api`, started and stopped as run_polling does."""
    bot_settings = settings.model_copy(
        update={
            "telegram_bot_token": SecretStr(TOKEN),
            "telegram_base_url": api.base_url,
            "telegram_base_file_url": api.base_file_url,
        }
    )
    application = build_application(bot_settings, services, trust_env=False)
    async with application:
        await configure_bot(application)
        await application.updater.start_polling(  # type: ignore[union-attr]
            poll_interval=0.0,
            timeout=1,
            error_callback=lambda exc: logger.warning("poll error %r", exc),
        )
        await application.start()
        try:
            yield
        finally:
            await application.updater.stop()  # type: ignore[union-attr]
            await application.stop()


@pytest.fixture
async def fake_api() -> AsyncIterator[FakeBotAPI]:
    api = FakeBotAPI(TOKEN)
    await api.start()
    try:
        yield api
    finally:
        await api.stop()


@pytest.fixture
async def telegram(
    settings: Settings, services: Services, fake_api: FakeBotAPI
) -> AsyncIterator[FakeBotAPI]:
    async with running_bot(settings, services, fake_api):
        yield fake_api
