"""Writing notifications to the outbox inside the caller's transaction, and rendering them.

Payloads are state-based: a case card names only the case, and is rendered from the case
as it is when the relay sends it, so a retried or late card never shows stale state.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from bot import intake_texts, staff_texts, texts
from bot.model import Button
from knowledge.stations import Directory, Station
from storage import repositories as repo
from storage.models import CaseEventRow, CaseRow


async def card_targets(session: AsyncSession, station: Station) -> list[int]:
    """The station's group chat if linked, otherwise its on-duty staff by private message."""
    chat = await repo.station_chat(session, station.code)
    if chat is not None:
        return [chat]
    return await repo.staff_of_station(session, station.code)


async def post_cards(
    session: AsyncSession,
    case: CaseRow,
    station: Station,
    directory: Directory,
    admin_ids: Sequence[int],
    now: datetime,
    *,
    round_: str,
) -> int:
    """Cards for a new (or transferred, reopened) case; urgent ones go to the centre too.

    If nobody at the station can be reached, the admins get the card: nothing may fall
    through the cracks.
    """
    targets = await card_targets(session, station)
    if case.urgent:
        centre = directory.centre_above(station)
        if centre is not None:
            targets += await card_targets(session, centre)
    if not targets:
        admins = set(admin_ids) | set(await repo.ids_with_role(session, "admin"))
        targets = sorted(admins - await repo.unreachable_among(session, sorted(admins)))
    count = 0
    # One card per person per case: whoever already has one sees it edited in place.
    holding = await repo.card_holders(session, case.id)
    for chat_id in dict.fromkeys(targets):
        if chat_id in holding:
            count += 1
            continue
        count += await repo.enqueue(
            session,
            kind="card",
            chat_id=chat_id,
            payload={"case_id": case.id},
            dedupe_key=f"case:{case.id}:{round_}:card:{chat_id}",
            now=now,
        )
    return count


async def refresh_cards(session: AsyncSession, case: CaseRow, now: datetime) -> None:
    """Edit every posted card of `case` in place to show its new state."""
    for chat_id, message_id in await repo.cards_of_case(session, case.id):
        await repo.enqueue(
            session,
            kind="card_edit",
            chat_id=chat_id,
            payload={"case_id": case.id, "message_id": message_id},
            dedupe_key=f"case:{case.id}:v{case.version}:edit:{chat_id}:{message_id}",
            now=now,
        )


async def tell(
    session: AsyncSession,
    chat_id: int,
    text: str,
    now: datetime,
    key: str,
    buttons: Sequence[Sequence[Button]] = (),
    case_id: int | None = None,
) -> None:
    """A plain message through the outbox (to a worker, to a staff member); `case_id`
    lets a Telegram reply to it find its case."""
    payload: dict[str, Any] = {
        "text": text,
        "buttons": [[[b.text, b.data] for b in row] for row in buttons],
    }
    if case_id is not None:
        payload["case_id"] = case_id
    await repo.enqueue(
        session, kind="message", chat_id=chat_id, payload=payload, dedupe_key=key, now=now
    )


async def menu(session: AsyncSession, user_id: int, role: str, now: datetime) -> None:
    """Publish `role`'s command menu in the user's private chat (through the outbox)."""
    await repo.enqueue(
        session,
        kind="menu",
        chat_id=user_id,
        payload={"role": role},
        dedupe_key=f"user:{user_id}:menu:{role}:{now.isoformat()}",
        now=now,
    )


def _clock(case: CaseRow, now: datetime) -> str:
    """已等待 while it waits; the clock stops at the claim and at the close."""
    if case.status == "queued":
        return f"已等待 {age(case.created_at, now)}"
    if case.claimed_at is not None and case.status == "claimed":
        return f"{age(case.created_at, case.claimed_at)}后认领"
    if case.closed_at is not None:
        return f"用时 {age(case.created_at, case.closed_at)}"
    return f"提交于 {texts.local_time(case.created_at)}"


def age(since: datetime, now: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes}分钟"
    if minutes < 48 * 60:
        return f"{minutes // 60}小时"
    return f"{minutes // 1440}天"


def case_headline(case: CaseRow) -> str:
    """【危机·群体】案件 SZ-2026-000001｜求助·工资｜待认领"""
    flags = []
    if case.crisis:
        flags.append("危机")
    elif case.urgent:
        flags.append("紧急")
    if case.collective:
        flags.append("群体")
    head = f"【{'·'.join(flags)}】" if flags else ""
    kind = {"report": "举报", "crisis": "危机求助"}.get(case.kind, "求助")
    category = intake_texts.CATEGORY_NAMES.get(case.category, case.category)
    status = staff_texts.STATUS.get(case.status, case.status)
    return f"{head}案件 {case.number}｜{kind}·{category}｜{status}"


