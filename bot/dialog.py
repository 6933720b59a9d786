"""The worker's conversation as a state machine over plain events; no Telegram here."""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import intake_texts, staff_commands, texts
from bot import staff_texts as st
from bot.assistant import Assistant
from bot.cases import STATUS_NAMES, CaseService, OpenedCase
from bot.desk import Desk, DeskError
from bot.directory import StationDirectory
from bot.errors import ConsentRequired, NoStation
from bot.intake import STATE as INTAKE
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
    Text,
)
from knowledge.entries import Citation, Entry
from knowledge.laws import LawLibrary, parse_article_ref
from knowledge.normalize import clean
from knowledge.stations import Nearby
from knowledge.triage import Route
from storage import repositories as repo

logger = logging.getLogger(__name__)

MAX_MESSAGE = 4000  # Telegram allows 4096; leave room for headers
MAX_QUESTION = 2000
SHORT_TOPIC = 4  # a message this short (after cleaning) that names no clear question

HOME_BUTTON = Button(texts.HOME, "m:home")


def main_menu() -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(texts.MENU_FAQ, "m:faq"), Button(texts.MENU_HELP, "m:help")),
        (Button(texts.MENU_NEARBY, "m:near"), Button(texts.MENU_CASES, "m:cases")),
        (Button(texts.MENU_PRIVACY, "m:privacy"),),
    )


# Lexicon kinds and the model's kind families -> the safety message, most urgent first.
_SAFETY = (
    ({"death"}, texts.DEATH_SAFETY),
    ({"fire", "danger_now"}, texts.FIRE_SAFETY),
    ({"injury", "serious_injury_now"}, texts.INJURY_SAFETY),
    ({"violence", "confinement"}, texts.VIOLENCE_SAFETY),
)


def danger_check() -> Reply:
    """现在有没有人身危险？ with 有 / 没有 buttons."""
    return Reply(
        texts.DANGER_CHECK, ((Button(texts.DANGER_YES, "d:y"), Button(texts.DANGER_NO, "d:n")),)
    )


def crisis_case_text(opened: OpenedCase) -> str:
    """The case number, and a promise of a call back only if someone was alerted."""
    said = texts.CRISIS_CASE if opened.alerted else texts.CRISIS_CASE_NOBODY
    return said.format(number=opened.number)


def safety_text(kinds: set[str]) -> str | None:
    """The safety message for the kinds of danger in a message (None: no danger to a person)."""
    for family, text in _SAFETY:
        if kinds & family:
            return text
    if kinds - {"deadline", "collective"}:
        return texts.CRISIS_SAFETY
    return None


def split_message(text: str, limit: int = MAX_MESSAGE) -> list[str]:
    """Split on paragraph, then line, then hard boundaries so every part fits `limit`."""
    parts: list[str] = []
    current = ""
    for paragraph in text.split("\n"):
        while len(paragraph) > limit:
            if current:
                parts.append(current)
                current = ""
            parts.append(paragraph[:limit])
            paragraph = paragraph[limit:]
        candidate = f"{current}\n{paragraph}" if current else paragraph
        if len(candidate) > limit:
            parts.append(current)
            current = paragraph
        else:
            current = candidate
    if current or not parts:
        parts.append(current)
    return parts


