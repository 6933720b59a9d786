"""The duty-staff desk on a real database: exactly-once claims, scope, escalation."""

from __future__ import annotations

import asyncio

import pytest
from sqlalchemy import select

from bot.desk import DeskError
from bot.services import Services
from bot.settings import Settings
from knowledge.normalize import Normalizer
from storage.models import CaseEventRow, CaseRow, OutboxRow
from tests.conftest import FakeClock

ADMIN = 900
WORKER = 555


async def open_case(
    services: Services, station: str = "SZ-KS-HQ", *, urgent: bool = False, worker: int = WORKER
) -> int:
    draft = {
        "kind": "help",
        "category": "wage",
        "consented_at": "now",
        "station": station,
        "description": "三个月工资没发",
        "employer": "某厂",
    }
    opened = await services.cases.open_from_intake(
        worker, draft, now=services.clock(), urgent=urgent
    )
    return opened.id


async def staff(services: Services, *ids: int, station: str = "SZ-KS-HQ") -> None:
    for user_id in ids:
        await services.desk.grant(ADMIN, user_id, station, services.clock())


async def test_twenty_staff_claiming_at_once_give_exactly_one_owner(services: Services) -> None:
    case_id = await open_case(services)
    staff_ids = list(range(7001, 7021))
    await staff(services, *staff_ids)

    async def try_claim(user_id: int) -> int | None:
        try:
            await services.desk.claim(case_id, user_id, services.clock())
            return user_id
        except DeskError:
            return None

    winners = [w for w in await asyncio.gather(*(try_claim(u) for u in staff_ids)) if w]
    assert len(winners) == 1
    async with services.sessions.begin() as session:
        case = await session.get(CaseRow, case_id)
        claims = (
            await session.scalars(select(CaseEventRow).where(CaseEventRow.kind == "claimed"))
        ).all()
        told = (
            await session.scalars(
                select(OutboxRow).where(OutboxRow.chat_id == WORKER, OutboxRow.kind == "message")
            )
        ).all()
    assert case is not None and case.claimed_by == winners[0] and case.status == "claimed"
    assert len(claims) == 1 and len(told) == 1


async def test_staff_of_another_station_and_workers_cannot_claim(services: Services) -> None:
    case_id = await open_case(services, "SZ-KS-HQ")
    await staff(services, 8001, station="PDS")
    with pytest.raises(DeskError, match="不属于"):
        await services.desk.claim(case_id, 8001, services.clock())
    with pytest.raises(DeskError, match="工作人员"):
        await services.desk.claim(case_id, WORKER, services.clock())
    with pytest.raises(DeskError, match="没有这个案件"):
        await services.desk.claim(999999, ADMIN, services.clock())
    async with services.sessions.begin() as session:
        case = await session.get(CaseRow, case_id)
    assert case is not None and case.status == "queued" and case.claimed_by is None


async def test_staff_see_only_their_stations_queue_urgent_first(
    services: Services, clock: FakeClock
) -> None:
    older = await open_case(services, "SZ-KS-HQ")
    clock.advance(minutes=5)
    urgent = await open_case(services, "SZ-KS-HQ", urgent=True)
    await open_case(services, "PDS-RZ")
    await staff(services, 8101)
    queue, counts = await services.desk.queue(8101, services.clock())
    assert [c.id for c in queue] == [urgent, older]
    assert counts == {"queued": 2}


async def test_only_the_owner_replies_closes_and_the_worker_can_reopen_and_rate(
    services: Services, clock: FakeClock
) -> None:
    case_id = await open_case(services)
    await staff(services, 8201, 8202)
    await services.desk.claim(case_id, 8201, services.clock())
    with pytest.raises(DeskError):
        await services.desk.reply(case_id, 8202, "我来回复", services.clock())
    await services.desk.reply(case_id, 8201, "请带工资条来站里", services.clock())
    await services.desk.note(case_id, 8202, "当事人情绪稳定", services.clock())
    assert await services.desk.worker_message(case_id, WORKER, "好的明天去", services.clock())
    await services.desk.close(case_id, 8201, "mediated", "老板补发了工资", services.clock())
    await services.desk.rate(case_id, WORKER, 5, services.clock())
    with pytest.raises(DeskError):
        await services.desk.rate(case_id, WORKER, 4, services.clock())  # once only
    clock.advance(days=10)
    reopened = await services.desk.reopen(case_id, WORKER, services.clock())
    assert reopened.status == "queued" and reopened.claimed_by is None
    _, events = await services.desk.history(case_id, 8201, services.clock())
    assert [e.kind for e in events] == [
        "created",
        "claimed",
        "message_out",
        "note",
        "message_in",
        "closed",
        "rated",
        "reopened",
    ]


