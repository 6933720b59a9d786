"""The outbox relay: sends queued notifications through a Notifier, exactly once per row.

Rows are leased with one conditional UPDATE (storage.repositories.claim_due_outbox), so
several relays (instances) never send the same row twice while their leases hold; results
are written only by the lease holder. Telegram has no idempotency key: a send that timed
out may have been delivered, so it is retried (at-least-once on that one edge).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import menus, notify, texts
from bot.model import Button
from knowledge.stations import Directory
from storage import repositories as repo

logger = logging.getLogger(__name__)

LEASE = timedelta(seconds=60)
MAX_ATTEMPTS = 8


class RetryLater(Exception):
    """The messenger asked us to wait (HTTP 429 retry_after)."""

    def __init__(self, seconds: float) -> None:
        super().__init__(seconds)
        self.seconds = seconds


class Unreachable(Exception):
    """The recipient blocked the bot or the chat is gone: never retry."""


class Rejected(Exception):
    """Telegram refused this message (not the chat): give it up, the person stays reachable."""


class TransientError(Exception):
    """A network error or 5xx: retry with back-off."""


class Notifier(Protocol):
    async def send(self, chat_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()) -> int:
        """Deliver a message; return its message id."""
        ...

    async def edit(
        self, chat_id: int, message_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()
    ) -> None:
        """Replace a message's text and buttons; "not modified" is success."""
        ...

    async def send_file(self, chat_id: int, kind: str, file_id: str, caption: str = "") -> int:
        """Pass on a file the bot received (photo, document, voice, audio, video) by its id."""
        ...

    async def set_menu(self, chat_id: int, commands: Sequence[tuple[str, str]]) -> None:
        """Show `commands` as the command menu in this private chat."""
        ...


class MessageGone(Exception):
    """The message to edit no longer exists (deleted, or too old)."""


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(600, 2**attempts))


@dataclass
class RelayReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


@dataclass(frozen=True)
class _Job:
    id: int
    kind: str
    chat_id: int
    payload: dict[str, Any]
    attempts: int


class OutboxRelay:
    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        directory: Callable[[], Directory] | None = None,
    ) -> None:
        self._sessions = sessions
        self._directory = directory
        self.worker = f"relay-{uuid.uuid4().hex[:8]}"

    async def _render(
        self, job: _Job, now: datetime
    ) -> tuple[str, tuple[tuple[Button, ...], ...]] | None:
        """Text and buttons of a row; None if there is nothing (left) to send."""
        directory = self._directory() if self._directory else None
        if job.kind == "menu":
            return "", ()
        if job.kind == "alert":
            async with self._sessions.begin() as session:
                text = await notify.render_alert(session, job.payload, directory)
            return None if text is None else (text, ())
        if job.kind in ("message", "file"):
            return notify.message_payload(job.payload)
        if job.kind in ("card", "card_edit"):
            async with self._sessions.begin() as session:
                case = await repo.get_case(session, int(job.payload["case_id"]))
                if case is None:
                    return None
                events = await repo.case_events(session, case.id)
                station = directory.get(case.station_code) if directory else None
                return notify.case_card(case, station, now, events)
        raise ValueError(f"unknown outbox kind {job.kind}")

    async def run_once(
        self, notifier: Notifier, now: datetime, *, limit: int = 20, chat_id: int | None = None
    ) -> RelayReport:
        """Send every due row once (only those to `chat_id`, when given); returns what
        happened."""
        report = RelayReport()
        async with self._sessions.begin() as session:
            rows = await repo.claim_due_outbox(
                session,
                now=now,
                worker=self.worker,
                lease_until=now + LEASE,
                limit=limit,
                chat_id=chat_id,
            )
            jobs = [_Job(r.id, r.kind, r.chat_id, dict(r.payload), r.attempts) for r in rows]
        for job in jobs:
            result = await self._deliver(notifier, job, now, report)
            async with self._sessions.begin() as session:
                if result["status"] == "sent" and job.kind == "card":
                    await repo.save_card(
                        session,
                        int(job.payload["case_id"]),
                        job.chat_id,
                        int(result["message_id"]),
                    )
                await repo.finish_outbox(session, job.id, self.worker, now=now, **result)
            logger.info("outbox %s (%s) -> %s", job.id, job.kind, result["status"])
        return report

    async def _deliver(
        self, notifier: Notifier, job: _Job, now: datetime, report: RelayReport
    ) -> dict[str, Any]:
        try:
            rendered = await self._render(job, now)
            if rendered is None:
                return {"status": "dead", "error": "nothing to send"}
            text, buttons = rendered
            if job.kind == "menu":
                await notifier.set_menu(job.chat_id, menus.commands_for(str(job.payload["role"])))
                message_id = 0
            elif job.kind == "file":
                message_id = await notifier.send_file(
                    job.chat_id, str(job.payload["kind"]), str(job.payload["file_id"]), text
                )
            elif job.kind == "card_edit":
                try:
                    await notifier.edit(job.chat_id, int(job.payload["message_id"]), text, buttons)
                    message_id = int(job.payload["message_id"])
                except MessageGone:
                    message_id = await notifier.send(job.chat_id, text, buttons)
            else:
                message_id = await notifier.send(job.chat_id, text, buttons)
        except RetryLater as exc:
            # Flood control is not a failure: wait as asked, attempts unchanged.
            report.retried += 1
            return {
                "status": "pending",
                "run_at": now + timedelta(seconds=exc.seconds),
                "error": "429",
            }
        except Rejected as exc:
            report.dead += 1
            logger.warning("outbox %s (%s) refused: %s", job.id, job.kind, exc.__class__.__name__)
            return {"status": "dead", "error": str(exc)[:200]}
        except Unreachable as exc:
            report.dead += 1
            async with self._sessions.begin() as session:
                await repo.mark_unreachable(session, job.chat_id, now)
                if job.chat_id < 0:  # a station group lost the bot: cards would go nowhere
                    station = await repo.station_of_chat(session, job.chat_id)
                    await repo.unlink_chat(session, job.chat_id)
                    for admin in await repo.ids_with_role(session, "admin"):
                        await notify.tell(
                            session,
                            admin,
                            texts.group_unreachable(station or str(job.chat_id)),
                            now,
                            key=f"chat:{job.chat_id}:unreachable:{admin}:{now.date()}",
                        )
            return {"status": "dead", "error": str(exc)[:200]}
        except TransientError as exc:
            dead = job.attempts + 1 >= MAX_ATTEMPTS
            report.dead += dead
            report.retried += not dead
            return {
                "status": "dead" if dead else "pending",
                "run_at": now + backoff(job.attempts),
                "attempts_delta": 1,
                "error": str(exc)[:200],
            }
        report.sent += 1
        return {"status": "sent", "message_id": message_id}
