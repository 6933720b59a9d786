"""Retention: closed cases older than CASE_RETENTION_YEARS lose everything that identifies
the worker (their words, employer, place, phone, evidence and the messages both ways); what
statistics need (station, category, route, dates, outcome, rating) stays."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from storage.models import CaseEventRow, CaseRow

logger = logging.getLogger(__name__)

ANONYMISED = "（已按保存期限匿名化）"
# Events whose note carries the worker's or staff's words.
WORDY_EVENTS = ("message_in", "message_out", "crisis_message", "file_in", "note")


async def anonymise(session: AsyncSession, ids: list[int]) -> None:
    """Blank what identifies the worker on these cases (inside the caller's transaction)."""
    await session.execute(
        update(CaseRow)
        .where(CaseRow.id.in_(ids))
        .values(
            description=ANONYMISED,
            employer=None,
            place=None,
            phone=None,
            amount_owed=None,
            evidence=[],
            intake_key=None,
        )
    )
    wordy = (CaseEventRow.case_id.in_(ids), CaseEventRow.kind.in_(WORDY_EVENTS))
    await session.execute(update(CaseEventRow).where(*wordy).values(note=None))


@dataclass(frozen=True)
class RetentionReport:
    cutoff: datetime
    cases: int
    events: int
    dry_run: bool


async def anonymise_closed_cases(
    sessions: async_sessionmaker[AsyncSession],
    now: datetime,
    years: int,
    *,
    dry_run: bool = False,
    batch: int = 500,
) -> RetentionReport:
    """Anonymise (or, with `dry_run`, count) closed cases closed before now - `years`."""
    cutoff = now - timedelta(days=365 * years + years // 4)
    due = (
        CaseRow.status == "closed",
        CaseRow.closed_at < cutoff,
        CaseRow.description != ANONYMISED,
    )
    cases = events = 0
    while True:
        async with sessions.begin() as session:
            ids = list((await session.scalars(select(CaseRow.id).where(*due).limit(batch))).all())
            if not ids:
                break
            wordy = (CaseEventRow.case_id.in_(ids), CaseEventRow.kind.in_(WORDY_EVENTS))
            found = list((await session.scalars(select(CaseEventRow.id).where(*wordy))).all())
            cases += len(ids)
            events += len(found)
            if dry_run:
                break
            await anonymise(session, ids)
        logger.info("retention: %s cases anonymised so far", cases)
    return RetentionReport(cutoff, cases, events, dry_run)
