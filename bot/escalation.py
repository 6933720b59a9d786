"""SLA deadlines and the escalation sweeper, driven only by database timestamps.

`cases.escalate_at` holds the next deadline: to be claimed (queued cases) or to answer the
worker (claimed cases whose worker is waiting). The sweeper escalates every overdue case
with one UPDATE … RETURNING, so each level fires exactly once even with several bot
instances, and a restart loses nothing: the next sweep finds what is due.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

from sqlalchemy import case as sql_case
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import notify
from bot import staff_texts as st
from bot.directory import StationDirectory
from storage import repositories as repo
from storage.models import CaseRow

logger = logging.getLogger(__name__)

CHINA = timezone(timedelta(hours=8))


def add_working_days(moment: datetime, days: int) -> datetime:
    """`days` working days later (Monday to Friday, China time).

    Public holidays and their make-up working days are not modelled: on a holiday a case
    escalates a little early, which errs on the safe side.
    """
    local = moment.astimezone(CHINA)
    added = 0
    while added < days:
        local += timedelta(days=1)
        if local.weekday() < 5:
            added += 1
    return local.astimezone(UTC)


@dataclass(frozen=True)
class SlaPolicy:
    urgent: timedelta = timedelta(minutes=15)
    normal_working_days: int = 1

    def due_at(self, now: datetime, *, urgent: bool) -> datetime:
        return now + self.urgent if urgent else add_working_days(now, self.normal_working_days)

    def claim_due(self, now: datetime, *, urgent: Any) -> Any:
        """The deadline as a value, or as SQL when `urgent` is a column."""
        if isinstance(urgent, bool):
            return self.due_at(now, urgent=urgent)
        return sql_case(
            (urgent.is_(True), now + self.urgent),
            else_=add_working_days(now, self.normal_working_days),
        )

    reply_due = claim_due

    def reply_due_at(self, now: datetime, *, urgent: bool) -> datetime:
        return self.due_at(now, urgent=urgent)


@dataclass(frozen=True)
class Escalated:
    case_id: int
    number: str
    station_code: str
    level: int
    unclaimed: bool


MAX_LEVEL = 3  # escalations per case before the reminders stop


class Escalation:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        stations: StationDirectory,
        admin_ids: Sequence[int],
        sla: SlaPolicy,
    ) -> None:
        self._sessions = sessions
        self._stations = stations
        self.admin_ids = tuple(admin_ids)
        self.sla = sla

    async def escalate_overdue(self, now: datetime) -> list[Escalated]:
        """Escalate every case past its deadline to the centre above and the admins."""
        directory = self._stations.current
        out: list[Escalated] = []
        async with self._sessions.begin() as session:
            rows = (
                await session.scalars(
                    update(CaseRow)
                    .where(
                        CaseRow.status.in_(("queued", "claimed")),
                        CaseRow.escalate_at.is_not(None),
                        CaseRow.escalate_at <= now,
                    )
                    .values(
                        escalation_level=CaseRow.escalation_level + 1,
                        # Capped: after the last level nobody is reminded again (the
                        # admins have it in hand).
                        escalate_at=sql_case(
                            (CaseRow.escalation_level + 1 >= MAX_LEVEL, None),
                            else_=self.sla.claim_due(now, urgent=CaseRow.urgent),
                        ),
                        updated_at=now,
                    )
                    .returning(CaseRow)
                    .execution_options(synchronize_session=False)
                )
            ).all()
            for case in rows:
                unclaimed = case.status == "queued"
                why = st.ESC_UNCLAIMED if unclaimed else st.ESC_NO_REPLY
                await repo.add_case_event(
                    session,
                    case.id,
                    now,
                    "escalated",
                    from_status=case.status,
                    to_status=case.status,
                    note=f"level {case.escalation_level}: {why}",
                )
                station = directory.get(case.station_code)
                targets: list[int] = []
                centre = directory.centre_above(station) if station else None
                if centre is not None:
                    targets += await notify.card_targets(session, centre)
                targets += list(self.admin_ids) + await repo.ids_with_role(session, "admin")
                text = st.ESCALATED.format(
                    number=case.number,
                    station=station.name if station else case.station_code,
                    why=why,
                )
                for chat_id in dict.fromkeys(targets):
                    await notify.tell(
                        session,
                        chat_id,
                        text,
                        now,
                        key=f"case:{case.id}:esc:{case.escalation_level}:{chat_id}",
                    )
                out.append(
                    Escalated(
                        case.id,
                        case.number or "",
                        case.station_code,
                        case.escalation_level,
                        unclaimed,
                    )
                )
        for item in out:
            logger.info("case %s escalated to level %s", item.case_id, item.level)
        return out
