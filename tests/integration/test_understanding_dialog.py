"""What the worker sees from the learned triage: safety texts by kind, the danger check,
greetings and one-word topics (core services on a real database, no Telegram)."""

from __future__ import annotations

from sqlalchemy import select

from bot import texts
from bot.model import Press, Reply, Text
from bot.services import Services
from storage.models import CaseRow

USER = 4242


def buttons(replies: list[Reply]) -> dict[str, str]:
    return {b.text: b.data for r in replies for row in r.buttons for b in row}


async def say(services: Services, text: str) -> list[Reply]:
    return await services.dialog.handle(USER, Text(text), services.clock())


async def test_a_greeting_gets_the_welcome(services: Services) -> None:
    replies = await say(services, "你好")
    assert replies[0].text == texts.WELCOME


async def test_one_word_offers_its_category(services: Services) -> None:
    replies = await say(services, "工资")
    assert "「工资」" in replies[0].text
    assert all(
        data.startswith("f:") or data.startswith("m:") for data in buttons(replies).values()
    )


async def test_an_injury_now_gets_120_first_and_an_urgent_case(services: Services) -> None:
    replies = await say(services, "车间冲床把老刘的手压住了，血一直往外冒，班长说先别打电话")
    assert replies[0].text == texts.INJURY_SAFETY
    assert replies[0].text.index("120") < replies[0].text.index("110")
    async with services.sessions.begin() as session:
        cases = (await session.execute(select(CaseRow).where(CaseRow.worker_id == USER))).all()
    assert len(cases) == 1


async def test_self_harm_gets_only_the_warm_line(services: Services) -> None:
    replies = await say(services, "干了一年一分钱没拿到，我不想活了")
    assert replies[0].text == texts.SELF_HARM_SAFETY
    assert "12356" in replies[0].text
    assert not any(data.startswith("f:") for data in buttons(replies[:1]).values())


async def test_the_danger_check_opens_a_case_only_on_yes(services: Services) -> None:
    no = await services.dialog.handle(USER, Press("d:n"), services.clock())
    assert no[0].text == texts.DANGER_NO_REPLY
    yes = await services.dialog.handle(USER, Press("d:y"), services.clock())
    assert yes[0].text == texts.CRISIS_SAFETY
    async with services.sessions.begin() as session:
        cases = (await session.execute(select(CaseRow).where(CaseRow.worker_id == USER))).all()
    assert len(cases) == 1


async def test_a_crisis_inside_the_intake_interrupts_it_and_the_step_stays(
    services: Services,
) -> None:
    started = await services.dialog.handle(USER, Press("m:help"), services.clock())
    assert started  # the consent question
    replies = await say(services, "老板刚才打了我，我现在头很晕，流血了")
    assert replies[0].text in (texts.INJURY_SAFETY, texts.VIOLENCE_SAFETY)
    assert "接着刚才的步骤" in buttons(replies)
    async with services.sessions.begin() as session:
        cases = (await session.execute(select(CaseRow).where(CaseRow.worker_id == USER))).all()
    assert len(cases) == 1
    resumed = await services.dialog.handle(USER, Press("m:help"), services.clock())
    assert resumed[0].text == started[0].text


async def test_self_harm_typed_as_a_place_is_not_looked_up(services: Services) -> None:
    await services.dialog.handle(USER, Press("m:near"), services.clock())
    replies = await say(services, "我不想活了")
    assert replies[0].text == texts.SELF_HARM_SAFETY
    assert not any("没找到" in r.text for r in replies)


async def test_nobody_reachable_means_no_promise_of_a_call_back(
    settings, normalizer, clock
) -> None:
    alone = settings.model_copy(update={"admin_ids": []})
    built = await Services.create(alone, normalizer=normalizer, clock=clock)
    try:
        replies = await built.dialog.handle(USER, Text("我不想活了"), built.clock())
        assert replies[0].text == texts.SELF_HARM_SAFETY
        said = " ".join(r.text for r in replies)
        assert "没有值班工作人员能收到提醒" in said and "12351" in said
        assert "值班工作人员会尽快联系您" not in said
    finally:
        await built.aclose()


async def test_with_an_admin_the_worker_is_told_someone_was_alerted(services: Services) -> None:
    replies = await say(services, "我不想活了")
    assert any("值班工作人员会尽快联系您" in r.text for r in replies)


async def test_a_suspected_danger_inside_the_intake_asks_and_lets_the_step_go_on(
    services: Services,
) -> None:
    await services.dialog.handle(USER, Press("m:help"), services.clock())
    replies = await say(services, "车间里一股怪味好几个人头晕了还让接着干")
    assert replies[0].text in (texts.FIRE_SAFETY, texts.INJURY_SAFETY) or (
        replies[-1].text == texts.DANGER_CHECK
    )
    assert await services.dialog.state_of(USER) == "intake"
