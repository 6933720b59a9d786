"""Safety ahead of every step, crisis cases with the worker's words, follow-ups that reach
staff, and the smaller breaks of the dialog (core services on a real database)."""

from __future__ import annotations

from sqlalchemy import select

from bot import intake_texts, texts
from bot.model import Attachment, Command, Press, Reply, Sticker, Text, Voice
from bot.notify import case_card
from bot.services import Services
from storage.models import CaseEventRow, CaseRow, OutboxRow

WORKER = 5151
STAFF = 6161
ADMIN = 900


def buttons(replies: list[Reply]) -> dict[str, str]:
    return {b.text: b.data for r in replies for row in r.buttons for b in row}


async def send(services: Services, event, user: int = WORKER) -> list[Reply]:
    return await services.dialog.handle(user, event, services.clock())


async def cases_of(services: Services, user: int = WORKER) -> list[CaseRow]:
    async with services.sessions.begin() as session:
        rows = await session.scalars(select(CaseRow).where(CaseRow.worker_id == user))
        return list(rows.all())


async def events_of(services: Services, case_id: int) -> list[CaseEventRow]:
    async with services.sessions.begin() as session:
        rows = await session.scalars(select(CaseEventRow).where(CaseEventRow.case_id == case_id))
        return list(rows.all())


async def outbox(services: Services) -> list[OutboxRow]:
    async with services.sessions.begin() as session:
        return list((await session.scalars(select(OutboxRow).order_by(OutboxRow.id))).all())


async def into_intake_place_step(services: Services) -> None:
    replies = await send(services, Press("m:help"))
    replies = await send(services, Press(buttons(replies)["同意并继续"]))
    replies = await send(services, Press(buttons(replies)["我自己的纠纷，需要人帮忙"]))
    replies = await send(services, Press(buttons(replies)["欠薪、工资"]))
    await send(services, Text("老板欠了我们三个月工资一直拖着不给"))
    await send(services, Text("某某建筑公司"))


async def test_self_harm_at_the_place_step_interrupts_and_records_the_words(
    services: Services,
) -> None:
    await into_intake_place_step(services)
    replies = await send(services, Text("我不想活了"))
    assert replies[0].text == texts.SELF_HARM_SAFETY
    assert not any("没找到" in r.text for r in replies)
    assert "接着刚才的步骤" in buttons(replies)
    [case] = await cases_of(services)
    assert case.kind == "crisis" and case.description == "我不想活了"
    assert case.crisis_kinds == ["self_harm"]
    assert await services.dialog.state_of(WORKER) == "intake"  # the step is kept
    back = await send(services, Press(buttons(replies)["接着刚才的步骤"]))
    assert back[0].text == intake_texts.ASK_PLACE


async def test_later_messages_of_the_same_danger_join_the_case_and_alert_again(
    services: Services,
) -> None:
    await send(services, Text("包工头刚才拿钢管打了我，说再要工钱就弄死我"))
    [case] = await cases_of(services)
    first_alerts = [r for r in await outbox(services) if r.kind == "alert"]
    replies = await send(services, Text("刚才又来了几个人在门口堵我，说要打断我的腿，我不敢出去"))
    assert replies[0].text == texts.VIOLENCE_SAFETY
    assert any("补充到您的紧急求助" in r.text for r in replies)
    assert len(await cases_of(services)) == 1
    later = [e for e in await events_of(services, case.id) if e.kind == "crisis_message"]
    assert [e.note for e in later] == ["刚才又来了几个人在门口堵我，说要打断我的腿，我不敢出去"]
    alerts = [r for r in await outbox(services) if r.kind == "alert"]
    assert len(alerts) > len(first_alerts)
    # The alert is rendered with the new words; the card lists the later message too.
    text = await services.relay._render(
        type("J", (), {"kind": "alert", "payload": alerts[-1].payload})(), services.clock()
    )
    assert text is not None and "门口堵我" in text[0] and "新的求助消息" in text[0]
    events = await events_of(services, case.id)
    async with services.sessions.begin() as session:
        row = await session.get(CaseRow, case.id)
        card, _ = case_card(row, None, services.clock(), events)
    assert "钢管打了我" in card and "后续危机消息 1 条" in card and "暴力或威胁" in card


