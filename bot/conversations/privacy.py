"""隐私说明: what is kept, a copy of it (PIPL art. 45) and a deletion request (art. 47)."""

from __future__ import annotations

from datetime import datetime

from bot import texts
from bot.conversations.common import HOME_BUTTON, Context
from bot.model import Button, Reply, split_message
from storage import repositories as repo


class Privacy:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def notice(self) -> Reply:
        return Reply(
            texts.PRIVACY,
            (
                (Button(texts.PRIVACY_EXPORT, "p:export"),),
                (Button(texts.PRIVACY_DELETE, "p:delete"),),
                (HOME_BUTTON,),
            ),
        )

    async def action(self, action: str, user_id: int, now: datetime) -> list[Reply]:
        """Export now; deletion as a request the admins handle."""
        if action == "export":
            lines = await self.ctx.cases.export_for(user_id)
            async with self.ctx.sessions.begin() as session:
                await repo.audit(session, user_id, "export_own_data", str(user_id), now)
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
            await self.ctx.cases.request_deletion(user_id, now)
            self.ctx.outbox_written()
            return [Reply(texts.DELETE_RECEIVED, ((HOME_BUTTON,),))]
        return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]
