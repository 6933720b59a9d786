"""A restart in the middle of an intake loses nothing: the state is in the database."""

from __future__ import annotations

from bot.services import Services
from bot.settings import Settings
from knowledge.normalize import Normalizer
from tests.conftest import FakeClock
from tests.e2e.conftest import running_bot
from tests.e2e.test_intake_flow import WORKER, press, say
from tests.fake_bot_api import FakeBotAPI


async def test_intake_resumes_after_the_bot_restarts(
    settings: Settings, normalizer: Normalizer, fake_api: FakeBotAPI, clock: FakeClock
) -> None:
    first = await Services.create(settings, normalizer=normalizer, clock=clock)
    try:
        async with running_bot(settings, first, fake_api):
            menu = await say(fake_api, "/start")
            consent = await press(fake_api, menu, "我要求助")
            kind = await press(fake_api, consent, "同意并继续")
            category = await press(fake_api, kind, "我自己的纠纷")
            description = await press(fake_api, category, "工伤、职业病")
            assert "发生了什么" in description["text"]
    finally:
        await first.aclose()

    # A new process: new Services, new Application, same database and Telegram chat.
    second = await Services.create(settings, normalizer=normalizer, clock=clock)
    try:
        async with running_bot(settings, second, fake_api):
            employer = await say(fake_api, "在工地上从架子上摔下来腿骨折了，老板不给报工伤")
            assert "单位" in employer["text"]
            state = await second.dialog.state_of(WORKER)
            assert state == "intake"
    finally:
        await second.aclose()
