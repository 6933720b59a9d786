"""Intake and cases through the core services on a real database (no Telegram)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from bot.errors import ConsentRequired
from bot.model import Command, Location, Press, Reply, Text
from bot.services import Services
from storage.models import CaseEventRow, CaseRow, OutboxRow

USER = 321


def buttons(replies: list[Reply]) -> dict[str, str]:
    return {b.text: b.data for r in replies for row in r.buttons for b in row}


async def step(services: Services, event, user: int = USER) -> list[Reply]:
    return await services.dialog.handle(user, event, services.clock())


async def test_an_anonymous_violation_report_reaches_a_station_that_takes_reports(
    services: Services,
) -> None:
    await step(services, Command("start"))
    replies = await step(services, Press("m:help"))
    replies = await step(services, Press(buttons(replies)["同意并继续"]))
    replies = await step(services, Press(buttons(replies)["举报单位违法（可以匿名）"]))
    replies = await step(services, Press(buttons(replies)["匿名举报"]))
    replies = await step(services, Press(buttons(replies)["不给工人交社保"]))
    await step(services, Text("厂里两百多人都没交社保，签的合同也不给我们"))
    await step(services, Text("某某纺织厂"))
    point = next(s for s in services.stations.current.stations if s.level == "point")
    replies = await step(services, Location(point.latitude, point.longitude))
    replies = await step(services, Press(buttons(replies)["30人以上"]))
    replies = await step(services, Press(buttons(replies)["跳过"]))  # amount
    replies = await step(services, Press(buttons(replies)["1年以上"]))
    evidence = [r for r in replies if "证据" in r.text]
    assert evidence, "anonymous reports skip the phone question"
    replies = await step(services, Press("i:skip"))
    assert "匿名" in replies[0].text
    replies = await step(services, Press("i:submit"))
    assert "案件编号" in replies[0].text
    async with services.sessions.begin() as session:
        case = (await session.scalars(select(CaseRow))).one()
        events = (await session.scalars(select(CaseEventRow))).all()
        alerts = (await session.scalars(select(OutboxRow))).all()
    assert case.kind == "report" and case.anonymous and case.phone is None
    assert case.station_code != point.code  # a point does not take reports: up the tree
    station = services.stations.current.get(case.station_code)
    assert station is not None and station.handles("report")
    assert case.collective  # 30+ workers: an early warning for the admins
    assert [e.kind for e in events] == ["created"]
    # No staff at the station yet: the admins get the alert and the card.
    assert sorted((a.kind, a.chat_id) for a in alerts) == [("alert", 900), ("card", 900)]


async def test_a_case_cannot_be_opened_without_consent(services: Services) -> None:
    with pytest.raises(ConsentRequired):
        await services.cases.open_from_intake(
            USER, {"kind": "help", "category": "wage"}, now=services.clock()
        )


async def test_case_numbers_carry_the_city_and_year(services: Services) -> None:
    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "x",
        "station": "PDS-RZ",
        "description": "工资没发",
    }
    opened = await services.cases.open_from_intake(USER, draft, now=services.clock())
    assert opened.number == f"PDS-2026-{opened.id:06d}"
    listed = await services.cases.cases_of(USER)
    assert [c.number for c in listed] == [opened.number]
    assert listed[0].status == "queued"


async def test_unknown_buttons_outside_an_intake_are_refused(services: Services) -> None:
    replies = await step(services, Press("i:submit"))
    assert "失效" in replies[0].text
    async with services.sessions.begin() as session:
        assert (await session.scalars(select(CaseRow))).all() == []


async def test_repeated_crisis_messages_open_one_case(services: Services) -> None:
    for _ in range(3):
        await step(services, Text("我真的不想活了，老板一年没发工资"))
    async with services.sessions.begin() as session:
        assert len((await session.scalars(select(CaseRow))).all()) == 1


async def test_privacy_export_lists_what_is_stored_and_deletion_is_requested(
    services: Services,
) -> None:
    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "x",
        "station": "SZ",
        "description": "老板欠我两个月工资",
        "phone": "13900001111",
    }
    opened = await services.cases.open_from_intake(USER, draft, now=services.clock())
    replies = await step(services, Command("privacy"))
    assert "导出我的信息" in buttons(replies)
    exported = await step(services, Press("p:export"))
    text = "\n".join(r.text for r in exported)
    assert opened.number in text and "13900001111" in text and "老板欠我两个月工资" in text
    confirm = await step(services, Press("p:delete"))
    done = await step(services, Press(buttons(confirm)["确定申请删除"]))
    assert "已收到" in done[0].text
    async with services.sessions.begin() as session:
        kinds = [e.kind for e in (await session.scalars(select(CaseEventRow))).all()]
        notes = (await session.scalars(select(OutboxRow).where(OutboxRow.kind == "message"))).all()
    assert "deletion_requested" in kinds
    assert any("删除申请" in n.payload["text"] for n in notes)


async def test_export_for_a_question_only_user_says_nothing_else_is_kept(
    services: Services,
) -> None:
    await step(services, Text("加班费怎么算"))
    exported = await step(services, Press("p:export"))
    assert "没有保存" in exported[0].text


async def test_a_crisis_case_moves_to_the_station_of_the_place_given_next(
    services: Services,
) -> None:
    replies = await step(services, Text("包工头带人把我打了，还说要打断我的腿"))
    assert any(r.ask_location for r in replies)
    routed = await step(services, Text("我在汝州"))
    assert "汝州" in routed[0].text
    async with services.sessions.begin() as session:
        case = (await session.scalars(select(CaseRow))).one()
    assert case.station_code == "PDS-RZ" and case.urgent
    # Later text is a question again, not a place.
    after = await step(services, Text("加班费怎么算"))
    assert "依据" in after[0].text
