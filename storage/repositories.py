"""Queries. Each function takes the caller's session; bot/ owns the transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import and_, delete, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import (
    AuditRow,
    Base,
    CannedReplyRow,
    CaseCardRow,
    CaseEventRow,
    CaseRow,
    DialogStateRow,
    FaqEntryRow,
    FaqVersionRow,
    FeedbackRow,
    InboxRow,
    LabelRow,
    OutboxRow,
    QuestionCountRow,
    StationChatRow,
    StationRow,
    StationStaffRow,
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


async def _insert_ignore(session: AsyncSession, model: type[Base], values: dict[str, Any]) -> bool:
    """INSERT … ON CONFLICT DO NOTHING on either engine; True if a row was inserted.

    A read-then-insert races under PostgreSQL's READ COMMITTED (two first messages from the
    same user at once); letting the database decide keeps it correct on both engines.
    """
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    result = await session.execute(insert(model).values(**values).on_conflict_do_nothing())
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def touch_user(
    session: AsyncSession, user_id: int, now: datetime, *, admin: bool = False
) -> UserRow:
    """Create the user on first contact, refresh last_seen; configured admins get the role."""
    await _insert_ignore(
        session,
        UserRow,
        {
            "id": user_id,
            "role": "admin" if admin else "worker",
            "reachable": True,
            "first_seen_at": now,
            "last_seen_at": now,
        },
    )
    row = await session.get(UserRow, user_id, populate_existing=True)
    assert row is not None
    row.last_seen_at = now
    row.reachable = True
    if admin and row.role != "admin":
        row.role = "admin"
    await session.flush()
    return row


async def get_user(session: AsyncSession, user_id: int) -> UserRow | None:
    return await session.get(UserRow, user_id)


async def mark_unreachable(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Telegram refused a send to `user_id`: remember it, also for a configured admin who
    never wrote to the bot (no user row yet), so nobody is promised an alert they can't get."""
    if user_id > 0:
        await _insert_ignore(
            session,
            UserRow,
            {
                "id": user_id,
                "role": "worker",
                "reachable": False,
                "first_seen_at": now,
                "last_seen_at": now,
            },
        )
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


async def retire_faq_entry(
    session: AsyncSession, faq_id: str, now: datetime, changed_by: int | None
) -> bool:
    result = await session.execute(
        update(FaqEntryRow)
        .where(FaqEntryRow.id == faq_id, FaqEntryRow.active.is_(True))
        .values(active=False, changed_at=now, changed_by=changed_by)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def faq_versions(session: AsyncSession, faq_id: str) -> Sequence[FaqVersionRow]:
    result = await session.scalars(
        select(FaqVersionRow)
        .where(FaqVersionRow.faq_id == faq_id)
        .order_by(FaqVersionRow.version.desc(), FaqVersionRow.id.desc())
        .limit(20)
    )
    return result.all()


async def faq_fingerprint(session: AsyncSession) -> tuple[int, int, str]:
    """Changes whenever any entry is added, edited or retired (by any instance)."""
    query = select(
        func.count(),
        func.coalesce(func.sum(FaqEntryRow.version), 0),
        func.max(FaqEntryRow.changed_at),
    ).where(FaqEntryRow.active.is_(True))
    count, versions, latest = (await session.execute(query)).one()
    retired = await session.scalar(select(func.max(FaqEntryRow.changed_at)))
    return int(count), int(versions), f"{latest}|{retired}"


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


async def unreviewed_unanswered(session: AsyncSession, limit: int) -> Sequence[UnansweredRow]:
    result = await session.scalars(
        select(UnansweredRow)
        .where(UnansweredRow.reviewed.is_(False))
        .order_by(UnansweredRow.created_at.desc(), UnansweredRow.id.desc())
        .limit(limit)
    )
    return result.all()


async def audit(
    session: AsyncSession, actor_id: int | None, action: str, target: str, now: datetime
) -> None:
    session.add(AuditRow(at=now, actor_id=actor_id, action=action, target=target[:120]))


async def recent_audit(session: AsyncSession, limit: int = 30) -> Sequence[AuditRow]:
    result = await session.scalars(
        select(AuditRow).order_by(AuditRow.at.desc(), AuditRow.id.desc()).limit(limit)
    )
    return result.all()


async def count_question(
    session: AsyncSession, *, day: str, route: str, faq_id: str | None, answered: bool
) -> None:
    """One more question in today's tally (an upsert, safe with several instances)."""
    key = {"day": day, "route": route, "faq_id": faq_id or "", "answered": answered}
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(QuestionCountRow).values(**key, count=1)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key), set_={"count": QuestionCountRow.count + 1}
        )
    )


