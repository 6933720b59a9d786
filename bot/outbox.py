"""The outbox relay: sends queued notifications through a Notifier, exactly once per row.

Rows are leased with one conditional UPDATE (storage.repositories.claim_due_outbox), so
several relays (instances) never send the same row twice while their leases hold; results
are written only by the lease holder. Telegram has no idempotency key: a send that timed
out may have been delivered, so it is retried (at-least-once on that one edge).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.model import Button
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


class TransientError(Exception):
    """A network error or 5xx: retry with back-off."""


class Notifier(Protocol):
    async def send(self, chat_id: int, text: str, buttons: Sequence[Sequence[Button]] = ()) -> int:
        """Deliver a message; return its message id."""
        ...


def render(kind: str, payload: dict[str, Any]) -> tuple[str, tuple[tuple[Button, ...], ...]]:
    """The text and buttons of one outbox row."""
    if kind == "alert":
        return texts.case_alert(payload), ()
    if kind == "message":
        return str(payload.get("text", "")), ()
    raise ValueError(f"unknown outbox kind {kind}")


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(600, 2**attempts))


@dataclass
class RelayReport:
    sent: int = 0
    retried: int = 0
    dead: int = 0


class OutboxRelay:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self.worker = f"relay-{uuid.uuid4().hex[:8]}"

    async def run_once(self, notifier: Notifier, now: datetime, *, limit: int = 20) -> RelayReport:
        """Send every due row once; returns what happened."""
        report = RelayReport()
        async with self._sessions.begin() as session:
            rows = await repo.claim_due_outbox(
                session, now=now, worker=self.worker, lease_until=now + LEASE, limit=limit
            )
            jobs = [(r.id, r.kind, r.chat_id, dict(r.payload), r.attempts) for r in rows]
        for row_id, kind, chat_id, payload, attempts in jobs:
            text, buttons = render(kind, payload)
            result: dict[str, Any]
            try:
                message_id = await notifier.send(chat_id, text, buttons)
            except RetryLater as exc:
                # Flood control is not a failure: wait as asked, attempts unchanged.
                result = {
                    "status": "pending",
                    "run_at": now + timedelta(seconds=exc.seconds),
                    "error": "429",
                }
                report.retried += 1
            except Unreachable as exc:
                result = {"status": "dead", "error": str(exc)[:200]}
                report.dead += 1
                async with self._sessions.begin() as session:
                    await repo.mark_unreachable(session, chat_id)
            except TransientError as exc:
                dead = attempts + 1 >= MAX_ATTEMPTS
                result = {
                    "status": "dead" if dead else "pending",
                    "run_at": now + backoff(attempts),
                    "attempts_delta": 1,
                    "error": str(exc)[:200],
                }
                report.dead += dead
                report.retried += not dead
            else:
                result = {"status": "sent", "message_id": message_id}
                report.sent += 1
            async with self._sessions.begin() as session:
                await repo.finish_outbox(session, row_id, self.worker, now=now, **result)
            logger.info("outbox %s (%s) -> %s", row_id, kind, result["status"])
        return report
