"""Cases: opening one from an intake or a crisis, listing a worker's cases.

Each use case runs in one transaction that also writes its notifications to the outbox,
so a case never exists without its alerts and an alert never announces a missing case.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import notify, texts
from bot.directory import StationDirectory
from bot.errors import ConsentRequired, NoStation
from bot.escalation import SlaPolicy
from bot.model import Button
from knowledge.eligibility import Eligibility, precheck
from knowledge.stations import Station
from storage import repositories as repo
from storage.models import CaseRow

logger = logging.getLogger(__name__)

MAX_WORDS = 4000  # a worker's own words kept on a case (one Telegram message is 4096)

STATUS_NAMES = {"queued": "等待认领", "claimed": "处理中", "closed": "已办结"}


@dataclass(frozen=True)
class OpenedCase:
    id: int
    number: str
    station: Station
    urgent: bool
    eligibility: Eligibility | None
    alerted: bool = False  # a card or an alert was queued to someone who can receive it
    added: bool = False  # the message joined an open crisis case instead of opening one
    earlier: int | None = None  # another open crisis case of the worker's (to offer a merge)


@dataclass(frozen=True)
class CaseSummary:
    id: int
    number: str
    category: str
    status: str
    station_name: str
    updated_at: datetime
    last_event: str | None
    # What the worker sees of the conversation: (local time, who, text), newest last.
    messages: tuple[tuple[datetime, str, str], ...] = ()
    urgent: bool = False
    closed_at: datetime | None = None
    rated: bool = False
    station_hours: str = ""
    station_phone: str = ""


def _began_days(began: str | None) -> int | None:
    """Rough age of the dispute in days, for the time-limit warning."""
    return {"lt1m": 15, "1-6m": 90, "6-12m": 270, "gt1y": 400}.get(began or "")


class CaseService:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        directory: StationDirectory,
        admin_ids: Sequence[int],
        sla: SlaPolicy | None = None,
    ) -> None:
        self._sessions = sessions
        self._directory = directory
        self.admin_ids = tuple(admin_ids)
        self.sla = sla or SlaPolicy()

    def _route(self, station_code: str | None, category: str) -> Station:
        directory = self._directory.current
        station = directory.get(station_code) if station_code else None
        if station is None:
            roots = directory.roots()
            if not roots:
                raise NoStation()
            station = roots[0]
        return directory.for_category(station, category)

    async def open_from_intake(
        self,
        worker_id: int,
        draft: dict[str, Any],
        *,
        now: datetime,
        urgent: bool = False,
        crisis: bool = False,
        collective: bool = False,
    ) -> OpenedCase:
        """Store a confirmed intake as a queued case at the right station."""
        if not draft.get("consented_at"):
            raise ConsentRequired()
        kind = draft.get("kind", "help")
        category = draft.get("category") or "other"
        route_category = "report" if kind == "report" else category
        station = self._route(draft.get("station"), route_category)
        many = draft.get("workers") in ("10-29", "30+")
        eligibility = precheck(category, migrant_worker=bool(draft.get("migrant")), kind=kind)
        values = {
            "worker_id": worker_id,
            "station_code": station.code,
            "kind": kind,
            "category": category,
            "status": "queued",
            "urgent": urgent or crisis,
            "crisis": crisis,
            "collective": collective or many,
            "anonymous": bool(draft.get("anonymous")),
            "description": draft.get("description", ""),
            "employer": draft.get("employer"),
            "place": draft.get("place"),
            "workers_affected": draft.get("workers"),
            "amount_owed": draft.get("amount"),
            "dispute_began": draft.get("began"),
            "phone": None if draft.get("anonymous") else draft.get("phone"),
            "evidence": list(draft.get("evidence", [])),
            "eligibility": {**eligibility.as_dict(), "migrant": draft.get("migrant")},
            "legal_basis": "consent",
            "intake_key": draft.get("key"),
        }
        key = draft.get("key")
        if key:
            existing = await self.of_intake(str(key), worker_id)
            if existing is not None:
                return existing
        try:
            return await self._open(values, station, now, eligibility)
        except IntegrityError:
            # Another instance (or a retried update) opened it a moment ago.
            existing = await self.of_intake(str(key), worker_id) if key else None
            if existing is None:
                raise
            return existing

    async def of_intake(self, key: str, worker_id: int) -> OpenedCase | None:
        """The case already opened from the intake `key` of this worker, if any."""
        async with self._sessions.begin() as session:
            row = await repo.case_of_intake(session, key)
            if row is None or row.worker_id != worker_id or not row.number:
                return None
            station = self._directory.current.get(row.station_code)
            if station is None:
                return None
            alerted = bool(await repo.cards_of_case(session, row.id)) or bool(
                await notify.card_targets(session, station)
            )
            return OpenedCase(row.id, row.number, station, row.urgent, None, alerted=alerted)

    async def open_crisis(
        self,
        worker_id: int,
        *,
        now: datetime,
        kinds: Sequence[str],
        category: str | None,
        collective: bool,
        text: str = "",
        same_as: int | None = None,
        station_code: str | None = None,
    ) -> OpenedCase:
        """An urgent case for a crisis message, without intake, carrying the worker's words.

        Processing without consent rests on 个人信息保护法第13条第一款第四项 (needed to
        protect a person's life, health or property in an emergency). A later message about
        the same kind of danger (or one the worker says is the same, `same_as`) is added to
        the open crisis case and alerts again; a different emergency is a case of its own.
        """
        families = set(kinds)
        async with self._sessions.begin() as session:
            open_cases = await repo.recent_open_crises(session, worker_id, now - timedelta(days=1))
            if same_as is not None:
                same = [c for c in open_cases if c.id == same_as]
            else:
                same = [c for c in open_cases if families & set(c.crisis_kinds or ())]
            if same:
                return await self._add_crisis_message(session, same[0], worker_id, text, now)
            earlier = open_cases[0].id if open_cases else None
        station = self._route(station_code, category or "other")
        values = {
            "worker_id": worker_id,
            "station_code": station.code,
            "kind": "crisis",
            "category": category or "other",
            "status": "queued",
            "urgent": True,
            "crisis": True,
            "crisis_kinds": sorted(families),
            "collective": collective,
            "anonymous": False,
            "description": text[:MAX_WORDS],
            "evidence": [],
            "eligibility": {},
            "legal_basis": "pipl-13-1-4",
        }
        opened = await self._open(values, station, now, None)
        return replace(opened, earlier=earlier)

    async def _add_crisis_message(
        self, session: AsyncSession, case: CaseRow, worker_id: int, text: str, now: datetime
    ) -> OpenedCase:
        """Record a later crisis message on `case` and alert whoever holds it, or everyone."""
        station = self._directory.current.get(case.station_code)
        if station is None or not case.number:
            raise NoStation()
        case.updated_at = now
        case.version += 1
        event = await repo.add_case_event(
            session, case.id, now, "crisis_message", actor_id=worker_id, note=text[:MAX_WORDS]
        )
        if case.status == "claimed" and case.claimed_by is not None:
            targets = [case.claimed_by]
        else:
            targets = await notify.card_targets(session, station)
            await notify.refresh_cards(session, case, now)
        targets = sorted(set(targets) | set(await self._admins(session)))
        for chat_id in targets:
            await repo.enqueue(
                session,
                kind="alert",
                chat_id=chat_id,
                payload={"case_id": case.id, "event_id": event.id, "again": True},
                dedupe_key=f"case:{case.id}:event:{event.id}:alert:{chat_id}",
                now=now,
            )
        logger.info("crisis message added to case %s", case.id)
        return OpenedCase(
            case.id, case.number, station, True, None, alerted=bool(targets), added=True
        )

    async def merge_crisis(
        self, new_id: int, earlier_id: int, worker_id: int, now: datetime
    ) -> str | None:
        """The worker says crisis case `new_id` is the same emergency as `earlier_id`: its
        words move to the earlier case (alerting again) and it closes as a duplicate.
        Returns the earlier case's number, or None if either is not the worker's or open."""
        async with self._sessions.begin() as session:
            earlier = await repo.get_case(session, earlier_id)
            if earlier is None or earlier.worker_id != worker_id or earlier.status == "closed":
                return None
            new = await session.scalar(
                update(CaseRow)
                .where(
                    CaseRow.id == new_id,
                    CaseRow.worker_id == worker_id,
                    CaseRow.kind == "crisis",
                    CaseRow.status == "queued",
                )
                .values(
                    status="closed",
                    outcome="merged",
                    closed_at=now,
                    escalate_at=None,
                    updated_at=now,
                    version=CaseRow.version + 1,
                )
                .returning(CaseRow)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
            if new is None or new.id == earlier.id:
                return None
            await repo.add_case_event(
                session,
                new.id,
                now,
                "merged",
                actor_id=worker_id,
                from_status="queued",
                to_status="closed",
                note=earlier.number,
            )
            await notify.refresh_cards(session, new, now)
            await self._add_crisis_message(session, earlier, worker_id, new.description, now)
            return earlier.number

    async def _open(
        self,
        values: dict[str, Any],
        station: Station,
        now: datetime,
        eligibility: Eligibility | None,
    ) -> OpenedCase:
        directory = self._directory.current
        urgent = bool(values["urgent"])
        async with self._sessions.begin() as session:
            await repo.touch_user(
                session, values["worker_id"], now, admin=values["worker_id"] in self.admin_ids
            )
            row = await repo.insert_case(
                session,
                {
                    **values,
                    "escalate_at": self.sla.due_at(now, urgent=urgent),
                    "escalation_level": 0,
                    "created_at": now,
                    "updated_at": now,
                },
            )
            root = directory.root_of(station)
            row.number = f"{root.code}-{now.year}-{row.id:06d}"
            await repo.add_case_event(
                session,
                row.id,
                now,
                "created",
                actor_id=None,
                to_status="queued",
                note=station.code,
            )
            alerts = await self._alert(session, row.id, urgent, bool(values["collective"]), now)
            cards = await notify.post_cards(
                session, row, station, directory, self.admin_ids, now, round_="v1"
            )
            number = row.number
            case_id = row.id
        logger.info("case %s opened at %s urgent=%s", case_id, station.code, urgent)
        return OpenedCase(case_id, number, station, urgent, eligibility, bool(cards or alerts))

    async def _alert(
        self,
        session: AsyncSession,
        case_id: int,
        urgent: bool,
        collective: bool,
        now: datetime,
    ) -> int:
        """Urgent cases and collective disputes (劳动关系预警) alert the admins at once;
        returns how many alerts were queued."""
        if not (urgent or collective):
            return 0
        payload = {"case_id": case_id}
        queued = 0
        for admin in await self._admins(session):
            queued += 1
            await repo.enqueue(
                session,
                kind="alert",
                chat_id=admin,
                payload=payload,
                dedupe_key=f"case:{case_id}:alert:{admin}",
                now=now,
            )
        return queued

    async def _admins(self, session: AsyncSession) -> list[int]:
        """Admins who can be reached (configured ones count until Telegram says otherwise)."""
        admins = set(self.admin_ids) | set(await repo.ids_with_role(session, "admin"))
        return sorted(admins - await repo.unreachable_among(session, sorted(admins)))

    async def cases_of(self, worker_id: int) -> list[CaseSummary]:
        directory = self._directory.current
        async with self._sessions.begin() as session:
            rows = await repo.cases_of_worker(session, worker_id)
            out = []
            for row in rows:
                events = await repo.case_events(session, row.id)
                station = directory.get(row.station_code)
                talk = tuple(
                    (e.at, "out" if e.kind == "message_out" else "in", e.note or "")
                    for e in events
                    if e.kind in ("message_in", "message_out", "file_in")
                )
                out.append(
                    CaseSummary(
                        row.id,
                        row.number or str(row.id),
                        row.category,
                        row.status,
                        station.name if station else row.station_code,
                        row.updated_at,
                        events[-1].kind if events else None,
                        messages=talk,
                        urgent=row.urgent,
                        closed_at=row.closed_at,
                        rated=row.rating is not None,
                        station_hours=station.hours if station else "",
                        station_phone=station.phone if station else "",
                    )
                )
            return out

    async def export_for(self, worker_id: int) -> list[str]:
        """Everything stored about the worker, readable, for a PIPL art. 45 copy."""
        async with self._sessions.begin() as session:
            user = await repo.get_user(session, worker_id)
            rows = await repo.cases_of_worker(session, worker_id, limit=100)
            lines: list[str] = []
            if user is not None:
                lines.append(f"账号编号：{user.id}；首次使用：{user.first_seen_at:%Y-%m-%d}")
                if user.consent_at is not None:
                    lines.append(
                        f"同意个人信息说明：{user.consent_at:%Y-%m-%d %H:%M}"
                        f"（版本 {user.consent_version}）"
                    )
            for row in rows:
                events = await repo.case_events(session, row.id)
                lines.append(
                    f"\n案件 {row.number}（{STATUS_NAMES.get(row.status, row.status)}）\n"
                    f"类型：{row.kind}/{row.category}；单位：{row.employer or '—'}；"
                    f"地点：{row.place or '—'}；人数：{row.workers_affected or '—'}；"
                    f"金额：{row.amount_owed if row.amount_owed is not None else '—'}；"
                    f"电话：{row.phone or '未留'}；证据：{len(row.evidence or [])}份\n"
                    f"经过：{row.description}"
                )
                messages = [e for e in events if e.kind in ("message_in", "message_out")]
                for event in messages:
                    who = "您" if event.kind == "message_in" else "工作人员"
                    lines.append(f"  {event.at:%m-%d %H:%M} {who}：{event.note}")
            return lines if rows or (user and user.consent_at) else []

    async def request_deletion(self, worker_id: int, now: datetime) -> None:
        """Record the request on every case and tell the admins (handled by a person)."""
        async with self._sessions.begin() as session:
            rows = await repo.cases_of_worker(session, worker_id, limit=100)
            for row in rows:
                await repo.add_case_event(
                    session, row.id, now, "deletion_requested", actor_id=worker_id
                )
            admins = set(self.admin_ids) | set(await repo.ids_with_role(session, "admin"))
            day = (now + timedelta(hours=8)).date().isoformat()
            act = ((Button(texts.ERASE_BUTTON, f"a:erase:{worker_id}"),),)
            for admin in sorted(admins):
                # Repeated presses on one day make one notice, not one each.
                await notify.tell(
                    session,
                    admin,
                    texts.deletion_request(worker_id, len(rows)),
                    now,
                    key=f"user:{worker_id}:delete:{day}:{admin}",
                    buttons=act,
                )

    async def erase_worker(self, worker_id: int, admin_id: int, now: datetime) -> int:
        """Carry out a deletion request (PIPL art. 47): every case of the worker loses what
        identifies them (the figures stay), open ones are closed as withdrawn, the dialog
        state and consent go, and the worker is told. Returns how many cases."""
        from bot.retention import anonymise

        async with self._sessions.begin() as session:
            rows = await repo.cases_of_worker(session, worker_id, limit=1000)
            ids = [r.id for r in rows]
            for row in rows:
                if row.status != "closed":
                    row.status, row.outcome, row.closed_at = "closed", "withdrawn", now
                    row.escalate_at = None
                await repo.add_case_event(
                    session, row.id, now, "erased", actor_id=admin_id, to_status="closed"
                )
            if ids:
                await session.flush()
                await anonymise(session, ids)
            await repo.clear_dialog_state(session, worker_id)
            await repo.audit(
                session, admin_id, "erase_worker", f"{worker_id} {len(ids)} cases", now
            )
            user = await repo.get_user(session, worker_id)
            if user is not None:
                user.consent_at, user.consent_version = None, None
            await notify.tell(
                session,
                worker_id,
                texts.ERASED,
                now,
                key=f"user:{worker_id}:erased:{now.isoformat()}",
            )
        logger.info("personal data of a worker erased on %s cases", len(ids))
        return len(ids)

    async def relocate(
        self, case_id: int, worker_id: int, station_code: str, now: datetime
    ) -> Station | None:
        """Move the worker's own still-queued case to the station of the place they gave."""
        directory = self._directory.current
        station = directory.get(station_code)
        if station is None:
            return None
        async with self._sessions.begin() as session:
            case = await session.scalar(
                update(CaseRow)
                .where(
                    CaseRow.id == case_id,
                    CaseRow.worker_id == worker_id,
                    CaseRow.status == "queued",
                )
                .values(station_code=station.code, updated_at=now, version=CaseRow.version + 1)
                .returning(CaseRow)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
            if case is None:
                return None
            await repo.add_case_event(
                session,
                case.id,
                now,
                "relocated",
                actor_id=worker_id,
                to_status=case.status,
                note=station.code,
            )
            await notify.refresh_cards(session, case, now)
            await notify.post_cards(
                session, case, station, directory, self.admin_ids, now, round_=f"v{case.version}"
            )
        return station
