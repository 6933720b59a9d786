"""From a question to a confirmed case at the right station, through the fake Bot API."""

from __future__ import annotations

import asyncio

from sqlalchemy import select

from bot.services import Services
from storage.models import CaseRow, DialogStateRow, OutboxRow
from tests.e2e.test_worker_flow import button_rows, find_button
from tests.fake_bot_api import FakeBotAPI

WORKER = 5151
ADMIN = 900  # ADMIN_IDS in the test settings


def asked_for_location(api: FakeBotAPI) -> bool:
    """Telegram returns no reply keyboard in the Message: look at what the bot sent."""
    for call in reversed(api.calls_to("sendMessage")):
        markup = call.params.get("reply_markup") or {}
        if isinstance(markup, dict) and "keyboard" in markup:
            return bool(markup["keyboard"][0][0].get("request_location"))
    return False


async def press(api: FakeBotAPI, message: dict, label: str) -> dict:
    api.press_button(WORKER, message, find_button(message, label)["callback_data"])
    return await api.next_sent(WORKER)


async def say(api: FakeBotAPI, text: str) -> dict:
    api.user_message(WORKER, text)
    return await api.next_sent(WORKER)


async def test_worker_goes_from_question_to_a_confirmed_case(
    telegram: FakeBotAPI, services: Services
) -> None:
    telegram.register_chat(ADMIN)
    answer = await say(telegram, "老板拖欠我三个月工资，找了好几次都不给，我想申请仲裁")
    assert "我要求助" in str(button_rows(answer))
    consent = await press(telegram, answer, "我要求助")
    assert "同意后才开始记录" in consent["text"]
    kind = await press(telegram, consent, "同意并继续")
    category = await press(telegram, kind, "我自己的纠纷")
    description = await press(telegram, category, "欠薪")
    assert "发生了什么" in description["text"]
    employer = await say(telegram, "在电子厂做了半年，老板拖欠三个月工资一直不给")
    assert "单位" in employer["text"]
    await say(telegram, "苏州某某电子有限公司")
    assert asked_for_location(telegram)
    await telegram.next_sent(WORKER)  # the city list
    huaqiao = services.stations.current.get("SZ-KS-HQ")
    assert huaqiao is not None
    telegram.user_location(WORKER, huaqiao.latitude + 0.004, huaqiao.longitude - 0.003)
    station_set = await telegram.next_sent(WORKER)
    assert "花桥" in station_set["text"]
    workers = await telegram.next_sent(WORKER)
    migrant = await press(telegram, workers, "只有我")
    amount = await press(telegram, migrant, "是")
    assert "多少元" in amount["text"]
    began = await say(telegram, "18000")
    warning = await press(telegram, began, "半年到1年")
    assert "1年" in warning["text"]
    await telegram.next_sent(WORKER)  # the phone question
    await say(telegram, "13812345678")
    telegram.user_photo(WORKER, caption="工资条")
    added = await telegram.next_sent(WORKER)
    assert "第1份" in added["text"]
    summary = await press(telegram, added, "完成")
    assert "花桥" in summary["text"] and "18000" in summary["text"]
    done = await press(telegram, summary, "确认提交")
    assert "案件编号是 SZ-2026-" in done["text"]
    assert "电话" in done["text"]
    eligibility = await telegram.next_sent(WORKER)
    assert "第42条" in eligibility["text"]  # migrant worker wage claim: no hardship check

    async with services.sessions.begin() as session:
        case = (await session.scalars(select(CaseRow))).one()
        assert case.station_code == "SZ-KS-HQ"
        assert case.category == "wage" and case.status == "queued"
        assert case.employer == "苏州某某电子有限公司"
        assert case.amount_owed == 18000 and case.phone == "13812345678"
        assert case.dispute_began == "6-12m" and case.workers_affected == "1"
        assert len(case.evidence) == 1 and case.evidence[0]["kind"] == "photo"
        assert "申请仲裁" not in case.place  # the place is the district, never coordinates
        assert case.eligibility["hardship_check_waived"] is True
        assert (await session.get(DialogStateRow, WORKER)) is None

    head = await press(telegram, done, "我的案件")
    assert "共1件" in head["text"]
    cases_page = await telegram.next_sent(WORKER)
    assert case.number in cases_page["text"] and "等待认领" in cases_page["text"]
    assert "1个工作日内" in cases_page["text"]  # what to expect, with the station's hours
    find_button(cases_page, "补充材料")


