"""The daily early-warning digest for admins (劳动关系预警): new collective disputes, categories
on the rise, and employers named in several cases, however the name was written
(某某电子厂 / 某某电子有限公司). Sent once a day through the outbox: the dedupe key names the
date, so two instances never send it twice."""

from __future__ import annotations

import re
from collections import Counter
from datetime import datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import intake_texts, notify, texts
from bot.directory import StationDirectory
from storage import repositories as repo
from storage.models import CaseRow

SAME_EMPLOYER = 85
_SUFFIXES = re.compile(
    r"(股份有限公司|有限责任公司|有限公司|责任公司|集团|公司|总厂|分厂|工厂|厂|工地|项目部|门店|店)$"
)
_PLACE = re.compile(r"^(.{2,3}?[省市县区])")


def employer_key(name: str) -> str:
    """The core of an employer's name: without place prefix, legal form or 厂/公司."""
    core = re.sub(r"[\s（）()·,，.。]", "", name)
    for _ in range(2):
        core = _SUFFIXES.sub("", core)
    match = _PLACE.match(core)
    if match and len(core) - len(match.group(1)) >= 2:
        core = core[len(match.group(1)) :]
    return core


def _same(a: str, b: str) -> bool:
    """Two name cores for one employer: near-identical, or one inside the other (a city
    written in front: 苏州某某电子 / 某某电子)."""
    shorter, longer = sorted((a, b), key=len)
    return fuzz.ratio(a, b) >= SAME_EMPLOYER or (len(shorter) >= 3 and shorter in longer)


def group_employers(names: list[str]) -> list[tuple[str, int, list[str]]]:
    """(a representative name, how many cases, the spellings) for names naming one employer."""
    groups: list[tuple[str, list[str]]] = []
    for name in names:
        key = employer_key(name)
        for other, members in groups:
            if key and _same(key, other):
                members.append(name)
                break
        else:
            groups.append((key, [name]))
    out = [(members[0], len(members), sorted(set(members))) for _, members in groups]
    return sorted(out, key=lambda g: -g[1])


async def build_digest(
    sessions: async_sessionmaker[AsyncSession], stations: StationDirectory, now: datetime
) -> str:
    async with sessions.begin() as session:
        recent = list(
            (
                await session.scalars(
                    select(CaseRow).where(CaseRow.created_at >= now - timedelta(days=30))
                )
            ).all()
        )
    directory = stations.current
    day = [c for c in recent if c.created_at >= now - timedelta(days=1)]
    collective = [c for c in day if c.collective]
    crisis = [c for c in day if c.crisis]
    week = Counter(c.category for c in recent if c.created_at >= now - timedelta(days=7))
    before = Counter(
        c.category
        for c in recent
        if now - timedelta(days=14) <= c.created_at < now - timedelta(days=7)
    )
    rising = [
        (cat, n, before.get(cat, 0))
        for cat, n in week.most_common()
        if n >= 3 and n >= 1.5 * max(1, before.get(cat, 0))
    ]
    employers = [
        g for g in group_employers([c.employer for c in recent if c.employer]) if g[1] >= 2
    ]
    async with sessions.begin() as session:
        overdue = list(
            (
                await session.scalars(
                    select(CaseRow)
                    .where(
                        CaseRow.status.in_(("queued", "claimed")),
                        CaseRow.escalation_level > 0,
                    )
                    .order_by(CaseRow.escalation_level.desc(), CaseRow.created_at)
                    .limit(10)
                )
            ).all()
        )
    lines = [f"【每日预警】{texts.local_time(now)}（近24小时受理 {len(day)} 件）"]
    lines.append(f"新的群体性纠纷：{len(collective)} 件" + ("" if collective else "。"))
    for case in collective[:10]:
        station = directory.get(case.station_code)
        name = intake_texts.CATEGORY_NAMES.get(case.category, case.category)
        where = station.name if station else case.station_code
        lines.append(f"  · {case.number}｜{name}｜{where}｜{case.employer or '单位未填'}")
    lines.append(f"危机求助：{len(crisis)} 件")
    lines.append(
        "上升的类型："
        + (
            "、".join(
                f"{intake_texts.CATEGORY_NAMES.get(c, c)} {n} 件（前一周 {b}）"
                for c, n, b in rising
            )
            or "无"
        )
    )
    lines.append(f"超时未办的案件：{len(overdue)} 件" + ("：" if overdue else ""))
    for case in overdue:
        station = directory.get(case.station_code)
        state = "待认领" if case.status == "queued" else "认领后未回复"
        lines.append(
            f"  · {case.number}｜{station.name if station else case.station_code}｜{state}"
            f"｜已升级 {case.escalation_level} 次"
        )
    if employers:
        lines.append("近30天被多次投诉的单位：")
        for name, count, spellings in employers[:10]:
            also = f"（写法：{'、'.join(spellings[:4])}）" if len(spellings) > 1 else ""
            lines.append(f"  · {name}：{count} 件{also}")
    else:
        lines.append("近30天被多次投诉的单位：无")
    return "\n".join(lines)


async def queue_digest(
    sessions: async_sessionmaker[AsyncSession],
    stations: StationDirectory,
    admin_ids: tuple[int, ...],
    now: datetime,
) -> int:
    """The digest to every reachable admin, once per (China) date whatever the instances."""
    text = await build_digest(sessions, stations, now)
    date = (now + timedelta(hours=8)).date().isoformat()
    async with sessions.begin() as session:
        admins = set(admin_ids) | set(await repo.ids_with_role(session, "admin"))
        admins -= await repo.unreachable_among(session, sorted(admins))
        for admin in sorted(admins):
            await notify.tell(session, admin, text, now, key=f"digest:{date}:{admin}")
    return len(admins)
