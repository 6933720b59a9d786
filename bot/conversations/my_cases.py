"""A worker's cases: the list, writing to staff, and follow-ups that reach the open case.

While staff are talking with a worker (or the worker replies to a staff message, or pressed
回复工作人员), what the worker sends goes to that case: text, photos, files and voice notes.
Plain text gets a one-tap escape, 「这是新问题」, for a question meant for the bot.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from bot import intake_texts, texts
from bot import staff_texts as st
from bot.cases import STATUS_NAMES, CaseSummary
from bot.conversations.common import CASE_REPLY, HELP_ROW, HOME_BUTTON, MENU, Context, State
from bot.desk import DeskError
from bot.model import Attachment, Button, Event, Reply, Text, Voice
from storage import repositories as repo

MAX_LISTED = 5
SHOWN_MESSAGES = 3
REOPEN_WITHIN = timedelta(days=30)
CONVERSATION = timedelta(days=7)  # staff wrote within this: plain text goes to the case
FORWARDED = "_forwarded"  # state key: the text last passed to staff (for 「这是新问题」)
MAX_TO_STAFF = 4000


class MyCases:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def list(self, user_id: int, now: datetime | None = None) -> list[Reply]:
        """One message per case: its state, the conversation so far, and what can be done."""
        cases = await self.ctx.cases.cases_of(user_id)
        if not cases:
            return [Reply(texts.NO_CASES, (HELP_ROW,))]
        replies = [Reply(texts.MY_CASES_HEAD.format(count=len(cases)))]
        for case in cases[:MAX_LISTED]:
            replies.append(Reply(self._case_text(case), self._case_buttons(case, now)))
        replies.append(Reply(texts.CHOOSE_OR_BACK, (HELP_ROW,)))
        return replies

    @staticmethod
    def _case_text(case: CaseSummary) -> str:
        category = intake_texts.CATEGORY_NAMES.get(case.category, case.category)
        lines = [
            f"案件 {case.number}｜{category}｜{STATUS_NAMES.get(case.status, case.status)}",
            f"{case.station_name}｜更新于 {texts.local_time(case.updated_at)}",
        ]
        if case.status == "queued":
            wait = texts.WAIT_URGENT if case.urgent else texts.WAIT_NORMAL
            lines.append(wait.format(hours=case.station_hours, phone=case.station_phone))
        for at, who, text in case.messages[-SHOWN_MESSAGES:]:
            speaker = "工作人员" if who == "out" else "您"
            short = text if len(text) <= 80 else text[:78] + "……"
            lines.append(f"{texts.local_time(at)} {speaker}：{short}")
        return "\n".join(lines)

    @staticmethod
    def _case_buttons(case: CaseSummary, now: datetime | None) -> tuple[tuple[Button, ...], ...]:
        if case.status != "closed":
            return (
                (
                    Button(texts.CASE_WRITE, f"case:wr:{case.id}"),
                    Button(texts.CASE_MORE, f"case:wr:{case.id}"),
                ),
            )
        rows: list[tuple[Button, ...]] = []
        if case.closed_at is not None and (now is None or now - case.closed_at <= REOPEN_WITHIN):
            rows.append((Button(st.W_REOPEN, f"case:reopen:{case.id}"),))
        if not case.rated:
            rows.append(tuple(Button(str(n), f"case:rate:{case.id}:{n}") for n in range(1, 6)))
        return tuple(rows)

    async def button(self, user_id: int, data: str, now: datetime) -> list[Reply]:
        """case:wr:ID, case:reopen:ID, case:rate:ID:N (the worker's side of a case)."""
        parts = data.split(":")
        if len(parts) < 3 or not parts[2].isdecimal() or len(parts[2]) > 10:
            return [Reply(texts.UNKNOWN_BUTTON)]
        verb, case_id = parts[1], int(parts[2])
        desk = self.ctx.desk
        try:
            if verb == "wr":
                await self.ctx.store.save(user_id, CASE_REPLY, {"case_id": case_id}, now)
                return [Reply(st.W_WRITE_PROMPT, ((HOME_BUTTON,),))]
            if verb == "reopen":
                case = await desk.reopen(case_id, user_id, now)
                self.ctx.outbox_written()
                return [Reply(st.W_REOPENED.format(number=case.number))]
            if verb == "rate" and len(parts) == 4 and parts[3] in ("1", "2", "3", "4", "5"):
                await desk.rate(case_id, user_id, int(parts[3]), now)
                return [Reply(st.W_RATED)]
        except DeskError as exc:
            return [Reply(str(exc))]
        return [Reply(texts.UNKNOWN_BUTTON)]

    # Follow-ups ---------------------------------------------------------------------------

    async def target(self, user_id: int, event: Event, state: State, now: datetime) -> int | None:
        """The case this message is for, if it is a follow-up to staff at all."""
        reply_to = getattr(event, "reply_to", None)
        async with self.ctx.sessions.begin() as session:
            if reply_to is not None:
                case_id = await repo.case_of_message(session, user_id, reply_to)
                case = await repo.get_case(session, case_id) if case_id else None
                if case is not None and case.worker_id == user_id and case.status != "closed":
                    return case.id
            if state.name == CASE_REPLY:
                return int(state.data["case_id"])
            if state.name not in (None, MENU):
                return None
            case = await repo.case_in_conversation(session, user_id, now - CONVERSATION)
            if case is not None:
                return case.id
            if isinstance(event, Attachment | Voice):
                # A photo or file outside any step belongs with the worker's open case.
                rows = await repo.cases_of_worker(session, user_id, limit=5)
                open_cases = [c for c in rows if c.status != "closed"]
                return open_cases[0].id if open_cases else None
        return None

    async def forward(
        self, user_id: int, case_id: int, event: Event, state: State, now: datetime
    ) -> list[Reply]:
        """Pass the worker's text or file to the case; say whether someone has it now."""
        desk = self.ctx.desk
        number = await self._number(case_id)
        try:
            if isinstance(event, Text):
                text = event.text.strip()[:MAX_TO_STAFF]
                delivered = await desk.worker_message(case_id, user_id, text, now)
            elif isinstance(event, Attachment):
                delivered = await desk.worker_file(
                    case_id, user_id, event.kind, event.file_id, event.caption or "", now
                )
            elif isinstance(event, Voice):
                delivered = await desk.worker_file(
                    case_id, user_id, event.kind, event.file_id, f"{event.seconds}秒", now
                )
            else:
                return []
        except DeskError as exc:
            await self.ctx.store.save(user_id, None, None, now)
            return [Reply(str(exc), (HELP_ROW,))]
        self.ctx.outbox_written()
        rows: list[tuple[Button, ...]] = [
            (Button(st.W_REPLY_BUTTON, f"case:wr:{case_id}"), HOME_BUTTON)
        ]
        data: dict[str, Any] = {}
        if isinstance(event, Text) and state.name != CASE_REPLY and event.reply_to is None:
            # Maybe it was meant for the bot: one tap answers it as a question.
            rows.insert(0, (Button(texts.NEW_QUESTION, "q:new"),))
            data[FORWARDED] = event.text[:MAX_TO_STAFF]
        if state.name == CASE_REPLY or data:
            await self.ctx.store.save(user_id, MENU if data else None, data, now)
        said = texts.FORWARDED if delivered else texts.FORWARDED_WAITING
        if isinstance(event, Attachment):
            said = texts.FILE_TO_CASE if delivered else texts.FILE_TO_CASE_QUEUED
        if isinstance(event, Voice):
            said = texts.VOICE_TO_STAFF if delivered else texts.FORWARDED_WAITING
        return [Reply(said.format(number=number), tuple(rows))]

    async def forwarded_text(self, user_id: int, now: datetime) -> str | None:
        """The text behind 「这是新问题」 (and forget it)."""
        state = await self.ctx.store.load(user_id)
        text = state.data.get(FORWARDED)
        if text is not None:
            data = {k: v for k, v in state.data.items() if k != FORWARDED}
            await self.ctx.store.save(user_id, MENU if data else None, data, now)
        return str(text) if text else None

    async def _number(self, case_id: int) -> str:
        async with self.ctx.sessions.begin() as session:
            case = await repo.get_case(session, case_id)
            return case.number or str(case.id) if case is not None else str(case_id)
