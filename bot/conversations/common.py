"""What every conversation shares: the services, the stored dialog state, common buttons."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.assistant import Assistant
from bot.cases import CaseService
from bot.desk import Desk
from bot.directory import StationDirectory
from bot.intake import Intake
from bot.knowledge_base import KnowledgeBase
from bot.model import Button, Reply
from knowledge.laws import LawLibrary
from storage import repositories as repo

MAX_QUESTION = 4000  # a long story is read whole (one Telegram message is at most 4096)

HOME_BUTTON = Button(texts.HOME, "m:home")
HELP_ROW = (Button(texts.ASK_PERSON, "m:help"), HOME_BUTTON)

# Steps a worker can be in. Outside any step the state row is absent (or "menu", which
# only keeps a paused intake draft).
INTAKE = "intake"
NEARBY = "nearby"
CASE_REPLY = "case_reply"
CRISIS_PLACE = "crisis_place"
MENU = "menu"


def main_menu() -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(texts.MENU_FAQ, "m:faq"), Button(texts.MENU_HELP, "m:help")),
        (Button(texts.MENU_NEARBY, "m:near"), Button(texts.MENU_CASES, "m:cases")),
        (Button(texts.MENU_PRIVACY, "m:privacy"),),
    )


def home(text: str = texts.WELCOME) -> Reply:
    return Reply(text, main_menu())


@dataclass(frozen=True)
class State:
    """The worker's stored step and its data (a copy; save() writes changes)."""

    name: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    def paused_intake(self) -> dict[str, Any] | None:
        """An unfinished intake: the live one, or one left for the menu."""
        if self.name == INTAKE and self.data:
            return self.data
        draft = self.data.get("intake") if self.name == MENU else None
        return draft if isinstance(draft, dict) else None


class StateStore:
    """Dialog state in the database: a restart or a second instance continues the step."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions

    async def load(self, user_id: int) -> State:
        async with self._sessions.begin() as session:
            row = await repo.get_dialog_state(session, user_id)
            return State(row.state, dict(row.data)) if row else State()

    async def save(
        self, user_id: int, name: str | None, data: dict[str, Any] | None, now: datetime
    ) -> None:
        async with self._sessions.begin() as session:
            if name is None:
                await repo.clear_dialog_state(session, user_id)
            else:
                await repo.set_dialog_state(session, user_id, name, data or {}, now)

    async def leave(self, user_id: int, state: State, now: datetime) -> None:
        """End the current step, keeping an unfinished intake to come back to."""
        draft = state.paused_intake()
        if draft is not None and draft.get("step") not in (None, "consent"):
            await self.save(user_id, MENU, {"intake": draft}, now)
        else:
            await self.save(user_id, None, None, now)


@dataclass
class Context:
    """The services a conversation may use; one per Dialog."""

    sessions: async_sessionmaker[AsyncSession]
    assistant: Assistant
    laws: LawLibrary
    stations: StationDirectory
    cases: CaseService
    desk: Desk
    intake: Intake
    store: StateStore
    admin_ids: frozenset[int] = frozenset()
    on_outbox: Callable[[], None] | None = None

    @property
    def kb(self) -> KnowledgeBase:
        return self.assistant.kb

    def outbox_written(self) -> None:
        """Nudge the relay: something was written to the outbox."""
        if self.on_outbox is not None:
            self.on_outbox()


def rows_of(buttons: Sequence[Button], per_row: int = 1) -> tuple[tuple[Button, ...], ...]:
    return tuple(tuple(buttons[i : i + per_row]) for i in range(0, len(buttons), per_row))
