"""The duty staff's desk: claim, reply, note, transfer, release, close; the worker's side
of an open case (write to staff, reopen, rate); roles and station links.

Every rule sits in a WHERE clause of one conditional UPDATE … RETURNING, so two staff
pressing 认领 at once, or a forged button, can never both succeed, on SQLite or
PostgreSQL, in one process or several. Every change writes a case event and its
notifications in the same transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import notify
from bot import staff_texts as st
from bot.directory import StationDirectory
from bot.escalation import SlaPolicy
from bot.model import Button
from knowledge.stations import Directory
from storage import repositories as repo
from storage.models import CaseRow

logger = logging.getLogger(__name__)

REOPEN_WINDOW = timedelta(days=30)


class DeskError(Exception):
    """A refused desk action; the message is what the user reads."""


@dataclass(frozen=True)
class Actor:
    user_id: int
    role: str  # worker | staff | admin
    stations: tuple[str, ...]

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"

    @property
    def is_staff(self) -> bool:
        return self.role in ("staff", "admin") and (bool(self.stations) or self.is_admin)


class Desk:
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

    @property
    def directory(self) -> Directory:
        return self._stations.current

    # Who is asking --------------------------------------------------------------------------

    async def actor(self, session: AsyncSession, user_id: int, now: datetime) -> Actor:
        user = await repo.touch_user(session, user_id, now, admin=user_id in self.admin_ids)
        stations = tuple(await repo.stations_of_staff(session, user_id))
        return Actor(user_id, user.role, stations)

    def covered(self, actor: Actor) -> set[str]:
        """The stations whose cases the actor may act on: their own and every station below
        them (a centre's staff can claim the urgent cards the centre receives)."""
        directory = self._stations.current
        codes = set(actor.stations)
        frontier = list(codes)
        while frontier:
            parent = frontier.pop()
            for station in directory.stations:
                if station.parent == parent and station.code not in codes:
                    codes.add(station.code)
                    frontier.append(station.code)
        return codes

    def _scope(self, actor: Actor) -> Any:
        """SQL condition: the case belongs to a station the actor covers (admins: all)."""
        if actor.is_admin:
            return CaseRow.id.is_not(None)
        return CaseRow.station_code.in_(sorted(self.covered(actor)))

    async def _explain(self, session: AsyncSession, case_id: int, actor: Actor) -> DeskError:
        """Why a conditional update touched no row."""
        case = await repo.get_case(session, case_id)
        if case is None:
            return DeskError(st.NOT_FOUND)
        if not actor.is_admin and case.station_code not in self.covered(actor):
            return DeskError(st.NOT_YOUR_CASE)
        if case.status == "closed":
            return DeskError(st.CLOSED_ALREADY)
        if case.status == "claimed" and case.claimed_by != actor.user_id:
            return DeskError(st.ALREADY_CLAIMED)
        return DeskError(st.NOT_OWNER)

    def _station_name(self, code: str) -> str:
        station = self._stations.current.get(code)
        return station.name if station else code

    async def _changed(
        self,
        session: AsyncSession,
        case: CaseRow,
        now: datetime,
        kind: str,
        actor_id: int | None,
        from_status: str | None,
        note: str | None = None,
    ) -> None:
        await repo.add_case_event(
            session,
            case.id,
            now,
            kind,
            actor_id=actor_id,
            from_status=from_status,
            to_status=case.status,
            note=note,
        )
        await notify.refresh_cards(session, case, now)

    # Staff actions --------------------------------------------------------------------------

    async def claim(self, case_id: int, staff_id: int, now: datetime) -> CaseRow:
        """Exactly one caller wins a queued case; the others get DeskError(已被认领)."""
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            if not actor.is_staff:
                raise DeskError(st.NOT_STAFF)
            case = await session.scalar(
                update(CaseRow)
                .where(CaseRow.id == case_id, CaseRow.status == "queued", self._scope(actor))
                .values(
                    status="claimed",
                    claimed_by=staff_id,
                    claimed_at=now,
                    updated_at=now,
                    escalate_at=self.sla.reply_due(now, urgent=CaseRow.urgent),
                    escalation_level=0,
                    version=CaseRow.version + 1,
                )
                .returning(CaseRow)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
            if case is None:
                raise await self._explain(session, case_id, actor)
            await self._changed(session, case, now, "claimed", staff_id, "queued")
            await notify.tell(
                session,
                case.worker_id,
                st.W_CLAIMED.format(
                    number=case.number, station=self._station_name(case.station_code)
                ),
                now,
                key=f"case:{case.id}:v{case.version}:worker:claimed",
                case_id=case.id,
            )
        logger.info("case %s claimed by staff %s", case_id, staff_id)
        return case

    async def _owned_update(
        self,
        session: AsyncSession,
        actor: Actor,
        case_id: int,
        values: dict[str, Any],
        *,
        statuses: tuple[str, ...] = ("claimed",),
        owner_only: bool = True,
    ) -> CaseRow:
        conditions = [CaseRow.id == case_id, CaseRow.status.in_(statuses), self._scope(actor)]
        if owner_only and not actor.is_admin:
            conditions.append(CaseRow.claimed_by == actor.user_id)
        case = await session.scalar(
            update(CaseRow)
            .where(*conditions)
            .values(**values, version=CaseRow.version + 1)
            .returning(CaseRow)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        if case is None:
            raise await self._explain(session, case_id, actor)
        return case

    async def reply(self, case_id: int, staff_id: int, text: str, now: datetime) -> CaseRow:
        """Relay the owner's message to the worker; the staff member's identity stays hidden."""
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            case = await self._owned_update(
                session, actor, case_id, {"updated_at": now, "escalate_at": None}
            )
            await repo.add_case_event(
                session, case.id, now, "message_out", actor_id=staff_id, note=text
            )
            await notify.tell(
                session,
                case.worker_id,
                st.W_FROM_STAFF.format(station=self._station_name(case.station_code), text=text),
                now,
                key=f"case:{case.id}:v{case.version}:worker:reply",
                buttons=((Button(st.W_REPLY_BUTTON, f"case:wr:{case.id}"),),),
                case_id=case.id,
            )
        return case

    async def note(self, case_id: int, staff_id: int, text: str, now: datetime) -> None:
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            case = await self._owned_update(
                session,
                actor,
                case_id,
                {"updated_at": now},
                statuses=("queued", "claimed", "closed"),
                owner_only=False,
            )
            await repo.add_case_event(session, case.id, now, "note", actor_id=staff_id, note=text)

    async def release(self, case_id: int, staff_id: int, now: datetime) -> CaseRow:
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            case = await self._owned_update(
                session,
                actor,
                case_id,
                {
                    "status": "queued",
                    "claimed_by": None,
                    "claimed_at": None,
                    "updated_at": now,
                    "escalate_at": self.sla.claim_due(now, urgent=CaseRow.urgent),
                },
            )
            await self._changed(session, case, now, "released", staff_id, "claimed")
            await notify.tell(
                session,
                case.worker_id,
                st.W_RELEASED.format(number=case.number),
                now,
                key=f"case:{case.id}:v{case.version}:worker:released",
                case_id=case.id,
            )
        return case

    async def transfer(
        self, case_id: int, staff_id: int, station_code: str, reason: str, now: datetime
    ) -> CaseRow:
        """Hand the case to another station or city (异地协作), back in its queue."""
        directory = self._stations.current
        target = directory.get(station_code.upper())
        if target is None:
            raise DeskError(st.UNKNOWN_STATION.format(code=station_code))
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            if not actor.is_staff:
                raise DeskError(st.NOT_STAFF)
            before = await repo.get_case(session, case_id)
            old_status = before.status if before else None
            case = await self._owned_update(
                session,
                actor,
                case_id,
                {
                    "station_code": target.code,
                    "status": "queued",
                    "claimed_by": None,
                    "claimed_at": None,
                    "updated_at": now,
                    "escalation_level": 0,
                    "escalate_at": self.sla.claim_due(now, urgent=CaseRow.urgent),
                },
                statuses=("queued", "claimed"),
                owner_only=False,
            )
            await self._changed(
                session,
                case,
                now,
                "transferred",
                staff_id,
                old_status,
                note=f"{target.code} {reason}".strip(),
            )
            await notify.post_cards(
                session, case, target, directory, self.admin_ids, now, round_=f"v{case.version}"
            )
            await notify.tell(
                session,
                case.worker_id,
                st.W_TRANSFERRED.format(
                    number=case.number,
                    station=target.name,
                    reason=f"（{reason}）" if reason else "",
                ),
                now,
                key=f"case:{case.id}:v{case.version}:worker:transferred",
                case_id=case.id,
            )
        return case

    async def close(
        self, case_id: int, staff_id: int, outcome: str, note: str, now: datetime
    ) -> CaseRow:
        if outcome not in st.OUTCOMES:
            raise DeskError(st.USAGE["close"])
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            case = await self._owned_update(
                session,
                actor,
                case_id,
                {
                    "status": "closed",
                    "outcome": outcome,
                    "closed_at": now,
                    "updated_at": now,
                    "escalate_at": None,
                },
            )
            await self._changed(
                session, case, now, "closed", staff_id, "claimed", note=f"{outcome} {note}".strip()
            )
            rating = tuple(Button(str(n), f"case:rate:{case.id}:{n}") for n in range(1, 6))
            await notify.tell(
                session,
                case.worker_id,
                st.W_CLOSED.format(number=case.number, outcome=st.OUTCOMES[outcome], note=note),
                now,
                key=f"case:{case.id}:v{case.version}:worker:closed",
                buttons=(rating, (Button(st.W_REOPEN, f"case:reopen:{case.id}"),)),
                case_id=case.id,
            )
        return case

    # Worker actions -------------------------------------------------------------------------

    async def reopen(self, case_id: int, worker_id: int, now: datetime) -> CaseRow:
        async with self._sessions.begin() as session:
            case = await session.scalar(
                update(CaseRow)
                .where(
                    CaseRow.id == case_id,
                    CaseRow.worker_id == worker_id,
                    CaseRow.status == "closed",
                    CaseRow.closed_at >= now - REOPEN_WINDOW,
                )
                .values(
                    status="queued",
                    claimed_by=None,
                    claimed_at=None,
                    outcome=None,
                    closed_at=None,
                    updated_at=now,
                    escalation_level=0,
                    escalate_at=self.sla.claim_due(now, urgent=CaseRow.urgent),
                    version=CaseRow.version + 1,
                )
                .returning(CaseRow)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
            if case is None:
                existing = await repo.get_case(session, case_id)
                if existing is None or existing.worker_id != worker_id:
                    raise DeskError(st.W_NOT_YOURS)
                raise DeskError(st.W_REOPEN_EXPIRED)
            await self._changed(session, case, now, "reopened", worker_id, "closed")
            await self._repost(session, case, now)
        return case

    async def _repost(self, session: AsyncSession, case: CaseRow, now: datetime) -> None:
        """Cards for a case back in its station's queue (people who have one see it edited)."""
        station = self._stations.current.get(case.station_code)
        if station is not None:
            await notify.post_cards(
                session,
                case,
                station,
                self._stations.current,
                self.admin_ids,
                now,
                round_=f"v{case.version}",
            )

    async def rate(self, case_id: int, worker_id: int, stars: int, now: datetime) -> None:
        if not 1 <= stars <= 5:
            raise DeskError(st.W_NOT_YOURS)
        async with self._sessions.begin() as session:
            case = await session.scalar(
                update(CaseRow)
                .where(
                    CaseRow.id == case_id,
                    CaseRow.worker_id == worker_id,
                    CaseRow.status == "closed",
                    CaseRow.rating.is_(None),
                )
                .values(rating=stars, updated_at=now)
                .returning(CaseRow.id)
                .execution_options(synchronize_session=False, populate_existing=True)
            )
            if case is None:
                raise DeskError(st.W_NOT_YOURS)
            await repo.add_case_event(
                session, case_id, now, "rated", actor_id=worker_id, note=str(stars)
            )

    async def _worker_touch(
        self, session: AsyncSession, case_id: int, worker_id: int, now: datetime
    ) -> CaseRow:
        """The worker's own open case, its version bumped (DeskError if it is not theirs)."""
        case = await session.scalar(
            update(CaseRow)
            .where(
                CaseRow.id == case_id, CaseRow.worker_id == worker_id, CaseRow.status != "closed"
            )
            .values(updated_at=now, version=CaseRow.version + 1)
            .returning(CaseRow)
            .execution_options(synchronize_session=False, populate_existing=True)
        )
        if case is None:
            raise DeskError(st.W_NOT_YOURS)
        return case

    async def worker_message(self, case_id: int, worker_id: int, text: str, now: datetime) -> bool:
        """Store a worker's message on their open case and pass it to the owner.

        Returns True if an owner was notified, False if the case waits in the queue.
        """
        async with self._sessions.begin() as session:
            case = await self._worker_touch(session, case_id, worker_id, now)
            await repo.add_case_event(
                session, case.id, now, "message_in", actor_id=worker_id, note=text
            )
            if case.status != "claimed" or case.claimed_by is None:
                return False
            if case.escalate_at is None:  # the owner owes a reply again
                case.escalate_at = self.sla.reply_due_at(now, urgent=case.urgent)
            await notify.tell(
                session,
                case.claimed_by,
                st.S_FROM_WORKER.format(number=case.number, id=case.id, text=text),
                now,
                key=f"case:{case.id}:v{case.version}:staff:message",
                case_id=case.id,
            )
            return True

    async def worker_file(
        self,
        case_id: int,
        worker_id: int,
        kind: str,
        file_id: str,
        caption: str,
        now: datetime,
    ) -> bool:
        """A photo, document or voice note the worker sent for their open case: kept as
        evidence and passed to the owner. Returns True if an owner was notified."""
        async with self._sessions.begin() as session:
            case = await self._worker_touch(session, case_id, worker_id, now)
            item = {"kind": kind, "file_id": file_id, "file_name": None, "at": now.isoformat()}
            case.evidence = [*(case.evidence or []), item]
            label = st.FILE_KINDS.get(kind, kind)
            await repo.add_case_event(
                session,
                case.id,
                now,
                "file_in",
                actor_id=worker_id,
                note=f"{label}" + (f"：{caption}" if caption else ""),
            )
            if case.status != "claimed" or case.claimed_by is None:
                return False
            if case.escalate_at is None:
                case.escalate_at = self.sla.reply_due_at(now, urgent=case.urgent)
            await repo.enqueue(
                session,
                kind="file",
                chat_id=case.claimed_by,
                payload={
                    "kind": kind,
                    "file_id": file_id,
                    "text": st.S_FILE_FROM_WORKER.format(
                        number=case.number, label=label, caption=caption
                    ),
                    "case_id": case.id,
                },
                dedupe_key=f"case:{case.id}:v{case.version}:staff:file",
                now=now,
            )
            return True

    # Lists and history ----------------------------------------------------------------------

    async def queue(
        self, staff_id: int, now: datetime, which: str = "all"
    ) -> tuple[list[CaseRow], dict[str, int]]:
        """Open cases of the staff member's stations (`which`: queued, mine or all), waiting
        ones first; and the counts per status."""
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            if not actor.is_staff:
                raise DeskError(st.NOT_STAFF)
            stations = (
                [s.code for s in self._stations.current.stations]
                if actor.is_admin
                else sorted(self.covered(actor))
            )
            statuses = ("queued",) if which == "queued" else ("queued", "claimed")
            rows = await repo.open_cases_of_stations(
                session,
                stations,
                statuses=("claimed",) if which == "mine" else statuses,
                claimed_by=staff_id if which == "mine" else None,
            )
            return list(rows), await repo.count_open_cases(session, stations)

    async def case_id(self, text: str) -> int | None:
        """A case named by its id (2, #2) or its number (SZ-2026-000002)."""
        text = text.strip().lstrip("#")
        if text.isascii() and text.isdecimal() and len(text) <= 10:
            return int(text)
        if not text or len(text) > 32:
            return None
        async with self._sessions.begin() as session:
            return await repo.case_id_of_number(session, text)

    async def duty(self, staff_id: int) -> list[tuple[str, bool]]:
        async with self._sessions.begin() as session:
            return await repo.duty_of_staff(session, staff_id)

    async def menu_holders(self) -> list[tuple[int, str]]:
        """Staff and admins (configured ones included), for their own command menus."""
        async with self._sessions.begin() as session:
            staff = await repo.ids_with_role(session, "staff")
            admins = set(self.admin_ids) | set(await repo.ids_with_role(session, "admin"))
        return [(u, "staff") for u in sorted(set(staff) - admins)] + [
            (a, "admin") for a in sorted(admins)
        ]

    async def whoami(self, user_id: int, now: datetime) -> Actor:
        async with self._sessions.begin() as session:
            return await self.actor(session, user_id, now)

    async def correct(
        self, case_id: int, staff_id: int, route: str, category: str | None, now: datetime
    ) -> CaseRow:
        """Staff say what the case really is: its route (a training label for the worker's
        words) and, optionally, its category."""
        case, _ = await self.history(case_id, staff_id, now)
        async with self._sessions.begin() as session:
            row = await repo.get_case(session, case.id)
            assert row is not None
            if category:
                row.category = category
            row.urgent = row.urgent or route == "urgent"
            row.updated_at = now
            await repo.add_case_event(
                session,
                row.id,
                now,
                "corrected",
                actor_id=staff_id,
                note=f"{route} {category or ''}",
            )
            if row.description and row.kind != "report":
                await repo.add_label(
                    session,
                    text=row.description,
                    route=route,
                    faq_id=None,
                    source="case",
                    created_by=staff_id,
                    now=now,
                )
        return case

    async def send_evidence(
        self, case_id: int, staff_id: int, number: int, chat_id: int, now: datetime
    ) -> bool:
        """Queue the case's `number`-th evidence file to `chat_id` (staff of the case only)."""
        case, _ = await self.history(case_id, staff_id, now)
        items = list(case.evidence or [])
        if not 1 <= number <= len(items):
            return False
        item = items[number - 1]
        async with self._sessions.begin() as session:
            await repo.enqueue(
                session,
                kind="file",
                chat_id=chat_id,
                payload={
                    "kind": item.get("kind", "document"),
                    "file_id": item["file_id"],
                    "text": st.S_EVIDENCE.format(number=case.number, n=number),
                    "case_id": case.id,
                },
                dedupe_key=f"case:{case.id}:ev:{number}:{chat_id}:{now.isoformat()}",
                now=now,
            )
        return True

    async def mine(self, staff_id: int) -> list[CaseRow]:
        async with self._sessions.begin() as session:
            return list(await repo.cases_claimed_by(session, staff_id))

    async def history(
        self, case_id: int, staff_id: int, now: datetime
    ) -> tuple[CaseRow, list[Any]]:
        async with self._sessions.begin() as session:
            actor = await self.actor(session, staff_id, now)
            case = await repo.get_case(session, case_id)
            if case is None:
                raise DeskError(st.NOT_FOUND)
            if not actor.is_staff or (
                not actor.is_admin and case.station_code not in self.covered(actor)
            ):
                raise DeskError(st.NOT_YOUR_CASE)
            return case, list(await repo.case_events(session, case_id))

    # Roles and links ------------------------------------------------------------------------

    async def grant(self, admin_id: int, user_id: int, station_code: str, now: datetime) -> str:
        station = self._stations.current.get(station_code.upper())
        if station is None:
            raise DeskError(st.UNKNOWN_STATION.format(code=station_code))
        async with self._sessions.begin() as session:
            if not (await self.actor(session, admin_id, now)).is_admin:
                raise DeskError(st.NOT_ADMIN)
            await repo.grant_staff(session, user_id, station.code, admin_id, now)
            await repo.audit(session, admin_id, "grant_staff", f"{user_id} {station.code}", now)
            await notify.menu(session, user_id, "staff", now)
            await notify.tell(
                session,
                user_id,
                st.YOU_ARE_STAFF.format(station=station.name),
                now,
                key=f"user:{user_id}:granted:{station.code}:{now.isoformat()}",
            )
        return station.name

    async def revoke(
        self, admin_id: int, user_id: int, station_code: str | None, now: datetime
    ) -> int:
        async with self._sessions.begin() as session:
            if not (await self.actor(session, admin_id, now)).is_admin:
                raise DeskError(st.NOT_ADMIN)
            code = station_code.upper() if station_code else None
            removed = await repo.revoke_staff(session, user_id, code)
            await repo.audit(session, admin_id, "revoke_staff", f"{user_id} {code or '*'}", now)
            # Their open cases go back to the queue, with fresh cards, so nothing is orphaned.
            left = set(await repo.stations_of_staff(session, user_id))
            admins = set(self.admin_ids) | set(await repo.ids_with_role(session, "admin"))
            role = "admin" if user_id in admins else ("staff" if left else "worker")
            await notify.menu(session, user_id, role, now)
            for case in await repo.cases_claimed_by(session, user_id):
                if case.status != "claimed" or case.station_code in left:
                    continue
                case.status, case.claimed_by, case.claimed_at = "queued", None, None
                case.updated_at, case.version = now, case.version + 1
                case.escalate_at = self.sla.due_at(now, urgent=case.urgent)
                await session.flush()
                await repo.add_case_event(
                    session,
                    case.id,
                    now,
                    "released",
                    actor_id=admin_id,
                    from_status="claimed",
                    to_status="queued",
                    note=st.RELEASED_ON_REVOKE,
                )
                await notify.refresh_cards(session, case, now)
                await self._repost(session, case, now)
            return removed

    async def link_chat(self, user_id: int, chat_id: int, station_code: str, now: datetime) -> str:
        station = self._stations.current.get(station_code.upper())
        if station is None:
            raise DeskError(st.UNKNOWN_STATION.format(code=station_code))
        async with self._sessions.begin() as session:
            actor = await self.actor(session, user_id, now)
            if not (actor.is_admin or station.code in actor.stations):
                raise DeskError(st.NOT_YOUR_CASE)
            await repo.link_station_chat(session, station.code, chat_id, user_id, now)
            await repo.audit(session, user_id, "link_station", f"{chat_id} {station.code}", now)
        return station.name

    async def set_duty(self, staff_id: int, on_duty: bool) -> int:
        async with self._sessions.begin() as session:
            return await repo.set_on_duty(session, staff_id, on_duty)

    async def canned(self) -> dict[str, str]:
        async with self._sessions.begin() as session:
            stored = await repo.canned_replies(session)
        return {**st.DEFAULT_CANNED, **stored}

    async def set_canned(self, admin_id: int, key: str, text: str, now: datetime) -> None:
        async with self._sessions.begin() as session:
            if not (await self.actor(session, admin_id, now)).is_admin:
                raise DeskError(st.NOT_ADMIN)
            await repo.set_canned_reply(session, key, text, admin_id, now)

    async def case_of_card(
        self, chat_id: int, message_id: int, user_id: int | None = None
    ) -> int | None:
        """The case a staff member's reply-to names: a card, or a worker's message the bot
        passed on to them (never a case of `user_id`'s own, which is the worker's side)."""
        async with self._sessions.begin() as session:
            found = await repo.case_of_card(session, chat_id, message_id)
            if found is not None or user_id is None:
                return found
            case_id = await repo.case_of_message(session, chat_id, message_id)
            if case_id is None:
                return None
            case = await repo.get_case(session, case_id)
            return case_id if case is not None and case.worker_id != user_id else None
