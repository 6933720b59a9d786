"""Staff and admin commands as plain (command, arguments) -> replies, for every front end."""

from __future__ import annotations

from datetime import datetime

from bot import intake_texts
from bot import staff_texts as st
from bot.case_view import full_view
from bot.desk import Desk, DeskError
from bot.model import Button, Reply, split_message, strip_controls
from bot.notify import case_card

COMMANDS = (
    "claim",
    "reply",
    "note",
    "transfer",
    "release",
    "close",
    "case",
    "queue",
    "mine",
    "link_station",
    "grant_staff",
    "revoke_staff",
    "duty",
    "canned",
    "setcanned",
    "use",
    "staff",
    "whoami",
    "route",
)
# Commands whose first argument is a case (an id or a case number).
CASE_COMMANDS = frozenset(
    {"claim", "reply", "use", "note", "release", "transfer", "close", "case", "route"}
)
ROUTE_WORDS = {
    "一般咨询": "self_help",
    "需要人工": "legal_aid",
    "紧急": "urgent",
    "非劳动": "out_of_scope",
    **{r: r for r in ("self_help", "legal_aid", "urgent", "out_of_scope")},
}
CATEGORY_WORDS = {
    **{v: k for k, v in intake_texts.CATEGORY_NAMES.items()},
    **{k: k for k in intake_texts.CATEGORY_NAMES},
}
OUTCOME_CODES = {**{v: k for k, v in st.OUTCOMES.items()}, **{k: k for k in st.OUTCOMES}}


def _int(text: str) -> int | None:
    text = text.strip().lstrip("#")
    return int(text) if text.isascii() and text.isdecimal() and len(text) <= 10 else None


async def run(
    desk: Desk,
    user_id: int,
    chat_id: int,
    name: str,
    args: str,
    now: datetime,
    *,
    reply_to_case: int | None = None,
) -> list[Reply]:
    """Run one staff command; refusals come back as sentences, never exceptions."""
    try:
        return await _run(
            desk, user_id, chat_id, name, strip_controls(args).strip(), now, reply_to_case
        )
    except DeskError as exc:
        return [Reply(str(exc))]


