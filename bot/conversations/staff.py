"""Duty staff acting from the buttons under a case card: 认领 / 回复 / 备注 / 转交 / 释放 /
办结 / 详情, the evidence files, and the queue filters. Typed commands are bot/staff_commands.py;
both end in the same Desk use cases, which check every permission again."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot import staff_commands, texts
from bot import staff_texts as st
from bot.conversations.common import HOME_BUTTON, Context, State
from bot.desk import DeskError
from bot.model import Button, Reply, Text

STAFF_REPLY = "staff_reply"
STAFF_NOTE = "staff_note"
STEPS = (STAFF_REPLY, STAFF_NOTE)
VERBS = frozenset({"claim", "hist", "rp", "nt", "tr", "to", "rl", "cl", "co", "ev"})
MAX_STATIONS = 40


def _ids(parts: list[str], count: int) -> list[int] | None:
    """`count` small decimal ids from callback parts, or None (forged or stale data)."""
    values = parts[:count]
    if len(values) < count or not all(
        v.isascii() and v.isdecimal() and len(v) <= 10 for v in values
    ):
        return None
    return [int(v) for v in values]


class StaffConversation:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def button(self, user_id: int, data: str, now: datetime) -> list[Reply]:
        """Answers go to the presser's private chat: a card may sit in a station group, and
        refusals or a case's details are for the person who pressed."""
        return [
            r if r.chat_id is not None else replace(r, chat_id=user_id)
            for r in await self._button(user_id, data, now)
        ]

    async def _button(self, user_id: int, data: str, now: datetime) -> list[Reply]:
        parts = data.split(":")
        verb = parts[1] if len(parts) > 1 else ""
        ids = _ids(parts[2:], 1)
        if ids is None:
            return [Reply(texts.UNKNOWN_BUTTON)]
        case_id = ids[0]
        desk = self.ctx.desk
        try:
            if verb == "claim":
                case = await desk.claim(case_id, user_id, now)
                self.ctx.outbox_written()
                return [Reply(st.CLAIMED_OK.format(number=case.number, id=case.id))]
            if verb == "hist":
                return await staff_commands.run(desk, user_id, user_id, "case", str(case_id), now)
            case, _ = await desk.history(case_id, user_id, now)  # staff of the case only
            if verb in ("rp", "nt"):
                step = STAFF_REPLY if verb == "rp" else STAFF_NOTE
                await self.ctx.store.save(user_id, step, {"case_id": case_id}, now)
                prompt = st.REPLY_PROMPT if verb == "rp" else st.NOTE_PROMPT
                return [Reply(prompt.format(number=case.number), chat_id=user_id)]
            if verb == "tr":
                return [self._stations(case_id, case.number or str(case_id), case.station_code)]
            if verb == "to" and len(parts) == 4:
                moved = await desk.transfer(case_id, user_id, parts[3], "", now)
                self.ctx.outbox_written()
                station = desk.directory.get(moved.station_code)
                return [
                    Reply(st.TRANSFERRED.format(station=station.name if station else parts[3]))
                ]
            if verb == "rl":
                await desk.release(case_id, user_id, now)
                self.ctx.outbox_written()
                return [Reply(st.RELEASED)]
            if verb == "cl":
                rows = tuple(
                    (Button(label, f"case:co:{case_id}:{code}"),)
                    for code, label in st.OUTCOMES.items()
                )
                return [Reply(st.CLOSE_PROMPT.format(number=case.number), rows)]
            if verb == "co" and len(parts) == 4 and parts[3] in st.OUTCOMES:
                await desk.close(case_id, user_id, parts[3], "", now)
                self.ctx.outbox_written()
                return [Reply(st.CLOSED_OK.format(outcome=st.OUTCOMES[parts[3]]))]
            if verb == "ev":
                number = _ids(parts[3:], 1)
                if number is None:
                    return [Reply(texts.UNKNOWN_BUTTON)]
                sent = await desk.send_evidence(case_id, user_id, number[0], user_id, now)
                self.ctx.outbox_written()
                said = st.EVIDENCE_SENT.format(n=number[0]) if sent else texts.UNKNOWN_BUTTON
                return [Reply(said, chat_id=user_id)]
        except DeskError as exc:
            return [Reply(str(exc))]
        return [Reply(texts.UNKNOWN_BUTTON)]

    def _stations(self, case_id: int, number: str, current: str) -> Reply:
        """The station tree as buttons (indented by level), the current station left out."""
        directory = self.ctx.desk.directory
        rows: list[tuple[Button, ...]] = []

        def walk(parent: str | None, depth: int) -> None:
            for station in sorted(
                (s for s in directory.stations if s.parent == parent), key=lambda s: s.code
            ):
                if len(rows) >= MAX_STATIONS:
                    return
                if station.code != current:
                    label = "　" * depth + station.name
                    rows.append((Button(label, f"case:to:{case_id}:{station.code}"),))
                walk(station.code, depth + 1)

        walk(None, 0)
        return Reply(st.TRANSFER_PROMPT.format(number=number), tuple(rows))

    async def queue(self, user_id: int, which: str, now: datetime) -> list[Reply]:
        if which not in ("queued", "mine", "all"):
            return [Reply(texts.UNKNOWN_BUTTON)]
        try:
            return await staff_commands.queue(self.ctx.desk, user_id, which, now)
        except DeskError as exc:
            return [Reply(str(exc))]

    async def step(self, user_id: int, event: Text, state: State, now: datetime) -> list[Reply]:
        """The text after 回复 or 备注: sent to the worker, or kept as an internal note."""
        await self.ctx.store.save(user_id, None, None, now)
        case_id = int(state.data["case_id"])
        text = event.text.strip()
        if not text:
            return [Reply(texts.EMPTY_TEXT, ((HOME_BUTTON,),))]
        name = "reply" if state.name == STAFF_REPLY else "note"
        replies = await staff_commands.run(
            self.ctx.desk, user_id, user_id, name, f"{case_id} {text}", now
        )
        self.ctx.outbox_written()
        return replies
