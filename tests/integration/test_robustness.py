"""Hostile and repeated input: a second 确认提交, NUL characters, odd digits (real database)."""

from __future__ import annotations

from sqlalchemy import select

from bot.model import Command, Press, Reply, Text
from bot.services import Services
from storage.models import CaseRow

WORKER = 7373


def buttons(replies: list[Reply]) -> dict[str, str]:
    return {b.text: b.data for r in replies for row in r.buttons for b in row}


async def send(services: Services, event) -> list[Reply]:
    return await services.dialog.handle(WORKER, event, services.clock())


async def to_summary(services: Services, description: str) -> list[Reply]:
    replies = await send(services, Press("m:help"))
    replies = await send(services, Press(buttons(replies)["同意并继续"]))
    replies = await send(services, Press(buttons(replies)["我自己的纠纷，需要人帮忙"]))
    replies = await send(services, Press(buttons(replies)["欠薪、工资"]))
    await send(services, Text(description))
    await send(services, Text("某某\x00电子厂"))
    replies = await send(services, Text("汝州"))
    if "对" in buttons(replies):
        replies = await send(services, Press(buttons(replies)["对"]))
    replies = await send(services, Press(buttons(replies)["只有我"]))
    replies = await send(services, Press(buttons(replies)["不是"]))
    replies = await send(services, Text("8000"))
    replies = await send(services, Press(buttons(replies)["1个月内"]))
    await send(services, Press("i:skip"))  # phone
    return await send(services, Press("i:done"))


async def test_pressing_submit_twice_gives_one_case_and_the_same_number(
    services: Services,
) -> None:
    summary = await to_summary(services, "老板欠了三个月\x00工资\x07不给")
    submit = buttons(summary)["确认提交"]
    first = await send(services, Press(submit))
    second = await send(services, Press(submit))
    async with services.sessions.begin() as session:
        cases = (await session.scalars(select(CaseRow).where(CaseRow.worker_id == WORKER))).all()
    assert len(cases) == 1
    assert cases[0].number in first[0].text and cases[0].number in second[0].text
    # NUL and control characters never reach the database.
    assert "\x00" not in cases[0].description and "\x07" not in cases[0].description
    assert cases[0].employer == "某某电子厂"


async def test_odd_digits_and_empty_data_are_refused_politely(services: Services) -> None:
    for data in ("", "case:wr:①", "case:rate:1:²", "case:claim:" + "9" * 30, "s:same:x:y", "i:"):
        replies = await send(services, Press(data))
        assert replies and replies[0].text
    law = await send(services, Command("law", "劳动合同法 ²"))
    assert law and law[0].text


async def test_retention_anonymises_old_closed_cases_after_a_dry_run(services: Services) -> None:
    from bot.retention import ANONYMISED, anonymise_closed_cases
    from storage.models import CaseEventRow

    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "x",
        "station": "PDS-RZ",
        "description": "张三在某某厂干了两年，老板欠八千",
        "employer": "某某厂",
        "phone": "13812345678",
    }
    opened = await services.cases.open_from_intake(WORKER, draft, now=services.clock())
    await services.desk.grant(900, 5999, "PDS-RZ", services.clock())
    await services.desk.claim(opened.id, 5999, services.clock())
    await services.desk.reply(opened.id, 5999, "请带身份证来", services.clock())
    await services.desk.close(opened.id, 5999, "mediated", "", services.clock())
    services.clock.advance(days=365 * 3 + 30)  # type: ignore[attr-defined]
    dry = await anonymise_closed_cases(services.sessions, services.clock(), 3, dry_run=True)
    assert (dry.cases, dry.events) == (1, 1)
    async with services.sessions.begin() as session:
        assert (await session.get(CaseRow, opened.id)).phone == "13812345678"
    done = await anonymise_closed_cases(services.sessions, services.clock(), 3)
    assert done.cases == 1
    async with services.sessions.begin() as session:
        case = await session.get(CaseRow, opened.id)
        notes = (
            await session.scalars(
                select(CaseEventRow.note).where(CaseEventRow.case_id == opened.id)
            )
        ).all()
    assert case.description == ANONYMISED and case.phone is None and case.employer is None
    assert case.outcome == "mediated" and case.category == "wage"  # statistics stay
    assert "请带身份证来" not in notes
    again = await anonymise_closed_cases(services.sessions, services.clock(), 3)
    assert again.cases == 0