async def question_counts(session: AsyncSession, since_day: str) -> Sequence[QuestionCountRow]:
    result = await session.scalars(
        select(QuestionCountRow).where(QuestionCountRow.day >= since_day)
    )
    return result.all()


async def add_label(
    session: AsyncSession,
    *,
    text: str,
    route: str,
    faq_id: str | None,
    source: str,
    created_by: int | None,
    now: datetime,
) -> None:
    session.add(
        LabelRow(
            text=text[:4000],
            route=route,
            faq_id=faq_id,
            source=source,
            created_by=created_by,
            created_at=now,
        )
    )


async def all_labels(session: AsyncSession) -> Sequence[LabelRow]:
    return (await session.scalars(select(LabelRow).order_by(LabelRow.id))).all()


async def mark_reviewed(session: AsyncSession, ids: Sequence[int]) -> int:
    if not ids:
        return 0
    result = await session.execute(
        update(UnansweredRow).where(UnansweredRow.id.in_(list(ids))).values(reviewed=True)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


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


async def receive_update(
    session: AsyncSession, update_id: int, payload: dict[str, Any], now: datetime
) -> bool:
    """A webhook delivery, stored before it is acknowledged; False if it came before."""
    values = {"update_id": update_id, "state": "received", "payload": payload, "received_at": now}
    return await _insert_ignore(session, InboxRow, values)


async def remember_update(session: AsyncSession, update_id: int, now: datetime) -> bool:
    """True for the one caller (any instance) that may handle this update: the first to see
    a polled update, or the one that takes a received webhook delivery."""
    values = {"update_id": update_id, "state": "handling", "received_at": now}
    if await _insert_ignore(session, InboxRow, values):
        return True
    taken = await session.scalar(
        update(InboxRow)
        .where(InboxRow.update_id == update_id, InboxRow.state == "received")
        .values(state="handling")
        .returning(InboxRow.update_id)
    )
    return taken is not None


async def finish_update(session: AsyncSession, update_id: int) -> None:
    await session.execute(
        update(InboxRow).where(InboxRow.update_id == update_id).values(state="done", payload=None)
    )


async def received_updates(session: AsyncSession, limit: int = 1000) -> list[dict[str, Any]]:
    """Webhook deliveries acknowledged but never handled (an instance died in between)."""
    result = await session.scalars(
        select(InboxRow.payload)
        .where(InboxRow.state == "received", InboxRow.payload.is_not(None))
        .order_by(InboxRow.update_id)
        .limit(limit)
    )
    return [p for p in result.all() if isinstance(p, dict)]


async def forget_updates_before(session: AsyncSession, before: datetime) -> int:
    result = await session.execute(delete(InboxRow).where(InboxRow.received_at < before))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def get_dialog_state(session: AsyncSession, user_id: int) -> DialogStateRow | None:
    return await session.get(DialogStateRow, user_id)


async def set_dialog_state(
    session: AsyncSession, user_id: int, state: str, data: dict[str, Any], now: datetime
) -> None:
    inserted = await _insert_ignore(
        session,
        DialogStateRow,
        {"user_id": user_id, "state": state, "data": dict(data), "updated_at": now},
    )
    if not inserted:
        await session.execute(
            update(DialogStateRow)
            .where(DialogStateRow.user_id == user_id)
            .values(state=state, data=dict(data), updated_at=now)
        )


async def clear_dialog_state(session: AsyncSession, user_id: int) -> None:
    row = await session.get(DialogStateRow, user_id)
    if row is not None:
        await session.delete(row)
        await session.flush()


# --- stations ----------------------------------------------------------------------------


async def active_stations(session: AsyncSession) -> Sequence[StationRow]:
    result = await session.scalars(
        select(StationRow).where(StationRow.active.is_(True)).order_by(StationRow.code)
    )
    return result.all()


async def count_stations(session: AsyncSession) -> int:
    return int(await session.scalar(select(func.count()).select_from(StationRow)) or 0)


async def save_station(session: AsyncSession, data: dict[str, Any], now: datetime) -> str:
    """Insert or update one station by code; returns "added" or "changed"."""
    row = await session.get(StationRow, data["code"])
    if row is None:
        session.add(StationRow(**data, active=True, updated_at=now))
        await session.flush()
        return "added"
    for key, value in data.items():
        setattr(row, key, value)
    row.active = True
    row.updated_at = now
    await session.flush()
    return "changed"


async def retire_stations(session: AsyncSession, keep: Sequence[str], now: datetime) -> int:
    result = await session.execute(
        update(StationRow)
        .where(StationRow.code.not_in(list(keep)), StationRow.active.is_(True))
        .values(active=False, updated_at=now)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


# --- cases -------------------------------------------------------------------------------


async def insert_case(session: AsyncSession, values: dict[str, Any]) -> CaseRow:
    row = CaseRow(**values)
    session.add(row)
    await session.flush()
    return row


async def add_case_event(
    session: AsyncSession,
    case_id: int,
    at: datetime,
    kind: str,
    *,
    actor_id: int | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    note: str | None = None,
) -> CaseEventRow:
    row = CaseEventRow(
        case_id=case_id,
        at=at,
        kind=kind,
        actor_id=actor_id,
        from_status=from_status,
        to_status=to_status,
        note=note,
    )
    session.add(row)
    await session.flush()
    return row


async def cases_of_worker(
    session: AsyncSession, worker_id: int, limit: int = 10
) -> Sequence[CaseRow]:
    result = await session.scalars(
        select(CaseRow)
        .where(CaseRow.worker_id == worker_id)
        .order_by(CaseRow.created_at.desc(), CaseRow.id.desc())
        .limit(limit)
    )
    return result.all()


async def recent_open_crises(
    session: AsyncSession, worker_id: int, since: datetime
) -> Sequence[CaseRow]:
    """The worker's open crisis cases opened since `since`, newest first."""
    result = await session.scalars(
        select(CaseRow)
        .where(
            CaseRow.worker_id == worker_id,
            CaseRow.kind == "crisis",
            CaseRow.status != "closed",
            CaseRow.created_at >= since,
        )
        .order_by(CaseRow.id.desc())
        .limit(10)
    )
    return result.all()


async def get_event(session: AsyncSession, event_id: int) -> CaseEventRow | None:
    return await session.get(CaseEventRow, event_id)


async def case_in_conversation(
    session: AsyncSession, worker_id: int, since: datetime
) -> CaseRow | None:
    """The worker's open case that staff wrote on most recently (since `since`), if any."""
    result = await session.scalars(
        select(CaseRow)
        .join(CaseEventRow, CaseEventRow.case_id == CaseRow.id)
        .where(
            CaseRow.worker_id == worker_id,
            CaseRow.status == "claimed",
            CaseEventRow.kind == "message_out",
            CaseEventRow.at >= since,
        )
        .order_by(CaseEventRow.at.desc(), CaseEventRow.id.desc())
        .limit(1)
    )
    return result.first()


async def case_of_message(session: AsyncSession, chat_id: int, message_id: int) -> int | None:
    """The case a message the bot sent to `chat_id` belongs to (for Telegram's reply-to)."""
    result = await session.scalars(
        select(OutboxRow.payload).where(
            OutboxRow.chat_id == chat_id, OutboxRow.message_id == message_id
        )
    )
    payload = result.first()
    if not isinstance(payload, dict):
        return None
    case_id = payload.get("case_id")
    return int(case_id) if isinstance(case_id, int) else None


async def case_of_intake(session: AsyncSession, key: str) -> CaseRow | None:
    return await session.scalar(select(CaseRow).where(CaseRow.intake_key == key))


async def get_case(session: AsyncSession, case_id: int) -> CaseRow | None:
    return await session.get(CaseRow, case_id)


async def case_events(session: AsyncSession, case_id: int) -> Sequence[CaseEventRow]:
    result = await session.scalars(
        select(CaseEventRow)
        .where(CaseEventRow.case_id == case_id)
        .order_by(CaseEventRow.at, CaseEventRow.id)
    )
    return result.all()


async def ids_with_role(session: AsyncSession, role: str) -> list[int]:
    result = await session.scalars(select(UserRow.id).where(UserRow.role == role))
    return list(result.all())


async def unreachable_among(session: AsyncSession, ids: Sequence[int]) -> set[int]:
    """Which of `ids` Telegram said cannot be reached (blocked the bot, never started it)."""
    if not ids:
        return set()
    result = await session.scalars(
        select(UserRow.id).where(UserRow.id.in_(list(ids)), UserRow.reachable.is_(False))
    )
    return set(result.all())


# --- outbox ------------------------------------------------------------------------------


async def enqueue(
    session: AsyncSession,
    *,
    kind: str,
    chat_id: int,
    payload: dict[str, Any],
    dedupe_key: str,
    now: datetime,
) -> bool:
    """Add a notification unless one with the same dedupe key exists; True if added."""
    return await _insert_ignore(
        session,
        OutboxRow,
        {
            "kind": kind,
            "chat_id": chat_id,
            "payload": payload,
            "dedupe_key": dedupe_key,
            "status": "pending",
            "attempts": 0,
            "run_at": now,
            "created_at": now,
            "updated_at": now,
        },
    )


async def claim_due_outbox(
    session: AsyncSession,
    *,
    now: datetime,
    worker: str,
    lease_until: datetime,
    limit: int = 20,
    chat_id: int | None = None,
) -> Sequence[OutboxRow]:
    """Lease due rows to `worker` in one statement (the same SQL on SQLite and PostgreSQL);
    `chat_id` limits it to one recipient (a console shows only its own user's messages).

    Rows still leased by a worker that died become due again when the lease runs out.
    """
    due = (
        select(OutboxRow.id)
        .where(
            or_(
                and_(OutboxRow.status == "pending", OutboxRow.run_at <= now),
                and_(OutboxRow.status == "sending", OutboxRow.locked_until < now),
            )
        )
        .order_by(OutboxRow.run_at, OutboxRow.id)
        .limit(limit)
    )
    if chat_id is not None:
        due = due.where(OutboxRow.chat_id == chat_id)
    if session.bind is not None and session.bind.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    result = await session.scalars(
        update(OutboxRow)
        .where(OutboxRow.id.in_(due.scalar_subquery()))
        .values(status="sending", locked_by=worker, locked_until=lease_until, updated_at=now)
        .returning(OutboxRow)
        .execution_options(synchronize_session=False)
    )
    return result.all()


async def finish_outbox(
    session: AsyncSession,
    row_id: int,
    worker: str,
    *,
    status: str,
    now: datetime,
    run_at: datetime | None = None,
    attempts_delta: int = 0,
    error: str | None = None,
    message_id: int | None = None,
) -> bool:
    """Record a send's result; only the worker holding the lease may (fencing)."""
    values: dict[str, Any] = {
        "status": status,
        "updated_at": now,
        "locked_by": None,
        "locked_until": None,
        "last_error": error,
    }
    if run_at is not None:
        values["run_at"] = run_at
    if message_id is not None:
        values["message_id"] = message_id
    if attempts_delta:
        values["attempts"] = OutboxRow.attempts + attempts_delta
    result = await session.execute(
        update(OutboxRow)
        .where(OutboxRow.id == row_id, OutboxRow.locked_by == worker)
        .values(**values)
    )
    return bool(result.rowcount)  # type: ignore[attr-defined]


# --- staff, station chats, cards ----------------------------------------------------------


async def set_role(session: AsyncSession, user_id: int, role: str, now: datetime) -> None:
    await touch_user(session, user_id, now)
    await session.execute(update(UserRow).where(UserRow.id == user_id).values(role=role))


async def grant_staff(
    session: AsyncSession, user_id: int, station_code: str, granted_by: int, now: datetime
) -> bool:
    await touch_user(session, user_id, now)
    await session.execute(
        update(UserRow).where(UserRow.id == user_id, UserRow.role == "worker").values(role="staff")
    )
    return await _insert_ignore(
        session,
        StationStaffRow,
        {
            "user_id": user_id,
            "station_code": station_code,
            "on_duty": True,
            "granted_by": granted_by,
            "granted_at": now,
        },
    )


async def revoke_staff(session: AsyncSession, user_id: int, station_code: str | None) -> int:
    query = delete(StationStaffRow).where(StationStaffRow.user_id == user_id)
    if station_code is not None:
        query = query.where(StationStaffRow.station_code == station_code)
    removed = int((await session.execute(query)).rowcount or 0)  # type: ignore[attr-defined]
    left = await session.scalar(
        select(func.count()).select_from(StationStaffRow).where(StationStaffRow.user_id == user_id)
    )
    if not left:
        await session.execute(
            update(UserRow)
            .where(UserRow.id == user_id, UserRow.role == "staff")
            .values(role="worker")
        )
    return removed


async def stations_of_staff(session: AsyncSession, user_id: int) -> list[str]:
    result = await session.scalars(
        select(StationStaffRow.station_code).where(StationStaffRow.user_id == user_id)
    )
    return sorted(result.all())


async def staff_of_station(
    session: AsyncSession, station_code: str, *, on_duty_only: bool = True
) -> list[int]:
    query = select(StationStaffRow.user_id).where(StationStaffRow.station_code == station_code)
    if on_duty_only:
        # Cards go to people who can get them: on duty, and not known to be unreachable.
        query = query.join(UserRow, UserRow.id == StationStaffRow.user_id).where(
            StationStaffRow.on_duty.is_(True), UserRow.reachable.is_not(False)
        )
    return sorted((await session.scalars(query)).all())


async def set_on_duty(session: AsyncSession, user_id: int, on_duty: bool) -> int:
    result = await session.execute(
        update(StationStaffRow).where(StationStaffRow.user_id == user_id).values(on_duty=on_duty)
    )
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def link_station_chat(
    session: AsyncSession, station_code: str, chat_id: int, user_id: int, now: datetime
) -> None:
    await session.execute(
        delete(StationChatRow).where(
            or_(StationChatRow.station_code == station_code, StationChatRow.chat_id == chat_id)
        )
    )
    session.add(
        StationChatRow(
            station_code=station_code, chat_id=chat_id, linked_by=user_id, linked_at=now
        )
    )
    await session.flush()


async def unlink_chat(session: AsyncSession, chat_id: int) -> None:
    await session.execute(delete(StationChatRow).where(StationChatRow.chat_id == chat_id))


async def station_chat(session: AsyncSession, station_code: str) -> int | None:
    return await session.scalar(
        select(StationChatRow.chat_id).where(StationChatRow.station_code == station_code)
    )


async def station_of_chat(session: AsyncSession, chat_id: int) -> str | None:
    return await session.scalar(
        select(StationChatRow.station_code).where(StationChatRow.chat_id == chat_id)
    )


async def save_card(session: AsyncSession, case_id: int, chat_id: int, message_id: int) -> None:
    inserted = await _insert_ignore(
        session, CaseCardRow, {"case_id": case_id, "chat_id": chat_id, "message_id": message_id}
    )
    if not inserted:
        await session.execute(
            update(CaseCardRow)
            .where(CaseCardRow.case_id == case_id, CaseCardRow.chat_id == chat_id)
            .values(message_id=message_id)
        )


async def cards_of_case(session: AsyncSession, case_id: int) -> list[tuple[int, int]]:
    rows = await session.execute(
        select(CaseCardRow.chat_id, CaseCardRow.message_id).where(CaseCardRow.case_id == case_id)
    )
    return [(int(c), int(m)) for c, m in rows.all()]


async def card_holders(session: AsyncSession, case_id: int) -> set[int]:
    """Chats that have (or are about to get) a card of the case."""
    sent = {chat for chat, _ in await cards_of_case(session, case_id)}
    queued = await session.scalars(
        select(OutboxRow.chat_id).where(
            OutboxRow.kind == "card",
            OutboxRow.status.in_(("pending", "sending")),
            OutboxRow.dedupe_key.like(f"case:{case_id}:%"),
        )
    )
    return sent | set(queued.all())


async def case_of_card(session: AsyncSession, chat_id: int, message_id: int) -> int | None:
    return await session.scalar(
        select(CaseCardRow.case_id).where(
            CaseCardRow.chat_id == chat_id, CaseCardRow.message_id == message_id
        )
    )


async def open_cases_of_stations(
    session: AsyncSession,
    station_codes: Sequence[str],
    limit: int = 30,
    *,
    statuses: Sequence[str] = ("queued", "claimed"),
    claimed_by: int | None = None,
) -> Sequence[CaseRow]:
    """Open cases: waiting ones first, urgent first within, then oldest first."""
    query = select(CaseRow).where(
        CaseRow.station_code.in_(list(station_codes)), CaseRow.status.in_(list(statuses))
    )
    if claimed_by is not None:
        query = query.where(CaseRow.claimed_by == claimed_by)
    waiting_first = (CaseRow.status != "queued").asc()
    result = await session.scalars(
        query.order_by(waiting_first, CaseRow.urgent.desc(), CaseRow.created_at, CaseRow.id).limit(
            limit
        )
    )
    return result.all()


async def count_open_cases(session: AsyncSession, station_codes: Sequence[str]) -> dict[str, int]:
    """How many open cases wait and how many are being handled, per status."""
    result = await session.execute(
        select(CaseRow.status, func.count())
        .where(CaseRow.station_code.in_(list(station_codes)), CaseRow.status != "closed")
        .group_by(CaseRow.status)
    )
    return {status: int(count) for status, count in result.all()}


async def case_id_of_number(session: AsyncSession, number: str) -> int | None:
    return await session.scalar(select(CaseRow.id).where(CaseRow.number == number.upper()))


async def roster(session: AsyncSession) -> list[tuple[str, int, bool]]:
    """(station code, staff id, on duty) for every staff grant."""
    result = await session.execute(
        select(
            StationStaffRow.station_code, StationStaffRow.user_id, StationStaffRow.on_duty
        ).order_by(StationStaffRow.station_code, StationStaffRow.user_id)
    )
    return [(code, int(user), bool(on)) for code, user, on in result.all()]


async def duty_of_staff(session: AsyncSession, user_id: int) -> list[tuple[str, bool]]:
    result = await session.execute(
        select(StationStaffRow.station_code, StationStaffRow.on_duty)
        .where(StationStaffRow.user_id == user_id)
        .order_by(StationStaffRow.station_code)
    )
    return [(code, bool(on)) for code, on in result.all()]


async def cases_claimed_by(session: AsyncSession, staff_id: int) -> Sequence[CaseRow]:
    result = await session.scalars(
        select(CaseRow)
        .where(CaseRow.claimed_by == staff_id, CaseRow.status == "claimed")
        .order_by(CaseRow.urgent.desc(), CaseRow.created_at)
    )
    return result.all()


async def canned_replies(session: AsyncSession) -> dict[str, str]:
    rows = await session.execute(select(CannedReplyRow.key, CannedReplyRow.text))
    return {k: t for k, t in rows.all()}


async def set_canned_reply(
    session: AsyncSession, key: str, text: str, user_id: int, now: datetime
) -> None:
    inserted = await _insert_ignore(
        session,
        CannedReplyRow,
        {"key": key, "text": text, "updated_at": now, "updated_by": user_id},
    )
    if not inserted:
        await session.execute(
            update(CannedReplyRow)
            .where(CannedReplyRow.key == key)
            .values(text=text, updated_at=now, updated_by=user_id)
        )