async def test_reopening_is_refused_after_thirty_days(
    services: Services, clock: FakeClock
) -> None:
    case_id = await open_case(services)
    await staff(services, 8301)
    await services.desk.claim(case_id, 8301, services.clock())
    await services.desk.close(case_id, 8301, "consult", "", services.clock())
    clock.advance(days=31)
    with pytest.raises(DeskError, match="30天"):
        await services.desk.reopen(case_id, WORKER, services.clock())


async def test_transfer_moves_the_case_to_the_other_queue(services: Services) -> None:
    case_id = await open_case(services, "SZ-KS-HQ")
    await staff(services, 8401)
    await staff(services, 8402, station="PDS-RZ")
    await services.desk.claim(case_id, 8401, services.clock())
    await services.desk.transfer(case_id, 8401, "PDS-RZ", "当事人回老家了", services.clock())
    assert [c.id for c in (await services.desk.queue(8402, services.clock()))[0]] == [case_id]
    assert (await services.desk.queue(8401, services.clock()))[0] == []
    claimed = await services.desk.claim(case_id, 8402, services.clock())
    assert claimed.station_code == "PDS-RZ"


async def test_escalation_fires_after_a_restart_exactly_once_per_level(
    settings: Settings, normalizer: Normalizer, clock: FakeClock
) -> None:
    first = await Services.create(settings, normalizer=normalizer, clock=clock)
    try:
        case_id = await open_case(first, urgent=True)
    finally:
        await first.aclose()
    clock.advance(minutes=16)  # past the 15-minute urgent SLA, in a new process
    second = await Services.create(settings, normalizer=normalizer, clock=clock)
    try:
        first_sweep, second_sweep = await asyncio.gather(
            second.escalation.escalate_overdue(clock()),
            second.escalation.escalate_overdue(clock()),
        )
        escalated = first_sweep + second_sweep
        assert [(e.case_id, e.level, e.unclaimed) for e in escalated] == [(case_id, 1, True)]
        assert await second.escalation.escalate_overdue(clock()) == []
        clock.advance(minutes=16)
        assert [e.level for e in await second.escalation.escalate_overdue(clock())] == [2]
        async with second.sessions.begin() as session:
            rows = (
                await session.scalars(
                    select(OutboxRow).where(OutboxRow.dedupe_key.like(f"case:{case_id}:esc:%"))
                )
            ).all()
        assert {r.chat_id for r in rows} == {ADMIN}
        assert len(rows) == 2
    finally:
        await second.aclose()


async def test_a_claimed_case_with_no_reply_escalates(
    services: Services, clock: FakeClock
) -> None:
    case_id = await open_case(services)
    await staff(services, 8501)
    await services.desk.claim(case_id, 8501, services.clock())
    clock.advance(days=4)  # well past one working day
    escalated = await services.escalation.escalate_overdue(clock())
    assert [(e.case_id, e.unclaimed) for e in escalated] == [(case_id, False)]


async def test_a_centre_can_claim_the_urgent_cards_it_receives_and_escalation_stops(
    services: Services, clock: FakeClock
) -> None:
    from bot.escalation import MAX_LEVEL

    station = next(s for s in services.stations.current.stations if s.parent is not None)
    centre = services.stations.current.centre_above(station)
    assert centre is not None
    draft = {"kind": "help", "category": "wage", "consented_at": "x", "station": station.code,
             "description": "工资没发"}  # fmt: skip
    opened = await services.cases.open_from_intake(WORKER, draft, now=clock(), urgent=True)
    await services.desk.grant(ADMIN, 8501, centre.code, clock())
    levels = []
    for _ in range(MAX_LEVEL + 3):
        clock.advance(hours=30)
        levels += [e.level for e in await services.escalation.escalate_overdue(clock())]
    assert levels == list(range(1, MAX_LEVEL + 1))  # capped
    claimed = await services.desk.claim(opened.id, 8501, clock())
    assert claimed.claimed_by == 8501
