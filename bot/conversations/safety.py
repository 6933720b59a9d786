"""Safety first, in every step: the message for the kind of danger, an urgent case carrying
the worker's own words, alerts to people who can receive them, and the way back.

The router calls `screen` before any step sees a worker's text, caption or voice note.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot import texts
from bot.cases import OpenedCase
from bot.conversations.common import (
    CASE_REPLY,
    CRISIS_PLACE,
    HELP_ROW,
    HOME_BUTTON,
    INTAKE,
    MENU,
    NEARBY,
    Context,
    State,
    home,
)
from bot.errors import NoStation
from bot.model import AskResult, Button, Event, Location, Reply, Text

logger = logging.getLogger(__name__)

SUSPECT = "_suspect"  # state key: words that made the model ask 现在有没有人身危险？

# Lexicon kinds and the model's kind families -> the safety message, most urgent first.
_SAFETY = (
    ({"death"}, texts.DEATH_SAFETY),
    ({"fire", "danger_now"}, texts.FIRE_SAFETY),
    ({"injury", "serious_injury_now"}, texts.INJURY_SAFETY),
    ({"violence", "confinement"}, texts.VIOLENCE_SAFETY),
)
# The lexicon's names for a kind -> the family used to tell one emergency from another.
_FAMILY = {"serious_injury_now": "injury", "danger_now": "fire"}


def families(kinds: Sequence[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(_FAMILY.get(k, k) for k in kinds))


def safety_text(kinds: set[str]) -> str | None:
    """The safety message for the kinds of danger in a message (None: no danger to a person)."""
    if "self_harm" in kinds:
        return texts.SELF_HARM_SAFETY
    for family, text in _SAFETY:
        if kinds & family:
            return text
    if kinds - {"deadline", "collective"}:
        return texts.CRISIS_SAFETY
    return None


def danger_check() -> Reply:
    """现在有没有人身危险？ with 有 / 没有 buttons."""
    return Reply(
        texts.DANGER_CHECK, ((Button(texts.DANGER_YES, "d:y"), Button(texts.DANGER_NO, "d:n")),)
    )


def case_said(opened: OpenedCase, *, ask_place: bool) -> str:
    """What the worker is told about their case: a call back only if someone was alerted."""
    if not opened.alerted:
        return texts.CRISIS_CASE_NOBODY.format(number=opened.number)
    if opened.added:
        return texts.CRISIS_ADDED.format(number=opened.number)
    said = texts.CRISIS_CASE if ask_place else texts.CRISIS_CASE_ONLY
    return said.format(number=opened.number)


# Where 「接着刚才的步骤」 takes a worker back to, by step.
_RESUME = {INTAKE: "m:help", NEARBY: "m:near", CASE_REPLY: "m:cases", MENU: "m:help"}


class Safety:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def screen(self, text: str) -> AskResult:
        """Triage of a worker's words before the current step sees them."""
        return self.ctx.assistant.ask(text)

    async def interrupt(
        self, user_id: int, text: str, result: AskResult, state: State, now: datetime
    ) -> list[Reply]:
        """A crisis typed inside a step: the safety message and an urgent case with the
        worker's words; the step stays where it was, and a button leads back to it."""
        logger.info("crisis inside step %s: kinds=%s", state.name, ",".join(result.crisis_kinds))
        kinds = set(result.crisis_kinds)
        replies = [Reply(safety_text(kinds) or texts.CRISIS_SAFETY)]
        station = (state.paused_intake() or {}).get("station")
        opened = await self.open_case(
            user_id, families(result.crisis_kinds), result.collective, text, now, station
        )
        if opened is None:
            replies.append(home(texts.HELP_NOW))
            return replies
        resume = _RESUME.get(state.name or "")
        if state.name == MENU and state.paused_intake() is None:
            resume = None
        back = (Button(texts.RESUME, resume),) if resume else ()
        rows = ((*back, HOME_BUTTON), *self.merge_row(opened))
        replies.append(Reply(case_said(opened, ask_place=False), rows))
        return replies

    async def after_answer(
        self, user_id: int, text: str, result: AskResult, now: datetime
    ) -> list[Reply]:
        """A crisis asked as a question outside any step: the case, alerts, the place."""
        opened = await self.open_case(
            user_id, families(result.crisis_kinds), result.collective, text, now
        )
        return await self._case_replies(user_id, opened, now)

    async def _case_replies(
        self, user_id: int, opened: OpenedCase | None, now: datetime
    ) -> list[Reply]:
        if opened is None:
            return [home(texts.HELP_NOW)]
        if opened.added or not opened.alerted:
            return [Reply(case_said(opened, ask_place=False), ((HOME_BUTTON,),))]
        # The next place the worker names (or shares) moves the case to that station.
        await self.ctx.store.save(user_id, CRISIS_PLACE, {"case_id": opened.id}, now)
        replies = [Reply(case_said(opened, ask_place=True), ask_location=True)]
        if opened.earlier is not None:
            replies.append(Reply(texts.CRISIS_SAME_ASK, self.merge_row(opened)))
        return replies

    @staticmethod
    def merge_row(opened: OpenedCase) -> tuple[tuple[Button, ...], ...]:
        if opened.earlier is None or opened.added:
            return ()
        return ((Button(texts.CRISIS_SAME, f"s:same:{opened.id}:{opened.earlier}"),),)

    async def open_case(
        self,
        user_id: int,
        kinds: Sequence[str],
        collective: bool,
        text: str,
        now: datetime,
        station: str | None = None,
    ) -> OpenedCase | None:
        try:
            opened = await self.ctx.cases.open_crisis(
                user_id,
                now=now,
                kinds=kinds,
                category=None,
                collective=collective,
                text=text,
                station_code=station,
            )
        except NoStation:
            return None
        self.ctx.outbox_written()
        return opened

    # The one-tap check and what follows -------------------------------------------------

    async def remember_suspect(self, user_id: int, text: str, now: datetime) -> None:
        """Keep the words that raised the check, so 有 can put them on the case."""
        state = await self.ctx.store.load(user_id)
        name = state.name or MENU
        await self.ctx.store.save(user_id, name, {**state.data, SUSPECT: text}, now)

    async def danger_answer(self, yes: bool, user_id: int, now: datetime) -> list[Reply]:
        """The worker's answer to 现在有没有人身危险？ (asked when triage is unsure)."""
        state = await self.ctx.store.load(user_id)
        words = str(state.data.get(SUSPECT) or "")
        if SUSPECT in state.data:
            data = {k: v for k, v in state.data.items() if k != SUSPECT}
            keep = state.name if (data or state.name not in (MENU, None)) else None
            await self.ctx.store.save(user_id, keep, data, now)
        if not yes:
            return [home(texts.DANGER_NO_REPLY)]
        logger.info("danger confirmed by the worker after a check")
        opened = await self.open_case(
            user_id, ("danger",), False, words or texts.DANGER_CONFIRMED_NOTE, now
        )
        replies = [Reply(texts.CRISIS_SAFETY)]
        if state.name in (INTAKE, NEARBY, CASE_REPLY) and opened is not None:
            resume = (Button(texts.RESUME, _RESUME[state.name]),)
            rows = ((*resume, HOME_BUTTON),)
            return [*replies, Reply(case_said(opened, ask_place=False), rows)]
        return [*replies, *await self._case_replies(user_id, opened, now)]

    async def same_emergency(self, rest: str, user_id: int, now: datetime) -> list[Reply]:
        """s:same:NEW:EARLIER: the worker says the new message is about the earlier case."""
        parts = rest.split(":")
        if len(parts) != 3 or not all(p.isdecimal() and len(p) <= 10 for p in parts[1:]):
            return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]
        merged = await self.ctx.cases.merge_crisis(int(parts[1]), int(parts[2]), user_id, now)
        if merged is None:
            return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]
        self.ctx.outbox_written()
        return [Reply(texts.CRISIS_MERGED.format(number=merged), (HELP_ROW,))]

    async def place(
        self, user_id: int, state: State, event: Event, now: datetime
    ) -> list[Reply] | None:
        """Route an open crisis case by the place the worker gives; None if it is no place."""
        directory = self.ctx.stations.current
        station = None
        if isinstance(event, Location):
            nearest = directory.nearest(event.latitude, event.longitude, limit=1)
            station = nearest[0].station if nearest else None
        elif isinstance(event, Text):
            match = directory.match_place(event.text)
            station = match.station if match is not None else None
        if station is None:
            return None
        await self.ctx.store.save(user_id, None, None, now)
        moved = await self.ctx.cases.relocate(
            int(state.data["case_id"]), user_id, station.code, now
        )
        if moved is None:
            return None
        self.ctx.outbox_written()
        return [
            Reply(
                texts.CRISIS_ROUTED.format(station=moved.name, phone=moved.phone),
                ((HOME_BUTTON,),),
            )
        ]
