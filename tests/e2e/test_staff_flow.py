"""Duty staff through the real Application: cards, claims, relay, faults."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.services import Services
from storage.models import CaseRow, OutboxRow
from tests.e2e.test_worker_flow import find_button
from tests.fake_bot_api import FakeBotAPI

ADMIN = 900
WORKER = 6161
STAFF_A = 7101
STAFF_B = 7102
OUTSIDER = 7199  # staff of another station
GROUP = -100777


async def open_case(services: Services, station: str = "SZ-KS-HQ") -> int:
    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "now",
        "station": station,
        "description": "三个月工资没发，老板不接电话",
        "employer": "某某电子厂",
    }
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    services.dialog.outbox_written()
    return opened.id


async def command(api: FakeBotAPI, user: int, text: str, chat: int | None = None) -> dict:
    api.user_message(
        user, text, chat_id=chat, chat_type="group" if chat and chat < 0 else "private"
    )
    return await api.next_sent(chat or user)


async def until(api: FakeBotAPI, chat: int, needle: str) -> dict:
    """The next message to `chat` containing `needle` (skipping card edits and the like)."""
    for _ in range(20):
        message = await api.next_sent(chat, timeout=10)
        if needle in message.get("text", ""):
            return message
    raise AssertionError(f"no message with {needle!r} to {chat}")


async def settle(services: Services) -> None:
    """Wait until the relay has nothing pending or in flight."""
    for _ in range(200):
        async with services.sessions.begin() as session:
            busy = (
                await session.scalars(
                    select(OutboxRow).where(OutboxRow.status.in_(("pending", "sending")))
                )
            ).all()
        if not busy:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"outbox not drained: {[(r.kind, r.status) for r in busy]}")


async def test_full_case_lifecycle_through_telegram(
    telegram: FakeBotAPI, services: Services
) -> None:
    for chat in (ADMIN, WORKER, STAFF_A, STAFF_B, OUTSIDER):
        telegram.register_chat(chat)
    granted = await command(telegram, ADMIN, f"/grant_staff {STAFF_A} SZ-KS-HQ")
    assert "已授权" in granted["text"]
    await command(telegram, ADMIN, f"/grant_staff {STAFF_B} SZ-KS-HQ")
    await command(telegram, ADMIN, f"/grant_staff {OUTSIDER} PDS")
    for member in (STAFF_A, STAFF_B, OUTSIDER):  # a newly granted member is told so
        told = await until(telegram, member, "已被授权")
        assert "/staff" in told["text"]
    assert any(c.params.get("scope") for c in telegram.calls_to("setMyCommands"))

    case_id = await open_case(services)
    card_a = await telegram.next_sent(STAFF_A, timeout=10)
    card_b = await telegram.next_sent(STAFF_B, timeout=10)
    assert "待认领" in card_a["text"] and "某某电子厂" in card_a["text"]

    # A forged press by staff of another station changes nothing.
    telegram.press_button(OUTSIDER, card_a, f"case:claim:{case_id}", chat_id=OUTSIDER)
    refused = await telegram.wait_for_call(
        "answerCallbackQuery", predicate=lambda c: c.params.get("show_alert") is True
    )
    assert "无权限" in refused.params["text"]

    # Both staff press 认领 at once: one wins, the other is told it is taken.
    telegram.press_button(STAFF_A, card_a, find_button(card_a, "认领")["callback_data"])
    telegram.press_button(STAFF_B, card_b, find_button(card_b, "认领")["callback_data"])
    await telegram.wait_for_call(
        "answerCallbackQuery", predicate=lambda c: c.params.get("show_alert") is True
    )
    await settle(services)
    async with services.sessions.begin() as session:
        case = await session.get(CaseRow, case_id)
    assert case is not None and case.claimed_by in (STAFF_A, STAFF_B)
    owner = case.claimed_by
    edited = telegram.message(STAFF_A, card_a["message_id"])
    assert edited is not None and "处理中" in edited["text"] and str(owner) in edited["text"]

    told = await until(telegram, WORKER, "已由")
    assert str(owner) not in told["text"]

    # The owner replies; the worker sees the station's name, never the staff account.
    telegram.user_message(owner, f"/reply {case_id} 请明天上午带工资条来站里")
    await until(telegram, owner, "已发送")
    from_staff = await until(telegram, WORKER, "工资条")
    assert "请明天上午带工资条来站里" in from_staff["text"]
    assert str(owner) not in from_staff["text"]

    # The worker answers through the button; the owner gets it.
    telegram.press_button(
        WORKER, from_staff, find_button(from_staff, "回复工作人员")["callback_data"]
    )
    await telegram.next_sent(WORKER)
    telegram.user_message(WORKER, "好的，我明天九点到")
    await telegram.next_sent(WORKER)
    relayed = await until(telegram, owner, "当事人来信")
    assert "我明天九点到" in relayed["text"]

    telegram.user_message(owner, f"/close {case_id} mediated 老板同意补发")
    await until(telegram, owner, "已办结")
    closing = await until(telegram, WORKER, "调解成功")
    assert "调解成功" in closing["text"] and "重新打开" in str(closing["reply_markup"])
    telegram.press_button(WORKER, closing, f"case:rate:{case_id}:5")
    thanks = await telegram.next_sent(WORKER)
    assert "谢谢" in thanks["text"]

    # The history reads in Chinese and local time, with both sides of the conversation.
    async with services.sessions.begin() as session:
        number = (await session.get(CaseRow, case_id)).number
    telegram.user_message(owner, f"/case {number}")
    history = await until(telegram, owner, "——记录——")
    for kind in ("提交", "认领", "工作人员回复", "求助人留言", "办结", "评价", "调解成功"):
        assert kind in history["text"], kind
    assert "请明天上午带工资条来站里" in history["text"] and "我明天九点到" in history["text"]


async def test_cards_reach_a_linked_station_group(
    telegram: FakeBotAPI, services: Services
) -> None:
    telegram.register_chat(ADMIN)
    telegram.register_chat(GROUP, type="supergroup", title="花桥值班群")
    await command(telegram, ADMIN, f"/grant_staff {STAFF_A} SZ-KS-HQ")
    linked = await command(telegram, STAFF_A, "/link_station SZ-KS-HQ", chat=GROUP)
    assert "绑定" in linked["text"]
    await open_case(services)
    card = await telegram.next_sent(GROUP, timeout=10)
    assert "待认领" in card["text"]


async def test_relay_survives_429_and_5xx_and_delivers_every_card_once(
    fake_api: FakeBotAPI, services: Services
) -> None:
    """The relay alone (no polling Application), driven with a moving clock."""
    staff_ids = [7301, 7302, 7303]
    for user in staff_ids:
        fake_api.register_chat(user)
        await services.desk.grant(ADMIN, user, "SZ-KS-HQ", services.clock())
    fake_api.inject("sendMessage", "429", times=1, retry_after=1)
    fake_api.inject("sendMessage", "502", times=2)
    fake_api.inject("sendMessage", "500", times=1)
    fake_api.inject("sendMessage", "drop", times=1)
    ids = [await open_case(services) for _ in range(3)]
    notifier = _notifier(telegram_bot(fake_api))
    rounds = 0
    while rounds < 40:
        rounds += 1
        await services.relay.run_once(notifier, services.clock())
        async with services.sessions.begin() as session:
            left = (
                await session.scalars(
                    select(OutboxRow).where(OutboxRow.kind == "card", OutboxRow.status != "sent")
                )
            ).all()
        if not left:
            break
        services.clock.advance(seconds=20)  # type: ignore[attr-defined]  # past the back-off
    statuses = [c.status for c in fake_api.calls_to("sendMessage")]
    assert {429, 502, 500} <= set(statuses)  # the faults did happen
    for user in staff_ids:
        cards = [m for m in fake_api.sent(user) if "案件 " in m.get("text", "")]
        numbers = sorted(m["text"].split("案件 ")[1].split("｜")[0] for m in cards)
        assert len(numbers) == len(ids) == len(set(numbers)), numbers


_bots: dict[int, object] = {}


def telegram_bot(api: FakeBotAPI):
    """A second real Bot on the fake, for driving the relay by hand."""
    from telegram import Bot
    from telegram.request import HTTPXRequest

    from tests.e2e.conftest import TOKEN

    key = id(api)
    if key not in _bots:
        request = HTTPXRequest(httpx_kwargs={"trust_env": False})
        _bots[key] = Bot(
            TOKEN, base_url=api.base_url, base_file_url=api.base_file_url, request=request
        )
    return _bots[key]


def _notifier(bot):
    from handlers.notifier import TelegramNotifier

    return TelegramNotifier(bot)


async def test_a_group_that_lost_the_bot_is_unlinked_and_staff_get_cards_privately(
    fake_api: FakeBotAPI, services: Services
) -> None:
    fake_api.register_chat(7401)
    await services.desk.grant(ADMIN, 7401, "SZ-KS-HQ", services.clock())
    await services.desk.link_chat(7401, GROUP, "SZ-KS-HQ", services.clock())
    fake_api.register_chat(ADMIN)
    fake_api.inject("sendMessage", "forbidden", match=lambda p: int(p.get("chat_id", 0)) == GROUP)
    notifier = _notifier(telegram_bot(fake_api))
    await open_case(services)
    await services.relay.run_once(notifier, services.clock())
    await services.relay.run_once(notifier, services.clock())  # the warning it enqueued
    warning = await fake_api.next_sent(ADMIN)
    assert "值班群无法接收" in warning["text"]
    await open_case(services)
    await services.relay.run_once(notifier, services.clock())
    card = await fake_api.next_sent(7401)
    assert "待认领" in card["text"]