async def _run(
    desk: Desk,
    user_id: int,
    chat_id: int,
    name: str,
    args: str,
    now: datetime,
    reply_to_case: int | None,
) -> list[Reply]:
    parts = args.split(maxsplit=1)
    head = _int(parts[0]) if parts else None
    if head is None and parts and name in CASE_COMMANDS:
        head = await desk.case_id(parts[0])
    rest = parts[1] if len(parts) > 1 else ""
    usage = [Reply(st.USAGE.get(name, st.STAFF_HELP))]
    if name == "staff":
        return [Reply(st.STAFF_HELP)]
    if name == "queue":
        return await queue(desk, user_id, st.FILTER_WORDS.get(args.strip(), "all"), now)
    if name == "route":
        words = rest.split()
        route = ROUTE_WORDS.get(words[0]) if words else None
        category = CATEGORY_WORDS.get(words[1]) if len(words) > 1 else None
        if head is None or route is None or (len(words) > 1 and category is None):
            return usage
        await desk.correct(head, user_id, route, category, now)
        return [Reply(st.CORRECTED)]
    if name == "whoami":
        actor = await desk.whoami(user_id, now)
        stations = "、".join(
            f"{desk.directory.get(c).name if desk.directory.get(c) else c}（{c}）"
            for c in actor.stations
        )
        return [
            Reply(
                st.WHOAMI.format(
                    id=user_id,
                    role=st.ROLE_NAMES.get(actor.role, actor.role),
                    stations=stations or "—",
                )
            )
        ]
    if name == "mine":
        cases = await desk.mine(user_id)
        if not cases:
            return [Reply(st.MINE_EMPTY)]
        return [
            Reply(st.MINE_HEAD),
            *(Reply(*case_card(c, desk.directory.get(c.station_code), now)) for c in cases),
        ]
    if name == "claim":
        if head is None:
            return usage
        case = await desk.claim(head, user_id, now)
        return [Reply(st.CLAIMED_OK.format(number=case.number, id=case.id))]
    if name == "reply":
        case_id, text = (head, rest) if head is not None else (reply_to_case, args)
        if case_id is None or not text:
            return usage
        await desk.reply(case_id, user_id, text, now)
        return [Reply(st.SENT)]
    if name == "use":
        if head is None or not rest:
            return usage
        templates = await desk.canned()
        if rest not in templates:
            return [Reply(st.UNKNOWN_CANNED.format(key=rest))]
        case, _ = await desk.history(head, user_id, now)
        station = desk.directory.get(case.station_code)
        text = templates[rest].format(
            address=station.address if station else "",
            phone=station.phone if station else "",
            hours=station.hours if station else "",
        )
        await desk.reply(head, user_id, text, now)
        return [Reply(st.SENT)]
    if name == "note":
        if head is None or not rest:
            return usage
        await desk.note(head, user_id, rest, now)
        return [Reply(st.NOTED)]
    if name == "release":
        if head is None:
            return usage
        await desk.release(head, user_id, now)
        return [Reply(st.RELEASED)]
    if name == "transfer":
        target = rest.split(maxsplit=1)
        if head is None or not target:
            return usage
        case = await desk.transfer(
            head, user_id, target[0], target[1] if len(target) > 1 else "", now
        )
        station = desk.directory.get(case.station_code)
        return [Reply(st.TRANSFERRED.format(station=station.name if station else target[0]))]
    if name == "close":
        outcome = rest.split(maxsplit=1)
        code = OUTCOME_CODES.get(outcome[0]) if outcome else None
        if head is None or code is None:
            return usage
        await desk.close(head, user_id, code, outcome[1] if len(outcome) > 1 else "", now)
        return [Reply(st.CLOSED_OK.format(outcome=st.OUTCOMES[code]))]
    if name == "case":
        if head is None:
            return usage
        case, events = await desk.history(head, user_id, now)
        names = {x.code: x.name for x in desk.directory.stations}
        text, evidence = full_view(case, desk.directory.get(case.station_code), events, names, now)
        parts_ = split_message(text)
        # Phone numbers and words go to the staff member privately, never into a group.
        replies = [Reply(part, chat_id=user_id) for part in parts_]
        replies[-1] = Reply(parts_[-1], evidence, chat_id=user_id)
        return replies
    if name == "link_station":
        if not args or chat_id > 0:
            return usage
        station = await desk.link_chat(user_id, chat_id, args.split()[0], now)
        return [Reply(st.LINKED.format(station=station))]
    if name == "grant_staff":
        target = rest.split()
        if head is None or not target:
            return usage
        station = await desk.grant(user_id, head, target[0], now)
        return [Reply(st.GRANTED.format(user=head, station=station))]
    if name == "revoke_staff":
        if head is None:
            return usage
        count = await desk.revoke(user_id, head, rest.split()[0] if rest else None, now)
        return [Reply(st.REVOKED.format(user=head, count=count))]
    if name == "duty":
        wanted = args.strip().lower()
        if wanted in ("on", "上班", "1", "off", "下班", "0"):
            on = wanted in ("on", "上班", "1")
            await desk.set_duty(user_id, on)
            return [Reply(st.DUTY_ON if on else st.DUTY_OFF)]
        duty = await desk.duty(user_id)
        if not duty:
            return [Reply(st.DUTY_NONE)]
        lines = "\n".join(
            f"· {desk.directory.get(c).name if desk.directory.get(c) else c}："
            f"{'上班' if on else '下班'}"
            for c, on in duty
        )
        return [Reply(st.DUTY_STATE.format(lines=lines))]
    if name == "canned":
        templates = await desk.canned()
        return [
            Reply(st.CANNED_HEAD + "\n" + "\n".join(f"· {k}：{v}" for k, v in templates.items()))
        ]
    if name == "setcanned":
        key_text = args.split(maxsplit=1)
        if len(key_text) < 2:
            return usage
        await desk.set_canned(user_id, key_text[0], key_text[1], now)
        return [Reply(st.CANNED_SAVED.format(key=key_text[0]))]
    return [Reply(st.STAFF_HELP)]


async def queue(desk: Desk, user_id: int, which: str, now: datetime) -> list[Reply]:
    """Open cases, waiting first, with the counts and the 待认领 / 我的 / 全部 filters."""
    cases, counts = await desk.queue(user_id, now, which)
    filters = tuple(
        Button(("· " if key == which else "") + label, f"sq:{key}")
        for key, label in st.QUEUE_FILTERS
    )
    head = st.QUEUE_COUNTS.format(queued=counts.get("queued", 0), claimed=counts.get("claimed", 0))
    if not cases:
        return [Reply(head + "\n" + st.QUEUE_EMPTY, (filters,))]
    cards = [Reply(*case_card(c, desk.directory.get(c.station_code), now)) for c in cases]
    return [Reply(head + "\n" + st.QUEUE_HEAD, (filters,)), *cards]