CARD_WORDS = 300  # the worker's own words on a crisis card; the rest is on /case
CARD_LATER = 150


def words(text: str, limit: int = CARD_WORDS) -> str:
    """The first `limit` characters of a worker's words, saying where the rest is."""
    if len(text) <= limit:
        return text
    return text[:limit] + f"……（共{len(text)}字，全文见「详情」）"


def case_card(
    case: CaseRow,
    station: Station | None,
    now: datetime,
    events: Sequence[CaseEventRow] = (),
) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """The card staff see: urgency, category, state, age and owner at a glance."""
    lines = [
        case_headline(case),
        f"站点：{station.name if station else case.station_code}｜{_clock(case, now)}",
    ]
    if case.workers_affected:
        lines.append(
            "涉及人数："
            + dict(intake_texts.WORKER_OPTIONS).get(case.workers_affected, case.workers_affected)
        )
    if case.employer:
        lines.append(f"单位：{case.employer}")
    if case.crisis and case.crisis_kinds:
        lines.append("危机类型：" + texts.kind_names(case.crisis_kinds))
    if case.description:
        if case.kind == "crisis":
            lines.append(
                f"求助人原话（{texts.local_time(case.created_at)}）：{words(case.description)}"
            )
        else:
            summary = (
                case.description if len(case.description) <= 120 else case.description[:118] + "……"
            )
            lines.append(f"经过：{summary}")
    later = [e for e in events if e.kind == "crisis_message"]
    if later:
        last = later[-1]
        lines.append(
            f"后续危机消息 {len(later)} 条，最近一条（{texts.local_time(last.at)}）："
            f"{words(last.note or '', CARD_LATER)}"
        )
    if case.phone and not case.anonymous:
        lines.append(f"电话：{case.phone}")
    if case.amount_owed is not None:
        lines.append(f"金额：约{case.amount_owed}元")
    if case.evidence:
        lines.append(f"证据材料：{len(case.evidence)}份（点「详情」查看）")
    if case.status == "claimed":
        lines.append(f"负责人：工作人员 {case.claimed_by}")
    elif case.status == "closed":
        lines.append(f"结果：{staff_texts.OUTCOMES.get(case.outcome or '', case.outcome or '')}")
    buttons: tuple[tuple[Button, ...], ...] = ()
    if case.status == "queued":
        buttons = (
            (
                Button(staff_texts.CLAIM, f"case:claim:{case.id}"),
                Button(staff_texts.HISTORY, f"case:hist:{case.id}"),
            ),
        )
    elif case.status == "claimed":
        buttons = (
            (
                Button(staff_texts.REPLY, f"case:rp:{case.id}"),
                Button(staff_texts.NOTE, f"case:nt:{case.id}"),
                Button(staff_texts.HISTORY, f"case:hist:{case.id}"),
            ),
            (
                Button(staff_texts.TRANSFER, f"case:tr:{case.id}"),
                Button(staff_texts.RELEASE, f"case:rl:{case.id}"),
                Button(staff_texts.CLOSE, f"case:cl:{case.id}"),
            ),
        )
    else:
        buttons = ((Button(staff_texts.HISTORY, f"case:hist:{case.id}"),),)
    return "\n".join(lines), buttons


def message_payload(payload: dict[str, Any]) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    rows = tuple(
        tuple(Button(text, data) for text, data in row) for row in payload.get("buttons") or []
    )
    return str(payload.get("text", "")), rows


async def render_alert(
    session: AsyncSession, payload: dict[str, Any], directory: Directory | None
) -> str | None:
    """The alert for an urgent or collective case, from the case as it is now, with the
    worker's words (a later crisis message when the alert is about one)."""
    case = await repo.get_case(session, int(payload["case_id"]))
    if case is None:
        return None
    station = directory.get(case.station_code) if directory else None
    centre = directory.centre_above(station) if directory and station else None
    event = None
    if payload.get("event_id") is not None:
        event = await repo.get_event(session, int(payload["event_id"]))
    lines = [texts.alert_head(case, again=event is not None)]
    lines.append(f"受理站点：{station.name if station else case.station_code}")
    if centre is not None:
        lines.append(f"上级中心：{centre.name}")
    if case.crisis_kinds:
        lines.append("危机类型：" + texts.kind_names(case.crisis_kinds))
    if event is not None:
        lines.append(f"新消息（{texts.local_time(event.at)}）：{words(event.note or '')}")
    elif case.kind == "crisis" and case.description:
        lines.append(
            f"求助人原话（{texts.local_time(case.created_at)}）：{words(case.description)}"
        )
    elif case.description:
        lines.append(f"经过：{words(case.description, 120)}")
    if case.status == "claimed":
        lines.append(f"负责人：工作人员 {case.claimed_by}")
    else:
        lines.append("请尽快认领并联系当事人。")
    return "\n".join(lines)
