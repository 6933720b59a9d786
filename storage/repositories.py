"""Queries. Each function takes the caller's session; bot/ owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    DialogStateRow,
    FaqEntryRow,
    FaqVersionRow,
    FeedbackRow,
    UnansweredRow,
    UserRow,
)

FAQ_CONTENT = (
    "topic",
    "category",
    "title",
    "question",
    "alternates",
    "answer",
    "citations",
    "updated",
)


# --- users -------------------------------------------------------------------------------


async def touch_user(
    session: AsyncSession, user_id: int, now: datetime, *, admin: bool = False
) -> UserRow:
    """Create the user on first contact, refresh last_seen; configured admins get the role."""
    row = await session.get(UserRow, user_id)
    if row is None:
        row = UserRow(
            id=user_id,
            role="admin" if admin else "worker",
            reachable=True,
            first_seen_at=now,
            last_seen_at=now,
        )
        session.add(row)
    else:
        row.last_seen_at = now
        row.reachable = True
        if admin and row.role != "admin":
            row.role = "admin"
    await session.flush()
    return row


async def get_user(session: AsyncSession, user_id: int) -> UserRow | None:
    return await session.get(UserRow, user_id)


async def mark_unreachable(session: AsyncSession, user_id: int) -> None:
    await session.execute(update(UserRow).where(UserRow.id == user_id).values(reachable=False))


# --- knowledge base ----------------------------------------------------------------------


async def active_faq_entries(session: AsyncSession) -> Sequence[FaqEntryRow]:
    result = await session.scalars(
        select(FaqEntryRow).where(FaqEntryRow.active.is_(True)).order_by(FaqEntryRow.id)
    )
    return result.all()


async def all_faq_entries(session: AsyncSession) -> Sequence[FaqEntryRow]:
    return (await session.scalars(select(FaqEntryRow).order_by(FaqEntryRow.id))).all()


async def count_faq_entries(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(FaqEntryRow)) or 0)


async def save_faq_entry(
    session: AsyncSession, data: dict[str, Any], now: datetime, changed_by: int | None = None
) -> str:
    """Insert or update one entry; returns "added", "changed" or "same".

    Every change bumps the version and stores the new state in faq_versions.
    """
    row = await session.get(FaqEntryRow, data["id"])
    content = {k: data[k] for k in FAQ_CONTENT}
    if row is None:
        row = FaqEntryRow(
            id=data["id"], version=1, active=True, changed_at=now, changed_by=changed_by, **content
        )
        session.add(row)
        outcome = "added"
    else:
        current = {k: getattr(row, k) for k in FAQ_CONTENT}
        if current == content and row.active:
            return "same"
        for key, value in content.items():
            setattr(row, key, value)
        row.active = True
        row.version += 1
        row.changed_at = now
        row.changed_by = changed_by
        outcome = "changed"
    await session.flush()
    session.add(
        FaqVersionRow(
            faq_id=row.id,
            version=row.version,
            data={"id": row.id, **content},
            changed_at=now,
            changed_by=changed_by,
        )
    )
    return outcome


async def deactivate_faq_entries(
    session: AsyncSession, keep_ids: Sequence[str], now: datetime
) -> int:
    result = await session.execute(
        update(FaqEntryRow)
        .where(FaqEntryRow.id.not_in(list(keep_ids)), FaqEntryRow.active.is_(True))
        .values(active=False, changed_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def add_unanswered(
    session: AsyncSession,
    *,
    question: str,
    best_faq_id: str | None,
    score: float,
    route: str,
    now: datetime,
) -> None:
    session.add(
        UnansweredRow(
            question=question,
            best_faq_id=best_faq_id,
            score=score,
            route=route,
            created_at=now,
            reviewed=False,
        )
    )


async def recent_unanswered(session: AsyncSession, limit: int = 20) -> Sequence[UnansweredRow]:
    result = await session.scalars(
        select(UnansweredRow)
        .where(UnansweredRow.reviewed.is_(False))
        .order_by(UnansweredRow.created_at.desc())
        .limit(limit)
    )
    return result.all()


async def add_feedback(session: AsyncSession, faq_id: str, helpful: bool, now: datetime) -> None:
    session.add(FeedbackRow(faq_id=faq_id, helpful=helpful, created_at=now))


async def feedback_counts(session: AsyncSession) -> dict[str, tuple[int, int]]:
    """faq_id -> (helpful, not helpful)."""
    rows = await session.execute(
        select(FeedbackRow.faq_id, FeedbackRow.helpful, func.count()).group_by(
            FeedbackRow.faq_id, FeedbackRow.helpful
        )
    )
    out: dict[str, list[int]] = {}
    for faq_id, helpful, count in rows.all():
        out.setdefault(faq_id, [0, 0])[0 if helpful else 1] += int(count)
    return {k: (v[0], v[1]) for k, v in out.items()}


# --- dialog state ------------------------------------------------------------------------


async def get_dialog_state(session: AsyncSession, user_id: int) -> DialogStateRow | None:
    return await session.get(DialogStateRow, user_id)


async def set_dialog_state(
    session: AsyncSession, user_id: int, state: str, data: dict[str, Any], now: datetime
) -> None:
    row = await session.get(DialogStateRow, user_id)
    if row is None:
        session.add(DialogStateRow(user_id=user_id, state=state, data=data, updated_at=now))
    else:
        row.state = state
        row.data = dict(data)
        row.updated_at = now
    await session.flush()


async def clear_dialog_state(session: AsyncSession, user_id: int) -> None:
    row = await session.get(DialogStateRow, user_id)
    if row is not None:
        await session.delete(row)
        await session.flush()
