"""The live knowledge base: FAQ rows in the database, a Matcher rebuilt from them."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.entries import FIELDS, Entry, LocalFigures, entry_from_dict, load_yaml_dir
from knowledge.matcher import Matcher
from knowledge.normalize import Normalizer
from storage import repositories as repo

logger = logging.getLogger(__name__)


class _DryRun(Exception):
    """Raised inside a transaction to roll it back on purpose."""


class KnowledgeBase:
    """Owns the current Matcher; `refresh()` swaps in a new one after edits."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        normalizer: Normalizer,
        local: LocalFigures,
    ) -> None:
        self._sessions = sessions
        self._normalizer = normalizer
        self.local = local
        self._matcher = Matcher([], normalizer)
        self._lock = asyncio.Lock()
        self._categories: list[str] = []
        self._fingerprint: tuple[int, int, str] | None = None

    @property
    def matcher(self) -> Matcher:
        return self._matcher

    async def refresh_if_changed(self) -> bool:
        """Rebuild when the entries in the database changed (an edit on any instance)."""
        async with self._sessions.begin() as session:
            fingerprint = await repo.faq_fingerprint(session)
        if fingerprint == self._fingerprint:
            return False
        await self.refresh()
        return True

    async def refresh(self) -> int:
        """Rebuild the index from the active rows; returns the number of entries."""
        async with self._lock:
            async with self._sessions.begin() as session:
                self._fingerprint = await repo.faq_fingerprint(session)
            entries = await self.active_entries()
            started = time.perf_counter()
            matcher = await asyncio.to_thread(Matcher, entries, self._normalizer)
            self._matcher = matcher
            order: dict[str, None] = {}
            for entry in entries:
                order.setdefault(entry.category, None)
            self._categories = list(order)
            logger.info(
                "knowledge index built: %d entries in %.3f s",
                len(entries),
                time.perf_counter() - started,
            )
            return len(entries)

    async def active_entries(self) -> list[Entry]:
        async with self._sessions.begin() as session:
            rows = await repo.active_faq_entries(session)
            return [_entry(row) for row in rows]

    async def load_files(
        self, directory: Path, now: datetime, *, prune: bool = False, changed_by: int | None = None
    ) -> dict[str, int]:
        """Upsert the YAML entries in one transaction; with `prune`, retire the others."""
        entries = await asyncio.to_thread(load_yaml_dir, directory)
        return await self.save_entries(entries, now, prune=prune, changed_by=changed_by)

    async def save_entries(
        self,
        entries: Sequence[Entry],
        now: datetime,
        *,
        prune: bool = False,
        changed_by: int | None = None,
        dry_run: bool = False,
        changes: list[str] | None = None,
    ) -> dict[str, int]:
        """Upsert entries in one transaction (rolled back with `dry_run`: what would change).
        `changes` collects "added ID" / "changed ID" / "retired N" lines."""
        counts = {"added": 0, "changed": 0, "same": 0, "retired": 0}
        try:
            async with self._sessions.begin() as session:
                for entry in entries:
                    outcome = await repo.save_faq_entry(session, entry.as_dict(), now, changed_by)
                    counts[outcome] += 1
                    if changes is not None and outcome != "same":
                        changes.append(f"{outcome} {entry.id}")
                if prune:
                    counts["retired"] = await repo.deactivate_faq_entries(
                        session, [e.id for e in entries], now
                    )
                if dry_run:
                    raise _DryRun
        except _DryRun:
            pass
        return counts

    async def seed_if_empty(self, directory: Path, now: datetime) -> bool:
        async with self._sessions.begin() as session:
            empty = await repo.count_faq_entries(session) == 0
        if empty and await asyncio.to_thread(directory.is_dir):
            counts = await self.load_files(directory, now)
            logger.info("knowledge base seeded: %s", counts)
            return True
        return False

    # Browsing -------------------------------------------------------------------------------

    def categories(self) -> list[str]:
        return list(self._categories)

    def entries_in(self, category: str) -> list[Entry]:
        return [e for e in self._matcher.entries if e.category == category]

    def get(self, entry_id: str) -> Entry | None:
        return self._matcher.get(entry_id)

    def related(self, entry: Entry, limit: int = 2) -> list[Entry]:
        """Other entries of the same topic first, then of the same category."""
        same_topic = [e for e in self._matcher.entries if e.topic == entry.topic and e != entry]
        same_cat = [
            e
            for e in self._matcher.entries
            if e.category == entry.category and e.topic != entry.topic
        ]
        return (same_topic + same_cat)[:limit]

    def render(self, entry: Entry) -> str:
        return self.local.render(entry.answer)


def _entry(row: object) -> Entry:
    data = {name: getattr(row, name) for name in FIELDS}
    return entry_from_dict(data, version=getattr(row, "version", 1))