async def test_a_different_emergency_is_a_case_of_its_own_unless_the_worker_merges_it(
    services: Services,
) -> None:
    await send(services, Text("包工头刚才拿钢管打了我，说再要工钱就弄死我"))
    replies = await send(services, Text("隔壁车间着火了，烟很大，门被锁住了出不去"))
    assert replies[0].text == texts.FIRE_SAFETY
    first, second = sorted(await cases_of(services), key=lambda c: c.id)
    assert second.description.startswith("隔壁车间着火了") and first.id != second.id
    same = buttons(replies)[texts.CRISIS_SAME]
    merged = await send(services, Press(same))
    assert first.number in merged[0].text
    _, second_now = sorted(await cases_of(services), key=lambda c: c.id)
    assert second_now.status == "closed" and second_now.outcome == "merged"
    notes = [e.note for e in await events_of(services, first.id) if e.kind == "crisis_message"]
    assert notes == ["隔壁车间着火了，烟很大，门被锁住了出不去"]
    # A forged merge of somebody else's case changes nothing.
    forged = await send(services, Press(f"s:same:{first.id}:{second.id}"), user=WORKER + 1)
    assert forged[0].text == texts.UNKNOWN_BUTTON


async def test_with_nobody_reachable_the_worker_is_told_so(settings, normalizer, clock) -> None:
    alone = settings.model_copy(update={"admin_ids": []})
    built = await Services.create(alone, normalizer=normalizer, clock=clock)
    try:
        await built.dialog.handle(WORKER, Press("m:near"), built.clock())
        replies = await built.dialog.handle(WORKER, Text("我不想活了"), built.clock())
        said = " ".join(r.text for r in replies)
        assert "没有值班工作人员能收到提醒" in said and "值班工作人员会尽快联系您" not in said
        # An admin who blocked the bot is not "reachable" either.
        async with built.sessions.begin() as session:
            from storage import repositories as repo

            user = await repo.touch_user(session, 901, built.clock(), admin=True)
            user.reachable = False
        replies = await built.dialog.handle(WORKER + 1, Text("我不想活了"), built.clock())
        assert "没有值班工作人员能收到提醒" in " ".join(r.text for r in replies)
    finally:
        await built.aclose()


async def claimed_case_in_conversation(services: Services) -> CaseRow:
    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "x",
        "station": "PDS-RZ",
        "description": "工资没发",
    }
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    await services.desk.grant(ADMIN, STAFF, "PDS-RZ", services.clock())
    await services.desk.claim(opened.id, STAFF, services.clock())
    await services.desk.reply(opened.id, STAFF, "请把工资条拍照发来", services.clock())
    [case] = [c for c in await cases_of(services) if c.id == opened.id]
    return case


async def test_plain_text_follow_up_reaches_staff_with_a_new_question_escape(
    services: Services,
) -> None:
    case = await claimed_case_in_conversation(services)
    replies = await send(services, Text("好的我明天去厂里拿工资条"))
    assert case.number in replies[0].text
    notes = [e.note for e in await events_of(services, case.id) if e.kind == "message_in"]
    assert notes == ["好的我明天去厂里拿工资条"]
    to_staff = [r for r in await outbox(services) if r.chat_id == STAFF and r.kind == "message"]
    assert any("好的我明天去厂里拿工资条" in r.payload["text"] for r in to_staff)
    answered = await send(services, Press(buttons(replies)[texts.NEW_QUESTION]))
    assert answered and all(case.number not in r.text for r in answered)


