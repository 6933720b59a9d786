"""Hostile input never raises: random events from workers, staff and an admin, through the
real Dialog on a real database (property-based, with hypothesis)."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.model import Attachment, Command, Location, Press, Sticker, Text, Voice
from bot.services import Services

USERS = (5001, 5002, 900)  # a worker, another worker, the configured admin
PREFIXES = (
    "", "case:wr:", "case:claim:", "case:hist:", "case:rp:", "case:to:", "case:ev:", "case:co:",
    "case:rate:", "case:reopen:", "i:", "i:submit:", "i:edit:", "s:same:", "f:", "law:", "fb:y:",
    "fb:n:", "d:", "q:new", "sq:", "p:", "m:", "c:",
)  # fmt: skip
COMMANDS = tuple(
    "start cancel help law mycases claim reply close case transfer queue duty whoami "
    "grant_staff revoke_staff note x".split()
)
WORDS = (
    *"取消 返回 主菜单 我不想活了 老板打我 ① ² 一万六千多 汝州 工资 你好 🙂".split(),
    "SZ-2026-000001",
    "\x00",
    "9" * 30,
    "\u202e",
    "\ufeff",
    "\ud83d",  # a lone surrogate, as a JSON escape can carry
)

text = st.one_of(
    st.text(max_size=300),
    st.sampled_from(WORDS),
    st.lists(st.sampled_from(WORDS), max_size=5).map("".join),
    st.just("长" * 5000),
)
events = st.one_of(
    st.builds(Text, text),
    st.builds(Text, text, reply_to=st.integers(min_value=-(2**40), max_value=2**40)),
    st.builds(
        Press,
        st.tuples(st.sampled_from(PREFIXES), st.text(max_size=40)).map("".join),
    ),
    st.builds(Command, st.sampled_from(COMMANDS), text),
    st.builds(Voice, st.sampled_from(("voice", "audio", "video_note")), st.text(max_size=20)),
    st.builds(Sticker),
    st.builds(
        Attachment,
        st.sampled_from(("photo", "document")),
        st.text(min_size=1, max_size=20),
        caption=st.one_of(st.none(), text),
    ),
    st.builds(
        Location,
        st.floats(min_value=-90, max_value=90, allow_nan=False),
        st.floats(min_value=-180, max_value=180, allow_nan=False),
    ),
)


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.tuples(st.sampled_from(USERS), events), min_size=1, max_size=6))
async def test_no_event_raises_and_every_one_gets_an_answer(services: Services, steps) -> None:
    for user, event in steps:
        replies = await services.dialog.handle(user, event, services.clock())
        assert isinstance(replies, list)
        if not isinstance(event, Location):
            assert replies, event
        for reply in replies:
            assert "\x00" not in reply.text
