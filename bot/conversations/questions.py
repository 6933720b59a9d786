"""Questions and answers: free text, the FAQ menu, feedback and statute lookups."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime

from bot import texts
from bot.conversations import safety
from bot.conversations.common import HELP_ROW, HOME_BUTTON, MAX_QUESTION, Context, home
from bot.knowledge_base import KnowledgeBase
from bot.model import AskResult, Button, Reply, split_message
from knowledge.entries import Citation, Entry
from knowledge.laws import parse_article_ref
from knowledge.normalize import clean
from knowledge.triage import Route
from storage import repositories as repo

logger = logging.getLogger(__name__)

SHORT_TOPIC = 4  # a message this short (after cleaning) that names no clear question


class Questions:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    @property
    def kb(self) -> KnowledgeBase:
        return self.ctx.kb

    async def ask(self, text: str, now: datetime, result: AskResult | None = None) -> list[Reply]:
        """A free-text message outside any step (`result`: its triage, when already done)."""
        text = text.strip()
        if not text:
            return [Reply(texts.EMPTY_TEXT)]
        cut = len(text) > MAX_QUESTION
        if result is None:
            result = self.ctx.assistant.ask(text[:MAX_QUESTION])
        await self.ctx.assistant.record(result, now)
        if result.extra.get("small_talk"):
            return [home()]
        topic = self._topic_word(text, result)
        if topic is not None:
            # One word such as 工资: offer that category's questions rather than a guess.
            return self.category(topic, fresh=True)
        replies = [Reply(texts.CUT_NOTE.format(limit=MAX_QUESTION))] if cut else []
        replies += self.answer_replies(result)
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

    def answer_replies(self, result: AskResult) -> list[Reply]:
        """The replies to a question: safety first, then the answer or suggestions."""
        kinds = set(result.crisis_kinds)
        if "self_harm" in kinds:
            # A warm line and the hotlines, nothing else: no legal entries in the same reply.
            return [Reply(texts.SELF_HARM_SAFETY, (HELP_ROW,))]
        replies: list[Reply] = []
        said = safety.safety_text(kinds)
        if said:
            replies.append(Reply(said))
        if result.danger_check and not result.crisis:
            replies.append(safety.danger_check())
        extra: list[str] = []
        if "deadline" in kinds:
            extra.append(texts.DEADLINE_NOTE)
        if result.collective:
            extra.append(texts.COLLECTIVE_NOTE)
        if result.route == Route.LEGAL_AID:
            extra.append(texts.LEGAL_AID_OFFER)
        elif result.route == Route.URGENT and not result.crisis:
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
        if suggestions:
            rows = tuple((Button(e.title, f"f:{e.id}"),) for e in suggestions[:3])
            text = "\n".join([texts.RELATED if result.crisis else texts.NOT_SURE, *extra])
            replies.append(Reply(text, (*rows, HELP_ROW)))
        else:
            replies.append(Reply("\n".join([texts.NOT_FOUND, *extra]), (HELP_ROW,)))
        return replies

    # The FAQ menu ---------------------------------------------------------------------

    def menu(self) -> list[Reply]:
        categories = self.kb.categories()
        if not categories:
            return [Reply(texts.KB_EMPTY, ((HOME_BUTTON,),))]
        rows = [
            tuple(Button(c, f"c:{c}") for c in categories[i : i + 2])
            for i in range(0, len(categories), 2)
        ]
        return [Reply(texts.CHOOSE_CATEGORY, (*rows, (Button(texts.BACK, "m:home"),)), edit=True)]

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
        rows.append(HELP_ROW)
        return Reply(self.entry_text(entry, extra), tuple(rows))

    async def press(self, area: str, rest: str, now: datetime) -> list[Reply]:
        """c:CATEGORY, f:ENTRY, law:ENTRY, fb:y|n:ENTRY."""
        if area == "c":
            return self.category(rest)
        entry = self.kb.get(rest.partition(":")[2] if area == "fb" else rest)
        if entry is None:
            return [Reply(texts.UNKNOWN_BUTTON, ((HOME_BUTTON,),))]
        if area == "f":
            return [self.entry_reply(entry)]
        if area == "law":
            return self.cited_articles(entry.citations)
        verdict = rest.partition(":")[0]
        if verdict not in ("y", "n"):
            return [Reply(texts.UNKNOWN_BUTTON)]
        async with self.ctx.sessions.begin() as session:
            await repo.add_feedback(session, entry.id, verdict == "y", now)
        logger.info("feedback on %s: %s", entry.id, verdict)
        if verdict == "y":
            return [Reply(texts.FEEDBACK_THANKS)]
        return [Reply(texts.FEEDBACK_SORRY, (HELP_ROW,))]

    # Statutes -------------------------------------------------------------------------

    def law_lookup(self, args: str) -> list[Reply]:
        laws = self.ctx.laws
        if not laws.available:
            return [Reply(texts.LAW_NOT_CONFIGURED)]
        parts = args.split()
        if len(parts) < 2:
            return [Reply(texts.LAW_USAGE)]
        name = laws.resolve_law("".join(parts[:-1]))
        if name is None:
            names = "、".join(laws.law_names())
            return [Reply(texts.LAW_UNKNOWN.format(name=parts[0], names=names))]
        article = parse_article_ref(parts[-1])
        if article is None:
            return [Reply(texts.LAW_USAGE)]
        return self.cited_articles((Citation(name, article),))

    def cited_articles(self, citations: Sequence[Citation]) -> list[Reply]:
        laws = self.ctx.laws
        if not laws.available:
            return [Reply(texts.LAW_NOT_CONFIGURED)]
        blocks = []
        for citation in citations:
            found = laws.get(citation.law, citation.article)
            if found is None:
                blocks.append(
                    texts.ARTICLE_UNKNOWN.format(law=citation.law, article=citation.article)
                )
            else:
                blocks.append(f"《{found.law}》{found.text}")
        return [Reply(part) for part in split_message("\n\n".join(blocks))]
