"""The 我要求助 intake as a conversation: stored after every answer, resumable, submitted
as a case at the nearest station. The transitions themselves are bot.intake.Intake."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from bot import intake_texts, texts
from bot.cases import OpenedCase
from bot.conversations.common import HOME_BUTTON, INTAKE, Context, State, home
from bot.errors import ConsentRequired, NoStation
from bot.intake import Outcome
from bot.model import Button, Event, Reply
from storage import repositories as repo


class IntakeConversation:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def begin(self, user_id: int, state: State, now: datetime) -> list[Reply]:
        """我要求助: a new intake, or the unfinished one where it was left."""
        draft = state.paused_intake()
        if draft is not None:
            prompt = self.ctx.intake.prompt(draft)
            if state.name == INTAKE:  # still in it (e.g. back after a safety interruption)
                return prompt
            await self.ctx.store.save(user_id, INTAKE, draft, now)
            return [Reply(texts.INTAKE_RESUMED), *prompt]
        return await self.outcome(user_id, self.ctx.intake.start(), now)

    async def event(
        self, user_id: int, draft: dict[str, Any], event: Event, now: datetime
    ) -> list[Reply]:
        return await self.outcome(user_id, self.ctx.intake.handle(draft, event, now), now)

    async def outcome(self, user_id: int, outcome: Outcome, now: datetime) -> list[Reply]:
        if outcome.consent_given:
            async with self.ctx.sessions.begin() as session:
                user = await repo.touch_user(session, user_id, now)
                user.consent_version = intake_texts.NOTICE_VERSION
                user.consent_at = now
        if outcome.submit and outcome.draft is not None:
            return await self.submit(user_id, outcome.draft, now)
        if outcome.draft is None:
            await self.ctx.store.save(user_id, None, None, now)
            return [*outcome.replies[:1], home()]
        await self.ctx.store.save(user_id, INTAKE, outcome.draft, now)
        return outcome.replies

    async def submit(self, user_id: int, draft: dict[str, Any], now: datetime) -> list[Reply]:
        triage = self.ctx.assistant.ask(draft.get("description", ""))
        try:
            opened = await self.ctx.cases.open_from_intake(
                user_id,
                draft,
                now=now,
                urgent=triage.route == "urgent",
                crisis=triage.crisis,
                collective=triage.collective,
            )
        except ConsentRequired:
            await self.ctx.store.save(user_id, None, None, now)
            return [home(intake_texts.CONSENT_NEEDED)]
        except NoStation:
            return [home(texts.HELP_NOW)]
        await self.ctx.store.save(user_id, None, None, now)
        self.ctx.outbox_written()
        return self.submitted(opened)

    async def again(self, user_id: int, key: str) -> list[Reply] | None:
        """确认提交 pressed again after the intake ended: the same case number."""
        opened = await self.ctx.cases.of_intake(key, user_id)
        return None if opened is None else self.submitted(opened)

    def submitted(self, opened: OpenedCase) -> list[Reply]:
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
