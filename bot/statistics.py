"""The figures the union reports (登记统计报告制度): cases received by station, category and
route, outcomes and the mediation success rate, time to claim and to close, escalations,
ratings, what the bot could not answer and the 有帮助 / 没帮助 votes, for a period."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import intake_texts, staff_texts
from bot.directory import StationDirectory
from storage import repositories as repo
from storage.models import CaseEventRow, CaseRow, FeedbackRow, UnansweredRow

PERIODS = {"day": 1, "week": 7, "month": 30, "quarter": 91, "year": 365}
PERIOD_NAMES = {"day": "近1天", "week": "近7天", "month": "近30天", "quarter": "近一季度",
                "year": "近一年"}  # fmt: skip


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _hours(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value * 60:.0f}分钟" if value < 1 else f"{value:.1f}小时"


class Statistics:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        stations: StationDirectory,
        titles: Callable[[str], str | None] = lambda _: None,
    ) -> None:
        self._sessions = sessions
        self._stations = stations
        self._titles = titles

    async def chart(self, period: str, now: datetime) -> bytes | None:
        """The cases-per-week chart for the period (None when there are no cases)."""
        import asyncio

        from bot.report import case_rows, chart_png

        key = period if period in PERIODS else "month"
        since, until = now - timedelta(days=PERIODS[key]), now + timedelta(seconds=1)
        rows = await case_rows(self._sessions, self._stations, since, until)
        if not rows:
            return None
        return await asyncio.to_thread(chart_png, rows, f"劳动维权助手 {PERIOD_NAMES[key]}")

    async def figures(self, period: str, now: datetime) -> str:
        key = period if period in PERIODS else "month"
        since = now - timedelta(days=PERIODS[key])
        async with self._sessions.begin() as session:
            cases = list(
                (await session.scalars(select(CaseRow).where(CaseRow.created_at >= since))).all()
            )
            escalations = len(
                (
                    await session.scalars(
                        select(CaseEventRow.id).where(
                            CaseEventRow.kind == "escalated", CaseEventRow.at >= since
                        )
                    )
                ).all()
            )
            unanswered = len(
                (
                    await session.scalars(
                        select(UnansweredRow.id).where(UnansweredRow.created_at >= since)
                    )
                ).all()
            )
            counts = await repo.question_counts(
                session, (since + timedelta(hours=8)).date().isoformat()
            )
            votes = (
                await session.execute(
                    select(FeedbackRow.helpful).where(FeedbackRow.created_at >= since)
                )
            ).all()
        directory = self._stations.current
        by_station = Counter(
            (
                directory.get(c.station_code).name
                if directory.get(c.station_code)
                else c.station_code
            )
            for c in cases
        )
        by_category = Counter(
            intake_texts.CATEGORY_NAMES.get(c.category, c.category) for c in cases
        )
        outcomes = Counter(c.outcome for c in cases if c.status == "closed" and c.outcome)
        mediated = outcomes.get("mediated", 0)
        tried = mediated + outcomes.get("to_arbitration", 0)
        claim_hours = [
            (c.claimed_at - c.created_at).total_seconds() / 3600 for c in cases if c.claimed_at
        ]
        close_hours = [
            (c.closed_at - c.created_at).total_seconds() / 3600 for c in cases if c.closed_at
        ]
        ratings = [c.rating for c in cases if c.rating]
        helpful = sum(1 for (h,) in votes if h)
        asked = sum(r.count for r in counts)
        in_scope = sum(r.count for r in counts if r.route != "out_of_scope")
        answered = sum(r.count for r in counts if r.answered)
        topics = Counter()
        for r in counts:
            if r.answered and r.faq_id:
                topics[r.faq_id] += r.count
        lines = [
            f"【统计】{PERIOD_NAMES[key]}（/stats day|week|month|quarter|year）",
            f"受理案件：{len(cases)} 件（紧急 {sum(c.urgent for c in cases)}，"
            f"危机 {sum(c.crisis for c in cases)}，群体性 {sum(c.collective for c in cases)}，"
            f"举报 {sum(c.kind == 'report' for c in cases)}）",
            "按站点：" + ("、".join(f"{k} {v}" for k, v in by_station.most_common()) or "—"),
            "按类型：" + ("、".join(f"{k} {v}" for k, v in by_category.most_common()) or "—"),
            "办结结果："
            + (
                "、".join(
                    f"{staff_texts.OUTCOMES.get(k, k)} {v}" for k, v in outcomes.most_common()
                )
                or "—"
            ),
            f"调解成功率：{mediated / tried:.0%}（{mediated}/{tried}）"
            if tried
            else "调解成功率：—",
            f"认领用时：中位 {_hours(_percentile(claim_hours, 0.5))}，"
            f"P90 {_hours(_percentile(claim_hours, 0.9))}",
            f"办结用时：中位 {_hours(_percentile(close_hours, 0.5))}，"
            f"P90 {_hours(_percentile(close_hours, 0.9))}",
            f"超时升级：{escalations} 次",
            f"满意度：{sum(ratings) / len(ratings):.1f} 分（{len(ratings)} 人评价）"
            if ratings
            else "满意度：—",
            f"问题：{asked} 个，劳动问题 {in_scope} 个，直接答复 {answered} 个"
            + (f"（答复率 {answered / in_scope:.0%}）" if in_scope else ""),
            "常问："
            + ("、".join(f"{self._titles(k) or k} {v}" for k, v in topics.most_common(5)) or "—"),
            f"机器人没答好的问题：{unanswered} 条（/unanswered 查看）；"
            f"回答有帮助 {helpful}、没帮助 {len(votes) - helpful}",
        ]
        return "\n".join(lines)
