"""The whole case as staff read it: everything the intake collected, the worker's own words,
every message both ways and every change, in Chinese and China Standard Time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from bot import intake_texts, staff_texts, texts
from bot.model import Button
from bot.notify import age, case_headline
from knowledge.stations import Station
from storage.models import CaseEventRow, CaseRow

EVENT_NAMES = {
    "created": "提交",
    "claimed": "认领",
    "released": "退回队列",
    "transferred": "转交",
    "relocated": "按求助人所在地改派",
    "closed": "办结",
    "reopened": "重新打开",
    "rated": "评价",
    "message_out": "工作人员回复",
    "message_in": "求助人留言",
    "file_in": "求助人发来材料",
    "crisis_message": "危机消息",
    "note": "内部备注",
    "escalated": "超时升级",
    "merged": "并入其他案件",
    "deletion_requested": "申请删除个人信息",
}
MAX_EVIDENCE_BUTTONS = 10


def event_line(event: CaseEventRow, stations: dict[str, str]) -> str:
    """One history line: local time, what happened, by whom, and its note."""
    name = EVENT_NAMES.get(event.kind, event.kind)
    note = event.note or ""
    if event.kind in ("transferred", "relocated", "created") and note:
        code, _, reason = note.partition(" ")
        note = stations.get(code, code) + (f"（{reason}）" if reason else "")
    if event.kind == "closed" and note:
        outcome, _, rest = note.partition(" ")
        note = staff_texts.OUTCOMES.get(outcome, outcome) + (f"：{rest}" if rest else "")
    who = ""
    if event.actor_id and event.kind in ("claimed", "released", "transferred", "closed", "note"):
        who = f"（工作人员 {event.actor_id}）"
    if event.kind == "message_out" and event.actor_id:
        who = f"（{event.actor_id}）"
    return f"{texts.local_time(event.at)} {name}{who}" + (f"：{note}" if note else "")


def full_view(
    case: CaseRow,
    station: Station | None,
    events: Sequence[CaseEventRow],
    stations: dict[str, str],
    now: datetime,
) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """Everything about the case (text, then split by the caller) and its evidence buttons."""
    lines = [
        case_headline(case),
        f"站点：{station.name if station else case.station_code}",
        f"提交：{texts.local_time(case.created_at)}",
    ]
    if case.claimed_at is not None:
        waited = age(case.created_at, case.claimed_at)
        lines.append(
            f"认领：{texts.local_time(case.claimed_at)}（等了 {waited}），"
            f"负责人：工作人员 {case.claimed_by}"
        )
    elif case.status == "queued":
        lines.append(f"已等待：{age(case.created_at, now)}")
    if case.anonymous:
        lines.append("联系方式：匿名举报，未留电话")
    else:
        lines.append(f"电话：{case.phone or '未留（可在这里回复求助人）'}")
    if case.crisis_kinds:
        lines.append("危机类型：" + texts.kind_names(case.crisis_kinds))
    began = case.dispute_began
    details = [
        ("单位", case.employer),
        ("地点", case.place),
        (
            "涉及人数",
            dict(intake_texts.WORKER_OPTIONS).get(case.workers_affected or "", None),
        ),
        ("金额", f"约{case.amount_owed}元" if case.amount_owed is not None else None),
        ("开始时间", dict(intake_texts.BEGAN_OPTIONS).get(began, began) if began else None),
    ]
    migrant = (case.eligibility or {}).get("migrant")
    if migrant is not None:
        details.append(("外地来务工", "是" if migrant else "否"))
    lines.extend(f"{label}：{value}" for label, value in details if value)
    evidence = list(case.evidence or [])
    lines.append(f"证据材料：{len(evidence)}份" + ("（点下面的按钮查看）" if evidence else ""))
    if case.outcome:
        lines.append(f"结果：{staff_texts.OUTCOMES.get(case.outcome, case.outcome)}")
    if case.rating:
        lines.append(f"求助人评价：{case.rating}分")
    words = "求助人原话" if case.kind == "crisis" else "经过（求助人自述）"
    lines += ["", f"{words}：", case.description or "—", "", "——记录——"]
    lines.extend(event_line(e, stations) for e in events)
    buttons = tuple(
        (Button(f"看第{n}份：{_kind(item)}", f"case:ev:{case.id}:{n}"),)
        for n, item in enumerate(evidence[:MAX_EVIDENCE_BUTTONS], 1)
    )
    return "\n".join(lines), buttons


def _kind(item: dict) -> str:
    return staff_texts.FILE_KINDS.get(str(item.get("kind", "")), "材料")
