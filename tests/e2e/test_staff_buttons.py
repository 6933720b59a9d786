"""Staff act on a case from its card: buttons, the full view and its permissions, case
numbers in commands, and transfer texts (the real Application against the fake Bot API)."""

from __future__ import annotations

from sqlalchemy import select

from bot.services import Services
from storage.models import CaseEventRow, CaseRow
from tests.e2e.test_staff_flow import command, settle, until
from tests.e2e.test_worker_flow import find_button
from tests.fake_bot_api import FakeBotAPI

ADMIN = 900
WORKER = 6262
STAFF = 7201
OTHER = 7202  # staff of another city


async def open_case(services: Services, photo: str) -> tuple[int, str]:
    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "now",
        "station": "SZ-KS-HQ",
        "description": "三个月工资没发，老板不接电话",
        "employer": "某某电子厂",
        "phone": "13912345678",
        "amount": 16000,
        "migrant": True,
        "evidence": [{"kind": "photo", "file_id": photo, "file_name": None}],
    }
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    services.dialog.outbox_written()
    return opened.id, opened.number


async def test_staff_work_a_case_from_buttons(telegram: FakeBotAPI, services: Services) -> None:
    for chat in (ADMIN, WORKER, STAFF, OTHER):
        telegram.register_chat(chat)
    await command(telegram, ADMIN, f"/grant_staff {STAFF} SZ-KS-HQ")
    await command(telegram, ADMIN, f"/grant_staff {OTHER} PDS")
    # A photo the worker sent (so its file id is one Telegram knows).
    photo = telegram.user_photo(WORKER, caption="工资条")["photo"][-1]["file_id"]
    await telegram.next_sent(WORKER)
    case_id, number = await open_case(services, photo)
    card = await until(telegram, STAFF, number)
    assert "13912345678" in card["text"] and "约16000元" in card["text"]

    # Staff of another station cannot open the full view.
    telegram.press_button(OTHER, card, f"case:hist:{case_id}", chat_id=OTHER)
    refused = await until(telegram, OTHER, "无权限")
    assert "13912345678" not in refused["text"]

    telegram.press_button(STAFF, card, find_button(card, "认领")["callback_data"])
    claimed = await until(telegram, STAFF, "后认领")  # the card, edited: the clock stopped
    assert claimed["message_id"] == card["message_id"]
    find_button(claimed, "回复")
    find_button(claimed, "办结")

    # 回复 → prompt → the next text goes to the worker.
    telegram.press_button(STAFF, claimed, find_button(claimed, "回复")["callback_data"])
    await until(telegram, STAFF, "请输入要发给案件")
    telegram.user_message(STAFF, "请带上工资条明天来站里")
    await until(telegram, STAFF, "已发送")
    await until(telegram, WORKER, "请带上工资条明天来站里")

    # 详情: everything the intake collected, with a button per evidence file.
    telegram.press_button(STAFF, claimed, find_button(claimed, "详情")["callback_data"])
    view = await until(telegram, STAFF, "——记录——")
    for needle in ("13912345678", "某某电子厂", "约16000元", "外地来务工：是", "证据材料：1份"):
        assert needle in view["text"], needle
    telegram.press_button(STAFF, view, find_button(view, "看第1份")["callback_data"])
    await until(telegram, STAFF, "已把第1份材料发给您")
    sent = await telegram.wait_for_call(
        "sendPhoto", predicate=lambda c: str(c.params.get("chat_id")) == str(STAFF)
    )
    assert sent.params.get("photo") == photo and sent.status == 200

    # Commands take the case number as well as the id.
    telegram.user_message(STAFF, f"/note {number} 老板答应周五前回电")
    await until(telegram, STAFF, "内部备注")

    # 转交 → the station tree → the answer names the new station; the worker gets no
    # invented reason, and the history says the case went back to the queue.
    telegram.press_button(STAFF, claimed, find_button(claimed, "转交")["callback_data"])
    tree = await until(telegram, STAFF, "转交给哪个站点")
    target = find_button(tree, "平顶山")
    telegram.press_button(STAFF, tree, target["callback_data"])
    moved = await until(telegram, STAFF, "已转交给")
    assert "平顶山" in moved["text"] and "花桥" not in moved["text"]
    told = await until(telegram, WORKER, "已转交")
    assert "异地协作" not in told["text"]
    async with services.sessions.begin() as session:
        case = await session.get(CaseRow, case_id)
        events = (
            await session.scalars(
                select(CaseEventRow).where(
                    CaseEventRow.case_id == case_id, CaseEventRow.kind == "transferred"
                )
            )
        ).all()
    assert case is not None and case.status == "queued" and case.station_code.startswith("PDS")
    assert [(e.from_status, e.to_status) for e in events] == [("claimed", "queued")]

    # The other city's staff claim it and close it from the outcome buttons.
    other_card = await until(telegram, OTHER, number)
    telegram.press_button(OTHER, other_card, find_button(other_card, "认领")["callback_data"])
    await settle(services)
    telegram.user_message(OTHER, f"/close {number} 调解成功 已补发")
    await until(telegram, OTHER, "已办结：调解成功")
    await until(telegram, WORKER, "调解成功")