class Dialog:
    """Routes one event from one user to the services and returns the replies to show."""

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
        self._sessions = sessions
        self.assistant = assistant
        self.kb = assistant.kb
        self.laws = laws
        self.stations = stations
        self.cases = cases
        self.desk = desk
        self.intake = Intake(lambda: stations.current, retention_years)
        self.admin_ids = frozenset(admin_ids)
        self.on_outbox = on_outbox

    def outbox_written(self) -> None:
        if self.on_outbox is not None:
            self.on_outbox()

    async def role_of(self, user_id: int, now: datetime) -> Role:
        async with self._sessions.begin() as session:
            row = await repo.touch_user(session, user_id, now, admin=user_id in self.admin_ids)
            return Role(row.role)

    async def handle(self, user_id: int, event: Event, now: datetime) -> list[Reply]:
        """Everything the bot says in answer to `event`."""
        await self.role_of(user_id, now)
        state, data = await self._load_state(user_id)
        if isinstance(event, Text) and state is not None:
            # Safety first, in every step: a crisis typed as an intake answer, a place or a
            # message to staff interrupts the step (which stays where it was). When only the
            # model suspects danger, the step goes on and the worker gets the one-tap check.
            result = self.assistant.ask(event.text[:MAX_QUESTION])
            if result.crisis and result.extra.get("rule"):
                return await self._safety_first(user_id, event.text, result, state, data, now)
            if result.crisis or result.danger_check:
                return [*await self._step(user_id, event, state, data, now), danger_check()]
        return await self._step(user_id, event, state, data, now)

    async def _step(
        self,
        user_id: int,
        event: Event,
        state: str | None,
        data: dict[str, Any] | None,
        now: datetime,
    ) -> list[Reply]:
        """What the current step (or the menu, outside any step) makes of `event`."""
        match event:
            case Command(name="cancel"):
                if state is not None:
                    await self._save_state(user_id, None, None, now)
                    return [Reply(intake_texts.CANCELLED, main_menu())]
                return [Reply(texts.WELCOME, main_menu())]
            case Command(name="start" | "menu"):
                return [Reply(texts.WELCOME, main_menu())]
            case Command(name="help"):
                return [Reply(texts.HELP, main_menu())]
            case Command(name="privacy"):
                return [self.privacy_reply()]
            case Command(name="law", args=args):
                return self.law_lookup(args)
            case Command(name="mycases"):
                return await self.my_cases(user_id)
            case Command(name=name, args=args) if name in staff_commands.COMMANDS:
                replies = await staff_commands.run(self.desk, user_id, user_id, name, args, now)
                self.outbox_written()
                return replies
            case Command():
                return [Reply(texts.HELP, main_menu())]
            case Press(data="m:help"):
                if state == INTAKE and data:
                    return self.intake.prompt(data)
                return await self._intake_outcome(user_id, self.intake.start(), now)
            case Press(data="m:near"):
                await self._save_state(user_id, "nearby", {}, now)
                return [
                    Reply(texts.NEARBY_ASK, ask_location=True),
                    Reply(texts.CHOOSE_OR_BACK, ((HOME_BUTTON,),)),
                ]
            case Press(data=pressed) if pressed.startswith("case:"):
                return await self.case_button(user_id, pressed, now)
            case Text(text=typed) if state == "case_reply" and data:
                return await self._to_staff(user_id, int(data["case_id"]), typed, now)
            case Press(data=pressed) if pressed.startswith("i:"):
                if state != INTAKE or not data:
                    return [Reply(texts.UNKNOWN_BUTTON, main_menu())]
                return await self._intake_event(user_id, data, event, now)
            case Press(data=pressed):
                return await self.press(pressed, now, user_id)
            case Text() | Location() | Attachment() if state == INTAKE and data:
                return await self._intake_event(user_id, data, event, now)
            case Text() | Location() if state == "crisis_place" and data:
                routed = await self._crisis_place(user_id, data, event, now)
                if routed is not None:
                    return routed
                await self._save_state(user_id, None, None, now)
                if isinstance(event, Text):
                    return await self.question(event.text, now, user_id)
                return [Reply(texts.HELP_NOW, main_menu())]
            case Text(text=typed) if state == "nearby":
                return await self._nearby(user_id, typed, None, now)
            case Location() if state == "nearby":
                return await self._nearby(user_id, None, event, now)
            case Text(text=typed):
                return await self.question(typed, now, user_id)
            case Location() | Attachment():
                return [Reply(texts.HELP_NOW, main_menu())]
        return []

    # Cases: buttons under cards (staff) and under staff messages (workers) ----------------

    async def case_button(self, user_id: int, data: str, now: datetime) -> list[Reply]:
        """case:claim:ID, case:hist:ID (staff); case:wr:ID, case:reopen:ID, case:rate:ID:N."""
        parts = data.split(":")
        if len(parts) < 3 or not parts[2].isdigit() or len(parts[2]) > 10:
            return [Reply(texts.UNKNOWN_BUTTON)]
        verb, case_id = parts[1], int(parts[2])
        try:
            if verb == "claim":
                case = await self.desk.claim(case_id, user_id, now)
                self.outbox_written()
                return [Reply(st.CLAIMED_OK.format(number=case.number, id=case.id))]
            if verb == "hist":
                return await staff_commands.run(
                    self.desk, user_id, user_id, "case", str(case_id), now
                )
            if verb == "wr":
                await self._save_state(user_id, "case_reply", {"case_id": case_id}, now)
                return [Reply(st.W_WRITE_PROMPT, ((HOME_BUTTON,),))]
            if verb == "reopen":
                case = await self.desk.reopen(case_id, user_id, now)
                self.outbox_written()
                return [Reply(st.W_REOPENED.format(number=case.number))]
            if verb == "rate" and len(parts) == 4 and parts[3].isdigit():
                await self.desk.rate(case_id, user_id, int(parts[3]), now)
                return [Reply(st.W_RATED)]
        except DeskError as exc:
            return [Reply(str(exc))]
        return [Reply(texts.UNKNOWN_BUTTON)]

    async def _to_staff(self, user_id: int, case_id: int, text: str, now: datetime) -> list[Reply]:
        await self._save_state(user_id, None, None, now)
        try:
            delivered = await self.desk.worker_message(case_id, user_id, text[:2000], now)
        except DeskError as exc:
            return [Reply(str(exc))]
        self.outbox_written()
        return [
            Reply(
                st.W_SENT_TO_STAFF if delivered else st.W_WAITING_STAFF,
                ((Button(st.W_REPLY_BUTTON, f"case:wr:{case_id}"), HOME_BUTTON),),
            )
        ]

    # State --------------------------------------------------------------------------------

    async def set_reachable(self, user_id: int, reachable: bool, now: datetime) -> None:
        """Telegram told us the user blocked or unblocked the bot."""
        async with self._sessions.begin() as session:
            user = await repo.touch_user(session, user_id, now)
            user.reachable = reachable

    async def state_of(self, user_id: int) -> str | None:
        """The conversation the user is in ("intake", "nearby"), if any."""
        return (await self._load_state(user_id))[0]

    async def _load_state(self, user_id: int) -> tuple[str | None, dict[str, Any] | None]:
        async with self._sessions.begin() as session:
            row = await repo.get_dialog_state(session, user_id)
            return (row.state, dict(row.data)) if row else (None, None)

    async def _save_state(
        self, user_id: int, state: str | None, data: dict[str, Any] | None, now: datetime
    ) -> None:
        async with self._sessions.begin() as session:
            if state is None:
                await repo.clear_dialog_state(session, user_id)
            else:
                await repo.set_dialog_state(session, user_id, state, data or {}, now)

    # Intake -------------------------------------------------------------------------------

    async def _intake_event(
        self, user_id: int, draft: dict[str, Any], event: Event, now: datetime
    ) -> list[Reply]:
        return await self._intake_outcome(user_id, self.intake.handle(draft, event, now), now)

    async def _intake_outcome(self, user_id: int, outcome: Any, now: datetime) -> list[Reply]:
        if outcome.consent_given:
            async with self._sessions.begin() as session:
                user = await repo.touch_user(session, user_id, now)
                user.consent_version = intake_texts.NOTICE_VERSION
                user.consent_at = now
        if outcome.submit:
            return await self._submit(user_id, outcome.draft, now)
        if outcome.draft is None:
            await self._save_state(user_id, None, None, now)
            return [*outcome.replies[:1], Reply(texts.WELCOME, main_menu())]
        await self._save_state(user_id, INTAKE, outcome.draft, now)
        return outcome.replies

    async def _submit(self, user_id: int, draft: dict[str, Any], now: datetime) -> list[Reply]:
        triage = self.assistant.rules.classify(draft.get("description", ""))
        try:
            opened = await self.cases.open_from_intake(
                user_id,
                draft,
                now=now,
                urgent=triage.route == "urgent",
                crisis=triage.crisis,
                collective=triage.collective,
            )
        except ConsentRequired:
            await self._save_state(user_id, None, None, now)
            return [Reply(intake_texts.CONSENT_NEEDED, main_menu())]
        except NoStation:
            return [Reply(texts.HELP_NOW, main_menu())]
        await self._save_state(user_id, None, None, now)
        self.outbox_written()
        station = opened.station
        text = intake_texts.SUBMITTED.format(
            number=opened.number,
            station=station.name,
            address=station.address,
            phone=station.phone,
            hours=station.hours,
            urgent=intake_texts.SUBMITTED_URGENT if opened.urgent else "",
        )
        if station.sample:
            text += "\n" + texts.SAMPLE_NOTE
        replies = [Reply(text, ((Button(texts.MENU_CASES, "m:cases"), HOME_BUTTON),))]
        if opened.eligibility is not None:
            replies.append(
                Reply("\n".join([intake_texts.ELIGIBILITY_HEAD, *opened.eligibility.reasons]))
            )
        return replies

    async def my_cases(self, user_id: int) -> list[Reply]:
        cases = await self.cases.cases_of(user_id)
        if not cases:
            return [Reply(texts.NO_CASES, ((Button(texts.MENU_HELP, "m:help"), HOME_BUTTON),))]
        lines = [
            f"· {c.number}｜{intake_texts.CATEGORY_NAMES.get(c.category, c.category)}｜"
            f"{STATUS_NAMES.get(c.status, c.status)}｜{c.station_name}｜"
            f"更新于 {texts.local_time(c.updated_at)}"
            for c in cases
        ]
        write = tuple(
            (Button(f"给 {c.number} 的工作人员留言", f"case:wr:{c.id}"),)
            for c in cases
            if c.status != "closed"
        )
        return [
            Reply(
                texts.my_cases(lines),
                (*write[:5], (Button(texts.MENU_HELP, "m:help"), HOME_BUTTON)),
            )
        ]

    # Privacy rights ---------------------------------------------------------------------

    def privacy_reply(self) -> Reply:
        return Reply(
            texts.PRIVACY,
            (
                (Button(texts.PRIVACY_EXPORT, "p:export"),),
                (Button(texts.PRIVACY_DELETE, "p:delete"),),
                (HOME_BUTTON,),
            ),
        )

    async def privacy_action(self, action: str, user_id: int, now: datetime) -> list[Reply]:
        """Export (PIPL art. 45) now; deletion (art. 47) as a request the admins handle."""
        if action == "export":
            lines = await self.cases.export_for(user_id)
            text = "\n".join([texts.EXPORT_HEAD, *lines]) if lines else texts.EXPORT_NONE
            return [Reply(part) for part in split_message(text)]
        if action == "delete":
            return [
                Reply(
                    texts.DELETE_CONFIRM,
                    ((Button(texts.DELETE_YES, "p:delete!"),), (HOME_BUTTON,)),
                )
            ]
        if action == "delete!":
            await self.cases.request_deletion(user_id, now)
            self.outbox_written()
            return [Reply(texts.DELETE_RECEIVED, ((HOME_BUTTON,),))]
        return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]

    # Nearby stations ----------------------------------------------------------------------

    async def _nearby(
        self, user_id: int, typed: str | None, location: Location | None, now: datetime
    ) -> list[Reply]:
        directory = self.stations.current
        if location is not None:
            found = directory.nearest(location.latitude, location.longitude, limit=3)
        else:
            match = directory.match_place(typed or "")
            if match is None:
                return [
                    Reply(texts.NEARBY_NONE.format(text=(typed or "")[:20]), ((HOME_BUTTON,),))
                ]
            anchor = match.station
            others = [
                n
                for n in directory.nearest(anchor.latitude, anchor.longitude, limit=4)
                if n.station.code != anchor.code
            ]
            found = [Nearby(anchor, 0.0), *others[:2]]
        await self._save_state(user_id, None, None, now)
        lines = [texts.NEARBY_HEAD]
        for n in found:
            distance = (
                f"约{n.distance_km:.1f}公里"
                if location is not None or n.distance_km
                else "您所在地"
            )
            lines.append(
                f"· {n.station.name}（{distance}）\n  {n.station.address}\n"
                f"  电话 {n.station.phone}｜{n.station.hours}"
            )
        if any(n.station.sample for n in found):
            lines.append(texts.SAMPLE_NOTE)
        return [Reply("\n".join(lines), ((Button(texts.MENU_HELP, "m:help"), HOME_BUTTON),))]

    # Buttons --------------------------------------------------------------------------------

    async def press(self, data: str, now: datetime, user_id: int) -> list[Reply]:
        area, _, rest = data.partition(":")
        if area == "d" and rest in ("y", "n"):
            return await self.danger_answer(rest == "y", user_id, now)
        if area == "p":
            return await self.privacy_action(rest, user_id, now)
        if area == "m":
            if rest == "cases":
                return await self.my_cases(user_id)
            return self.menu(rest)
        if area == "c":
            return self.category(rest)
        if area == "f":
            entry = self.kb.get(rest)
            return [self.entry_reply(entry)] if entry else [Reply(texts.UNKNOWN_BUTTON)]
        if area == "law":
            entry = self.kb.get(rest)
            return self.cited_articles(entry.citations) if entry else [Reply(texts.UNKNOWN_BUTTON)]
        if area == "fb":
            verdict, _, faq_id = rest.partition(":")
            if verdict not in ("y", "n") or self.kb.get(faq_id) is None:
                return [Reply(texts.UNKNOWN_BUTTON)]
            async with self._sessions.begin() as session:
                await repo.add_feedback(session, faq_id, verdict == "y", now)
            logger.info("feedback on %s: %s", faq_id, verdict)
            if verdict == "y":
                return [Reply(texts.FEEDBACK_THANKS)]
            return [
                Reply(texts.FEEDBACK_SORRY, ((Button(texts.ASK_PERSON, "m:help"), HOME_BUTTON),))
            ]
        return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]

    def menu(self, item: str) -> list[Reply]:
        if item == "home":
            return [Reply(texts.WELCOME, main_menu(), edit=True)]
        if item == "faq":
            categories = self.kb.categories()
            if not categories:
                return [Reply(texts.KB_EMPTY, ((HOME_BUTTON,),))]
            rows = [
                tuple(Button(c, f"c:{c}") for c in categories[i : i + 2])
                for i in range(0, len(categories), 2)
            ]
            return [
                Reply(texts.CHOOSE_CATEGORY, (*rows, (Button(texts.BACK, "m:home"),)), edit=True)
            ]
        if item == "privacy":
            return [self.privacy_reply()]
        return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]

    def category(self, name: str, *, fresh: bool = False) -> list[Reply]:
        entries = self.kb.entries_in(name)
        if not entries:
            return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]
        rows = [(Button(e.title, f"f:{e.id}"),) for e in entries]
        return [
            Reply(
                texts.CHOOSE_ENTRY.format(category=name),
                (*rows, (Button(texts.BACK, "m:faq"), HOME_BUTTON)),
                edit=not fresh,
            )
        ]

    # Answers --------------------------------------------------------------------------------

    def entry_text(self, entry: Entry, extra: Sequence[str] = ()) -> str:
        parts = [
            f"【{entry.title}】",
            self.kb.render(entry),
            "",
            texts.basis_line(entry.citations),
        ]
        parts.extend(extra)
        parts.append(texts.FOOTER)
        return "\n".join(parts)

    def entry_reply(self, entry: Entry, extra: Sequence[str] = ()) -> Reply:
        rows: list[tuple[Button, ...]] = [
            (Button(texts.SHOW_LAW, f"law:{entry.id}"),),
            (
                Button(texts.HELPFUL_YES, f"fb:y:{entry.id}"),
                Button(texts.HELPFUL_NO, f"fb:n:{entry.id}"),
            ),
        ]
        rows.extend((Button("相关：" + r.title, f"f:{r.id}"),) for r in self.kb.related(entry))
        rows.append((Button(texts.MENU_HELP, "m:help"), HOME_BUTTON))
        return Reply(self.entry_text(entry, extra), tuple(rows))

    async def question(self, text: str, now: datetime, user_id: int) -> list[Reply]:
        text = text.strip()
        if not text:
            return [Reply(texts.EMPTY_TEXT)]
        result = await self.assistant.answer(text[:MAX_QUESTION], now)
        if result.extra.get("small_talk"):
            return [Reply(texts.WELCOME, main_menu())]
        topic = self._topic_word(text, result)
        if topic is not None:
            # One word such as 工资: offer that category's questions rather than a guess.
            return self.category(topic, fresh=True)
        replies = self.answer_replies(result)
        if result.crisis:
            # Safety text first (answer_replies), then an urgent case and alerts.
            replies.extend(
                await self._crisis_case(user_id, result.crisis_kinds, result.collective, now)
            )
        return replies

    async def _crisis_case(
        self, user_id: int, kinds: Sequence[str], collective: bool, now: datetime
    ) -> list[Reply]:
        """Open (or reuse) the urgent case, alert people, and ask where the worker is."""
        opened = await self._open_crisis(user_id, kinds, collective, now)
        if opened is None:
            return [Reply(texts.HELP_NOW, main_menu())]
        # The next place the worker names (or shares) moves the case to that station.
        await self._save_state(user_id, "crisis_place", {"case_id": opened.id}, now)
        return [Reply(crisis_case_text(opened), ask_location=True)]

    async def _open_crisis(
        self, user_id: int, kinds: Sequence[str], collective: bool, now: datetime
    ) -> OpenedCase | None:
        try:
            opened = await self.cases.open_crisis(
                user_id, now=now, kinds=kinds, category=None, collective=collective
            )
        except NoStation:
            return None
        self.outbox_written()
        return opened

    async def _safety_first(
        self,
        user_id: int,
        text: str,
        result: AskResult,
        state: str,
        data: dict[str, Any] | None,
        now: datetime,
    ) -> list[Reply]:
        """The safety message and an urgent case for a crisis typed inside a step."""
        logger.info("crisis inside step %s: kinds=%s", state, ",".join(result.crisis_kinds))
        safety = (
            texts.SELF_HARM_SAFETY
            if "self_harm" in result.crisis_kinds
            else safety_text(set(result.crisis_kinds)) or texts.CRISIS_SAFETY
        )
        replies = [Reply(safety)]
        if state == "case_reply" and data:
            # The worker was writing to staff: the words reach them as well.
            replies.extend(await self._to_staff(user_id, int(data["case_id"]), text, now))
        opened = await self._open_crisis(user_id, result.crisis_kinds, result.collective, now)
        if opened is None:
            replies.append(Reply(texts.HELP_NOW, main_menu()))
            return replies
        resume = {INTAKE: "m:help", "nearby": "m:near"}.get(state)
        rows = ((Button(texts.RESUME, resume), HOME_BUTTON),) if resume else ((HOME_BUTTON,),)
        said = texts.CRISIS_CASE_ONLY if opened.alerted else texts.CRISIS_CASE_NOBODY
        replies.append(Reply(said.format(number=opened.number), rows))
        return replies

    def _topic_word(self, text: str, result: AskResult) -> str | None:
        """The category a one- or two-word message names (工资, 工伤), if that is all it says."""
        cleaned = clean(text)
        if (
            len(cleaned) > SHORT_TOPIC
            or result.confident
            or result.danger_check
            or result.route not in (Route.SELF_HELP, Route.LEGAL_AID)
        ):
            return None
        named = [c for c in self.kb.categories() if cleaned and cleaned in c]
        return named[0] if named else result.category

    async def _crisis_place(
        self, user_id: int, data: dict[str, Any], event: Event, now: datetime
    ) -> list[Reply] | None:
        """Route an open crisis case by the place the worker gives; None if it is no place."""
        directory = self.stations.current
        station = None
        if isinstance(event, Location):
            nearest = directory.nearest(event.latitude, event.longitude, limit=1)
            station = nearest[0].station if nearest else None
        elif isinstance(event, Text):
            match = directory.match_place(event.text)
            station = match.station if match is not None else None
        if station is None:
            return None
        await self._save_state(user_id, None, None, now)
        moved = await self.cases.relocate(int(data["case_id"]), user_id, station.code, now)
        if moved is None:
            return None
        self.outbox_written()
        return [
            Reply(
                texts.CRISIS_ROUTED.format(station=moved.name, phone=moved.phone),
                ((HOME_BUTTON,),),
            )
        ]

    def answer_replies(self, result: AskResult) -> list[Reply]:
        replies: list[Reply] = []
        kinds = set(result.crisis_kinds)
        if "self_harm" in kinds:
            # A warm line and the hotlines, nothing else: no legal entries in the same reply.
            help_row = (Button(texts.ASK_PERSON, "m:help"), HOME_BUTTON)
            return [Reply(texts.SELF_HARM_SAFETY, (help_row,))]
        safety = safety_text(kinds)
        if safety:
            replies.append(Reply(safety))
        if result.danger_check and not result.crisis:
            replies.append(danger_check())
        extra: list[str] = []
        if "deadline" in kinds:
            extra.append(texts.DEADLINE_NOTE)
        if result.collective:
            extra.append(texts.COLLECTIVE_NOTE)
        if result.route == Route.LEGAL_AID:
            extra.append(texts.LEGAL_AID_OFFER)
        elif result.route == Route.URGENT:
            extra.append(texts.URGENT_NOTE)
        if result.route == Route.OUT_OF_SCOPE:
            replies.append(Reply(texts.OUT_OF_SCOPE, ((HOME_BUTTON,),)))
            return replies
        entry = self.kb.get(result.faq_id) if result.faq_id else None
        # In a crisis the safety text is the answer; entries are offered, not shown in full.
        if entry is not None and result.confident and not result.crisis:
            replies.append(self.entry_reply(entry, extra))
            return replies
        suggestions = [
            e
            for e in ([entry] if entry else [])
            + [self.kb.get(a.faq_id) for a in result.alternatives]
            if e is not None
        ]
        help_row = (Button(texts.ASK_PERSON, "m:help"), HOME_BUTTON)
        if suggestions:
            rows = tuple((Button(e.title, f"f:{e.id}"),) for e in suggestions[:3])
            text = "\n".join([texts.RELATED if result.crisis else texts.NOT_SURE, *extra])
            replies.append(Reply(text, (*rows, help_row)))
        else:
            replies.append(Reply("\n".join([texts.NOT_FOUND, *extra]), (help_row,)))
        return replies

    async def danger_answer(self, yes: bool, user_id: int, now: datetime) -> list[Reply]:
        """The worker's answer to 现在有没有人身危险？ (asked when triage is unsure)."""
        if not yes:
            return [Reply(texts.DANGER_NO_REPLY, main_menu())]
        logger.info("danger confirmed by the worker after a check")
        return [
            Reply(texts.CRISIS_SAFETY),
            *await self._crisis_case(user_id, ("danger",), False, now),
        ]

    # Statutes -------------------------------------------------------------------------------

    def law_lookup(self, args: str) -> list[Reply]:
        if not self.laws.available:
            return [Reply(texts.LAW_NOT_CONFIGURED)]
        parts = args.split()
        if len(parts) < 2:
            return [Reply(texts.LAW_USAGE)]
        name = self.laws.resolve_law("".join(parts[:-1]))
        if name is None:
            return [
                Reply(
                    texts.LAW_UNKNOWN.format(name=parts[0], names="、".join(self.laws.law_names()))
                )
            ]
        article = parse_article_ref(parts[-1])
        if article is None:
            return [Reply(texts.LAW_USAGE)]
        return self.cited_articles((Citation(name, article),))

    def cited_articles(self, citations: Sequence[Citation]) -> list[Reply]:
        if not self.laws.available:
            return [Reply(texts.LAW_NOT_CONFIGURED)]
        blocks = []
        for citation in citations:
            found = self.laws.get(citation.law, citation.article)
            if found is None:
                blocks.append(
                    texts.ARTICLE_UNKNOWN.format(law=citation.law, article=citation.article)
                )
            else:
                blocks.append(f"《{found.law}》{found.text}")
        return [Reply(part) for part in split_message("\n\n".join(blocks))]