async def test_reply_to_a_staff_message_photos_and_voice_go_to_the_case(
    services: Services,
) -> None:
    case = await claimed_case_in_conversation(services)
    [staff_reply] = [
        r for r in await outbox(services) if r.chat_id == WORKER and "工资条" in str(r.payload)
    ]
    async with services.sessions.begin() as session:
        row = await session.get(OutboxRow, staff_reply.id)
        row.message_id, row.status = 77, "sent"
    await send(services, Text("这是我的工资条", reply_to=77))
    photo = await send(services, Attachment("photo", "PHOTO-1", caption="工资条"))
    assert case.number in photo[0].text
    voice = await send(services, Voice("voice", "VOICE-1", 12))
    assert voice[-1].text == texts.DANGER_CHECK  # voice is never read: always ask
    events = await events_of(services, case.id)
    assert [e.kind for e in events if e.kind in ("message_in", "file_in")] == [
        "message_in",
        "file_in",
        "file_in",
    ]
    files = [r for r in await outbox(services) if r.kind == "file"]
    assert [(r.chat_id, r.payload["file_id"]) for r in files] == [
        (STAFF, "PHOTO-1"),
        (STAFF, "VOICE-1"),
    ]
    async with services.sessions.begin() as session:
        stored = await session.get(CaseRow, case.id)
    assert [e["file_id"] for e in stored.evidence] == ["PHOTO-1", "VOICE-1"]


async def test_a_crisis_written_to_staff_reaches_them_and_opens_a_crisis_case(
    services: Services,
) -> None:
    case = await claimed_case_in_conversation(services)
    replies = await send(services, Text("刚才又来了几个人在门口堵我，说要打死我，我不敢出去"))
    assert replies[0].text == texts.VIOLENCE_SAFETY
    notes = [e.note for e in await events_of(services, case.id) if e.kind == "message_in"]
    assert notes and "门口堵我" in notes[-1]
    crisis = [c for c in await cases_of(services) if c.kind == "crisis"]
    assert len(crisis) == 1 and "门口堵我" in crisis[0].description


async def test_voice_and_stickers_always_get_an_answer(services: Services) -> None:
    voice = await send(services, Voice("voice", "V-9", 40))
    assert voice[0].text == texts.VOICE_REPLY and voice[-1].text == texts.DANGER_CHECK
    sticker = await send(services, Sticker())
    assert sticker[0].text == texts.STICKER_REPLY and sticker[0].buttons


async def test_typed_cancel_and_back_are_not_answers_and_start_pauses_the_intake(
    services: Services,
) -> None:
    await into_intake_place_step(services)
    back = await send(services, Text("返回"))
    assert back[0].text == intake_texts.ASK_EMPLOYER
    await send(services, Text("某某建筑公司"))
    menu = await send(services, Command("start"))
    assert texts.INTAKE_PAUSED in menu[0].text
    question = await send(services, Text("加班费怎么算"))
    assert all(intake_texts.ASK_PLACE not in r.text for r in question)
    resumed = await send(services, Press("m:help"))
    assert resumed[0].text == texts.INTAKE_RESUMED and resumed[1].text == intake_texts.ASK_PLACE
    cancelled = await send(services, Text("取消"))
    assert cancelled[0].text == intake_texts.CANCELLED
    assert await services.dialog.state_of(WORKER) is None


async def test_amounts_as_people_write_them_and_editing_one_field(services: Services) -> None:
    await into_intake_place_step(services)
    replies = await send(services, Text("北京朝阳"))
    assert "12351" in replies[0].text and "没找到" not in replies[0].text
    replies = await send(services, Press(buttons(replies)["平顶山市"]))
    replies = await send(services, Press(buttons(replies)["只有我"]))
    replies = await send(services, Press(buttons(replies)["是"]))
    replies = await send(services, Text("一万六千多"))
    replies = await send(services, Press(buttons(replies)["1到6个月"]))
    replies = await send(services, Text("13812345678"))
    summary = await send(services, Press("i:done"))
    assert "约16000元" in summary[0].text
    edit = await send(services, Press(buttons(summary)["改金额"]))
    assert edit[0].text == intake_texts.ASK_AMOUNT
    again = await send(services, Text("1.6万"))
    assert again[0].text.startswith(intake_texts.SUMMARY_HEAD)  # straight back to the summary
    assert "电话：13812345678" in again[0].text  # later answers kept


async def test_several_nearby_lookups_in_a_row(services: Services) -> None:
    await send(services, Press("m:near"))
    first = await send(services, Text("汝州"))
    second = await send(services, Text("鲁山"))
    assert "汝州" in first[0].text and "鲁山" in second[0].text
    outside = await send(services, Text("广州"))
    assert "12351" in outside[0].text
