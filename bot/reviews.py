"""What the bot could not answer, grouped so that similar questions sit together with a count;
an admin adds a group's question as an alternate of an entry, or dismisses the group (for good).
The rows never carry the sender's id."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from knowledge.normalize import clean
from storage import repositories as repo

SHARED = 0.5  # share of the shorter question's character pairs: the same question reworded
MIN_SHARED = 3
RECENT = 500


def _bigrams(text: str) -> set[str]:
    cleaned = clean(text)[:300]
    return {cleaned[i : i + 2] for i in range(len(cleaned) - 1)}


def _similar(a: set[str], b: set[str]) -> bool:
    shared = len(a & b)
    return shared >= MIN_SHARED and shared / max(1, min(len(a), len(b))) >= SHARED


@dataclass(frozen=True)
class Group:
    first_id: int
    ids: tuple[int, ...]
    sample: str
    best_faq_id: str | None
    route: str

    @property
    def count(self) -> int:
        return len(self.ids)


class Reviews:
    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def groups(self) -> list[Group]:
        """Unreviewed questions clustered greedily, the biggest group first."""
        async with self._sessions.begin() as session:
            rows = await repo.unreviewed_unanswered(session, RECENT)
        clusters: list[list] = []
        keys: list[set[str]] = []
        for row in rows:
            key = _bigrams(row.question)
            for i, other in enumerate(keys):
                if _similar(key, other):
                    clusters[i].append(row)
                    break
            else:
                clusters.append([row])
                keys.append(key)
        groups = [
            Group(c[0].id, tuple(r.id for r in c), c[0].question, c[0].best_faq_id, c[0].route)
            for c in clusters
        ]
        return sorted(groups, key=lambda g: (-g.count, -g.first_id))

    async def group_of(self, first_id: int) -> Group | None:
        return next((g for g in await self.groups() if first_id in g.ids), None)

    async def label(self, group: Group, route: str, admin_id: int, now: datetime) -> int:
        """An admin's verdict on the group's route: every question in it becomes a training
        label for `kb train`, and the group is closed."""
        async with self._sessions.begin() as session:
            rows = [
                r for r in await repo.unreviewed_unanswered(session, RECENT) if r.id in group.ids
            ]
            for row in rows:
                await repo.add_label(
                    session,
                    text=row.question,
                    route=route,
                    faq_id=None,
                    source="unanswered",
                    created_by=admin_id,
                    now=now,
                )
            await repo.mark_reviewed(session, list(group.ids))
        return len(rows)

    async def close(self, group: Group, now: datetime) -> int:
        """Mark the group's questions reviewed (dismissed or used): they never come back."""
        async with self._sessions.begin() as session:
            return await repo.mark_reviewed(session, list(group.ids))
