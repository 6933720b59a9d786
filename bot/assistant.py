"""Answering free-text questions: match the knowledge base, triage, apply the confidence gate."""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.knowledge_base import KnowledgeBase
from bot.model import Alternative, AskResult, CitationView
from knowledge.triage import Route, TriageRules
from storage import repositories as repo

logger = logging.getLogger(__name__)


class Assistant:
    """Turns a question into an AskResult; the same logic serves Telegram, console and ask."""

    def __init__(
        self,
        kb: KnowledgeBase,
        rules: TriageRules,
        sessions: async_sessionmaker[AsyncSession],
        *,
        answer_threshold: float,
        suggest_threshold: float,
    ) -> None:
        self.kb = kb
        self.rules = rules
        self._sessions = sessions
        self.answer_threshold = answer_threshold
        self.suggest_threshold = suggest_threshold

    def ask(self, question: str) -> AskResult:
        """Match and triage without touching the database (pure; used by `ask`)."""
        result = self.kb.matcher.match(question, k=3)
        triage = self.rules.classify(
            question, match_score=result.score, unknown_below=self.suggest_threshold
        )
        route = triage.route
        best = result.best
        alternatives = tuple(
            Alternative(s.entry.id, s.entry.title, s.score) for s in result.ranked[1:3]
        )
        if route is Route.OUT_OF_SCOPE or best is None or best.score < self.suggest_threshold:
            return AskResult(
                question=question,
                faq_id=None,
                score=result.score,
                answer=None,
                citations=(),
                route=route.value,
                category=None,
                alternatives=() if route is Route.OUT_OF_SCOPE else alternatives,
                crisis=triage.crisis,
                collective=triage.collective,
                crisis_kinds=triage.crisis_kinds,
            )
        entry = best.entry
        confident = best.score >= self.answer_threshold
        return AskResult(
            question=question,
            faq_id=entry.id,
            score=best.score,
            answer=self.kb.render(entry) if confident else None,
            citations=tuple(CitationView(c.law, c.article) for c in entry.citations),
            route=route.value,
            category=entry.category,
            alternatives=alternatives,
            title=entry.title,
            crisis=triage.crisis,
            collective=triage.collective,
            crisis_kinds=triage.crisis_kinds,
            confident=confident,
        )

    async def answer(self, question: str, now: datetime) -> AskResult:
        """`ask`, plus logging what could not be answered for the admins' review."""
        result = self.ask(question)
        logger.info(
            "question answered: faq=%s score=%.3f route=%s confident=%s",
            result.faq_id,
            result.score,
            result.route,
            result.confident,
        )
        if not result.confident and result.route != Route.OUT_OF_SCOPE:
            async with self._sessions.begin() as session:
                await repo.add_unanswered(
                    session,
                    question=question[:2000],
                    best_faq_id=result.faq_id,
                    score=result.score,
                    route=result.route,
                    now=now,
                )
        return result
