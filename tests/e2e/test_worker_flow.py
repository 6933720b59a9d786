"""User stories through the real PTB Application and the fake Bot API."""

from __future__ import annotations

import asyncio
import logging

from tests.e2e.conftest import TOKEN
from tests.fake_bot_api import FakeBotAPI

WORKER = 4242


def button_rows(message: dict) -> list[list[dict]]:
    return (message.get("reply_markup") or {}).get("inline_keyboard", [])


def find_button(message: dict, text: str) -> dict:
    for row in button_rows(message):
        for button in row:
            if text in button["text"]:
                return button
    raise AssertionError(f"no button {text!r} in {button_rows(message)}")


async def test_start_shows_the_main_menu_and_publishes_commands(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "/start")
    reply = await telegram.next_sent(WORKER)
    labels = [b["text"] for row in button_rows(reply) for b in row]
    assert labels == ["常见问题", "我要求助", "附近援助站", "我的案件", "隐私说明"]
    assert {c["command"] for c in telegram.commands()} >= {"start", "help", "law"}


async def test_worker_question_gets_answer_with_citation(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "老板拖欠工钱三个月了一直不给，我该怎么办")
    reply = await telegram.next_sent(WORKER)
    assert "依据：《" in reply["text"]
    assert "12351" in reply["text"]
    find_button(reply, "查看法条")
    find_button(reply, "有帮助")


async def test_browsing_categories_edits_in_place_and_back_works(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "/start")
    menu = await telegram.next_sent(WORKER)
    telegram.press_button(WORKER, menu, find_button(menu, "常见问题")["callback_data"])
    categories = await telegram.next_sent(WORKER)
    assert categories["message_id"] == menu["message_id"]  # edited, not a new message
    assert "分类" in categories["text"]
    telegram.press_button(WORKER, categories, find_button(categories, "工资")["callback_data"])
    entries = await telegram.next_sent(WORKER)
    first_entry = button_rows(entries)[0][0]
    assert first_entry["callback_data"].startswith("f:")
    telegram.press_button(WORKER, entries, first_entry["callback_data"])
    answer = await telegram.next_sent(WORKER)
    assert "依据：" in answer["text"]
    telegram.press_button(WORKER, entries, find_button(entries, "返回")["callback_data"])
    back = await telegram.next_sent(WORKER)
    assert "分类" in back["text"]


async def test_show_law_button_sends_the_article_text(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "入职三个月了公司一直不签劳动合同，能要双倍工资吗")
    answer = await telegram.next_sent(WORKER)
    telegram.press_button(WORKER, answer, find_button(answer, "查看法条")["callback_data"])
    article = await telegram.next_sent(WORKER)
    assert "第" in article["text"] and "条" in article["text"]
    assert len(article["text"]) <= 4096


async def test_law_command_reads_the_statute(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "/law 劳动合同法 82")
    reply = await telegram.next_sent(WORKER)
    assert reply["text"].startswith("《劳动合同法》第八十二条")


async def test_feedback_is_recorded(telegram: FakeBotAPI, services) -> None:
    from storage.repositories import feedback_counts

    telegram.user_message(WORKER, "试用期最长可以约定多久")
    answer = await telegram.next_sent(WORKER)
    data = find_button(answer, "有帮助")["callback_data"]
    telegram.press_button(WORKER, answer, data)
    thanks = await telegram.next_sent(WORKER)
    assert "谢谢" in thanks["text"]
    async with services.sessions.begin() as session:
        counts = await feedback_counts(session)
    assert counts[data.split(":", 2)[2]] == (1, 0)


async def test_not_labour_law_gets_the_12348_hotline(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "我和老公要离婚，房子怎么分？")
    reply = await telegram.next_sent(WORKER)
    assert "12348" in reply["text"]
    assert "依据" not in reply["text"]


async def test_crisis_gets_a_safety_message_first(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "包工头欠了我一年工资不给，我真的不想活了")
    first = await telegram.next_sent(WORKER)
    assert "110" in first["text"] and "12351" in first["text"]


async def test_a_failed_send_does_not_stop_the_bot(telegram: FakeBotAPI) -> None:
    telegram.inject("sendMessage", "500", times=1)
    telegram.user_message(WORKER, "/help")
    telegram.user_message(WORKER, "/start")
    reply = await telegram.next_sent(WORKER)
    assert "常见问题" in str(button_rows(reply)) or "出了点问题" in reply["text"]


async def test_forged_button_data_is_refused_politely(telegram: FakeBotAPI) -> None:
    telegram.user_message(WORKER, "/start")
    menu = await telegram.next_sent(WORKER)
    telegram.press_button(WORKER, menu, "f:../../etc/passwd")
    reply = await telegram.next_sent(WORKER)
    assert "失效" in reply["text"]


async def test_the_token_and_message_text_never_reach_the_logs(telegram: FakeBotAPI) -> None:
    import io

    from bot.logs import setup_logging

    root = logging.getLogger()
    saved_handlers, saved_level = root.handlers[:], root.level
    stream = io.StringIO()
    setup_logging("DEBUG", secrets=(TOKEN,), stream=stream)
    logging.getLogger("httpx").setLevel(logging.DEBUG)  # even if someone turns it up
    try:
        telegram.user_message(WORKER, "我叫张三丰手机13800138000老板欠我工资")
        await telegram.next_sent(WORKER)
        telegram.user_message(WORKER, "/start")
        await telegram.next_sent(WORKER)
    finally:
        root.handlers[:], root.level = saved_handlers, saved_level
        logging.getLogger("httpx").setLevel(logging.WARNING)
    logged = stream.getvalue()
    assert "question answered" in logged  # the log did capture the bot's lines
    assert TOKEN not in logged and "TEST-token" not in logged
    assert "13800138000" not in logged and "张三丰" not in logged


async def test_blocking_the_bot_marks_the_user_unreachable(telegram: FakeBotAPI, services) -> None:
    from storage.models import UserRow

    telegram.user_message(WORKER, "/start")
    await telegram.next_sent(WORKER)
    telegram.my_chat_member(WORKER, "kicked")
    for _ in range(100):
        async with services.sessions.begin() as session:
            user = await session.get(UserRow, WORKER)
        if user is not None and not user.reachable:
            break
        await asyncio.sleep(0.05)
    assert user is not None and user.reachable is False
