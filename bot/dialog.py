"""The worker's conversation as a state machine over plain events; no Telegram here."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot import texts
from bot.assistant import Assistant
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
from knowledge.triage import Route
from storage import repositories as repo

logger = logging.getLogger(__name__)

MAX_MESSAGE = 4000  # Telegram allows 4096; leave room for headers
MAX_QUESTION = 2000

HOME_BUTTON = Button(texts.HOME, "m:home")


def main_menu() -> tuple[tuple[Button, ...], ...]:
    return (
        (Button(texts.MENU_FAQ, "m:faq"), Button(texts.MENU_HELP, "m:help")),
        (Button(texts.MENU_NEARBY, "m:near"), Button(texts.MENU_CASES, "m:cases")),
        (Button(texts.MENU_PRIVACY, "m:privacy"),),
    )


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
        admin_ids: Sequence[int] = (),
    ) -> None:
        self._sessions = sessions
        self.assistant = assistant
        self.kb = assistant.kb
        self.laws = laws
        self.admin_ids = frozenset(admin_ids)

    async def role_of(self, user_id: int, now: datetime) -> Role:
        async with self._sessions.begin() as session:
            row = await repo.touch_user(session, user_id, now, admin=user_id in self.admin_ids)
            return Role(row.role)

    async def handle(self, user_id: int, event: Event, now: datetime) -> list[Reply]:
        """Everything the bot says in answer to `event`."""
        await self.role_of(user_id, now)
        match event:
            case Command(name="start" | "menu" | "cancel"):
                return [Reply(texts.WELCOME, main_menu())]
            case Command(name="help"):
                return [Reply(texts.HELP, main_menu())]
            case Command(name="privacy"):
                return [Reply(texts.PRIVACY, ((HOME_BUTTON,),))]
            case Command(name="law", args=args):
                return self.law_lookup(args)
            case Command():
                return [Reply(texts.HELP, main_menu())]
            case Press(data=data):
                return await self.press(data, now)
            case Text(text=text):
                return await self.question(text, now)
            case Location() | Attachment():
                return [Reply(texts.HELP_NOW, main_menu())]
        return []

    # Buttons --------------------------------------------------------------------------------

    async def press(self, data: str, now: datetime) -> list[Reply]:
        area, _, rest = data.partition(":")
        if area == "m":
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
        if item == "help" or item == "near":
            return [Reply(texts.HELP_NOW, ((HOME_BUTTON,),))]
        if item == "cases":
            return [Reply(texts.NO_CASES, ((Button(texts.MENU_HELP, "m:help"), HOME_BUTTON),))]
        if item == "privacy":
            return [Reply(texts.PRIVACY, ((HOME_BUTTON,),))]
        return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]

    def category(self, name: str) -> list[Reply]:
        entries = self.kb.entries_in(name)
        if not entries:
            return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]
        rows = [(Button(e.title, f"f:{e.id}"),) for e in entries]
        return [
            Reply(
                texts.CHOOSE_ENTRY.format(category=name),
                (*rows, (Button(texts.BACK, "m:faq"), HOME_BUTTON)),
                edit=True,
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

    async def question(self, text: str, now: datetime) -> list[Reply]:
        text = text.strip()
        if not text:
            return [Reply(texts.EMPTY_TEXT)]
        result = await self.assistant.answer(text[:MAX_QUESTION], now)
        return self.answer_replies(result)

    def answer_replies(self, result: AskResult) -> list[Reply]:
        replies: list[Reply] = []
        kinds = set(result.crisis_kinds)
        if "self_harm" in kinds:
            replies.append(Reply(texts.SELF_HARM_SAFETY))
        elif kinds - {"deadline"}:
            replies.append(Reply(texts.CRISIS_SAFETY))
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
        if entry is not None and result.confident:
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
            text = "\n".join([texts.NOT_SURE, *extra])
            replies.append(Reply(text, (*rows, help_row)))
        else:
            replies.append(Reply("\n".join([texts.NOT_FOUND, *extra]), (help_row,)))
        return replies

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