async def test_declining_consent_stores_nothing(telegram: FakeBotAPI, services: Services) -> None:
    menu = await say(telegram, "/start")
    consent = await press(telegram, menu, "我要求助")
    declined = await press(telegram, consent, "不同意")
    assert "没有保存" in declined["text"]
    async with services.sessions.begin() as session:
        assert (await session.get(DialogStateRow, WORKER)) is None
        assert (await session.scalars(select(CaseRow))).all() == []
        user = await session.get(__import__("storage.models").models.UserRow, WORKER)
        assert user is not None and user.consent_at is None


async def test_cancel_halfway_deletes_the_draft(telegram: FakeBotAPI, services: Services) -> None:
    menu = await say(telegram, "/start")
    consent = await press(telegram, menu, "我要求助")
    kind = await press(telegram, consent, "同意并继续")
    category = await press(telegram, kind, "我自己的纠纷")
    cancelled = await press(telegram, category, "取消")
    assert "已取消" in cancelled["text"]
    async with services.sessions.begin() as session:
        assert (await session.get(DialogStateRow, WORKER)) is None


async def test_back_returns_to_the_previous_question(telegram: FakeBotAPI) -> None:
    menu = await say(telegram, "/start")
    consent = await press(telegram, menu, "我要求助")
    kind = await press(telegram, consent, "同意并继续")
    category = await press(telegram, kind, "我自己的纠纷")
    again = await press(telegram, category, "返回上一步")
    assert again["text"] == kind["text"]


async def test_typed_place_with_a_typo_is_confirmed_before_use(telegram: FakeBotAPI) -> None:
    menu = await say(telegram, "/start")
    consent = await press(telegram, menu, "我要求助")
    kind = await press(telegram, consent, "同意并继续")
    category = await press(telegram, kind, "我自己的纠纷")
    await press(telegram, category, "合同、辞退")
    await say(telegram, "公司突然说不要我了，也不给补偿")
    await say(telegram, "某某物流公司")
    await telegram.next_sent(WORKER)  # city list
    confirm = await say(telegram, "盛则镇")  # 盛泽镇 typed by pinyin with the wrong character
    assert "您是说" in confirm["text"] and "盛泽" in confirm["text"]
    station = await press(telegram, confirm, "对")
    assert "盛泽" in station["text"]


async def test_a_crisis_creates_an_urgent_case_and_alerts_the_admin(
    telegram: FakeBotAPI, services: Services
) -> None:
    telegram.register_chat(ADMIN)
    telegram.user_message(WORKER, "老板一年没给工资，我真的不想活了")
    safety = await telegram.next_sent(WORKER)
    assert "12356" in safety["text"] or "110" in safety["text"]
    alert = await telegram.next_sent(ADMIN, timeout=10)
    assert "危机" in alert["text"]
    # Staff and admins see what the crisis is: the worker's own words and the kind.
    assert "老板一年没给工资，我真的不想活了" in alert["text"] and "自伤风险" in alert["text"]
    async with services.sessions.begin() as session:
        case = (await session.scalars(select(CaseRow))).one()
        assert case.urgent and case.crisis and case.kind == "crisis"
        assert case.description == "老板一年没给工资，我真的不想活了"
        assert case.crisis_kinds == ["self_harm"] and case.legal_basis == "pipl-13-1-4"
    for _ in range(100):  # the relay records the result just after the send
        async with services.sessions.begin() as session:
            row = (await session.scalars(select(OutboxRow).where(OutboxRow.kind == "alert"))).one()
        if row.status != "sending":
            break
        await asyncio.sleep(0.05)
    assert row.status == "sent" and row.chat_id == ADMIN


async def test_nearby_stations_from_a_typed_place(telegram: FakeBotAPI) -> None:
    menu = await say(telegram, "/start")
    await press(telegram, menu, "附近援助站")
    assert asked_for_location(telegram)
    await telegram.next_sent(WORKER)
    listing = await say(telegram, "汝州")
    assert "汝州" in listing["text"] and "0375-12351" in listing["text"]
    assert listing["text"].count("· ") == 3
