"""附近援助站: the nearest stations to a typed place or a shared location, as often as asked."""

from __future__ import annotations

from datetime import datetime

from bot import texts
from bot.conversations.common import HELP_ROW, HOME_BUTTON, NEARBY, Context
from bot.model import Location, Reply
from knowledge.stations import Nearby

# A message this long that names no place is taken as a question, not a failed lookup.
QUESTION_LENGTH = 12


class NearbyConversation:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    async def begin(self, user_id: int, now: datetime) -> list[Reply]:
        await self.ctx.store.save(user_id, NEARBY, {}, now)
        return [
            Reply(texts.NEARBY_ASK, ask_location=True),
            Reply(texts.CHOOSE_OR_BACK, ((HOME_BUTTON,),)),
        ]

    def is_question(self, typed: str) -> bool:
        """Typed text that is no place and reads like a question for the bot."""
        directory = self.ctx.stations.current
        return len(typed.strip()) >= QUESTION_LENGTH and directory.match_place(typed) is None

    async def lookup(
        self, user_id: int, typed: str | None, location: Location | None, now: datetime
    ) -> list[Reply]:
        """The nearest stations; the step stays open for another place."""
        directory = self.ctx.stations.current
        if location is not None:
            found = directory.nearest(location.latitude, location.longitude, limit=3)
        else:
            match = directory.match_place(typed or "")
            if match is None:
                cities = "、".join(r.city for r in directory.roots())
                return [Reply(texts.NEARBY_NONE.format(cities=cities), ((HOME_BUTTON,),))]
            anchor = match.station
            others = [
                n
                for n in directory.nearest(anchor.latitude, anchor.longitude, limit=4)
                if n.station.code != anchor.code
            ]
            found = [Nearby(anchor, 0.0), *others[:2]]
        await self.ctx.store.save(user_id, NEARBY, {}, now)
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
        lines.append(texts.NEARBY_AGAIN)
        return [Reply("\n".join(lines), (HELP_ROW,))]
