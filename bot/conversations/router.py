"""The router: every event of every user passes here first.

In order: the user's role and stored step; commands and the words that work everywhere
(/start, /cancel, 取消, 返回, 主菜单 typed as text); the safety check of whatever the worker
wrote (text, caption, voice note), ahead of any step; follow-ups to an open case; and then
the conversation that owns the current step. Nothing here knows about Telegram.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import intake_texts, notify, staff_commands, texts
from bot.assistant import Assistant
from bot.cases import CaseService
from bot.conversations import safety as safety_mod
from bot.conversations.admin import COMMANDS as ADMIN_COMMANDS
from bot.conversations.admin import STEPS as ADMIN_STEPS
from bot.conversations.admin import AdminConversation
from bot.conversations.common import (
    CASE_REPLY,
    CRISIS_PLACE,
    HOME_BUTTON,
    INTAKE,
    MAX_QUESTION,
    MENU,
    NEARBY,
    Context,
    State,
    StateStore,
    home,
)
from bot.conversations.intake import IntakeConversation
from bot.conversations.my_cases import MyCases
from bot.conversations.nearby import NearbyConversation
from bot.conversations.privacy import Privacy
from bot.conversations.questions import Questions
from bot.conversations.safety import Safety
from bot.conversations.staff import STEPS as STAFF_STEPS
from bot.conversations.staff import VERBS as STAFF_VERBS
from bot.conversations.staff import StaffConversation
from bot.desk import Desk
from bot.directory import StationDirectory
from bot.faq_admin import FaqAdmin
from bot.intake import Intake
from bot.model import (
    AskResult,
    Attachment,
    Button,
    Command,
    Event,
    Location,
    Press,
    Reply,
    Role,
    Sticker,
    Text,
    Voice,
    strip_controls,
)
from bot.reviews import Reviews
from bot.statistics import Statistics
from knowledge.laws import LawLibrary
from knowledge.normalize import clean
from storage import repositories as repo

logger = logging.getLogger(__name__)

# Words that act as commands wherever the worker is (typed, or sent by a reply keyboard).
TYPED_COMMANDS = {
    "取消": "cancel",
    "退出": "cancel",
    "不填了": "cancel",
    "返回": "back",
    "上一步": "back",
    "返回上一步": "back",
    "主菜单": "start",
    "菜单": "start",
    "首页": "start",
    "回到主菜单": "start",
}
STEPS = (INTAKE, NEARBY, CASE_REPLY, CRISIS_PLACE, *STAFF_STEPS, *ADMIN_STEPS)


def at_the_edge(event: Event) -> Event:
    """Control characters out of everything a user typed (NUL breaks PostgreSQL)."""
    if isinstance(event, Text):
        return replace(event, text=strip_controls(event.text))
    if isinstance(event, Attachment) and event.caption:
        return replace(event, caption=strip_controls(event.caption))
    if isinstance(event, Command):
        return replace(event, name=strip_controls(event.name), args=strip_controls(event.args))
    if isinstance(event, Press):
        return replace(event, data=strip_controls(event.data))
    return event


def typed_command(event: Event) -> Event:
    if isinstance(event, Text):
        name = TYPED_COMMANDS.get(clean(event.text))
        if name is not None:
            return Command(name)
    return event


def _title(assistant: Assistant, faq_id: str) -> str | None:
    entry = assistant.kb.get(faq_id)
    return entry.title if entry else None


class Dialog:
    """Routes one event from one user to the conversations and returns the replies."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        assistant: Assistant,
        laws: LawLibrary,
        stations: StationDirectory,
        cases: CaseService,
        desk: Desk,
        admin_ids: Sequence[int] = (),
        *,
        retention_years: int = 3,
        on_outbox: Callable[[], None] | None = None,
    ) -> None:
        self.ctx = Context(
            sessions=sessions,
            assistant=assistant,
            laws=laws,
            stations=stations,
            cases=cases,
            desk=desk,
            intake=Intake(lambda: stations.current, retention_years),
            store=StateStore(sessions),
            admin_ids=frozenset(admin_ids),
            on_outbox=on_outbox,
        )
        self.assistant = assistant
        self.desk = desk
        self.safety = Safety(self.ctx)
        self.questions = Questions(self.ctx)
        self.intake = IntakeConversation(self.ctx)
        self.nearby = NearbyConversation(self.ctx)
        self.my_cases = MyCases(self.ctx)
        self.privacy = Privacy(self.ctx)
        self.staff = StaffConversation(self.ctx)
        self.faq_admin = FaqAdmin(sessions, assistant.kb, laws, frozenset(admin_ids))
        self.admin = AdminConversation(
            self.ctx,
            self.faq_admin,
            Reviews(sessions),
            Statistics(sessions, stations, lambda faq_id: _title(assistant, faq_id)),
        )

    # Wiring used by the front ends ------------------------------------------------------

    @property
    def on_outbox(self) -> Callable[[], None] | None:
        return self.ctx.on_outbox

    @on_outbox.setter
    def on_outbox(self, nudge: Callable[[], None] | None) -> None:
        self.ctx.on_outbox = nudge

    def outbox_written(self) -> None:
        self.ctx.outbox_written()

    async def send_later(self, key: int, chat_id: int, reply: Reply, now: datetime) -> None:
        """A reply the front end could not deliver goes to the outbox, which retries."""
        async with self.ctx.sessions.begin() as session:
            await notify.tell(
                session, chat_id, reply.text, now, key=f"reply:{key}", buttons=reply.buttons
            )
        self.outbox_written()

    def answer_replies(self, result: AskResult) -> list[Reply]:
        return self.questions.answer_replies(result)

    async def role_of(self, user_id: int, now: datetime) -> Role:
        async with self.ctx.sessions.begin() as session:
            row = await repo.touch_user(session, user_id, now, admin=user_id in self.ctx.admin_ids)
            return Role(row.role)

    async def set_reachable(self, user_id: int, reachable: bool, now: datetime) -> None:
        """Telegram told us the user blocked or unblocked the bot."""
        async with self.ctx.sessions.begin() as session:
            user = await repo.touch_user(session, user_id, now)
            user.reachable = reachable

    async def state_of(self, user_id: int) -> str | None:
        """The step the user is in ("intake", "nearby", …), if any."""
        name = (await self.ctx.store.load(user_id)).name
        return None if name == MENU else name

    # Events -------------------------------------------------------------------------------

    async def handle(self, user_id: int, event: Event, now: datetime) -> list[Reply]:
        """Everything the bot says in answer to `event`."""
        await self.role_of(user_id, now)
        state = await self.ctx.store.load(user_id)
        event = typed_command(at_the_edge(event))
        if isinstance(event, Command):
            return await self.command(user_id, event, state, now)
        if isinstance(event, Press):
            return await self.press(user_id, event.data, state, now)
        return await self.message(user_id, event, state, now)

    async def command(
        self, user_id: int, command: Command, state: State, now: datetime
    ) -> list[Reply]:
        name, args = command.name, command.args
        if name == "cancel":
            if state.name in STEPS or state.paused_intake() is not None:
                await self.ctx.store.save(user_id, None, None, now)
                said = intake_texts.CANCELLED if state.paused_intake() else texts.CANCELLED_STEP
                return [home(said)]
            return [home()]
        if name == "back" and state.name == INTAKE:
            return await self.intake.event(user_id, state.data, Press("i:back"), now)
        if name in ("start", "menu", "back"):
            await self.ctx.store.leave(user_id, state, now)
            paused = state.paused_intake()
            text = texts.WELCOME + ("\n\n" + texts.INTAKE_PAUSED if paused else "")
            return [home(text)]
        if name == "help":
            return [home(texts.HELP)]
        if name == "privacy":
            return [self.privacy.notice()]
        if name == "law":
            return self.questions.law_lookup(args)
        if name == "mycases":
            return await self.my_cases.list(user_id, now)
        if name in ADMIN_COMMANDS:
            return await self.admin.command(user_id, name, args, now)
        if name in staff_commands.COMMANDS:
            replies = await staff_commands.run(self.desk, user_id, user_id, name, args, now)
            self.outbox_written()
            return replies
        return [home(texts.HELP)]

    async def press(self, user_id: int, data: str, state: State, now: datetime) -> list[Reply]:
        area, _, rest = data.partition(":")
        if area == "d" and rest in ("y", "n"):
            return await self.safety.danger_answer(rest == "y", user_id, now)
        if area == "s" and rest.startswith("same:"):
            return await self.safety.same_emergency(rest, user_id, now)
        if area == "q" and rest == "new":
            text = await self.my_cases.forwarded_text(user_id, now)
            if text is None:
                return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]
            return await self.questions.ask(text, now)
        if area == "i":
            if state.name != INTAKE and data.startswith("i:submit:"):
                again = await self.intake.again(user_id, data.removeprefix("i:submit:"))
                if again is not None:
                    return again
            if state.name != INTAKE:
                return [Reply(texts.UNKNOWN_BUTTON, ((Button(texts.MENU_HELP, "m:help"),),))]
            return await self.intake.event(user_id, state.data, Press(data), now)
        if area == "case":
            if rest.partition(":")[0] in STAFF_VERBS:
                return await self.staff.button(user_id, data, now)
            return await self.my_cases.button(user_id, data, now)
        if area == "a":
            return await self.admin.press(user_id, data, state, now)
        if area == "sq":
            return await self.staff.queue(user_id, rest, now)
        if area == "p":
            return await self.privacy.action(rest, user_id, now)
        if area == "m":
            return await self.menu(user_id, rest, state, now)
        if area in ("c", "f", "law", "fb"):
            return await self.questions.press(area, rest, now)
        return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]

    async def menu(self, user_id: int, item: str, state: State, now: datetime) -> list[Reply]:
        if item == "help":
            return await self.intake.begin(user_id, state, now)
        if state.name in STEPS and item != "cases":
            await self.ctx.store.leave(user_id, state, now)
        if item == "home":
            return [Reply(texts.WELCOME, home().buttons, edit=True)]
        if item == "faq":
            return self.questions.menu()
        if item == "near":
            return await self.nearby.begin(user_id, now)
        if item == "cases":
            return await self.my_cases.list(user_id, now)
        if item == "privacy":
            return [self.privacy.notice()]
        return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]

    async def message(
        self, user_id: int, event: Event, state: State, now: datetime
    ) -> list[Reply]:
        """Text, a caption, a voice note, a photo, a place: safety first, then the step."""
        if state.name in STAFF_STEPS and isinstance(event, Text):
            return await self.staff.step(user_id, event, state, now)
        if state.name in ADMIN_STEPS and isinstance(event, Text):
            return await self.admin.step(user_id, event.text, state, now)
        words = event.text if isinstance(event, Text) else ""
        if isinstance(event, Attachment) and event.caption:
            words = event.caption
        in_step = state.name in STEPS
        follow = None
        if isinstance(event, Text | Attachment | Voice):
            follow = await self.my_cases.target(user_id, event, state, now)
        if isinstance(event, Voice):
            return await self._voice(user_id, event, state, follow, now)
        if isinstance(event, Sticker):
            rows = home().buttons
            return [Reply(texts.STICKER_REPLY, rows)]
        result = self.safety.screen(words[:MAX_QUESTION]) if words.strip() else None
        if result is not None and result.crisis and (in_step or follow is not None):
            if result.extra.get("rule") or follow is not None or state.name == CRISIS_PLACE:
                # A crisis typed at a step, or written to staff: interrupt (the words reach
                # staff too), then offer the way back.
                replies = await self.safety.interrupt(user_id, words, result, state, now)
                if follow is not None:
                    replies[1:1] = await self.my_cases.forward(user_id, follow, event, state, now)
                return replies
        # Words written to staff are read by a person: no check on top of that.
        check = follow is None and result is not None
        check = check and (result.danger_check or (result.crisis and in_step))
        if follow is not None:
            replies = await self.my_cases.forward(user_id, follow, event, state, now)
        elif state.name == INTAKE:
            replies = await self.intake.event(user_id, state.data, event, now)
        elif state.name == CRISIS_PLACE:
            routed = await self.safety.place(user_id, state, event, now)
            if routed is not None:
                return routed
            await self.ctx.store.save(user_id, None, None, now)
            replies = await self._outside(user_id, event, words, result, now)
            check = False  # _outside has dealt with the words
        elif state.name == NEARBY and isinstance(event, Location):
            replies = await self.nearby.lookup(user_id, None, event, now)
        elif (
            state.name == NEARBY and isinstance(event, Text) and not self.nearby.is_question(words)
        ):
            replies = await self.nearby.lookup(user_id, words, None, now)
        else:
            if state.name == NEARBY:
                await self.ctx.store.save(user_id, None, None, now)
            replies = await self._outside(user_id, event, words, result, now)
            check = False
        if check:
            await self.safety.remember_suspect(user_id, words[:MAX_QUESTION], now)
            replies.append(safety_mod.danger_check())
        return replies

    async def _outside(
        self,
        user_id: int,
        event: Event,
        words: str,
        result: AskResult | None,
        now: datetime,
    ) -> list[Reply]:
        """A message outside any step: a question, a place, or a file with no case."""
        if isinstance(event, Location):
            return await self.nearby.lookup(user_id, None, event, now)
        if isinstance(event, Attachment):
            replies = [Reply(texts.FILE_OUTSIDE, home().buttons)]
            if result is not None and result.crisis:
                replies = [*self.questions.answer_replies(result), *replies]
                replies += await self.safety.after_answer(user_id, words, result, now)
            return replies
        replies = await self.questions.ask(words, now, result)
        if result is not None and result.crisis:
            replies += await self.safety.after_answer(user_id, words, result, now)
        elif result is not None and result.danger_check:
            await self.safety.remember_suspect(user_id, words[:MAX_QUESTION], now)
        return replies

    async def _voice(
        self, user_id: int, voice: Voice, state: State, follow: int | None, now: datetime
    ) -> list[Reply]:
        """A voice note cannot be read yet: pass it to staff if they are talking with the
        worker, and always ask about danger (the fact that it is voice is all triage knows)."""
        logger.info("voice note: %ss, to case=%s, step=%s", voice.seconds, follow, state.name)
        if follow is not None:
            replies = await self.my_cases.forward(user_id, follow, voice, state, now)
        else:
            replies = [Reply(texts.VOICE_REPLY)]
            if state.name in STEPS:
                resume = {INTAKE: "m:help", NEARBY: "m:near"}.get(state.name)
                if resume:
                    replies[0] = Reply(
                        texts.VOICE_REPLY, ((Button(texts.RESUME, resume), HOME_BUTTON),)
                    )
        replies.append(safety_mod.danger_check())
        return replies
